// A simulated hcwallet: keys from one account xpub (shared by every wallet built from the same
// seed), imported redeem scripts, stake-pool mode with hcwallet's fee check (§6.3) deciding live vs
// invalid, vote choices and lock state; the user wallet is the same model with a spendable balance
// and purchaseticket. Like hcwallet it keeps two records of tickets: the transaction store (what it
// found in blocks, bought or built; generatevote and gettransaction read only this) and the stake
// manager (every ticket it tracks, addticket's among them, which only a rescan brings into the
// store). A rescan runs after the call that asked for it (rescanwallet waits for it, importscript
// does not), takes rescanMsPerBlock per block, and one asked for while another runs is dropped, as
// hcwallet's wallet/rescan.go does. Semantic failures are thrown as the JSON-RPC error objects
// hcwallet answers with (HC-PROTOCOL §8.2, §10, §11.2): most are plain Go errors, which hcwallet
// sends as -4.
import { Either } from "effect";
import {
  addressHash160,
  encodeAddress,
  pubKeyAddress,
  pubKeyHashAddress,
  pubKeyHashAddressOf,
  scriptHashAddress,
} from "../domain/address.ts";
import { concatBytes, fromHex, toHex } from "../domain/bytes.ts";
import { hash160 } from "../domain/hash.ts";
import { deriveChild, type ExtendedKey, neuter, serializeExtendedKey } from "../domain/hdkey.ts";
import type { NetParams } from "../domain/params.ts";
import { agendasFor } from "../domain/params.ts";
import { isValidPoolFeeRate, stakePoolTicketFee } from "../domain/poolfee.ts";
import { classifyScript, parseMultisig } from "../domain/script.ts";
import {
  buildTicket,
  buildVote,
  DEFAULT_TICKET_FEE_LIMITS,
  parseRevocation,
  parseTicket,
  parseVote,
} from "../domain/stake.ts";
import { calcStakeVoteSubsidy } from "../domain/subsidy.ts";
import { deserializeTx, type MsgTx, serializeTx, txid } from "../domain/tx.ts";
import { DEFAULT_VOTE_BITS, voteBitsExtended, voteBitsFromChoices } from "../domain/votebits.ts";
import { NO_MAIN_CHAIN_BLOCK, RpcCode, RpcErrorObject } from "../rpc/errors.ts";
import { type SimChain, syntheticInput, type TicketRecord } from "./chain.ts";
import {
  goHashError,
  goHexError,
  goTxDecodeError,
  hcutilDecode,
  rpcErrorText,
  walletDecodeAddress,
} from "./go_errors.ts";

/** Throws the JSON-RPC error a handler answers with. */
export const rpcFail = (code: number, message: string): never => {
  throw new RpcErrorObject({ code, message });
};

export const ATOMS_PER_COIN = 100_000_000;
export const toCoins = (atoms: bigint | number): number => Number(atoms) / ATOMS_PER_COIN;
const toAtoms = (coins: number): bigint => BigInt(Math.round(coins * ATOMS_PER_COIN));

/** txrules.DefaultRelayFeePerKb (hcwallet) and mempool.DefaultMinRelayTxFee (hcd): 0.001 HC/kB. */
export const DEFAULT_FEE_PER_KB = 0.001;

/** The display form of the zero hash: hcwallet's spentby for an unspent stake pool ticket. */
const ZERO_HASH = "0".repeat(64);
/** udb's errLocked, sent as -4 by operations that need the private keys. */
const LOCKED = "address manager is locked";

/** hcwallet's address gap limit: addresses this far past the last used index are watched. */
const GAP_LIMIT = 20;

/** hcwallet maxBlocksPerRescan: a rescan asks hcd for this many blocks at a time. */
const MAX_BLOCKS_PER_RESCAN = 2000;

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
  /** Whether the wallet's hcd keeps a transaction index (getrawtransaction of mined transactions). */
  readonly hcdTxIndex: boolean;
  /** How long a rescan takes per block, ms; default 0 (a rescan ends within the call that asked). */
  readonly rescanMsPerBlock?: number;
}

/** One account's balance, atoms (the fields hcsim can tell; the others are 0). */
export interface AccountBalance {
  readonly name: "default" | "postquantum" | "imported";
  readonly lockedByTickets: bigint;
  readonly spendable: bigint;
  readonly total: bigint;
  readonly votingAuthority: bigint;
}

