// One simulated voting node: an hcd and an hcwallet JSON-RPC endpoint (the project's RPC server),
// their method tables with hcd/hcwallet parameter handling, result shapes and error codes
// (HC-PROTOCOL §8.2–8.5, §10, §11.2), websocket notifications (§8.4), and the node's faults.
import { Either } from "effect";
import { concatBytes, fromHex, toHex } from "../domain/bytes.ts";
import { addressHash160, encodeAddress, pubKeyHashAddressOf } from "../domain/address.ts";
import { disasmScript, scriptAddresses } from "../domain/script.ts";
import { commitmentAddress, isNullPrevOut, parseCommitment, parseVote } from "../domain/stake.ts";
import { deserializeTx, type MsgTx, serializeTx, txid, varIntBytes } from "../domain/tx.ts";
import { RpcCode } from "../rpc/errors.ts";
import { encodeNotification, type HcNotification } from "../rpc/hc_methods.ts";
import type { RpcHandler, RpcServer } from "../rpc/jsonrpc_server.ts";
import type { ChainEvent, SimBlock, SimChain, StoredTx } from "./chain.ts";
import { NO_FAULTS, type NodeFaults, type ServerKind } from "./faults.ts";
import { goHashError, goQuote, goTxDecodeError, hcutilDecode } from "./go_errors.ts";
import { type AccountBalance, DEFAULT_FEE_PER_KB, rpcFail, type SimWallet, toCoins } from "./wallet.ts";

/**
 * Wallet commands hcd knows but leaves to hcwallet (rpcserver.go rpcAskWallet): -1 "This
 * implementation does not implement wallet commands".
 */
const ASK_WALLET = new Set([
  "accountaddressindex",
  "accountsyncaddressindex",
  "addmultisigaddress",
  "addticket",
  "createencryptedwallet",
  "createmultisig",
  "dumpprivkey",
  "getaccount",
  "getaccountaddress",
  "getaddressesbyaccount",
  "getbalance",
  "getnewaddress",
  "getrawchangeaddress",
  "getreceivedbyaccount",
  "getreceivedbyaddress",
  "getstakeinfo",
  "getvotechoices",
  "gettransaction",
  "gettxoutsetinfo",
  "getunconfirmedbalance",
  "importprivkey",
  "keypoolrefill",
  "listaccounts",
  "listlockunspent",
  "listreceivedbyaccount",
  "listreceivedbyaddress",
  "listsinceblock",
  "listtransactions",
  "listunspent",
  "lockunspent",
  "rescanwallet",
  "revoketickets",
  "sendfrom",
  "sendmany",
  "sendtoaddress",
  "setvotechoice",
  "settxfee",
  "signmessage",
  "signrawtransaction",
  "stakepooluserinfo",
  "walletinfo",
  "walletlock",
  "walletpassphrase",
  "walletpassphrasechange",
]);

const semver = (major: number, minor: number, patch: number) => ({
  versionstring: `${major}.${minor}.${patch}`,
  major,
  minor,
  patch,
  prerelease: "",
  buildmetadata: "",
});

/** hcwallet udb.DBVersion, its getinfo walletversion. */
const WALLET_DB_VERSION = 7;

/** hcd's version answer: its JSON-RPC API only (rpcserver.go jsonrpcSemver). */
const HCD_VERSION = { hcdjsonrpcapi: semver(3, 1, 0) };

/** A vote submitted to a node, kept for tests (issue 5 item 6). */
export interface VoteRecord {
  readonly ticket: string;
  readonly txid: string;
  readonly voteBits: number;
  readonly voteVersion: number;
  readonly blockHash: string;
  readonly blockHeight: number;
  readonly node: number;
  readonly server: ServerKind;
  /** accepted into the mempool, refused as a duplicate, or rejected otherwise. */
  readonly outcome: "accepted" | "duplicate" | "rejected";
}

/**
 * Positional parameters checked the way hcjson unmarshals them: `required` of at most `max`. A
 * wrong count or type is -8 "Parse error: …" from hcd (rpcInvalidError with hcjson's
 * checkNumParams text for a count) and a bare -32600 "Invalid request" from hcwallet.
 */
