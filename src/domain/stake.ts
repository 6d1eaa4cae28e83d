// Stake transactions (hcd blockchain/stake/staketx.go, hcwallet makeTicket/createUnsignedVote;
// HC-PROTOCOL §5.2–5.4): tickets with HC's 31-byte commitments, votes and revocations.
import { Data, Either } from "effect";
import { type Address, pubKeyHashAddress } from "./address.ts";
import { concatBytes, reversedHex } from "./bytes.ts";
import type { NetParams } from "./params.ts";
import {
  classifyScript,
  OP,
  payToSSGen,
  payToSSRtx,
  payToSStx,
  payToSStxChange,
  SIG_TYPE,
  type StakeDest,
  stakeDestOf,
} from "./script.ts";
import {
  hashFromDisplayHex,
  MAX_PREV_OUT_INDEX,
  MAX_TX_IN_SEQUENCE,
  type MsgTx,
  NULL_BLOCK_HEIGHT,
  NULL_BLOCK_INDEX,
  TX_TREE_REGULAR,
  TX_TREE_STAKE,
  TX_VERSION,
  txHash,
  type TxIn,
  type TxOut,
  u32Bytes,
} from "./tx.ts";

export class StakeError extends Data.TaggedError("StakeError")<{ readonly reason: string }> {
  override get message() {
    return this.reason;
  }
}

const fail = (reason: string) => Either.left(new StakeError({ reason }));

/** Inputs of a ticket and outputs of a revocation (MaxInputsPerSStx, MaxOutputsPerSSRtx). */
const MAX_STAKE_PARTICIPANTS = 64;
/** hcwallet's commitment fee limits: revocations may pay up to 2^24 atoms, votes nothing. */
export const DEFAULT_TICKET_FEE_LIMITS = 0x5800;
/** HC commitment push: hash160[20] | sigType[1] | amount[8 LE] | feeLimits[2 LE]. */
const COMMITMENT_DATA_SIZE = 31;
const P2SH_FLAG = 1n << 63n;
const VOTE_BLOCK_REF_SIZE = 38;
/** SSGenVoteBitsExtendedMaxSize: a 77-byte vote-bits script minus OP_RETURN, push and 2 bits bytes. */
export const MAX_VOTE_BITS_EXTENDED_SIZE = 73;

// ---------------------------------------------------------------------------------------------
// Commitments

export interface Commitment {
  readonly hash160: Uint8Array;
  readonly isP2SH: boolean;
  /** 0 for secp256k1 PKH and P2SH, 4 for BLISS PKH. */
  readonly sigType: number;
  readonly amount: bigint;
  readonly feeLimits: number;
}

export const commitmentScript = (c: Commitment): Uint8Array => {
  const data = new Uint8Array(COMMITMENT_DATA_SIZE);
  const view = new DataView(data.buffer);
  data.set(c.hash160.subarray(0, 20), 0);
  data[20] = c.sigType;
  view.setBigUint64(21, BigInt.asUintN(63, c.amount) | (c.isP2SH ? P2SH_FLAG : 0n), true);
  view.setUint16(29, c.feeLimits, true);
  return concatBytes(Uint8Array.of(OP.OP_RETURN, COMMITMENT_DATA_SIZE), data);
};

/** A ticket's odd output: OP_RETURN with one direct push of at least the 31 HC commitment bytes. */
export const parseCommitment = (pkScript: Uint8Array): Either.Either<Commitment, StakeError> => {
  const push = pkScript[1];
  if (
    pkScript[0] !== OP.OP_RETURN || push === undefined || push < COMMITMENT_DATA_SIZE ||
    push >= OP.OP_PUSHDATA1 || pkScript.length !== 2 + push
  ) {
    return fail("not a ticket commitment script");
  }
  const view = new DataView(pkScript.buffer, pkScript.byteOffset, pkScript.byteLength);
  const raw = view.getBigUint64(23, true);
  return Either.right({
    hash160: pkScript.slice(2, 22),
    sigType: pkScript[22],
    isP2SH: (raw & P2SH_FLAG) !== 0n,
    amount: raw & (P2SH_FLAG - 1n),
    feeLimits: view.getUint16(31, true),
  });
};

/** Address a commitment pays (AddrFromSStxPkScrCommitment): P2SH if flagged, else secp256k1 P2PKH. */
export const commitmentAddress = (net: NetParams, c: Commitment): Address =>
  c.isP2SH ? { kind: "scripthash", net, hash160: c.hash160 } : pubKeyHashAddress(net, c.hash160);

