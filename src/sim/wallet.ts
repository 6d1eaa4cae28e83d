// A simulated hcwallet: keys from one account xpub (shared by every wallet built from the same
// seed), imported redeem scripts, owned tickets, stake-pool mode with hcwallet's fee check (§6.3)
// deciding live vs invalid, vote choices and lock state; the user wallet is the same model with a
// spendable balance and purchaseticket. Semantic failures are thrown as the JSON-RPC error objects
// hcwallet answers with (HC-PROTOCOL §8.2): most are plain Go errors, which hcwallet sends as -4.
import { Either } from "effect";
import {
  type Address,
  addressHash160,
  decodeAddressForNet,
  encodeAddress,
  pubKeyAddress,
  pubKeyHashAddress,
  pubKeyHashAddressOf,
  scriptHashAddress,
} from "../domain/address.ts";
import { fromHex, toHex } from "../domain/bytes.ts";
import { hash160 } from "../domain/hash.ts";
import { deriveChild, type ExtendedKey, neuter, serializeExtendedKey } from "../domain/hdkey.ts";
import type { NetParams } from "../domain/params.ts";
import { agendasFor } from "../domain/params.ts";
import { checkTicketFee, isValidPoolFeeRate, stakePoolTicketFee } from "../domain/poolfee.ts";
import { classifyScript, multisigScript, parseMultisig } from "../domain/script.ts";
import { buildTicket, buildVote, DEFAULT_TICKET_FEE_LIMITS, parseTicket } from "../domain/stake.ts";
import { calcStakeVoteSubsidy } from "../domain/subsidy.ts";
import { deserializeTx, type MsgTx, serializeTx, txid } from "../domain/tx.ts";
import { DEFAULT_VOTE_BITS, voteBitsExtended, voteBitsFromChoices } from "../domain/votebits.ts";
import { RpcCode, RpcErrorObject } from "../rpc/errors.ts";
import { type SimChain, syntheticInput, type TicketRecord } from "./chain.ts";

/** Throws the JSON-RPC error a handler answers with. */
export const rpcFail = (code: number, message: string): never => {
  throw new RpcErrorObject({ code, message });
};

export const ATOMS_PER_COIN = 100_000_000;
export const toCoins = (atoms: bigint | number): number => Number(atoms) / ATOMS_PER_COIN;
const toAtoms = (coins: number): bigint => BigInt(Math.round(coins * ATOMS_PER_COIN));

/** The display form of the zero hash: hcwallet's spentby for an unspent stake pool ticket. */
const ZERO_HASH = "0".repeat(64);
/** udb's errLocked, sent as -4 by operations that need the private keys. */
const LOCKED = "address manager is locked";

/** hcwallet's address gap limit: addresses this far past the last used index are watched. */
const GAP_LIMIT = 20;

export interface DerivedKey {
  readonly branch: number;
  readonly index: number;
  readonly pubKey: Uint8Array;
  readonly hash160Hex: string;
  readonly address: string;
  readonly pubKeyAddress: string;
}

/** Addresses of one account's external (0) and internal (1) branches, derived once and cached. */
export class AccountKeys {
  readonly xpub: ExtendedKey;
  private readonly branchKeys: ExtendedKey[];
  private readonly derived: DerivedKey[][] = [[], []];
  private readonly byHash = new Map<string, DerivedKey>();

  constructor(account: ExtendedKey) {
    this.xpub = neuter(account);
    this.branchKeys = [0, 1].map((b) => Either.getOrThrow(deriveChild(this.xpub, b)));
  }

  get net(): NetParams {
    return this.xpub.net;
  }

  key(branch: number, index: number): DerivedKey {
    this.ensure(branch, index);
    return this.derived[branch][index];
  }