class Params {
  constructor(
    private readonly server: ServerKind,
    private readonly method: string,
    private readonly values: ReadonlyArray<unknown>,
    max: number,
    required: number,
  ) {
    const n = values.length;
    if (n < required || n > max) {
      this.bad(
        required === max
          ? `wrong number of params (expected ${max}, received ${n})`
          : `wrong number of params (expected between ${required} and ${max}, received ${n})`,
      );
    }
  }
  private bad(detail: string): never {
    return this.server === "hcd"
      ? rpcFail(RpcCode.invalidParameter, `Parse error: ${detail}`)
      : rpcFail(RpcCode.invalidRequest, "Invalid request");
  }
  private at(i: number, what: string, ok: (v: unknown) => boolean): unknown {
    const v = this.values[i];
    if (v === undefined || v === null) this.bad(`missing parameter ${i + 1} (${what})`);
    if (!ok(v)) this.bad(`parameter ${i + 1} must be ${what}`);
    return v;
  }
  str(i: number): string {
    return this.at(i, "a string", (v) => typeof v === "string") as string;
  }
  num(i: number): number {
    return this.at(i, "a number", (v) => typeof v === "number") as number;
  }
  int(i: number): number {
    return this.at(i, "an integer", (v) => Number.isInteger(v)) as number;
  }
  uint16(i: number): number {
    return this.at(
      i,
      "a uint16",
      (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff,
    ) as number;
  }
  bool(i: number): boolean {
    return this.at(i, "a boolean", (v) => typeof v === "boolean") as boolean;
  }
  strs(i: number): string[] {
    return this.at(
      i,
      "an array of strings",
      (v) => Array.isArray(v) && v.every((s) => typeof s === "string"),
    ) as string[];
  }
  has(i: number): boolean {
    return this.values[i] !== undefined && this.values[i] !== null;
  }
  optStr(i: number): string | undefined {
    return this.has(i) ? this.str(i) : undefined;
  }
  optNum(i: number): number | undefined {
    return this.has(i) ? this.num(i) : undefined;
  }
  optInt(i: number): number | undefined {
    return this.has(i) ? this.int(i) : undefined;
  }
  optBool(i: number): boolean | undefined {
    return this.has(i) ? this.bool(i) : undefined;
  }
}

const methodNotFound = (): never => rpcFail(RpcCode.methodNotFound, "Method not found");

// ---- result shapes shared by hcd and the wallet passthrough ----

/** The fields getblockheader and getblock share, read from the header (hcd rpcserver.go). */
const headerVerbose = (chain: SimChain, b: SimBlock) => {
  const h = b.header;
  const next = chain.blockAt(b.height + 1);
  return {
    hash: b.hash,
    confirmations: chain.height - b.height + 1,
    version: h.version,
    previousblockhash: toHex(h.prevBlock.slice().reverse()),
    merkleroot: toHex(h.merkleRoot.slice().reverse()),
    stakeroot: toHex(h.stakeRoot.slice().reverse()),
    votebits: h.voteBits,
    finalstate: toHex(h.finalState),
    voters: h.voters,
    freshstake: h.freshStake,
    revocations: h.revocations,
    poolsize: h.poolSize,
    bits: h.bits.toString(16),
    sbits: toCoins(h.sbits),
    height: h.height,
    size: h.size,
    time: h.timestamp,
    nonce: h.nonce,
    stakeversion: h.stakeVersion,
    difficulty: 1,
    ...(next ? { nextblockhash: next.hash } : {}),
  };
};

const blockBytes = (chain: SimChain, b: SimBlock) => {
  const txs = (ids: ReadonlyArray<string>) => ids.map((id) => chain.tx(id)!.bytes);
  return concatBytes(
    b.headerBytes,
    varIntBytes(b.txids.length),
    ...txs(b.txids),
    varIntBytes(b.stxids.length),
    ...txs(b.stxids),
  );
};

/** A regular transaction spending the null outpoint: a block's coinbase (a vote's stakebase is stake). */
const isCoinbase = (s: StoredTx) =>
  s.type === "regular" && s.tx.inputs.length === 1 && isNullPrevOut(s.tx.inputs[0]);

/**
 * hcd createTxRawResult. A coinbase input is {amountin, blockheight, blockindex, coinbase,
 * sequence}; every input of another transaction, a vote's stakebase included,
 * is marshalled with txid/vout/tree/scriptSig (hcjson Vin.MarshalJSON has no stakebase form); a
 * ticket's odd outputs are "sstxcommitment" with the commitment address and amount. blockindex,
 * confirmations, time and blocktime are omitempty; getrawtransaction always passes index 0.
 */
const rawTxVerbose = (chain: SimChain, s: StoredTx, blockIndex: number) => {
  const net = chain.net;
  const block = s.blockHash ? chain.blockByHash(s.blockHash) : undefined;
  return {
    hex: toHex(s.bytes),
    txid: s.txid,
    version: s.tx.version,
    locktime: s.tx.lockTime,
    expiry: s.tx.expiry,
    vin: s.tx.inputs.map((i) =>
      isCoinbase(s)
        ? {
          amountin: toCoins(i.valueIn),
          blockheight: i.blockHeight,
          blockindex: i.blockIndex,
          coinbase: toHex(i.sigScript),
          sequence: i.sequence,
        }
        : {
          txid: toHex(i.prevHash.slice().reverse()),
          vout: i.prevIndex,
          tree: i.tree,
          sequence: i.sequence,
          amountin: toCoins(i.valueIn),
          blockheight: i.blockHeight,
          blockindex: i.blockIndex,
          scriptSig: { asm: disasmScript(i.sigScript), hex: toHex(i.sigScript) },
        }
    ),
    vout: s.tx.outputs.map((o, n) => {
      const commitment = s.type === "ticket" && n % 2 === 1
        ? Either.getOrUndefined(parseCommitment(o.pkScript))
        : undefined;
      const { class: type, addresses, reqSigs } = commitment
        ? { class: "sstxcommitment", addresses: [commitmentAddress(net, commitment)], reqSigs: 0 }
        : scriptAddresses(o.pkScript, net);
      return {
        value: toCoins(o.value),
        n,
        version: o.version,
        scriptPubKey: {
          asm: disasmScript(o.pkScript),
          hex: toHex(o.pkScript),
          ...(reqSigs > 0 ? { reqSigs } : {}),
          type,
          ...(addresses.length > 0
            ? { addresses: addresses.map((a) => encodeAddress(pubKeyHashAddressOf(a))) }
            : {}),
          ...(commitment ? { commitamt: toCoins(commitment.amount) } : {}),
        },
      };
    }),
    ...(block
      ? {
        blockhash: block.hash,
        blockheight: block.height,
        ...(blockIndex > 0 ? { blockindex: blockIndex } : {}),
        confirmations: chain.height - block.height + 1,
        time: block.header.timestamp,
        blocktime: block.header.timestamp,
      }
      : { blockheight: 0 }),
  };
};

/** hcd rpcDecodeHexError for a hash argument that chainhash.NewHashFromStr refuses. */
const requireHash = (hash: string): string =>
  goHashError(hash) === undefined
    ? hash
    : rpcFail(RpcCode.deserialization, `Argument must be hexadecimal string (not ${goQuote(hash)})`);

/**
 * Bit i set when hash i of the blob passes `has` (hcd existslivetickets bitset, LSB first). The blob
 * is decoded as hcjson DecodeConcatenatedHashes does: whole hashes first, then each one's hex.
 */
const existsBitset = (blob: string, has: (hash: string) => boolean): string => {
  if (blob.length % 64 !== 0) {
    rpcFail(RpcCode.invalidParameter, "Hashes is not evenly divisible by the hash size");
  }
  const n = blob.length / 64;
  const bits = new Uint8Array(Math.ceil(n / 8));
  for (let i = 0; i < n; i++) {
    const chunk = blob.slice(i * 64, i * 64 + 64);
    const hash = Either.getOrUndefined(fromHex(chunk)) ??
      rpcFail(RpcCode.deserialization, `Parameter contains invalid hexadecimal encoding: ${chunk}`);
    if (has(toHex(hash.reverse()))) bits[i >> 3] |= 1 << (i & 7);
  }
  return toHex(bits);
};

export interface SimNodeOptions {
  readonly index: number;
  readonly chain: SimChain;
  readonly wallet: SimWallet;
  /** Mines n blocks (hcd's generate), shared by every node. */
  readonly generate: (n: number) => string[];
  readonly recordVote: (v: VoteRecord) => void;
  /** hcd keeps a transaction index (txindex=1): getrawtransaction of mined transactions works. */
  readonly txindex: boolean;
}

type Subscription = "blocks" | "winningtickets" | "newtickets" | "spentandmissedtickets" | "stakedifficulty";

export class SimNode {
  readonly index: number;
  readonly chain: SimChain;
  readonly wallet: SimWallet;
  private readonly options: SimNodeOptions;
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private faultState: NodeFaults = NO_FAULTS;
  /** Registrations received but not in effect yet (faults.registrationDelayMs). */
  pendingRegistrations = 0;
  /**
   * Every rebroadcastwinners this hcd served, and whether the asking websocket was registered for
   * winningtickets then: if not, the announcement it asked for never reached it.
   */
  readonly winnerRequests: Array<{ readonly connectionId: string; readonly registered: boolean }> = [];
  hcdServer?: RpcServer;
  walletServer?: RpcServer;