/** Where votes and revocations pay a commitment: its hash, kind and signature suite. */
export const commitmentDest = (c: Commitment): StakeDest =>
  c.isP2SH
    ? { kind: "scripthash", hash160: c.hash160 }
    : c.sigType === SIG_TYPE.bliss
    ? { kind: "pubkeyhash", hash160: c.hash160, bliss: true }
    : { kind: "pubkeyhash", hash160: c.hash160 };

// ---------------------------------------------------------------------------------------------
// Tickets (SStx)

export interface Ticket {
  readonly votingDest: StakeDest;
  readonly price: bigint;
  readonly commitments: ReadonlyArray<Commitment>;
  readonly changes: ReadonlyArray<TxOut>;
}

const allVersionZero = (tx: MsgTx) => tx.outputs.every((o) => o.version === 0);

export const parseTicket = (tx: MsgTx): Either.Either<Ticket, StakeError> =>
  Either.gen(function* () {
    const nIn = tx.inputs.length;
    if (nIn === 0 || nIn > MAX_STAKE_PARTICIPANTS) yield* fail(`ticket with ${nIn} inputs`);
    if (tx.outputs.length !== 2 * nIn + 1) {
      yield* fail(`ticket with ${nIn} inputs needs ${2 * nIn + 1} outputs, has ${tx.outputs.length}`);
    }
    if (!allVersionZero(tx)) yield* fail("ticket output with a non-zero script version");
    const [submission, ...rest] = tx.outputs;
    if (classifyScript(submission.pkScript).class !== "stakesubmission") {
      yield* fail("ticket output 0 is not a stake submission");
    }
    const votingDest = yield* Either.mapLeft(stakeDestOf(submission.pkScript), (e) =>
      new StakeError({ reason: e.message }));
    const commitments: Commitment[] = [];
    const changes: TxOut[] = [];
    for (const [k, out] of rest.entries()) {
      if (k % 2 === 0) {
        commitments.push(
          yield* Either.mapLeft(
            parseCommitment(out.pkScript),
            (e) =>
              new StakeError({ reason: `ticket output ${k + 1}: ${e.reason}` }),
          ),
        );
      } else {
        if (classifyScript(out.pkScript).class !== "sstxchange") {
          yield* fail(`ticket output ${k + 1} is not a stake change output`);
        }
        changes.push(out);
      }
    }
    return { votingDest, price: submission.value, commitments, changes };
  });

/** hcwallet writes every change output as zero atoms to an all-zero key hash. */
const ZERO_CHANGE: TxOut = {
  value: 0n,
  version: 0,
  pkScript: payToSStxChange({ kind: "pubkeyhash", hash160: new Uint8Array(20) }),
};

/** Ticket layout of hcwallet makeTicket: out0 submission, then (commitment, zero change) per input. */
export const buildTicket = (args: {
  readonly inputs: ReadonlyArray<TxIn>;
  readonly votingDest: StakeDest;
  readonly price: bigint;
  readonly commitments: ReadonlyArray<Commitment>;
  readonly expiry?: number;
}): MsgTx => ({
  version: TX_VERSION,
  inputs: args.inputs,
  outputs: [
    { value: args.price, version: 0, pkScript: payToSStx(args.votingDest) },
    ...args.commitments.flatMap((
      c,
    ) => [{ value: 0n, version: 0, pkScript: commitmentScript(c) }, ZERO_CHANGE]),
  ],
  lockTime: 0,
  expiry: args.expiry ?? 0,
});

// ---------------------------------------------------------------------------------------------
// Rewards

/**
 * Each committer's share of `ticketPrice + subsidy`, proportional to its committed amount, in the
 * 32-bit fixed point of stake.CalculateRewards.
 */
export const calculateRewards = (
  contributions: ReadonlyArray<bigint>,
  ticketPrice: bigint,
  subsidy: bigint,
): bigint[] => {
  const total = contributions.reduce((a, b) => a + b, 0n);
  const perVote = ticketPrice + subsidy;
  return contributions.map((c) => total === 0n ? 0n : ((c * perVote) << 32n) / total >> 32n);
};

export interface Payout {
  readonly dest: StakeDest;
  readonly amount: bigint;
}

