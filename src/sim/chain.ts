// hcsim's one shared chain: blocks with real HC headers, a mempool, stake difficulty and the
// ticket lifecycle (HC-PROTOCOL §1, §5): purchase → mempool → mined (immature) → live after
// TicketMaturity → drawn TicketsPerBlock at a time from the block hash (from StakeValidationHeight − 1
// on, as hcd) → voted in the next block or missed → expired after TicketExpiry; revocations of
// missed/expired tickets. A background population of other stakeholders' tickets (bought from
// StakeEnabledHeight on) keeps the live pool near its target size; the network votes the background
// winners itself; the stake difficulty is hcd's (src/domain/stakediff.ts). The mempool keeps hcd's
// vote rules (mempool.go): a vote on any recent block is accepted, up to six per ticket; only the
// parent's winners are mined; the others are pruned ten blocks after they came. Side-chain siblings
// of the tip can be made; hcd announces their winners too. Every choice derives from the seed and
// every timestamp from the chain's clock, so one seed replays one chain.
// Every block after genesis starts with hcd's coinbase (work subsidy and fees to a miner address
// from the seed, the organization's tax, the extranonce OP_RETURN); block one pays its premine to
// the miner instead of the nets' ledgers.
// Simplifications (documented in the README): no proof of work or UTXO set, ticket inputs spend
// synthetic outpoints, purchases are accepted before StakeEnabledHeight.
import { Data, Either } from "effect";
import { concatBytes, fromHex, toHex } from "../domain/bytes.ts";
import { blake256 } from "../domain/hash.ts";
import type { NetName, NetParams } from "../domain/params.ts";
import { blockHash, type BlockHeader, serializeBlockHeader } from "../domain/block.ts";
import {
  MAX_PREV_OUT_INDEX,
  MAX_TX_IN_SEQUENCE,
  type MsgTx,
  NULL_BLOCK_HEIGHT,
  NULL_BLOCK_INDEX,
  serializeTx,
  TX_TREE_REGULAR,
  TX_VERSION,
  txid,
  type TxIn,
  u32Bytes,
} from "../domain/tx.ts";
import { nullDataScript, payToPubKeyHashScript } from "../domain/script.ts";
import {
  buildTicket,
  buildVote,
  DEFAULT_TICKET_FEE_LIMITS,
  parseRevocation,
  parseTicket,
  parseVote,
  type Ticket,
  type TxType,
  txType,
} from "../domain/stake.ts";
import { nextRequiredStakeDifficulty } from "../domain/stakediff.ts";
import {
  BLOCK_ONE_SUBSIDY,
  calcBlockTaxSubsidy,
  calcBlockWorkSubsidy,
  calcStakeVoteSubsidy,
} from "../domain/subsidy.ts";
import { DEFAULT_VOTE_BITS, voteBitsExtended } from "../domain/votebits.ts";

export type TicketStatus = "immature" | "live" | "voted" | "missed" | "expired" | "revoked";

export interface TicketRecord {
  readonly hash: string;
  readonly ticket: Ticket;
  /** Hex of the hash160 out0 pays (the voting address). */
  readonly votingHash160: string;
  readonly height: number;
  readonly blockHash: string;
  readonly status: TicketStatus;
  readonly background: boolean;
  /** Vote (status voted) or revocation (status revoked) that spent it. */
  readonly spentBy?: string;
  readonly spentByHeight?: number;
  /** Status before a revocation: missed or expired. */
  readonly revokedFrom?: "missed" | "expired";
}

export interface StoredTx {
  readonly txid: string;
  readonly tx: MsgTx;
  readonly bytes: Uint8Array;
  readonly type: TxType;
  readonly blockHash?: string;
  readonly blockHeight?: number;
  readonly blockIndex?: number;
}

/** A mempool entry and the best height when it came (hcd TxDesc.Height, for pruning). */
interface PoolTx extends StoredTx {
  readonly acceptedAt: number;
}