  constructor(options: SimNodeOptions) {
    this.options = options;
    this.index = options.index;
    this.chain = options.chain;
    this.wallet = options.wallet;
  }

  get faults(): NodeFaults {
    return this.faultState;
  }

  /** Applies a fault patch; every fault can be switched off again. */
  async setFaults(patch: Partial<NodeFaults>) {
    const before = this.faultState;
    const merged = { ...before, ...patch };
    // hcwallet does not reconnect to an hcd that went away (HC-PROTOCOL §11): its wallet stays
    // without it until the wallet itself restarts (down and up again) while its hcd is up.
    const walletRestarts = before.walletDown && patch.walletDown === false;
    const f: NodeFaults = {
      ...merged,
      daemonDisconnected: merged.hcdDown ||
        (patch.daemonDisconnected ?? (walletRestarts ? false : before.daemonDisconnected)),
    };
    this.faultState = f;
    const w = this.wallet;
    if (patch.locked === true) w.lock();
    if (patch.locked === false && !w.isUnlocked) w.unlockForSimulation();
    w.connected = !f.daemonDisconnected;
    w.blocksHeld = f.walletBehind;
    w.sync();
    w.disagree = {
      redeemScript: f.disagreeRedeemScript,
      missingScript: f.missingScript,
      missingTicket: f.missingTicket,
    };
    for (const [server, down] of [[this.hcdServer, f.hcdDown], [this.walletServer, f.walletDown]] as const) {
      server?.setLatency(f.latencyMs);
      if (down && server?.isAccepting()) await server.stopAccepting();
      if (!down && server && !server.isAccepting()) await server.resumeAccepting();
    }
  }