/** hcwallet's stake pool record of a user's ticket (udb PoolTicket), as stored, not as the chain has it. */
interface PoolTicket {
  readonly height: number;
  readonly status: "live" | "voted" | "missed" | "expired";
  readonly spentBy: string;
  readonly spentByHeight: number;
}

/** A user's records: the two lists are kept apart, so a ticket can be in both (addticket, then a rescan). */
interface PoolUser {
  readonly tickets: Map<string, PoolTicket>;
  readonly invalid: Set<string>;
}

interface ImportedScript {
  readonly script: Uint8Array;
  readonly address: string;
}

/** txscript ScriptBuilder.AddData: the smallest push of `data`. */
const push = (data: Uint8Array): Uint8Array => {
  if (data.length === 0 || (data.length === 1 && data[0] === 0)) return Uint8Array.of(0x00);
  if (data.length === 1 && data[0] >= 1 && data[0] <= 16) return Uint8Array.of(0x50 + data[0]);
  if (data.length === 1 && data[0] === 0x81) return Uint8Array.of(0x4f);
  if (data.length <= 75) return concatBytes(Uint8Array.of(data.length), data);
  if (data.length <= 0xff) return concatBytes(Uint8Array.of(0x4c, data.length), data);
  return concatBytes(Uint8Array.of(0x4d, data.length & 0xff, data.length >> 8), data);
};

/** txscript ScriptBuilder.AddInt64: OP_0, OP_1NEGATE, OP_1…OP_16, else the minimal script number. */
const pushInt = (n: number): Uint8Array => {
  if (n === 0) return Uint8Array.of(0x00);
  if (n === -1 || (n >= 1 && n <= 16)) return Uint8Array.of(0x50 + n);
  const bytes: number[] = [];
  for (let m = Math.abs(n); m > 0; m = Math.floor(m / 256)) bytes.push(m & 0xff);
  if (bytes[bytes.length - 1] & 0x80) bytes.push(n < 0 ? 0x80 : 0x00);
  else if (n < 0) bytes[bytes.length - 1] |= 0x80;
  return push(Uint8Array.from(bytes));
};

/** hcd txscript.MultiSigScript: any nrequired up to the key count (0 and negatives included). */
const goMultiSigScript = (nRequired: number, keys: ReadonlyArray<Uint8Array>): Uint8Array =>
  nRequired > keys.length
    ? rpcFail(RpcCode.parse, "more signatures required than keys present")
    : concatBytes(pushInt(nRequired), ...keys.map(push), pushInt(keys.length), Uint8Array.of(0xae));

export class SimWallet {
  readonly name: string;
  readonly chain: SimChain;
  readonly keys: AccountKeys;
  readonly net: NetParams;
  private readonly passphrase: string;
  private readonly stakePool?: StakePoolMode;
  private readonly hcdTxIndex: boolean;
  private readonly scripts = new Map<string, ImportedScript>();
  /** The transaction store: transactions found in blocks, bought or built, by txid. */
  private readonly txStore = new Map<string, MsgTx>();
  /** The stake manager: every ticket the wallet tracks, in the order it learned them. */
  private readonly stakeMgr = new Map<string, MsgTx>();
  private readonly users = new Map<string, PoolUser>();
  /** Transactions this wallet built itself (votes, purchases): gettransaction's "send". */
  private readonly made = new Set<string>();
  private readonly lastUsed = [-1, -1];
  /** accountsyncaddressindex: the highest index watched per branch, beyond the gap. */
  private readonly watched = [-1, -1];
  private readonly choices = new Map<string, string>();
  private unlocked = true;
  private lockTimer: ReturnType<typeof setTimeout> | undefined;
  private syncedHeight = -1;
  private balance: bigint;
  private purchases = 0;
  /** The rescan running (hcwallet's isScanning), and how to end it early when the wallet closes. */
  private rescanning: { readonly stop: () => void } | undefined;
  /** How long a rescan takes per block, ms (0: it ends within the call that asked for it). */
  rescanMsPerBlock: number;
  connected = true;
  /** New blocks wait unprocessed (the wallet hears of them late); released, it catches up. */
  blocksHeld = false;
  disagree: Disagreement = { redeemScript: false, missingScript: false, missingTicket: false };
  /** The user wallet can be told to pay half the pool fee a ticket needs (to test the fee check). */
  underpayPoolFee = false;
  ticketFeeRate = DEFAULT_FEE_PER_KB;
  txFeeRate = DEFAULT_FEE_PER_KB;