export interface SimBlock {
  readonly hash: string;
  readonly height: number;
  readonly header: BlockHeader;
  readonly headerBytes: Uint8Array;
  /** Regular tree (the coinbase first, except in genesis) and stake tree txids. */
  readonly txids: ReadonlyArray<string>;
  readonly stxids: ReadonlyArray<string>;
  /**
   * Tickets drawn by this block's lottery; they vote on this block in the next one. Empty below
   * StakeValidationHeight − 1, where hcd draws none.
   */
  readonly winners: ReadonlyArray<string>;
  /** Tickets mined in this block (immature for TicketMaturity blocks). */
  readonly purchases: ReadonlyArray<string>;
  /** Tickets that became live at this block (mined TicketMaturity blocks earlier): hcd's newtickets. */
  readonly newTickets: ReadonlyArray<string>;
  /** Tickets this block spent (voted) or found missed or expired ("missed", as hcd reports). */
  readonly spentAndMissed: Readonly<Record<string, "spent" | "missed">>;
  /** Stake difficulty for tickets in the next block, atoms. */
  readonly nextStakeDiff: bigint;
}

export type ChainEvent =
  | { readonly kind: "connected"; readonly block: SimBlock }
  | { readonly kind: "disconnected"; readonly block: SimBlock }
  | { readonly kind: "reorganization"; readonly oldTip: SimBlock; readonly newTip: SimBlock }
  /** A block accepted beside the tip that stays on a side chain (hcd: NTBlockAccepted only). */
  | { readonly kind: "side"; readonly block: SimBlock };

export class TxRejected extends Data.TaggedError("TxRejected")<{
  readonly txid: string;
  readonly duplicate: boolean;
  readonly reason: string;
}> {
  override get message() {
    return `Rejected transaction ${this.txid}: ${this.reason}`;
  }
}

interface BlockUndo {
  readonly tickets: ReadonlyArray<readonly [string, TicketRecord | undefined]>;
  readonly stakeDiff: bigint;
}

export interface ChainOptions {
  readonly net: NetParams;
  /** Target size of other stakeholders' live+immature tickets; default TicketPoolSize. */
  readonly backgroundTickets?: number;
  /** Derives the background network's tickets: another seed, another chain. Default: none (empty). */
  readonly seed?: Uint8Array;
  /**
   * Unix seconds a new block is stamped with (kept above its parent's). Default: the chain's own
   * clock, which starts at the net's genesis time and advances TargetTimePerBlock per block.
   */
  readonly clock?: () => number;
}

/** hcd chaincfg/genesis.go: each net's genesis timestamp, where the chain's own clock starts. */
const GENESIS_TIME: Readonly<Record<NetName, number>> = {
  mainnet: 1533635700,
  testnet2: 1522944000,
  simnet: 1401292357,
};

/** hcd mempool.go: a vote on a block more than this far below the next block is refused. */
const MAXIMUM_VOTE_AGE_DELTA = 1440;
/** hcd mempool.go: votes on one ticket the pool holds besides the one being added. */
const MAX_SSGEN_DOUBLE_SPENDS = 5;
/** hcd mempool.go: votes and revocations still unmined this many blocks after they came are pruned. */
const HEIGHT_DIFF_TO_PRUNE_VOTES = 10;

const hexOf = (b: Uint8Array) => toHex(b);
const ZERO32 = new Uint8Array(32);

/** hcd mining.go generatedBlockVersion(Test): the header version hcd mines on each net. */
const minedBlockVersion = (net: NetParams) => net.name === "mainnet" ? 0 : 7;

/** hcd mining.go: the coinbase signature script, two zero bytes and coinbaseFlags "/hcd/". */
const COINBASE_SCRIPT = concatBytes(Uint8Array.of(0, 0), new TextEncoder().encode("/hcd/"));

/** What a transaction pays in fees (its inputs' amounts less its outputs; 0 when they do not say). */
const txFee = (tx: MsgTx): bigint => {
  const fee = tx.inputs.reduce((n, i) => n + i.valueIn, 0n) - tx.outputs.reduce((n, o) => n + o.value, 0n);
  return fee > 0n ? fee : 0n;
};