  dropWebsockets(which: ServerKind | "both") {
    if (which !== "wallet") this.hcdServer?.dropWebsockets();
    if (which !== "hcd") this.walletServer?.dropWebsockets();
  }

  forgetConnection(connectionId: string) {
    this.subscriptions.delete(connectionId);
  }

  private injectedError(server: ServerKind, method: string) {
    const e = this.faultState.methodErrors[method];
    if (e && (e.server === undefined || e.server === server)) rpcFail(e.code, e.message);
  }

  // ---- notifications ----

  /** Sends a notification to every websocket client of this hcd registered for `kind`. */
  private send(kind: Subscription, n: HcNotification) {
    const { method, params } = encodeNotification(n);
    // hcd's empty lists here are nil Go slices, marshalled as null.
    const wire = params.map((p) => Array.isArray(p) && p.length === 0 ? null : p);
    for (const [connectionId, subs] of this.subscriptions) {
      if (subs.has(kind)) this.hcdServer?.notify(method, wire, connectionId);
    }
  }

  private sendWinners(label: SimBlock, tickets: ReadonlyArray<string>) {
    this.send("winningtickets", {
      _tag: "winningtickets",
      blockHash: label.hash,
      blockHeight: label.height,
      tickets,
    });
  }

  /** hcd announces a block's lottery from StakeValidationHeight − 1 on, side-chain blocks too. */
  private announceLottery(b: SimBlock) {
    if (b.height >= this.chain.net.stakeValidationHeight - 1) this.sendWinners(b, b.winners);
  }

  onChainEvent(e: ChainEvent) {
    if (e.kind === "side") {
      this.announceLottery(e.block);
      return;
    }
    if (e.kind === "disconnected") this.wallet.rewindTo(e.block.height - 1);
    this.wallet.sync();
    const send = (kind: Subscription, n: HcNotification) => this.send(kind, n);
    if (e.kind === "reorganization") {
      send("blocks", {
        _tag: "reorganization",
        oldHash: e.oldTip.hash,
        oldHeight: e.oldTip.height,
        newHash: e.newTip.hash,
        newHeight: e.newTip.height,
      });
      return;
    }
    if (e.kind === "disconnected") {
      send("blocks", { _tag: "blockdisconnected", header: toHex(e.block.headerBytes) });
      return;
    }
    const b = e.block;
    const sdiff = Number(b.nextStakeDiff);
    // hcd's order: the chain's stake notifications (from StakeEnabledHeight on), the block, then
    // the block manager's lottery and stake difficulty.
    if (b.height >= this.chain.net.stakeEnabledHeight) {
      send("spentandmissedtickets", {
        _tag: "spentandmissedtickets",
        blockHash: b.hash,
        height: b.height,
        stakeDiff: sdiff,
        tickets: b.spentAndMissed,
      });
      send("newtickets", {
        _tag: "newtickets",
        blockHash: b.hash,
        height: b.height,
        stakeDiff: sdiff,
        tickets: b.newTickets,
      });
    }
    send("blocks", { _tag: "blockconnected", header: toHex(b.headerBytes), subscribedTxs: [] });
    this.announceLottery(b);
    send("stakedifficulty", {
      _tag: "stakedifficulty",
      blockHash: b.hash,
      height: b.height,
      stakeDiff: sdiff,
    });
  }

  // ---- hcd ----

  /** hcd getinfo: its version (2.0.3) and protocol version; testnet means testnet2 only. */
  private hcdInfo() {
    return {
      version: 2000300,
      protocolversion: 4,
      blocks: this.chain.height,
      timeoffset: 0,
      // hcsim's hcds share one chain and have no peers.
      connections: 0,
      proxy: "",
      difficulty: 1,
      testnet: this.chain.net.name === "testnet2",
      relayfee: DEFAULT_FEE_PER_KB,
      errors: "",
    };
  }