  constructor(options: WalletOptions) {
    this.name = options.name;
    this.chain = options.chain;
    this.keys = options.keys;
    this.net = options.chain.net;
    this.passphrase = options.passphrase;
    this.stakePool = options.stakePool;
    this.hcdTxIndex = options.hcdTxIndex;
    this.balance = options.balance ?? 0n;
    this.rescanMsPerBlock = options.rescanMsPerBlock ?? 0;
    this.sync();
  }

  close() {
    clearTimeout(this.lockTimer);
    this.rescanning?.stop();
  }

  // ---- chain sync ----

  /** Processes the blocks the wallet has not seen (none while its hcd is disconnected). */
  sync() {
    if (!this.connected || this.blocksHeld) return;
    this.scan(this.syncedHeight + 1, this.chain.height);
    this.syncedHeight = this.chain.height;
  }

  /** A disconnected block's tickets come back in its replacement; rescan from the fork. */
  rewindTo(height: number) {
    this.syncedHeight = Math.min(this.syncedHeight, height);
  }

  get bestHeight(): number {
    return this.syncedHeight;
  }

  /**
   * Finds the tickets of blocks `from`…`to` that pay one of `scripts` or the wallet's keys, and
   * the votes and revocations spending tickets it tracks.
   */
  private scan(from: number, to: number, scripts: ReadonlyMap<string, ImportedScript> = this.scripts) {
    for (let h = Math.max(0, from); h <= to; h++) {
      const block = this.chain.blockAt(h)!;
      for (const t of block.purchases) this.noticeMinedTicket(this.chain.ticket(t)!, scripts);
      for (const id of block.stxids) this.noticeStakeSpend(this.chain.tx(id)!.tx, id, h);
    }
  }

  /**
   * hcwallet processTransactionRecord: a vote or revocation of a ticket in the stake manager
   * updates its pool user's record (voted; missed, or expired when revoked after TicketExpiry).
   */
  private noticeStakeSpend(tx: MsgTx, id: string, height: number) {
    if (!this.stakePool) return;
    const vote = parseVote(tx);
    const spent = Either.isRight(vote)
      ? vote.right.ticketHash
      : Either.getOrUndefined(parseRevocation(tx))?.ticketHash;
    if (spent === undefined || !this.stakeMgr.has(spent)) return;
    const t = this.chain.ticket(spent);
    const record = t === undefined ? undefined : this.users.get(t.votingHash160)?.tickets.get(spent);
    if (t === undefined || record === undefined) return;
    const status = Either.isRight(vote)
      ? "voted"
      : height - t.height >= this.net.ticketExpiry
      ? "expired"
      : "missed";
    this.users.get(t.votingHash160)!.tickets.set(spent, {
      ...record,
      status,
      spentBy: id,
      spentByHeight: height,
    });
  }

  private noticeMinedTicket(t: TicketRecord, scripts: ReadonlyMap<string, ImportedScript>) {
    const script = scripts.get(t.votingHash160);
    const mine = t.ticket.votingDest.kind === "scripthash"
      ? script !== undefined
      : this.isOwnedKey(t.votingHash160);
    if (!mine) return;
    const tx = this.chain.tx(t.hash)!.tx;
    this.txStore.set(t.hash, tx);
    if (!this.stakeMgr.has(t.hash)) this.stakeMgr.set(t.hash, tx);
    if (this.stakePool && script !== undefined) this.evaluatePoolTicket(t, tx);
  }

  private poolUser(hash160Hex: string): PoolUser {
    let user = this.users.get(hash160Hex);
    if (!user) this.users.set(hash160Hex, user = { tickets: new Map(), invalid: new Set() });
    return user;
  }