const payoutsOf = (outputs: ReadonlyArray<TxOut>, cls: "stakegen" | "stakerevoke", what: string) =>
  Either.gen(function* () {
    const payouts: Payout[] = [];
    for (const [k, out] of outputs.entries()) {
      if (classifyScript(out.pkScript).class !== cls) yield* fail(`${what} payout ${k} is not ${cls}`);
      const dest = yield* Either.mapLeft(
        stakeDestOf(out.pkScript),
        (e) => new StakeError({ reason: e.message }),
      );
      payouts.push({ dest, amount: out.value });
    }
    return payouts;
  });

// ---------------------------------------------------------------------------------------------
// Votes (SSGen)

export interface Vote {
  /** Display (byte-reversed) hex. */
  readonly ticketHash: string;
  /** Block voted on (the parent of the block the vote goes into), display hex. */
  readonly blockHash: string;
  readonly blockHeight: number;
  readonly voteBits: number;
  /** First 4 extended bytes as u32 LE; 0 when absent (SSGenVersion). */
  readonly voteVersion: number;
  readonly extendedBits: Uint8Array;
  readonly payouts: ReadonlyArray<Payout>;
}

/** The null outpoint a coinbase or a vote's stakebase spends. */
export const isNullPrevOut = (i: TxIn) =>
  i.prevIndex === MAX_PREV_OUT_INDEX && i.tree === TX_TREE_REGULAR && i.prevHash.every((b) => b === 0);

export const parseVote = (tx: MsgTx): Either.Either<Vote, StakeError> =>
  Either.gen(function* () {
    if (tx.inputs.length !== 2) yield* fail(`vote with ${tx.inputs.length} inputs`);
    const [stakebase, ticketIn] = tx.inputs;
    if (!isNullPrevOut(stakebase)) yield* fail("vote input 0 is not a stakebase");
    if (ticketIn.tree !== TX_TREE_STAKE || ticketIn.prevIndex !== 0) {
      yield* fail("vote input 1 does not spend a ticket's output 0");
    }
    const n = tx.outputs.length;
    if (n < 3 || n > MAX_STAKE_PARTICIPANTS + 2) yield* fail(`vote with ${n} outputs`);
    if (!allVersionZero(tx)) yield* fail("vote output with a non-zero script version");
    const [ref, bitsOut, ...payoutOuts] = tx.outputs;
    const r = ref.pkScript;
    if (r.length !== VOTE_BLOCK_REF_SIZE || r[0] !== OP.OP_RETURN || r[1] !== VOTE_BLOCK_REF_SIZE - 2) {
      yield* fail("vote output 0 is not a block reference");
    }
    const b = bitsOut.pkScript;
    if (
      b.length < 4 || b.length > 4 + MAX_VOTE_BITS_EXTENDED_SIZE || b[0] !== OP.OP_RETURN ||
      b[1] !== b.length - 2
    ) {
      yield* fail("vote output 1 is not a vote bits script");
    }
    const refView = new DataView(r.buffer, r.byteOffset, r.byteLength);
    const bitsView = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return {
      ticketHash: reversedHex(ticketIn.prevHash),
      blockHash: reversedHex(r.subarray(2, 34)),
      blockHeight: refView.getUint32(34, true),
      voteBits: bitsView.getUint16(2, true),
      voteVersion: b.length >= 8 ? bitsView.getUint32(4, true) : 0,
      extendedBits: b.slice(4),
      payouts: yield* payoutsOf(payoutOuts, "stakegen", "vote"),
    };
  });

/**
 * The unsigned vote hcwallet's generatevote builds (createUnsignedVote). Input 1's signature
 * script is left empty for the wallet to sign, so every node builds the same bytes.
 */