  private sendRawTransaction(server: ServerKind, hex: string): string {
    // hcd prepends a 0 to an odd-length hex string (and shows it so in the error).
    const padded = hex.length % 2 === 0 ? hex : `0${hex}`;
    const bytes = Either.getOrUndefined(fromHex(padded)) ??
      rpcFail(RpcCode.deserialization, `Argument must be hexadecimal string (not ${goQuote(padded)})`);
    const decoded = deserializeTx(bytes);
    if (Either.isLeft(decoded)) {
      return rpcFail(RpcCode.deserialization, `Could not decode Tx: ${goTxDecodeError(decoded.left)}`);
    }
    const tx: MsgTx = decoded.right;
    const vote = Either.getOrUndefined(parseVote(tx));
    const result = this.chain.submit(tx);
    if (vote) {
      this.options.recordVote({
        ticket: vote.ticketHash,
        txid: txid(tx),
        voteBits: vote.voteBits,
        voteVersion: vote.voteVersion,
        blockHash: vote.blockHash,
        blockHeight: vote.blockHeight,
        node: this.index,
        server,
        outcome: Either.isRight(result) ? "accepted" : result.left.duplicate ? "duplicate" : "rejected",
      });
    }
    // Every mempool refusal is a RuleError, which hcd answers with -1.
    if (Either.isLeft(result)) return rpcFail(RpcCode.misc, result.left.message);
    return result.right;
  }

  /** Chain methods: hcd answers them; the wallet passes them through to its hcd. */
  private chainMethod(
    server: ServerKind,
    method: string,
    p: (max: number, required?: number) => Params,
  ): unknown {
    const chain = this.chain;
    const blockOf = (hash: string) =>
      chain.blockByHash(requireHash(hash)) ??
        rpcFail(RpcCode.invalidAddressOrKey, `Block not found: ${hash}`);
    switch (method) {
      case "getbestblock":
        p(0);
        return { hash: chain.tip.hash, height: chain.height };
      case "getblockcount":
        p(0);
        return chain.height;
      case "getblockhash": {
        const h = p(1).int(0);
        return chain.blockAt(h)?.hash ?? rpcFail(RpcCode.misc, `Block number out of range: ${h}`);
      }
      case "getblock": {
        const a = p(3, 1);
        const b = blockOf(a.str(0));
        if (!(a.optBool(1) ?? true)) return toHex(blockBytes(chain, b));
        const verboseTx = a.optBool(2) ?? false;
        const txs = (ids: ReadonlyArray<string>) =>
          verboseTx ? ids.map((id, i) => rawTxVerbose(chain, chain.tx(id)!, i)) : ids;
        // tx/stx/rawtx/rawstx are omitempty: an empty tree leaves its member out.
        const tree = (name: string, ids: ReadonlyArray<string>) => ids.length > 0 ? { [name]: txs(ids) } : {};
        return {
          ...headerVerbose(chain, b),
          extradata: toHex(b.header.extraData),
          ...tree(verboseTx ? "rawtx" : "tx", b.txids),
          ...tree(verboseTx ? "rawstx" : "stx", b.stxids),
        };
      }
      case "getblockheader": {
        const a = p(2, 1);
        const b = blockOf(a.str(0));
        // hcd's getblockheader answer has a chainwork member it never fills and no extradata.
        return (a.optBool(1) ?? true) ? { ...headerVerbose(chain, b), chainwork: "" } : toHex(b.headerBytes);
      }
      case "getrawtransaction": {
        const a = p(2, 1);
        const id = requireHash(a.str(0));
        // The mempool first; a mined transaction needs hcd's transaction index.
        if (!chain.inMempool(id) && !this.options.txindex) {
          rpcFail(
            RpcCode.internal,
            "The transaction index must be enabled to query the blockchain (specify --txindex)",
          );
        }
        const s = chain.tx(id) ??
          rpcFail(RpcCode.invalidAddressOrKey, `No information available about transaction ${id}`);
        return (a.optInt(1) ?? 0) !== 0 ? rawTxVerbose(chain, s, 0) : toHex(s.bytes);
      }
      case "sendrawtransaction": {
        const a = p(2, 1);
        a.optBool(1);
        return this.sendRawTransaction(server, a.str(0));
      }
      case "getstakedifficulty":
        p(0);
        return { current: toCoins(chain.currentStakeDiff), next: toCoins(chain.nextStakeDiff) };
      case "existsliveticket":
        // hcwallet has no handler of its own and forwards it to its hcd (realnodes R3).
        return chain.ticket(requireHash(p(1).str(0)))?.status === "live";
      case "existslivetickets":
        return existsBitset(p(1).str(0), (h) => chain.ticket(h)?.status === "live");
      case "existsmissedtickets":
        return existsBitset(p(1).str(0), (h) => chain.ticket(h)?.status === "missed");
      case "existsexpiredtickets":
        return existsBitset(p(1).str(0), (h) => chain.ticket(h)?.status === "expired");
      case "livetickets":
        p(0);
        return { tickets: chain.liveTickets() };
      case "missedtickets":
        p(0);
        return { tickets: [...chain.ticketsWithStatus("missed"), ...chain.ticketsWithStatus("expired")] };
      case "rebroadcastwinners":
        // hcd announces the winners of every block at the tip height again, each labelled with the
        // best block (rpcserver.go handleRebroadcastWinners), to all its winningtickets clients.
        p(0);
        for (const b of chain.tipGeneration()) this.sendWinners(chain.tip, b.winners);
        return null;
      case "getcurrentnet":
        p(0);
        return chain.net.wireMagic;
      case "generate": {
        const n = p(1).int(0);
        if (n < 1) {
          rpcFail(RpcCode.invalidParameter, "Please request a nonzero number of blocks to generate.");
        }
        return this.options.generate(n);
      }
      default:
        return methodNotFound();
    }
  }