/** A synthetic spendable outpoint: the simulation keeps balances, not a UTXO set. */
export const syntheticInput = (label: string, valueIn: bigint): TxIn => ({
  prevHash: blake256(new TextEncoder().encode(label)),
  prevIndex: 0,
  tree: TX_TREE_REGULAR,
  sequence: MAX_TX_IN_SEQUENCE,
  valueIn,
  blockHeight: 0,
  blockIndex: NULL_BLOCK_INDEX,
  // Placeholder signature script: nothing in the pool verifies signatures.
  sigScript: concatBytes(Uint8Array.of(0x01, 0x00)),
});

export class SimChain {
  readonly net: NetParams;
  readonly backgroundTarget: number;
  private readonly blocks: SimBlock[] = [];
  private readonly undo: BlockUndo[] = [];
  /** Blocks beside the tip at the tip's height (hcd's tip generation besides the tip itself). */
  private sideBlocks: SimBlock[] = [];
  private readonly txs = new Map<string, StoredTx>();
  private readonly mempool = new Map<string, PoolTx>();
  private readonly tickets = new Map<string, TicketRecord>();
  private readonly byVotingHash = new Map<string, Set<string>>();
  private readonly immature = new Set<string>();
  private readonly live = new Set<string>();
  private readonly listeners = new Set<(e: ChainEvent) => void>();
  private readonly blockIndex = new Map<string, SimBlock>();
  /** Tickets the simulated rest of the network bought (kept across reorgs). */
  private readonly backgroundTxids = new Set<string>();
  private readonly seedHex: string;
  /** The P2PKH script hcd's miningaddr pays the work subsidy to. */
  private readonly minerScript: Uint8Array;
  private readonly clock: (() => number) | undefined;
  private stakeDiff: bigint;
  private backgroundCount = 0;
  private lastTime: number;
  private nonce = 0;

  constructor(options: ChainOptions) {
    this.net = options.net;
    this.backgroundTarget = options.backgroundTickets ?? options.net.ticketPoolSize;
    this.seedHex = toHex(options.seed ?? new Uint8Array());
    this.minerScript = payToPubKeyHashScript(
      blake256(new TextEncoder().encode(`miner ${this.seedHex}`)).slice(0, 20),
    );
    this.clock = options.clock;
    this.stakeDiff = BigInt(options.net.minimumStakeDiff);
    this.lastTime = GENESIS_TIME[options.net.name] - options.net.targetTimePerBlock;
    this.connect(undefined, 0);
  }

  // ---- queries ----

  get tip(): SimBlock {
    return this.blocks[this.blocks.length - 1];
  }
  get height(): number {
    return this.blocks.length - 1;
  }
  /** Unix seconds now on the chain's clock: the injected clock, else the tip's timestamp. */
  now(): number {
    return this.clock ? Math.floor(this.clock()) : this.tip.header.timestamp;
  }
  /** Stake difficulty a ticket in the next block pays, atoms. */
  get nextStakeDiff(): bigint {
    return this.stakeDiff;
  }
  /** Stake difficulty of the tip block (its header's sbits). */
  get currentStakeDiff(): bigint {
    return this.tip.header.sbits;
  }
  blockAt(height: number): SimBlock | undefined {
    return this.blocks[height];
  }
  blockByHash(hash: string): SimBlock | undefined {
    const b = this.blockIndex.get(hash);
    return b !== undefined && this.blocks[b.height]?.hash === hash ? b : undefined;
  }
  /** The tip and the side-chain blocks beside it (hcd's TipGeneration). */
  tipGeneration(): ReadonlyArray<SimBlock> {
    return [this.tip, ...this.sideBlocks];
  }
  tx(id: string): StoredTx | undefined {
    return this.mempool.get(id) ?? this.txs.get(id);
  }
  inMempool(id: string): boolean {
    return this.mempool.has(id);
  }
  mempoolTxs(): ReadonlyArray<StoredTx> {
    return [...this.mempool.values()];
  }
  ticket(hash: string): TicketRecord | undefined {
    return this.tickets.get(hash);
  }
  ticketsPayingTo(hash160Hex: string): ReadonlyArray<TicketRecord> {
    return [...(this.byVotingHash.get(hash160Hex) ?? [])].map((h) => this.tickets.get(h)!);
  }
  liveTickets(): ReadonlyArray<string> {
    return [...this.live];
  }
  liveCount(): number {
    return this.live.size;
  }
  immatureCount(): number {
    return this.immature.size;
  }
  ticketsWithStatus(status: TicketStatus): ReadonlyArray<string> {
    const out: string[] = [];
    for (const t of this.tickets.values()) if (t.status === status) out.push(t.hash);
    return out;
  }
  allTickets(): IterableIterator<TicketRecord> {
    return this.tickets.values();
  }