  /**
   * hcwallet evaluateStakePoolTicket: output 1's commitment, read as P2SH or secp256k1 P2PKH
   * whatever its signature type, pays one of the fee addresses at least the pool fee → the user's
   * ticket, recorded live; else added to the invalid list, without leaving the tickets list if an
   * addticket put it there. (The pool's own check, domain/poolfee.ts, also refuses other
   * signature types.)
   */
  private evaluatePoolTicket(t: TicketRecord, tx: MsgTx) {
    const pool = this.stakePool!;
    const user = this.poolUser(t.votingHash160);
    const fee = t.ticket.commitments[0];
    const committed = t.ticket.commitments.reduce((sum, c) => sum + c.amount, 0n);
    const spent = tx.outputs.reduce((sum, o) => sum + o.value, 0n);
    const needed = stakePoolTicketFee(this.net, t.ticket.price, committed - spent, t.height, pool.poolFees);
    if (!fee.isP2SH && pool.feeAddresses().has(toHex(fee.hash160)) && fee.amount >= needed) {
      user.tickets.set(t.hash, { height: t.height, status: "live", spentBy: ZERO_HASH, spentByHeight: 0 });
    } else user.invalid.add(t.hash);
  }

  private isOwnedKey(hash160Hex: string): boolean {
    const k = this.keys.lookup(hash160Hex);
    return k !== undefined && k.index <= this.watchedUpTo(k.branch);
  }