  readonly hcdHandler: RpcHandler = (method, params, ctx) => {
    const p = (max: number, required = max) => new Params("hcd", method, params, max, required);
    this.injectedError("hcd", method);
    const subscribe = (kind: Subscription) => {
      p(0);
      // Over HTTP POST hcd knows no notification method.
      if (!ctx.connectionId.startsWith("ws-")) return methodNotFound();
      const register = () => {
        let subs = this.subscriptions.get(ctx.connectionId);
        if (!subs) this.subscriptions.set(ctx.connectionId, subs = new Set());
        subs.add(kind);
        return null;
      };
      const delay = this.faultState.registrationDelayMs;
      if (delay === 0) return register();
      this.pendingRegistrations++;
      return new Promise((resolve) =>
        setTimeout(() => {
          this.pendingRegistrations--;
          resolve(register());
        }, delay)
      );
    };
    const answer = (): unknown => {
      switch (method) {
        case "notifyblocks":
          return subscribe("blocks");
        case "notifywinningtickets":
          return subscribe("winningtickets");
        case "notifynewtickets":
          return subscribe("newtickets");
        case "notifyspentandmissedtickets":
          return subscribe("spentandmissedtickets");
        case "notifystakedifficulty":
          return subscribe("stakedifficulty");
        case "rebroadcastwinners":
          this.winnerRequests.push({
            connectionId: ctx.connectionId,
            registered: this.subscriptions.get(ctx.connectionId)?.has("winningtickets") ?? false,
          });
          return this.chainMethod("hcd", method, p);
        case "version":
          p(0);
          return HCD_VERSION;
        case "getinfo":
          p(0);
          return this.hcdInfo();
        case "ticketsforaddress": {
          // hcd: the live tickets paying the address, any net's address (rpcInvalidError otherwise).
          const a = hcutilDecode(p(1).str(0));
          if (Either.isLeft(a)) return rpcFail(RpcCode.invalidParameter, `Invalid address: ${a.left}`);
          return {
            tickets: this.chain.ticketsPayingTo(toHex(addressHash160(a.right)))
              .filter((t) => t.status === "live").map((t) => t.hash),
          };
        }
        case "validateaddress": {
          // hcd's chain variant: valid for this net, with the address's own encoding.
          const a = hcutilDecode(p(1).str(0));
          return Either.isRight(a) && a.right.net.name === this.chain.net.name
            ? { isvalid: true, address: encodeAddress(pubKeyHashAddressOf(a.right)) }
            : { isvalid: false };
        }
        case "getbestblockhash":
          p(0);
          return this.chain.tip.hash;
        case "getrawmempool": {
          const a = p(2, 0);
          const verbose = a.optBool(0) ?? false;
          const filter = a.optStr(1);
          const types: Record<string, StoredTx["type"] | undefined> = {
            all: undefined,
            regular: "regular",
            tickets: "ticket",
            votes: "vote",
            revocations: "revocation",
          };
          if (filter !== undefined && !(filter in types)) {
            rpcFail(RpcCode.invalidParameter, "Invalid transaction type: string");
          }
          const kind = filter === undefined ? undefined : types[filter];
          const txs = this.chain.mempoolTxs().filter((t) => kind === undefined || t.type === kind);
          return verbose
            ? Object.fromEntries(txs.map((t) => [t.txid, {
              size: t.bytes.length,
              fee: 0,
              time: this.chain.now(),
              height: this.chain.height,
              startingpriority: 0,
              currentpriority: 0,
              depends: [],
            }]))
            : txs.map((t) => t.txid);
        }
        default:
          if (ASK_WALLET.has(method)) {
            return rpcFail(RpcCode.misc, "This implementation does not implement wallet commands");
          }
          return this.chainMethod("hcd", method, p);
      }
    };
    return Promise.resolve(answer());
  };