  onEvent(listener: (e: ChainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- mempool ----

  /** Accepts a transaction into the mempool (hcd's checks, reduced to the stake rules). */
  submit(tx: MsgTx): Either.Either<string, TxRejected> {
    const id = txid(tx);
    const reject = (reason: string) => Either.left(new TxRejected({ txid: id, duplicate: false, reason }));
    if (this.mempool.has(id)) {
      return Either.left(
        new TxRejected({ txid: id, duplicate: true, reason: `already have transaction ${id}` }),
      );
    }
    // hcd (mempool.go): a mined transaction whose outputs are not all spent, e.g. a vote a moment ago.
    if (this.txs.has(id)) {
      return Either.left(new TxRejected({ txid: id, duplicate: true, reason: "transaction already exists" }));
    }
    const type = txType(tx);
    const nextHeight = this.height + 1;
    if (type === "vote") {
      const vote = Either.getOrThrow(parseVote(tx));
      let others = 0;
      for (const other of this.mempool.values()) {
        if (other.type === "vote" && parseVoteTicket(other.tx) === vote.ticketHash) others++;
      }
      if (others > MAX_SSGEN_DOUBLE_SPENDS) {
        return reject(
          `transaction ${vote.ticketHash}:0 in the pool with more than ${MAX_SSGEN_DOUBLE_SPENDS} ssgens`,
        );
      }
      const cutoff = nextHeight - MAXIMUM_VOTE_AGE_DELTA;
      if (vote.blockHeight < cutoff) {
        return reject(
          `transaction ${id} votes on old block height of ${vote.blockHeight} which is before the ` +
            `current cutoff height of ${cutoff}`,
        );
      }
      // The ticket's output must be unspent and mature; hcd does not look at the lottery here.
      const t = this.tickets.get(vote.ticketHash);
      const unminedTicket = this.mempool.get(vote.ticketHash)?.type === "ticket";
      if (!unminedTicket && (t === undefined || t.status === "voted" || t.status === "revoked")) {
        return reject(
          `orphan transaction ${id} references outputs of unknown or fully-spent transaction ${vote.ticketHash}`,
        );
      }
      const minedAt = t?.height ?? nextHeight;
      if (nextHeight - minedAt <= this.net.ticketMaturity) {
        return reject(
          `tried to spend sstx output from transaction ${vote.ticketHash} from height ${minedAt} at height ` +
            `${nextHeight} before required ticket maturity of ${this.net.ticketMaturity}+1 blocks`,
        );
      }
    } else if (type === "revocation") {
      const rev = Either.getOrThrow(parseRevocation(tx));
      const t = this.tickets.get(rev.ticketHash);
      if (t === undefined || (t.status !== "missed" && t.status !== "expired")) {
        return reject(`ticket ${rev.ticketHash} is not missed or expired`);
      }
    } else if (type === "ticket") {
      const ticket = Either.getOrThrow(parseTicket(tx));
      if (ticket.price < this.stakeDiff) {
        return reject(
          `transaction ${id} has not enough funds to meet stake difficuly (ticket diff ${ticket.price} < ` +
            `next diff ${this.stakeDiff})`,
        );
      }
    }
    this.mempool.set(id, { txid: id, tx, bytes: serializeTx(tx), type, acceptedAt: this.height });
    return Either.right(id);
  }

  // ---- mining ----

  /** Mines one block from the mempool and returns it. */
  mine(): SimBlock {
    this.sideBlocks = [];
    const block = this.connect(this.tip, ++this.nonce);
    this.emit({ kind: "connected", block });
    this.voteBackgroundWinners(block);
    return block;
  }

  /** Replaces the tip with a sibling block holding the same transactions (a depth-1 reorg). */
  reorganize(): SimBlock {
    if (this.height < 1) return this.mine();
    const oldTip = this.tip;
    this.disconnectTip();
    const block = this.connect(this.tip, ++this.nonce);
    // The old tip stays known beside the new one, at the same height.
    this.sideBlocks = [oldTip];
    this.emit({ kind: "reorganization", oldTip, newTip: block });
    this.emit({ kind: "disconnected", block: oldTip });
    this.emit({ kind: "connected", block });
    this.voteBackgroundWinners(block);
    return block;
  }

  /**
   * A sibling of the tip (same parent and transactions, another nonce) that stays on a side chain:
   * the tip does not change, but hcd announces the sibling's lottery winners.
   */
  sideBlock(): SimBlock {
    const tip = this.tip;
    if (tip.height === 0) throw new RangeError("the genesis block has no siblings");
    const header = { ...tip.header, nonce: ++this.nonce };
    const hash = blockHash(header);
    const block: SimBlock = {
      ...tip,
      hash,
      header,
      headerBytes: serializeBlockHeader(header),
      winners: this.drawWinners(hash, tip.height),
    };
    this.sideBlocks.push(block);
    this.emit({ kind: "side", block });
    return block;
  }

  private emit(e: ChainEvent) {
    for (const l of this.listeners) l(e);
  }

  /**
   * hcd createCoinbaseTx and standardCoinbaseOpReturn: the organization's tax, the extranonce
   * (height, then extranonces 0, 0, 0 and a random one), the work subsidy plus the block's fees
   * scaled by its voters; the input carries the subsidy as its amount.
   */
  private coinbase(height: number, voters: number, fees: bigint, nonce: number): StoredTx {
    const pay = (value: bigint, pkScript: Uint8Array) => ({ value, version: 0, pkScript });
    const extraNonce = concatBytes(
      u32Bytes(height),
      new Uint8Array(24),
      blake256(new TextEncoder().encode(`coinbase ${this.seedHex} ${nonce}`)).slice(0, 8),
    );
    const work = calcBlockWorkSubsidy(this.net, height, voters);
    const tax = calcBlockTaxSubsidy(this.net, height, voters);
    const valueIn = height === 1 ? BLOCK_ONE_SUBSIDY[this.net.name] : work + tax;
    const outputs = height === 1 ? [pay(valueIn, this.minerScript)] : [
      pay(tax, Either.getOrThrow(fromHex(this.net.organizationPkScriptHex))),
      pay(0n, Either.getOrThrow(nullDataScript(extraNonce))),
      pay(work + fees * BigInt(voters) / BigInt(this.net.ticketsPerBlock), this.minerScript),
    ];
    const tx: MsgTx = {
      version: TX_VERSION,
      inputs: [{
        prevHash: ZERO32,
        prevIndex: MAX_PREV_OUT_INDEX,
        tree: TX_TREE_REGULAR,
        sequence: MAX_TX_IN_SEQUENCE,
        valueIn,
        blockHeight: NULL_BLOCK_HEIGHT,
        blockIndex: NULL_BLOCK_INDEX,
        sigScript: COINBASE_SCRIPT,
      }],
      outputs,
      lockTime: 0,
      expiry: 0,
    };
    return { txid: txid(tx), tx, bytes: serializeTx(tx), type: "regular" };
  }

  private backgroundPurchases(n: number, height: number): StoredTx[] {
    const out: StoredTx[] = [];
    for (let k = 0; k < n; k++) {
      const label = `background ${this.seedHex} ${height} ${this.backgroundCount++}`;
      const h160 = blake256(new TextEncoder().encode(label)).slice(0, 20);
      const tx = buildTicket({
        inputs: [syntheticInput(label, this.stakeDiff)],
        votingDest: { kind: "pubkeyhash", hash160: h160 },
        price: this.stakeDiff,
        commitments: [{
          hash160: h160,
          isP2SH: false,
          sigType: 0,
          amount: this.stakeDiff,
          feeLimits: DEFAULT_TICKET_FEE_LIMITS,
        }],
      });
      const id = txid(tx);
      this.backgroundTxids.add(id);
      out.push({ txid: id, tx, bytes: serializeTx(tx), type: "ticket" });
    }
    return out;
  }

  private connect(parent: SimBlock | undefined, nonce: number) {
    const height = parent === undefined ? 0 : parent.height + 1;
    const changes = new Map<string, TicketRecord | undefined>();
    const setTicket = (t: TicketRecord) => {
      if (!changes.has(t.hash)) changes.set(t.hash, this.tickets.get(t.hash));
      this.tickets.set(t.hash, t);
    };
    const undoStakeDiff = this.stakeDiff;

    // Votes: the first one of each of the parent's winners; other votes wait in the mempool.
    const parentWinners = new Set(parent?.winners ?? []);
    const votes: PoolTx[] = [];
    for (const s of this.mempool.values()) {
      if (s.type !== "vote" || parseVoteBlock(s.tx) !== parent?.hash) continue;
      const ticket = parseVoteTicket(s.tx)!;
      if (parentWinners.delete(ticket)) votes.push(s);
    }
    const pending = [...this.mempool.values()];
    const tickets = pending.filter((s) => s.type === "ticket").slice(0, this.net.maxFreshStakePerBlock);
    const revocations = pending.filter((s) => s.type === "revocation");
    const regular = pending.filter((s) => s.type === "regular");
    const background = height < this.net.stakeEnabledHeight ? [] : this.backgroundPurchases(
      Math.max(
        0,
        Math.min(
          this.net.maxFreshStakePerBlock - tickets.length,
          // Immature tickets are the next TicketMaturity blocks' replacements for the drawn ones.
          this.backgroundTarget + this.net.ticketsPerBlock * this.net.ticketMaturity -
            this.backgroundLiveOrImmature() - tickets.filter((s) => this.backgroundTxids.has(s.txid)).length,
        ),
      ),
      height,
    );
    const stake: StoredTx[] = [...tickets, ...background, ...votes, ...revocations];
    const stxids = stake.map((s) => s.txid);
    const fees = [...regular, ...stake].reduce((n, s) => n + txFee(s.tx), 0n);
    const mined = height === 0 ? regular : [this.coinbase(height, votes.length, fees, nonce), ...regular];

    const header: BlockHeader = {
      version: minedBlockVersion(this.net),
      prevBlock: parent === undefined ? ZERO32 : hashBytes(parent.hash),
      merkleRoot: blake256(concatBytes(...mined.map((s) => hashBytes(s.txid)))),
      stakeRoot: blake256(concatBytes(...stake.map((s) => hashBytes(s.txid)))),
      voteBits: DEFAULT_VOTE_BITS,
      finalState: new Uint8Array(6),
      voters: votes.length,
      freshStake: tickets.length + background.length,
      revocations: revocations.length,
      poolSize: this.live.size,
      bits: this.net.powLimitBits,
      sbits: this.stakeDiff,
      height,
      size: 180 + [...mined, ...stake].reduce((n, s) => n + s.bytes.length, 0),
      timestamp: this.nextTime(),
      nonce,
      extraData: new Uint8Array(32),
      stakeVersion: 0,
    };
    const hash = blockHash(header);

    // Ticket state transitions, in hcd's order: spends, maturity, expiry, then the lottery.
    const spentAndMissed: Record<string, "spent" | "missed"> = {};
    const votedTickets = new Set<string>();
    for (const v of votes) {
      const vote = Either.getOrThrow(parseVote(v.tx));
      const t = this.tickets.get(vote.ticketHash)!;
      this.live.delete(t.hash);
      setTicket({ ...t, status: "voted", spentBy: v.txid, spentByHeight: height });
      votedTickets.add(t.hash);
      spentAndMissed[t.hash] = "spent";
    }
    for (const w of parent?.winners ?? []) {
      if (votedTickets.has(w)) continue;
      const t = this.tickets.get(w)!;
      this.live.delete(w);
      setTicket({ ...t, status: "missed" });
      spentAndMissed[w] = "missed";
    }
    const revokedTickets = new Set<string>();
    for (const r of revocations) {
      const rev = Either.getOrThrow(parseRevocation(r.tx));
      const t = this.tickets.get(rev.ticketHash)!;
      revokedTickets.add(t.hash);
      setTicket({
        ...t,
        status: "revoked",
        revokedFrom: t.status === "expired" ? "expired" : "missed",
        spentBy: r.txid,
        spentByHeight: height,
      });
    }
    const newTickets: string[] = [];
    for (const h of this.immature) {
      const t = this.tickets.get(h)!;
      if (height >= t.height + this.net.ticketMaturity) {
        this.immature.delete(h);
        this.live.add(h);
        setTicket({ ...t, status: "live" });
        newTickets.push(h);
      }
    }
    for (const h of this.live) {
      const t = this.tickets.get(h)!;
      if (height >= t.height + this.net.ticketExpiry) {
        this.live.delete(h);
        setTicket({ ...t, status: "expired" });
        spentAndMissed[h] = "missed";
      }
    }
    const purchases: string[] = [];
    for (const s of [...tickets, ...background]) {
      const ticket = Either.getOrThrow(parseTicket(s.tx));
      const votingHash160 = hexOf(ticket.votingDest.hash160);
      setTicket({
        hash: s.txid,
        ticket,
        votingHash160,
        height,
        blockHash: hash,
        status: "immature",
        background: this.backgroundTxids.has(s.txid),
      });
      this.immature.add(s.txid);
      let set = this.byVotingHash.get(votingHash160);
      if (!set) this.byVotingHash.set(votingHash160, set = new Set());
      set.add(s.txid);
      purchases.push(s.txid);
    }
    const winners = this.drawWinners(hash, height);
    this.stakeDiff = nextRequiredStakeDifficulty(
      this.net,
      height,
      (h) => h === height ? header : this.blocks[h].header,
    );

    for (const tree of [mined, stake]) {
      tree.forEach((s, i) => {
        this.mempool.delete(s.txid);
        this.txs.set(s.txid, {
          txid: s.txid,
          tx: s.tx,
          bytes: s.bytes,
          type: s.type,
          blockHash: hash,
          blockHeight: height,
          blockIndex: i,
        });
      });
    }
    // hcd drops stake spends of tickets this block spent, and prunes old votes and revocations.
    for (const s of this.mempool.values()) {
      if (s.type !== "vote" && s.type !== "revocation") continue;
      const ticket = s.type === "vote" ? parseVoteTicket(s.tx)! : parseRevocationTicket(s.tx)!;
      if (
        votedTickets.has(ticket) || revokedTickets.has(ticket) ||
        s.acceptedAt + HEIGHT_DIFF_TO_PRUNE_VOTES < height
      ) this.mempool.delete(s.txid);
    }
    const block: SimBlock = {
      hash,
      height,
      header,
      headerBytes: serializeBlockHeader(header),
      txids: mined.map((s) => s.txid),
      stxids,
      winners,
      purchases,
      newTickets,
      spentAndMissed,
      nextStakeDiff: this.stakeDiff,
    };
    this.blocks.push(block);
    this.blockIndex.set(hash, block);
    this.undo.push({ tickets: [...changes.entries()], stakeDiff: undoStakeDiff });
    return block;
  }

  private backgroundLiveOrImmature(): number {
    let n = 0;
    for (const h of this.live) if (this.tickets.get(h)!.background) n++;
    for (const h of this.immature) if (this.tickets.get(h)!.background) n++;
    return n;
  }

  private disconnectTip() {
    const block = this.blocks.pop()!;
    const undo = this.undo.pop()!;
    this.blockIndex.delete(block.hash);
    for (const [hash, previous] of [...undo.tickets].reverse()) {
      const current = this.tickets.get(hash);
      this.live.delete(hash);
      this.immature.delete(hash);
      if (previous === undefined) {
        this.tickets.delete(hash);
        this.byVotingHash.get(current!.votingHash160)?.delete(hash);
      } else {
        this.tickets.set(hash, previous);
        if (previous.status === "live") this.live.add(hash);
        if (previous.status === "immature") this.immature.add(hash);
      }
    }
    this.stakeDiff = undo.stakeDiff;
    // The coinbase goes with its block; the other transactions return to the mempool.
    const coinbase = block.height === 0 ? undefined : block.txids[0];
    for (const id of [...block.txids, ...block.stxids]) {
      const s = this.txs.get(id)!;
      this.txs.delete(id);
      if (id === coinbase) continue;
      this.mempool.set(id, { txid: s.txid, tx: s.tx, bytes: s.bytes, type: s.type, acceptedAt: this.height });
    }
  }

  /**
   * TicketsPerBlock distinct live tickets, drawn with a BLAKE-256 stream seeded by the block hash;
   * none below StakeValidationHeight − 1 (hcd's stake node has no winners there).
   */
  private drawWinners(hash: string, height: number): string[] {
    if (height < this.net.stakeValidationHeight - 1) return [];
    const pool = [...this.live].sort();
    const n = Math.min(this.net.ticketsPerBlock, pool.length);
    const winners: string[] = [];
    let state = blake256(hashBytes(hash));
    for (let counter = 0; winners.length < n; counter++) {
      state = blake256(concatBytes(state, u32Bytes(counter)));
      const r = new DataView(state.buffer, state.byteOffset).getUint32(0, true);
      const pick = pool[r % pool.length];
      if (!winners.includes(pick)) winners.push(pick);
    }
    return winners;
  }

  private nextTime(): number {
    this.lastTime = this.clock
      ? Math.max(this.lastTime + 1, Math.floor(this.clock()))
      : this.lastTime + this.net.targetTimePerBlock;
    return this.lastTime;
  }

  /** The rest of the network votes its own winners (default bits, the net's vote version). */
  private voteBackgroundWinners(block: SimBlock) {
    for (const w of block.winners) {
      const t = this.tickets.get(w)!;
      if (!t.background) continue;
      const vote = buildVote({
        ticket: this.txs.get(w)!.tx,
        blockHash: block.hash,
        blockHeight: block.height,
        voteBits: DEFAULT_VOTE_BITS,
        voteBitsExt: voteBitsExtended(this.net.walletVoteVersion),
        voteSubsidy: calcStakeVoteSubsidy(this.net, block.height),
        net: this.net,
      });
      if (Either.isRight(vote)) this.submit(vote.right);
    }
  }
}

const hashBytes = (display: string): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[31 - i] = parseInt(display.slice(i * 2, i * 2 + 2), 16);
  return out;
};

const parseVoteBlock = (tx: MsgTx): string | undefined =>
  Either.getOrUndefined(Either.map(parseVote(tx), (v) => v.blockHash));
const parseVoteTicket = (tx: MsgTx): string | undefined =>
  Either.getOrUndefined(Either.map(parseVote(tx), (v) => v.ticketHash));
const parseRevocationTicket = (tx: MsgTx): string | undefined =>
  Either.getOrUndefined(Either.map(parseRevocation(tx), (r) => r.ticketHash));