  /** Derives every key of `branch` up to `index` (cheap when already done). */
  ensure(branch: number, index: number) {
    const list = this.derived[branch];
    for (let i = list.length; i <= index; i++) {
      // An invalid child (probability ~2^-127) would be skipped by hcwallet; it never happens here.
      const child = Either.getOrThrow(deriveChild(this.branchKeys[branch], i));
      const h160 = hash160(child.publicKey);
      const k: DerivedKey = {
        branch,
        index: i,
        pubKey: child.publicKey,
        hash160Hex: toHex(h160),
        address: encodeAddress(pubKeyHashAddress(this.net, h160)),
        pubKeyAddress: encodeAddress(Either.getOrThrow(pubKeyAddress(this.net, child.publicKey))),
      };
      list.push(k);
      this.byHash.set(k.hash160Hex, k);
    }
  }

  lookup(hash160Hex: string): DerivedKey | undefined {
    return this.byHash.get(hash160Hex);
  }
}

/** Answers that disagree with the other wallets, switched on per wallet by fault injection. */
export interface Disagreement {
  /** createmultisig answers a different redeem script (keys in the other order). */
  readonly redeemScript: boolean;
  /** listscripts leaves out the most recently imported script. */
  readonly missingScript: boolean;
  /** gettickets leaves out the most recently added ticket. */
  readonly missingTicket: boolean;
}

export interface StakePoolMode {
  /** Hash160 hex of the fee addresses derived from the cold wallet xpub (stakepoolcoldextkey). */
  readonly feeAddresses: () => ReadonlySet<string>;
  /** poolfees, percent. */
  readonly poolFees: number;
}

export interface WalletOptions {
  readonly name: string;
  readonly chain: SimChain;
  readonly keys: AccountKeys;
  readonly passphrase: string;
  readonly stakePool?: StakePoolMode;
  /** Spendable atoms (the user wallet); voting wallets hold none. */
  readonly balance?: bigint;
}

interface PoolUser {
  readonly tickets: Set<string>;
  readonly invalid: Set<string>;
}

interface ImportedScript {
  readonly script: Uint8Array;
  readonly address: string;
}

export class SimWallet {
  readonly name: string;
  readonly chain: SimChain;
  readonly keys: AccountKeys;
  readonly net: NetParams;
  private readonly passphrase: string;
  private readonly stakePool?: StakePoolMode;
  private readonly scripts = new Map<string, ImportedScript>();
  /** Owned tickets in the order the wallet learned them; mined or not. */
  private readonly owned = new Map<string, MsgTx>();
  private readonly users = new Map<string, PoolUser>();
  /** Transactions this wallet made (votes, purchases) for gettransaction. */
  private readonly made = new Map<string, MsgTx>();
  private readonly lastUsed = [-1, -1];
  private readonly choices = new Map<string, string>();
  private unlocked = true;
  private lockTimer: ReturnType<typeof setTimeout> | undefined;
  private syncedHeight = -1;
  private balance: bigint;
  private purchases = 0;
  connected = true;
  disagree: Disagreement = { redeemScript: false, missingScript: false, missingTicket: false };
  /** The user wallet can be told to pay half the pool fee a ticket needs (to test the fee check). */
  underpayPoolFee = false;
  ticketFeeRate = 0.0001;
  txFeeRate = 0.0001;

  constructor(options: WalletOptions) {
    this.name = options.name;
    this.chain = options.chain;
    this.keys = options.keys;
    this.net = options.chain.net;
    this.passphrase = options.passphrase;
    this.stakePool = options.stakePool;
    this.balance = options.balance ?? 0n;
    this.sync();
  }

  close() {
    clearTimeout(this.lockTimer);
  }

  // ---- chain sync ----

  /** Processes the blocks the wallet has not seen (none while its hcd is disconnected). */
  sync() {
    if (!this.connected) return;
    for (let h = this.syncedHeight + 1; h <= this.chain.height; h++) {
      const block = this.chain.blockAt(h)!;
      for (const t of block.newTickets) this.noticeMinedTicket(this.chain.ticket(t)!);
      this.syncedHeight = h;
    }
  }