  // ---- hcwallet ----

  readonly walletHandler: RpcHandler = (method, params) => {
    const p = (max: number, required = max) => new Params("wallet", method, params, max, required);
    const w = this.wallet;
    this.injectedError("wallet", method);
    const answer = (): unknown => {
      switch (method) {
        case "getnewaddress": {
          const a = p(2, 0);
          const account = a.optStr(0) ?? "default";
          if (account !== "default") rpcFail(RpcCode.wallet, `account name '${account}' not found`);
          const gap = a.optStr(1) ?? "error";
          if (!["error", "ignore", "wrap"].includes(gap)) {
            rpcFail(RpcCode.invalidParameter, `Unknown gap policy '${gap}'`);
          }
          return w.getNewAddress().address;
        }
        case "validateaddress":
          return w.validateAddress(p(1).str(0));
        case "createmultisig": {
          const a = p(2);
          return w.createMultisig(a.int(0), a.strs(1));
        }
        case "importscript": {
          const a = p(3, 1);
          w.importScript(a.str(0), a.optBool(1) ?? true, a.optInt(2) ?? 0);
          return null;
        }
        case "listscripts":
          p(0);
          return { scripts: w.listScripts() };
        case "accountsyncaddressindex": {
          const a = p(3);
          const account = a.str(0);
          if (account !== "default") rpcFail(RpcCode.wallet, `account name '${account}' not found`);
          w.accountSyncAddressIndex(a.int(1), a.int(2));
          return null;
        }
        case "getmasterpubkey": {
          const account = p(1, 0).optStr(0) ?? "default";
          if (account !== "default") rpcFail(RpcCode.wallet, `account name '${account}' not found`);
          return w.getMasterPubKey();
        }
        case "getstakeinfo":
          p(0);
          return w.stakeInfo();
        case "stakepooluserinfo":
          return w.stakePoolUserInfo(p(1).str(0));
        case "addticket":
          w.addTicket(p(1).str(0));
          return null;
        case "gettickets":
          return { hashes: w.getTickets(p(1).bool(0)) };
        case "ticketsforaddress":
          return { tickets: w.ticketsForAddress(p(1).str(0)) };
        case "getbestblock": {
          p(0);
          const b = this.chain.blockAt(w.bestHeight)!;
          return { hash: b.hash, height: b.height };
        }
        case "getblockcount":
          p(0);
          return w.bestHeight;
        case "getbestblockhash":
          p(0);
          return this.chain.blockAt(w.bestHeight)!.hash;
        case "gettransaction":
          return this.walletTransaction(p(2, 1).str(0));
        case "generatevote": {
          const a = p(5);
          return {
            hex: toHex(serializeTx(w.generateVote(a.str(0), a.int(1), a.str(2), a.uint16(3), a.str(4)))),
          };
        }
        case "walletinfo":
          p(0);
          return {
            daemonconnected: w.connected,
            unlocked: w.isUnlocked,
            txfee: w.txFeeRate,
            ticketfee: w.ticketFeeRate,
            ticketpurchasing: false,
            votebits: w.voteBits,
            votebitsextended: w.voteBitsExtendedHex(),
            voteversion: w.voteVersion,
            // hcwallet's enablevoting, off in a pool's wallets: the pool's stakepoold votes for them.
            voting: false,
          };
        case "getbalance": {
          // hcwallet getBalance: every account with the totals for "*", one account alone
          // otherwise; the totals are omitempty, so a zero total is left out.
          const a = p(2, 0);
          const account = a.optStr(0) ?? "*";
          if ((a.optInt(1) ?? 1) < 0) rpcFail(RpcCode.invalidParameter, "minconf must be non-negative");
          const balances = w.accountBalances();
          const shown = account === "*" ? balances : balances.filter((b) => b.name === account);
          if (shown.length === 0) rpcFail(RpcCode.wallet, `account name '${account}' not found`);
          const sum = (f: (b: AccountBalance) => bigint) => balances.reduce((n, b) => n + f(b), 0n);
          const totals = account !== "*" ? {} : Object.fromEntries(
            ([
              ["totallockedbytickets", sum((b) => b.lockedByTickets)],
              ["totalspendable", sum((b) => b.spendable)],
              ["cumulativetotal", sum((b) => b.total)],
              ["totalvotingauthority", sum((b) => b.votingAuthority)],
            ] as const).filter(([, atoms]) => atoms !== 0n).map(([name, atoms]) => [name, toCoins(atoms)]),
          );
          return {
            balances: shown.map((b) => ({
              accountname: b.name,
              immaturecoinbaserewards: 0,
              immaturestakegeneration: 0,
              lockedbytickets: toCoins(b.lockedByTickets),
              spendable: toCoins(b.spendable),
              total: toCoins(b.total),
              unconfirmed: 0,
              votingauthority: toCoins(b.votingAuthority),
            })),
            blockhash: this.chain.blockAt(w.bestHeight)!.hash,
            ...totals,
          };
        }
        case "getvotechoices":
          p(0);
          return w.voteChoices();
        case "setvotechoice": {
          const a = p(2);
          w.setVoteChoice(a.str(0), a.str(1));
          return null;
        }
        case "getticketfee":
          p(0);
          return w.ticketFeeRate;
        case "setticketfee": {
          const fee = p(1).num(0);
          // hcwallet's ErrNeedPositiveAmount, for a negative fee only (0 is accepted).
          if (fee < 0) rpcFail(RpcCode.invalidParameter, "amount must be positive");
          w.ticketFeeRate = fee;
          return true;
        }
        case "purchaseticket": {
          const a = p(10, 2);
          const account = a.str(0);
          if (account !== "default") rpcFail(RpcCode.wallet, `account name '${account}' not found`);
          const numTickets = a.optInt(4) ?? 1;
          if (numTickets < 1) rpcFail(RpcCode.invalidParameter, "numtickets must be at least 1");
          a.optInt(2);
          a.optStr(8);
          return w.purchaseTicket({
            spendLimit: a.num(1),
            ticketAddress: a.optStr(3) || undefined,
            numTickets,
            poolAddress: a.optStr(5) || undefined,
            poolFees: a.optNum(6),
            expiry: a.optInt(7),
            ticketFee: a.optNum(9),
          });
        }
        case "version":
          p(0);
          // hcwallet answers its hcd's map with its own API added (only its own without an hcd).
          return { ...(w.connected ? HCD_VERSION : {}), hcwalletjsonrpcapi: semver(4, 1, 0) };
        case "walletpassphrase": {
          const a = p(2);
          w.walletPassphrase(a.str(0), a.int(1));
          return null;
        }
        case "walletlock":
          p(0);
          w.lock();
          return null;
        case "rescanwallet":
          return w.rescan(p(1, 0).optInt(0) ?? 0).then(() => null);
        case "getinfo":
          p(0);
          w.requireDaemon();
          // hcwallet's getInfo: its hcd's answer with the wallet's fields set (keypoololdest is
          // the time of the call, keypoolsize and unlocked_until are never filled).
          return {
            ...this.hcdInfo(),
            walletversion: WALLET_DB_VERSION,
            balance: toCoins(w.spendable),
            keypoololdest: Math.floor(Date.now() / 1000),
            keypoolsize: 0,
            unlocked_until: 0,
            paytxfee: w.txFeeRate,
          };
        default:
          // hcwallet forwards the chain RPCs it does not handle to its hcd.
          if (method === "generate" || method.startsWith("notify")) return methodNotFound();
          w.requireDaemon();
          return this.chainMethod("wallet", method, p);
      }
    };
    return Promise.resolve(answer());
  };