export const buildVote = (args: {
  readonly ticket: MsgTx;
  readonly blockHash: string;
  readonly blockHeight: number;
  readonly voteBits: number;
  readonly voteBitsExt: Uint8Array;
  readonly voteSubsidy: bigint;
  readonly net: NetParams;
}): Either.Either<MsgTx, StakeError> =>
  Either.gen(function* () {
    const ticket = yield* parseTicket(args.ticket);
    const blockHash = yield* Either.mapLeft(
      hashFromDisplayHex(args.blockHash),
      () => new StakeError({ reason: `block hash is not 64 hex digits: ${args.blockHash.slice(0, 80)}` }),
    );
    if (args.voteBitsExt.length > MAX_VOTE_BITS_EXTENDED_SIZE) {
      yield* fail(
        `extended vote bits of ${args.voteBitsExt.length} bytes exceed ${MAX_VOTE_BITS_EXTENDED_SIZE}`,
      );
    }
    if (!Number.isInteger(args.voteBits) || args.voteBits < 0 || args.voteBits > 0xffff) {
      yield* fail(`vote bits ${args.voteBits} do not fit 16 bits`);
    }
    const amounts = calculateRewards(ticket.commitments.map((c) => c.amount), ticket.price, args.voteSubsidy);
    const bitsData = concatBytes(Uint8Array.of(args.voteBits & 0xff, args.voteBits >>> 8), args.voteBitsExt);
    return {
      version: TX_VERSION,
      inputs: [
        {
          prevHash: new Uint8Array(32),
          prevIndex: MAX_PREV_OUT_INDEX,
          tree: TX_TREE_REGULAR,
          sequence: MAX_TX_IN_SEQUENCE,
          valueIn: args.voteSubsidy,
          blockHeight: NULL_BLOCK_HEIGHT,
          blockIndex: NULL_BLOCK_INDEX,
          sigScript: args.net.stakeBaseSigScript,
        },
        ticketInput(args.ticket, ticket.price),
      ],
      outputs: [
        {
          value: 0n,
          version: 0,
          pkScript: concatBytes(
            Uint8Array.of(OP.OP_RETURN, VOTE_BLOCK_REF_SIZE - 2),
            blockHash,
            u32Bytes(args.blockHeight),
          ),
        },
        {
          value: 0n,
          version: 0,
          pkScript: concatBytes(Uint8Array.of(OP.OP_RETURN, bitsData.length), bitsData),
        },
        ...ticket.commitments.map((c, k) => ({
          value: amounts[k],
          version: 0,
          pkScript: payToSSGen(commitmentDest(c)),
        })),
      ],
      lockTime: 0,
      expiry: 0,
    };
  });

/** Spend of a ticket's output 0 (stake tree); unsigned. */
const ticketInput = (ticket: MsgTx, price: bigint): TxIn => ({
  prevHash: txHash(ticket),
  prevIndex: 0,
  tree: TX_TREE_STAKE,
  sequence: MAX_TX_IN_SEQUENCE,
  valueIn: price,
  blockHeight: NULL_BLOCK_HEIGHT,
  blockIndex: NULL_BLOCK_INDEX,
  sigScript: new Uint8Array(),
});

// ---------------------------------------------------------------------------------------------
// Revocations (SSRtx)

export interface Revocation {
  readonly ticketHash: string;
  readonly payouts: ReadonlyArray<Payout>;
}

/** Unsigned revocation returning each committer's share of the ticket price (no fee taken). */
export const buildRevocation = (ticketTx: MsgTx): Either.Either<MsgTx, StakeError> =>
  Either.map(parseTicket(ticketTx), (ticket) => {
    const amounts = calculateRewards(ticket.commitments.map((c) => c.amount), ticket.price, 0n);
    return {
      version: TX_VERSION,
      inputs: [ticketInput(ticketTx, ticket.price)],
      outputs: ticket.commitments.map((c, k) => ({
        value: amounts[k],
        version: 0,
        pkScript: payToSSRtx(commitmentDest(c)),
      })),
      lockTime: 0,
      expiry: 0,
    };
  });

export const parseRevocation = (tx: MsgTx): Either.Either<Revocation, StakeError> =>
  Either.gen(function* () {
    if (tx.inputs.length !== 1) yield* fail(`revocation with ${tx.inputs.length} inputs`);
    const ticketIn = tx.inputs[0];
    if (ticketIn.tree !== TX_TREE_STAKE || ticketIn.prevIndex !== 0) {
      yield* fail("revocation input does not spend a ticket's output 0");
    }
    const n = tx.outputs.length;
    if (n < 1 || n > MAX_STAKE_PARTICIPANTS) yield* fail(`revocation with ${n} outputs`);
    if (!allVersionZero(tx)) yield* fail("revocation output with a non-zero script version");
    return {
      ticketHash: reversedHex(ticketIn.prevHash),
      payouts: yield* payoutsOf(tx.outputs, "stakerevoke", "revocation"),
    };
  });

export type TxType = "regular" | "ticket" | "vote" | "revocation";

/** stake.DetermineTxType: the first stake form the transaction satisfies. */
export const txType = (tx: MsgTx): TxType =>
  Either.isRight(parseTicket(tx))
    ? "ticket"
    : Either.isRight(parseVote(tx))
    ? "vote"
    : Either.isRight(parseRevocation(tx))
    ? "revocation"
    : "regular";