  private watchedUpTo(branch: number): number {
    return Math.max(this.lastUsed[branch] + GAP_LIMIT, this.watched[branch]);
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

  /**
   * What the wallet's hcd answers to getrawtransaction for a ticket: its height (0 in the mempool),
   * or hcd's error — a mined one needs hcd's transaction index.
   */
  private hcdTicketHeight(hash: string): number {
    if (this.chain.inMempool(hash)) return 0;
    if (!this.hcdTxIndex) {
      return rpcFail(
        RpcCode.internal,
        "The transaction index must be enabled to query the blockchain (specify --txindex)",
      );
    }
    return this.chain.tx(hash)?.blockHeight ??
      rpcFail(RpcCode.invalidAddressOrKey, `No information available about transaction ${hash}`);
  }

  // ---- lock state ----

  get isUnlocked(): boolean {
    return this.unlocked;
  }

  /** A wrong passphrase locks the wallet (udb Manager.Unlock locks before it checks). */
  walletPassphrase(passphrase: string, timeoutSeconds: number) {
    if (passphrase !== this.passphrase) {
      this.lock();
      rpcFail(RpcCode.passphraseIncorrect, "invalid passphrase for master private key");
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

  /** hcwallet ExtendWatchedAddresses: watches up to `index`; the next new address does not move. */
  accountSyncAddressIndex(branch: number, index: number) {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) {
      rpcFail(RpcCode.wallet, `child index ${index} exceeds the maximum child index for an account`);
    }
    if (branch !== 0 && branch !== 1) rpcFail(RpcCode.wallet, "branch must be external or internal");
    this.keys.ensure(branch, index);
    this.watched[branch] = Math.max(this.watched[branch], index);
  }

  /** A watched key of this wallet, deriving up to the watched range first. */
  private ownedKey(hash160Hex: string): DerivedKey | undefined {
    for (const b of [0, 1]) this.keys.ensure(b, this.watchedUpTo(b));
    return this.isOwnedKey(hash160Hex) ? this.keys.lookup(hash160Hex) : undefined;
  }

  /** hcwallet validateaddress: hex pubkeys too; `address` is the P2PKH form of a pubkey address. */
  validateAddress(s: string): Record<string, unknown> {
    const decoded = walletDecodeAddress(s, this.net);
    if (Either.isLeft(decoded)) return { isvalid: false };
    const a = decoded.right.address;
    const address = encodeAddress(pubKeyHashAddressOf(a));
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

  /**
   * hcwallet createmultisig: pubkey addresses and hex pubkeys as given, the wallet's own P2PKH
   * addresses resolved to their keys; every failure is a -32700 carrying the Go error's text.
   */
  createMultisig(nRequired: number, keys: ReadonlyArray<string>): { address: string; redeemScript: string } {
    const pubKeys = keys.map((s) => {
      const decoded = walletDecodeAddress(s, this.net);
      if (Either.isLeft(decoded)) return rpcFail(RpcCode.parse, rpcErrorText(decoded.left));
      const { address: a, scriptKey } = decoded.right;
      if (scriptKey !== undefined) return scriptKey;
      if (a.kind === "scripthash" && this.scripts.has(toHex(a.hash160))) {
        return rpcFail(RpcCode.parse, "address does not have an associated public key");
      }
      const owned = a.kind === "pubkeyhash" ? this.ownedKey(toHex(a.hash160)) : undefined;
      return owned?.pubKey ??
        rpcFail(RpcCode.parse, `failed to fetch address '${encodeAddress(a)}': address not found`);
    });
    const ordered = this.disagree.redeemScript ? [...pubKeys].reverse() : pubKeys;
    const script = goMultiSigScript(nRequired, ordered);
    return {
      address: encodeAddress(scriptHashAddress(this.net, script)),
      redeemScript: toHex(script),
    };
  }

  /** An already imported script is accepted again even while locked, as hcwallet does. */
  importScript(hex: string, rescan: boolean, scanFrom: number) {
    const hexError = goHexError(hex);
    if (hexError !== undefined) return rpcFail(RpcCode.wallet, hexError);
    const script = Either.getOrThrow(fromHex(hex));
    if (script.length === 0) return rpcFail(RpcCode.wallet, "passed empty script");
    this.requireDaemon();
    const h = toHex(hash160(script));
    if (!this.scripts.has(h)) {
      if (!this.unlocked) rpcFail(RpcCode.wallet, LOCKED);
      this.scripts.set(h, { script, address: encodeAddress(scriptHashAddress(this.net, script)) });
    }
    // hcwallet starts the rescan and answers at once; one already running drops it.
    if (rescan) this.startRescan(scanFrom)?.catch(() => {});
  }

  /**
   * hcwallet rescanwallet: waits for a rescan from `from`, or answers at once if one is running. A
   * height above its best block, or below 0, is refused first (RescanFromHeight finds no block
   * record there).
   */
  rescan(from: number): Promise<void> {
    this.requireDaemon();
    if (from > this.syncedHeight || from < 0) rpcFail(RpcCode.wallet, NO_MAIN_CHAIN_BLOCK);
    return this.startRescan(from) ?? Promise.resolve();
  }

  get isRescanning(): boolean {
    return this.rescanning !== undefined;
  }

  /**
   * hcwallet wallet/rescan.go: the blocks from `from` to the wallet's tip, asked of hcd 2000 at a
   * time and matched against the scripts the wallet held when each batch was asked for, its
   * findings stored when the batch is done. Undefined (dropped) while another rescan runs, else
   * its end; it fails if the wallet loses its hcd.
   */
  private startRescan(from: number): Promise<void> | undefined {
    if (this.rescanning) return undefined;
    if (this.rescanMsPerBlock === 0) {
      this.scan(from, this.syncedHeight);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const end = (error?: unknown) => {
        clearTimeout(timer);
        this.rescanning = undefined;
        if (error === undefined) resolve();
        else reject(error);
      };
      this.rescanning = { stop: () => end() };
      const batch = (next: number) => {
        if (next > this.syncedHeight) return end();
        if (!this.connected) {
          return end(
            new RpcErrorObject({ code: RpcCode.wallet, message: "the client has been disconnected" }),
          );
        }
        const last = Math.min(next + MAX_BLOCKS_PER_RESCAN - 1, this.syncedHeight);
        const scripts = new Map(this.scripts);
        timer = setTimeout(() => {
          this.scan(next, last, scripts);
          batch(last + 1);
        }, (last - next + 1) * this.rescanMsPerBlock);
      };
      batch(Math.max(0, from));
    });
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

  /**
   * hcwallet addticket: the ticket goes into the stake manager only, so it cannot be voted until a
   * rescan finds its transaction. In stake-pool mode the wallet asks its hcd where the ticket was
   * mined (needs hcd's transaction index) and marks it the user's, without a fee check.
   */
  addTicket(hex: string) {
    const hexError = goHexError(hex);
    if (hexError !== undefined) return rpcFail(RpcCode.wallet, hexError);
    const tx = Either.getOrThrow(fromHex(hex));
    const decoded = deserializeTx(tx);
    if (Either.isLeft(decoded)) return rpcFail(RpcCode.wallet, goTxDecodeError(decoded.left));
    const ticket = parseTicket(decoded.right);
    if (Either.isLeft(ticket)) return rpcFail(RpcCode.wallet, ticket.left.reason);
    const id = txid(decoded.right);
    if (this.stakePool) {
      const height = this.hcdTicketHeight(id);
      // hcwallet updateStakePoolInvalidTicket: out of the invalid list, recorded live, whatever
      // it was before (a voted ticket's record is overwritten).
      const user = this.poolUser(toHex(ticket.right.votingDest.hash160));
      user.invalid.delete(id);
      user.tickets.set(id, { height, status: "live", spentBy: ZERO_HASH, spentByHeight: 0 });
    }
    if (!this.stakeMgr.has(id)) this.stakeMgr.set(id, decoded.right);
  }

  /**
   * hcwallet LiveTicketHashes: the store's unspent tickets (immature when asked), and the stake
   * manager's others, whose height only hcd's transaction index can tell (skipped without it).
   */
  getTickets(includeImmature: boolean): string[] {
    const out: string[] = [];
    for (const hash of this.stakeMgr.keys()) {
      const t = this.chain.ticket(hash);
      if (t === undefined) continue;
      if (!this.txStore.has(hash) && !this.hcdTxIndex) continue;
      if (t.status === "live" || (includeImmature && t.status === "immature")) out.push(hash);
    }
    return this.disagree.missingTicket ? out.slice(0, -1) : out;
  }

  /** hcwallet ticketsforaddress: the stake manager's tickets for the address that are also in the store. */
  ticketsForAddress(address: string): string[] {
    const a = hcutilDecode(address);
    if (Either.isLeft(a)) return rpcFail(RpcCode.wallet, a.left);
    return this.chain.ticketsPayingTo(toHex(addressHash160(a.right))).map((t) => t.hash).filter((t) =>
      this.stakeMgr.has(t) && this.txStore.has(t)
    );
  }

  /**
   * hcwallet's stake pool records as stored: live until the wallet sees a vote (voted) or a
   * revocation (missed or expired) spend it, a missed ticket nobody revoked stays live, and
   * addticket makes any ticket live again. Empty lists are null.
   */
  stakePoolUserInfo(user: string) {
    const a = hcutilDecode(user);
    if (Either.isLeft(a)) return rpcFail(RpcCode.wallet, a.left);
    if (a.right.kind !== "scripthash" && a.right.kind !== "pubkeyhash") {
      return rpcFail(RpcCode.wallet, "stake pool user address must be P2PKH or P2SH");
    }
    const info = this.users.get(toHex(addressHash160(a.right)));
    const tickets = [...(info?.tickets ?? [])].map(([hash, r]) => ({
      status: r.status,
      ticket: hash,
      ticketheight: r.height,
      spentby: r.spentBy,
      spentbyheight: r.spentByHeight,
    }));
    const invalid = [...(info?.invalid ?? [])];
    return { tickets: tickets.length > 0 ? tickets : null, invalid: invalid.length > 0 ? invalid : null };
  }

  /** hcwallet StakeInfo: the store's tickets; poolsize is the tip header's. */
  stakeInfo() {
    this.requireDaemon();
    let immature = 0, live = 0, voted = 0, missed = 0, revoked = 0, expired = 0, subsidy = 0n;
    for (const hash of this.txStore.keys()) {
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
    const poolSize = this.chain.blockAt(this.syncedHeight)!.header.poolSize;
    return {
      blockheight: this.syncedHeight,
      poolsize: poolSize,
      difficulty: toCoins(this.chain.nextStakeDiff),
      allmempooltix: mempool.length,
      ownmempooltix: mempool.filter((s) => this.txStore.has(s.txid)).length,
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

  /**
   * hcwallet generatevote: the vote for a ticket whose transaction is in the store, with exactly
   * these bits; "not exist" (the store's error) for any other ticket, addticket's included.
   */
  generateVote(blockHash: string, height: number, ticketHash: string, voteBits: number, voteBitsExt: string) {
    for (const hash of [blockHash, ticketHash]) {
      const hashError = goHashError(hash);
      if (hashError !== undefined) rpcFail(RpcCode.wallet, hashError);
    }
    const extError = goHexError(voteBitsExt);
    if (extError !== undefined) return rpcFail(RpcCode.wallet, extError);
    const ticket = this.txStore.get(ticketHash) ?? rpcFail(RpcCode.wallet, "not exist");
    // Signing needs the ticket's voting key.
    if (!this.unlocked) rpcFail(RpcCode.wallet, LOCKED);
    const vote = buildVote({
      ticket,
      blockHash,
      blockHeight: height,
      voteBits,
      voteBitsExt: Either.getOrThrow(fromHex(voteBitsExt)),
      voteSubsidy: calcStakeVoteSubsidy(this.net, height),
      net: this.net,
    });
    if (Either.isLeft(vote)) return rpcFail(RpcCode.invalidParameter, vote.left.reason);
    const id = txid(vote.right);
    this.made.add(id);
    this.txStore.set(id, vote.right);
    return vote.right;
  }

  /** Whether the wallet built this transaction itself (a vote or a purchase). */
  madeTx(id: string): boolean {
    return this.made.has(id);
  }

  /** A transaction in the store (gettransaction); addticket's tickets are not, until a rescan. */
  storedTx(id: string): MsgTx | undefined {
    return this.txStore.get(id);
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

  /** hcwallet SetAgendaChoices: its ErrInput texts, sent as -4. */
  setVoteChoice(agendaId: string, choiceId: string) {
    const agendas = agendasFor(this.net, this.voteVersion);
    if (agendas.length === 0) rpcFail(RpcCode.wallet, "no agendas to set for this network");
    const agenda = agendas.find((a) => a.id === agendaId) ??
      rpcFail(RpcCode.wallet, `no agenda with ID ${agendaId}`);
    if (!agenda.choices.some((c) => c.id === choiceId)) {
      rpcFail(RpcCode.wallet, `agenda ${agendaId} has no choice ID ${choiceId}`);
    }
    this.choices.set(agendaId, choiceId);
  }

  // ---- funds and purchases ----

  get spendable(): bigint {
    return this.balance;
  }

  /**
   * hcwallet's account balances (udb AccountBalances), in its account order: the spendable funds
   * in default, and each unspent ticket whose voting output pays the wallet (its own key: default,
   * an imported script: imported) counted as hcwallet does. Its output adds to total; its
   * commitments, less the fee when the wallet paid for it, to votingauthority, and those paying
   * the wallet's own keys to lockedbytickets. Other fields stay 0 in the simulation.
   */
  accountBalances(): ReadonlyArray<AccountBalance> {
    const tally = (name: AccountBalance["name"]) => ({
      name,
      lockedByTickets: 0n,
      spendable: 0n,
      total: 0n,
      votingAuthority: 0n,
    });
    const accounts = {
      default: tally("default"),
      postquantum: tally("postquantum"),
      imported: tally("imported"),
    };
    accounts.default.spendable = this.balance;
    accounts.default.total = this.balance;
    for (const [hash, tx] of this.txStore) {
      const t = this.chain.ticket(hash);
      const ticket = t?.ticket ??
        (this.chain.inMempool(hash) ? Either.getOrUndefined(parseTicket(tx)) : undefined);
      if (ticket === undefined || (t !== undefined && t.status !== "immature" && t.status !== "live")) {
        continue;
      }
      const voting = toHex(ticket.votingDest.hash160);
      const account = ticket.votingDest.kind === "scripthash"
        ? (this.scripts.has(voting) ? accounts.imported : undefined)
        : (this.isOwnedKey(voting) ? accounts.default : undefined);
      if (account === undefined) continue;
      const fee = this.made.has(hash) ? tx.inputs.reduce((n, i) => n + i.valueIn, 0n) - ticket.price : 0n;
      const committed = ticket.commitments.reduce((n, c) => n + c.amount, 0n);
      const own = ticket.commitments
        .filter((c) => !c.isP2SH && this.isOwnedKey(toHex(c.hash160)))
        .reduce((n, c) => n + c.amount, 0n);
      account.total += ticket.price;
      account.votingAuthority += committed - fee;
      if (own > 0n) account.lockedByTickets += own - fee;
    }
    return [accounts.default, accounts.postquantum, accounts.imported];
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
    if (price > toAtoms(args.spendLimit)) rpcFail(RpcCode.wallet, "ticket price exceeds spend limit");
    const decode = (s: string) => {
      const a = walletDecodeAddress(s, this.net);
      return Either.isLeft(a) ? rpcFail(a.left.code ?? RpcCode.wallet, a.left.message) : a.right.address;
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
      const rewardHash = Either.getOrThrow(fromHex(reward.hash160Hex));
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
      this.txStore.set(submitted.right, tx);
      this.stakeMgr.set(submitted.right, tx);
      this.made.add(submitted.right);
      ids.push(submitted.right);
    }
    return ids;
  }
}