  /**
   * hcwallet gettransaction. blockhash, blockindex (never filled: 0) and blocktime are always
   * present, empty when unmined. A ticket paying one of the wallet's scripts or keys is a credit of
   * its out0: one "receive" detail in the account owning the address (imported for a script).
   */
  private walletTransaction(id: string) {
    const tx = this.wallet.storedTx(requireWalletHash(id)) ??
      rpcFail(RpcCode.invalidAddressOrKey, "No information for transaction");
    const stored = this.chain.tx(id);
    const block = stored?.blockHash ? this.chain.blockByHash(stored.blockHash) : undefined;
    const out0 = tx.outputs[0];
    const payee = out0 ? scriptAddresses(out0.pkScript, this.chain.net).addresses[0] : undefined;
    const received = stored?.type === "ticket" && !this.wallet.madeTx(id);
    const time = block?.header.timestamp ?? this.chain.now();
    return {
      amount: received ? toCoins(out0.value) : 0,
      confirmations: block ? this.chain.height - block.height + 1 : 0,
      blockhash: block?.hash ?? "",
      blockindex: 0,
      blocktime: block?.header.timestamp ?? 0,
      txid: id,
      walletconflicts: [],
      time,
      timereceived: time,
      details: payee
        ? [{
          account: received ? (payee.kind === "scripthash" ? "imported" : "default") : "",
          address: encodeAddress(pubKeyHashAddressOf(payee)),
          amount: received ? toCoins(out0.value) : -toCoins(out0.value),
          category: received ? "receive" : "send",
          vout: 0,
        }]
        : [],
      hex: toHex(stored?.bytes ?? serializeTx(tx)),
    };
  }
}

/** hcwallet's -22 for a txid chainhash.NewHashFromStr refuses. */
const requireWalletHash = (hash: string): string =>
  goHashError(hash) === undefined
    ? hash
    : rpcFail(RpcCode.deserialization, `Transaction hash string decode failed: ${goHashError(hash)}`);