  /** A disconnected block's tickets come back in its replacement; rescan from the fork. */
  rewindTo(height: number) {
    this.syncedHeight = Math.min(this.syncedHeight, height);
  }

  get bestHeight(): number {
    return this.syncedHeight;
  }

  private noticeMinedTicket(t: TicketRecord) {
    const script = this.scripts.get(t.votingHash160);
    const mine = t.ticket.votingDest.kind === "scripthash"
      ? script !== undefined
      : this.isOwnedKey(t.votingHash160);
    if (!mine) return;
    if (!this.owned.has(t.hash)) this.owned.set(t.hash, this.chain.tx(t.hash)!.tx);
    if (this.stakePool && script !== undefined) this.evaluatePoolTicket(t);
  }

  /** hcwallet evaluateStakePoolTicket: a ticket paying enough to a fee address is the user's; else invalid. */
  private evaluatePoolTicket(t: TicketRecord) {
    const pool = this.stakePool!;
    let user = this.users.get(t.votingHash160);
    if (!user) this.users.set(t.votingHash160, user = { tickets: new Set(), invalid: new Set() });
    const verdict = checkTicketFee({
      net: this.net,
      ticket: this.chain.tx(t.hash)!.tx,
      ticketHeight: t.height,
      poolFeePercent: pool.poolFees,
      isFeeAddress: (h) => pool.feeAddresses().has(h),
    });
    if (Either.isRight(verdict)) {
      user.invalid.delete(t.hash);
      user.tickets.add(t.hash);
    } else {
      user.tickets.delete(t.hash);
      user.invalid.add(t.hash);
    }
  }

  private isOwnedKey(hash160Hex: string): boolean {
    const k = this.keys.lookup(hash160Hex);
    return k !== undefined && k.index <= this.lastUsed[k.branch] + GAP_LIMIT;
  }

  private requireUnlocked() {
    if (!this.unlocked) {
      rpcFail(RpcCode.unlockNeeded, "Enter the wallet passphrase with walletpassphrase first");
    }
  }

  /** hcrpcclient's error for a call over a lost hcd connection, sent as -4. */
  requireDaemon() {
    if (!this.connected) rpcFail(RpcCode.wallet, "the client has been disconnected");
  }

  // ---- lock state ----

  get isUnlocked(): boolean {
    return this.unlocked;
  }

  walletPassphrase(passphrase: string, timeoutSeconds: number) {
    if (passphrase !== this.passphrase) {
      rpcFail(RpcCode.passphraseIncorrect, "The wallet passphrase entered was incorrect");
    }
    this.unlocked = true;
    clearTimeout(this.lockTimer);
    this.lockTimer = timeoutSeconds > 0 ? setTimeout(() => this.lock(), timeoutSeconds * 1000) : undefined;
  }

  /** The "locked" fault switched off: back to the unlocked state the pool runs its wallets in. */
  unlockForSimulation() {
    this.unlocked = true;
  }

  lock() {
    clearTimeout(this.lockTimer);
    this.lockTimer = undefined;
    this.unlocked = false;
  }

  // ---- addresses and scripts ----

  getMasterPubKey(): string {
    return serializeExtendedKey(this.keys.xpub);
  }

  getNewAddress(branch = 0): DerivedKey {
    const k = this.keys.key(branch, this.lastUsed[branch] + 1);
    this.lastUsed[branch] = k.index;
    return k;
  }

