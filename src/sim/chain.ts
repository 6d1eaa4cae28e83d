// hcsim's one shared chain: blocks with real HC headers, a mempool, stake difficulty and the
// ticket lifecycle (HC-PROTOCOL §1, §5): purchase → mempool → mined (immature) → live after
// TicketMaturity → drawn TicketsPerBlock at a time from the block hash → voted in the next block or
// missed → expired after TicketExpiry; revocations of missed/expired tickets. A background
// population of other stakeholders' tickets keeps the live pool near its target size; the network
// votes the background winners itself; the stake difficulty is hcd's (src/domain/stakediff.ts).
// Simplifications (documented in the README): no proof of work or UTXO set, ticket inputs spend
// synthetic outpoints, and stake is active from genesis.
import { Data, Either } from "effect";
import { concatBytes, toHex } from "../domain/bytes.ts";
import { blake256 } from "../domain/hash.ts";
import type { NetParams } from "../domain/params.ts";
import { blockHash, type BlockHeader, serializeBlockHeader } from "../domain/block.ts";
import {
  MAX_TX_IN_SEQUENCE,
  type MsgTx,
  NULL_BLOCK_INDEX,
  serializeTx,
  TX_TREE_REGULAR,
  txid,
  type TxIn,
  u32Bytes,
} from "../domain/tx.ts";
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
import { calcStakeVoteSubsidy } from "../domain/subsidy.ts";
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

export interface SimBlock {
  readonly hash: string;
  readonly height: number;
  readonly header: BlockHeader;
  readonly headerBytes: Uint8Array;
  /** Regular tree (empty: the simulation has no coinbase or transfers) and stake tree txids. */
  readonly txids: ReadonlyArray<string>;
  readonly stxids: ReadonlyArray<string>;
  /** Tickets drawn by this block's lottery; they vote on this block in the next one. */
  readonly winners: ReadonlyArray<string>;
  readonly newTickets: ReadonlyArray<string>;
  /** Tickets this block spent (voted) or found missed or expired ("missed", as hcd reports). */
  readonly spentAndMissed: Readonly<Record<string, "spent" | "missed">>;
  /** Stake difficulty for tickets in the next block, atoms. */
  readonly nextStakeDiff: bigint;
}

export type ChainEvent =
  | { readonly kind: "connected"; readonly block: SimBlock }
  | { readonly kind: "disconnected"; readonly block: SimBlock }
  | { readonly kind: "reorganization"; readonly oldTip: SimBlock; readonly newTip: SimBlock };