  accountSyncAddressIndex(branch: number, index: number) {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
      rpcFail(RpcCode.wallet, `child index ${index} exceeds the maximum child index for an account`);
    }
    if (branch !== 0 && branch !== 1) rpcFail(RpcCode.wallet, `branch ${branch} is not internal or external`);
    this.keys.ensure(branch, index + GAP_LIMIT);
    this.lastUsed[branch] = Math.max(this.lastUsed[branch], index);
  }

  /** A watched key of this wallet, deriving up to the watched range first. */
  private ownedKey(hash160Hex: string): DerivedKey | undefined {
    for (const b of [0, 1]) this.keys.ensure(b, this.lastUsed[b] + GAP_LIMIT);
    return this.isOwnedKey(hash160Hex) ? this.keys.lookup(hash160Hex) : undefined;
  }

  validateAddress(s: string): Record<string, unknown> {
    const decoded = decodeAddressForNet(s, this.net);
    if (Either.isLeft(decoded)) return { isvalid: false };
    const a = decoded.right;
    const address = encodeAddress(a);
    if (a.kind === "scripthash") {
      const imported = this.scripts.get(toHex(a.hash160));
      if (!imported) return { isvalid: true, address };
      const ms = Either.getOrUndefined(parseMultisig(imported.script));
      return {
        isvalid: true,
        address,
        ismine: true,
        isscript: true,
        hex: toHex(imported.script),
        script: classifyScript(imported.script).class,
        addresses: (ms?.pubKeys ?? []).map((k) =>
          encodeAddress(pubKeyHashAddressOf(Either.getOrThrow(pubKeyAddress(this.net, k))))
        ),
        sigsrequired: ms?.m,
        account: "imported",
      };
    }
    const h = a.kind === "pubkey" ? toHex(hash160(a.pubKey)) : toHex(a.hash160);
    const k = a.kind === "pubkeyhash" && a.sigType !== "secp256k1" ? undefined : this.ownedKey(h);
    if (!k) return { isvalid: true, address };
    return {
      isvalid: true,
      address,
      ismine: true,
      pubkeyaddr: k.pubKeyAddress,
      pubkey: toHex(k.pubKey),
      iscompressed: true,
      account: "default",
    };
  }

  createMultisig(nRequired: number, keys: ReadonlyArray<string>): { address: string; redeemScript: string } {
    const pubKeys = keys.map((s) => {
      const decoded = decodeAddressForNet(s, this.net);
      if (Either.isLeft(decoded)) {
        return rpcFail(RpcCode.parse, `invalid address ${s}: ${decoded.left.detail}`);
      }
      const a: Address = decoded.right;
      if (a.kind === "pubkey") return a.pubKey;
      const owned = a.kind === "pubkeyhash" ? this.ownedKey(toHex(a.hash160)) : undefined;
      return owned ? owned.pubKey : rpcFail(RpcCode.parse, `no public key known for address ${s}`);
    });
    const ordered = this.disagree.redeemScript ? [...pubKeys].reverse() : pubKeys;
    const script = multisigScript(nRequired, ordered);
    if (Either.isLeft(script)) return rpcFail(RpcCode.parse, script.left.detail);
    return {
      address: encodeAddress(scriptHashAddress(this.net, script.right)),
      redeemScript: toHex(script.right),
    };
  }

  /** An already imported script is accepted again even while locked, as hcwallet does. */
  importScript(hex: string, rescan: boolean, scanFrom: number) {
    const script = fromHex(hex);
    if (Either.isLeft(script)) return rpcFail(RpcCode.wallet, `encoding/hex: invalid hex string ${hex}`);
    if (script.right.length === 0) return rpcFail(RpcCode.wallet, "passed empty script");
    this.requireDaemon();
    const h = toHex(hash160(script.right));
    if (!this.scripts.has(h)) {
      if (!this.unlocked) rpcFail(RpcCode.wallet, LOCKED);
      this.scripts.set(h, {
        script: script.right,
        address: encodeAddress(scriptHashAddress(this.net, script.right)),
      });
    }
    if (rescan) this.rescanScript(h, scanFrom);
  }

  private rescanScript(hash160Hex: string, from: number) {
    for (const t of this.chain.ticketsPayingTo(hash160Hex)) {
      if (t.height >= from && t.height <= this.syncedHeight) this.noticeMinedTicket(t);
    }
  }

  rescan(from: number) {
    this.requireDaemon();
    for (const h of this.scripts.keys()) this.rescanScript(h, from);
  }

  listScripts(): Array<{ hash160: string; address: string; redeemscript: string }> {
    const all = [...this.scripts.entries()].map(([h, s]) => ({
      hash160: h,
      address: s.address,
      redeemscript: toHex(s.script),
    }));
    return this.disagree.missingScript ? all.slice(0, -1) : all;
  }

  // ---- tickets ----

  addTicket(hex: string) {
    const tx = Either.getOrUndefined(Either.flatMap(fromHex(hex), deserializeTx));
    if (!tx) return rpcFail(RpcCode.wallet, "ticket hex does not decode to a transaction");
    const ticket = parseTicket(tx);
    if (Either.isLeft(ticket)) return rpcFail(RpcCode.wallet, `not a ticket: ${ticket.left.message}`);
    const id = txid(tx);
    this.owned.set(id, tx);
    const mined = this.chain.ticket(id);
    if (mined && this.stakePool && this.scripts.has(mined.votingHash160)) this.evaluatePoolTicket(mined);
  }

  ownsTicket(hash: string): boolean {
    return this.owned.has(hash);
  }

  /** Unspent tickets: live, and immature when asked (hcwallet LiveTicketHashes). */
  getTickets(includeImmature: boolean): string[] {
    const out: string[] = [];
    for (const hash of this.owned.keys()) {
      const status = this.chain.ticket(hash)?.status;
      if (status === "live" || (includeImmature && status === "immature")) out.push(hash);
    }
    return this.disagree.missingTicket ? out.slice(0, -1) : out;
  }

  ticketsForAddress(address: string): string[] {
    const a = decodeAddressForNet(address, this.net);
    if (Either.isLeft(a)) return rpcFail(RpcCode.invalidAddressOrKey, `Invalid address: ${a.left.detail}`);
    return this.chain.ticketsPayingTo(toHex(addressHash160(a.right))).map((t) => t.hash).filter((t) =>
      this.owned.has(t)
    );
  }

  /**
   * hcwallet's stake pool records: a ticket is live until a vote (voted) or a revocation (missed,
   * or expired when revoked TicketExpiry blocks after purchase) spends it. Empty lists are null.
   */
  stakePoolUserInfo(user: string) {
    const a = decodeAddressForNet(user, this.net);
    if (Either.isLeft(a)) return rpcFail(RpcCode.wallet, `${user}: ${a.left.detail}`);
    if (a.right.kind !== "scripthash" && a.right.kind !== "pubkeyhash") {
      return rpcFail(RpcCode.wallet, "stake pool user address must be P2PKH or P2SH");
    }
    const info = this.users.get(toHex(addressHash160(a.right)));
    const tickets = [...(info?.tickets ?? [])].map((hash) => {
      const t = this.chain.ticket(hash)!;
      const spent = t.status === "voted" || t.status === "revoked";
      const status = t.status === "voted"
        ? "voted"
        : t.status !== "revoked"
        ? "live"
        : t.spentByHeight! - t.height >= this.net.ticketExpiry
        ? "expired"
        : "missed";
      return {
        status,
        ticket: hash,
        ticketheight: t.height,
        spentby: spent ? t.spentBy! : ZERO_HASH,
        spentbyheight: spent ? t.spentByHeight! : 0,
      };
    });
    const invalid = [...(info?.invalid ?? [])];
    return { tickets: tickets.length > 0 ? tickets : null, invalid: invalid.length > 0 ? invalid : null };
  }

  stakeInfo() {
    this.requireDaemon();
    let immature = 0, live = 0, voted = 0, missed = 0, revoked = 0, expired = 0, subsidy = 0n;
    for (const hash of this.owned.keys()) {
      const t = this.chain.ticket(hash);
      if (!t) continue;
      if (t.status === "immature") immature++;
      else if (t.status === "live") live++;
      else if (t.status === "voted") {
        voted++;
        subsidy += calcStakeVoteSubsidy(this.net, t.spentByHeight! - 1);
      } else if (t.status === "missed") missed++;
      else if (t.status === "expired") expired++;
      else if (t.status === "revoked") {
        revoked++;
        if (t.revokedFrom === "expired") expired++;
        else missed++;
      }
    }
    const mempool = this.chain.mempoolTxs().filter((s) => s.type === "ticket");
    const poolSize = this.chain.liveCount();
    return {
      blockheight: this.syncedHeight,
      poolsize: poolSize,
      difficulty: toCoins(this.chain.nextStakeDiff),
      allmempooltix: mempool.length,
      ownmempooltix: mempool.filter((s) => this.owned.has(s.txid)).length,
      immature,
      live,
      proportionlive: poolSize === 0 ? 0 : live / poolSize,
      voted,
      totalsubsidy: toCoins(subsidy),
      missed,
      proportionmissed: voted + missed === 0 ? 0 : missed / (voted + missed),
      revoked,
      expired,
    };
  }

  /** hcwallet generatevote: the unsigned vote for one of its tickets, with exactly these bits. */
  generateVote(blockHash: string, height: number, ticketHash: string, voteBits: number, voteBitsExt: string) {
    for (const hash of [blockHash, ticketHash]) {
      if (!/^[0-9a-fA-F]{0,64}$/.test(hash)) rpcFail(RpcCode.wallet, `invalid hash string ${hash}`);
    }
    const ext = fromHex(voteBitsExt);
    if (Either.isLeft(ext)) return rpcFail(RpcCode.wallet, `encoding/hex: invalid hex string ${voteBitsExt}`);
    const ticket = this.owned.get(ticketHash);
    if (!ticket) return rpcFail(RpcCode.wallet, "ticket purchase transaction not found");
    // Signing needs the ticket's voting key.
    if (!this.unlocked) rpcFail(RpcCode.wallet, LOCKED);
    const vote = buildVote({
      ticket,
      blockHash,
      blockHeight: height,
      voteBits,
      voteBitsExt: ext.right,
      voteSubsidy: calcStakeVoteSubsidy(this.net, height),
      net: this.net,
    });
    if (Either.isLeft(vote)) return rpcFail(RpcCode.invalidParameter, vote.left.reason);
    this.made.set(txid(vote.right), vote.right);
    return vote.right;
  }

  /** Whether the wallet built this transaction itself (a vote or a purchase). */
  madeTx(id: string): boolean {
    return this.made.has(id);
  }

  /** A transaction the wallet knows: one it made, an owned ticket, or one paying it. */
  knownTx(id: string): MsgTx | undefined {
    return this.made.get(id) ?? this.owned.get(id);
  }

  // ---- voting preferences ----

  get voteVersion(): number {
    return this.net.walletVoteVersion;
  }

  get voteBits(): number {
    return Either.getOrElse(
      voteBitsFromChoices(this.net, this.voteVersion, Object.fromEntries(this.choices)),
      () => DEFAULT_VOTE_BITS,
    );
  }

  voteBitsExtendedHex(): string {
    return toHex(voteBitsExtended(this.voteVersion));
  }

  voteChoices() {
    return {
      version: this.voteVersion,
      choices: agendasFor(this.net, this.voteVersion).map((agenda) => {
        const chosen = agenda.choices.find((c) => c.id === this.choices.get(agenda.id)) ??
          agenda.choices.find((c) => c.isAbstain)!;
        return {
          agendaid: agenda.id,
          agendadescription: agenda.description,
          choiceid: chosen.id,
          choicedescription: chosen.description,
        };
      }),
    };
  }

  setVoteChoice(agendaId: string, choiceId: string) {
    const bits = voteBitsFromChoices(this.net, this.voteVersion, { [agendaId]: choiceId });
    if (Either.isLeft(bits)) return rpcFail(RpcCode.invalidParameter, bits.left.reason);
    this.choices.set(agendaId, choiceId);
  }

  // ---- funds and purchases ----

  get spendable(): bigint {
    return this.balance;
  }

  /** Ticket prices of the wallet's unspent tickets. */
  lockedByTickets(): bigint {
    let sum = 0n;
    for (const hash of this.owned.keys()) {
      const t = this.chain.ticket(hash);
      if (t && (t.status === "live" || t.status === "immature")) sum += t.ticket.price;
    }
    return sum;
  }

  /** hcwallet purchaseticket with makeTicket's layout; see HC-PROTOCOL §5.2. */
  purchaseTicket(args: {
    readonly spendLimit: number;
    readonly ticketAddress?: string;
    readonly numTickets: number;
    readonly poolAddress?: string;
    readonly poolFees?: number;
    readonly expiry?: number;
    readonly ticketFee?: number;
  }): string[] {
    this.requireUnlocked();
    this.requireDaemon();
    const price = this.chain.nextStakeDiff;
    if (price > toAtoms(args.spendLimit)) {
      rpcFail(RpcCode.wallet, `ticket price ${toCoins(price)} is above the spend limit ${args.spendLimit}`);
    }
    const decode = (s: string) => {
      const a = decodeAddressForNet(s, this.net);
      return Either.isLeft(a)
        ? rpcFail(RpcCode.invalidAddressOrKey, `Invalid address: ${a.left.detail}`)
        : a.right;
    };
    const pool = args.poolAddress === undefined ? undefined : decode(args.poolAddress);
    if (pool && (args.poolFees === undefined || !isValidPoolFeeRate(args.poolFees))) {
      rpcFail(RpcCode.invalidParameter, `invalid pool fee rate ${args.poolFees}`);
    }
    const hashOf = addressHash160;
    const ticketAddr = args.ticketAddress === undefined ? undefined : decode(args.ticketAddress);
    const ids: string[] = [];
    for (let n = 0; n < args.numTickets; n++) {
      const voting = ticketAddr ?? decode(this.getNewAddress().address);
      const reward = this.getNewAddress(1);
      const rewardHash = fromHexOrThrow(reward.hash160Hex);
      const draft = (poolAmt: bigint, userAmt: bigint) => {
        const label = `${this.name} purchase ${this.purchases}`;
        const commit = (hash160: Uint8Array, isP2SH: boolean, amount: bigint) => ({
          hash160,
          isP2SH,
          sigType: 0,
          amount,
          feeLimits: DEFAULT_TICKET_FEE_LIMITS,
        });
        return buildTicket({
          inputs: pool
            ? [syntheticInput(`${label} pool`, poolAmt), syntheticInput(`${label} user`, userAmt)]
            : [syntheticInput(label, userAmt)],
          votingDest: {
            kind: voting.kind === "scripthash" ? "scripthash" : "pubkeyhash",
            hash160: hashOf(voting),
          },
          price,
          commitments: pool
            ? [commit(hashOf(pool), pool.kind === "scripthash", poolAmt), commit(rewardHash, false, userAmt)]
            : [commit(rewardHash, false, userAmt)],
          expiry: args.expiry,
        });
      };
      const rate = args.ticketFee ?? this.ticketFeeRate;
      const fee = toAtoms(rate) * BigInt(serializeTx(draft(0n, 0n)).length) / 1000n;
      const needed = pool ? stakePoolTicketFee(this.net, price, fee, this.chain.height, args.poolFees!) : 0n;
      const poolAmt = this.underpayPoolFee ? needed / 2n : needed;
      const userAmt = price + fee - poolAmt;
      if (price + fee > this.balance) {
        rpcFail(RpcCode.insufficientFunds, "insufficient funds to buy a ticket");
      }
      const tx = draft(poolAmt, userAmt);
      const submitted = this.chain.submit(tx);
      if (Either.isLeft(submitted)) return rpcFail(RpcCode.wallet, submitted.left.message);
      this.purchases++;
      this.balance -= price + fee;
      this.owned.set(submitted.right, tx);
      this.made.set(submitted.right, tx);
      ids.push(submitted.right);
    }
    return ids;
  }
}

const fromHexOrThrow = (hex: string): Uint8Array => Either.getOrThrow(fromHex(hex));