export class TxRejected extends Data.TaggedError("TxRejected")<{
  readonly txid: string;
  readonly duplicate: boolean;
  readonly reason: string;
}> {
  override get message() {
    return this.duplicate
      ? `Rejected transaction ${this.txid}: already have transaction ${this.txid}`
      : `Rejected transaction ${this.txid}: ${this.reason}`;
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
  /** Unix seconds of the genesis block; default now. */
  readonly genesisTime?: number;
}

const hexOf = (b: Uint8Array) => toHex(b);
const ZERO32 = new Uint8Array(32);

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
  private readonly txs = new Map<string, StoredTx>();
  private readonly mempool = new Map<string, StoredTx>();
  private readonly tickets = new Map<string, TicketRecord>();
  private readonly byVotingHash = new Map<string, Set<string>>();
  private readonly immature = new Set<string>();
  private readonly live = new Set<string>();
  private readonly listeners = new Set<(e: ChainEvent) => void>();
  private readonly blockIndex = new Map<string, SimBlock>();
  /** Tickets the simulated rest of the network bought (kept across reorgs). */
  private readonly backgroundTxids = new Set<string>();
  private stakeDiff: bigint;
  private backgroundCount = 0;
  private lastTime: number;
  private nonce = 0;

  constructor(options: ChainOptions) {
    this.net = options.net;
    this.backgroundTarget = options.backgroundTickets ?? options.net.ticketPoolSize;
    this.stakeDiff = BigInt(options.net.minimumStakeDiff);
    this.lastTime = options.genesisTime ?? Math.floor(Date.now() / 1000);
    this.connectGenesis();
  }

  // ---- queries ----

  get tip(): SimBlock {
    return this.blocks[this.blocks.length - 1];
  }
  get height(): number {
    return this.blocks.length - 1;
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
    if (this.mempool.has(id) || this.txs.has(id)) {
      return Either.left(new TxRejected({ txid: id, duplicate: true, reason: "already have transaction" }));
    }
    const type = txType(tx);
    if (type === "vote") {
      const vote = Either.getOrThrow(parseVote(tx));
      const tip = this.tip;
      if (vote.blockHash !== tip.hash || vote.blockHeight !== tip.height) {
        return reject(`vote for block ${vote.blockHash} at ${vote.blockHeight}, not the tip`);
      }
      if (!tip.winners.includes(vote.ticketHash)) {
        return reject(`ticket ${vote.ticketHash} was not selected to vote on block ${tip.hash}`);
      }
      for (const other of this.mempool.values()) {
        if (other.type === "vote" && parseVoteTicket(other.tx) === vote.ticketHash) {
          return reject(`ticket ${vote.ticketHash} already has a vote in the mempool`);
        }
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
        return reject(`ticket price ${ticket.price} is below the stake difficulty ${this.stakeDiff}`);
      }
    }
    this.mempool.set(id, { txid: id, tx, bytes: serializeTx(tx), type });
    return Either.right(id);
  }

  // ---- mining ----

  /** Mines one block from the mempool and returns it. */
  mine(): SimBlock {
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
    this.emit({ kind: "reorganization", oldTip, newTip: block });
    this.emit({ kind: "disconnected", block: oldTip });
    this.emit({ kind: "connected", block });
    this.voteBackgroundWinners(block);
    return block;
  }

  private emit(e: ChainEvent) {
    for (const l of this.listeners) l(e);
  }

  private connectGenesis() {
    // Genesis carries the initial background population, already live so the lottery starts at once.
    const stx = this.backgroundPurchases(this.backgroundTarget, 0);
    this.voteBackgroundWinners(this.connect(undefined, 0, stx, true));
  }

  private backgroundPurchases(n: number, height: number): StoredTx[] {
    const out: StoredTx[] = [];
    for (let k = 0; k < n; k++) {
      const label = `background ${height} ${this.backgroundCount + k} ${this.nonce}`;
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

  private connect(parent: SimBlock | undefined, nonce: number, extra: StoredTx[] = [], genesis = false) {
    const height = parent === undefined ? 0 : parent.height + 1;
    const changes = new Map<string, TicketRecord | undefined>();
    const setTicket = (t: TicketRecord) => {
      if (!changes.has(t.hash)) changes.set(t.hash, this.tickets.get(t.hash));
      this.tickets.set(t.hash, t);
    };
    const undoStakeDiff = this.stakeDiff;

    // Stake transactions from the mempool: votes only for the parent's winners (checked on entry).
    const fromPool = [...this.mempool.values()].filter((s) =>
      s.type !== "vote" || (parent !== undefined && parseVoteBlock(s.tx) === parent.hash)
    );
    const tickets = fromPool.filter((s) => s.type === "ticket").slice(0, this.net.maxFreshStakePerBlock);
    const votes = fromPool.filter((s) => s.type === "vote");
    const revocations = fromPool.filter((s) => s.type === "revocation");
    const regular = fromPool.filter((s) => s.type === "regular");
    const background = genesis ? [] : this.backgroundPurchases(
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
    const stake = [...extra, ...tickets, ...background, ...votes, ...revocations];
    const stxids = stake.map((s) => s.txid);

    const header: BlockHeader = {
      version: 1,
      prevBlock: parent === undefined ? ZERO32 : hashBytes(parent.hash),
      merkleRoot: blake256(concatBytes(...regular.map((s) => hashBytes(s.txid)))),
      stakeRoot: blake256(concatBytes(...stake.map((s) => hashBytes(s.txid)))),
      voteBits: DEFAULT_VOTE_BITS,
      finalState: new Uint8Array(6),
      voters: votes.length,
      freshStake: tickets.length + background.length + extra.length,
      revocations: revocations.length,
      poolSize: this.live.size,
      bits: this.net.powLimitBits,
      sbits: this.stakeDiff,
      height,
      size: 180 + stake.reduce((n, s) => n + s.bytes.length, 0),
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
    for (const r of revocations) {
      const rev = Either.getOrThrow(parseRevocation(r.tx));
      const t = this.tickets.get(rev.ticketHash)!;
      setTicket({
        ...t,
        status: "revoked",
        revokedFrom: t.status === "expired" ? "expired" : "missed",
        spentBy: r.txid,
        spentByHeight: height,
      });
    }
    for (const h of this.immature) {
      const t = this.tickets.get(h)!;
      if (height >= t.height + this.net.ticketMaturity) {
        this.immature.delete(h);
        this.live.add(h);
        setTicket({ ...t, status: "live" });
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
    const newTickets: string[] = [];
    for (const s of [...extra, ...tickets, ...background]) {
      const ticket = Either.getOrThrow(parseTicket(s.tx));
      const votingHash160 = hexOf(ticket.votingDest.hash160);
      const isBackground = this.backgroundTxids.has(s.txid);
      setTicket({
        hash: s.txid,
        ticket,
        votingHash160,
        height,
        blockHash: hash,
        status: genesis ? "live" : "immature",
        background: isBackground,
      });
      (genesis ? this.live : this.immature).add(s.txid);
      let set = this.byVotingHash.get(votingHash160);
      if (!set) this.byVotingHash.set(votingHash160, set = new Set());
      set.add(s.txid);
      newTickets.push(s.txid);
    }
    const winners = this.drawWinners(hash);
    this.stakeDiff = nextRequiredStakeDifficulty(
      this.net,
      height,
      (h) => h === height ? header : this.blocks[h].header,
    );

    for (const tree of [regular, stake]) {
      tree.forEach((s, i) => {
        this.mempool.delete(s.txid);
        this.txs.set(s.txid, { ...s, blockHash: hash, blockHeight: height, blockIndex: i });
      });
    }
    // Votes on any other block can never be mined now (hcd prunes them too).
    for (const s of this.mempool.values()) if (s.type === "vote") this.mempool.delete(s.txid);
    const block: SimBlock = {
      hash,
      height,
      header,
      headerBytes: serializeBlockHeader(header),
      txids: regular.map((s) => s.txid),
      stxids,
      winners,
      newTickets: genesis ? [] : newTickets,
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
    for (const id of [...block.txids, ...block.stxids]) {
      const s = this.txs.get(id)!;
      this.txs.delete(id);
      this.mempool.set(id, { txid: s.txid, tx: s.tx, bytes: s.bytes, type: s.type });
    }
  }

  /** TicketsPerBlock distinct live tickets, drawn with a BLAKE-256 stream seeded by the block hash. */
  private drawWinners(hash: string): string[] {
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
    this.lastTime = Math.max(this.lastTime + 1, Math.floor(Date.now() / 1000));
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
