// Stake-pool fee (hcwallet wallet/txrules/poolfees.go, evaluateStakePoolTicket; HC-PROTOCOL §6.2,
// §6.3): the fee a pool ticket must pay, and the check that its first commitment pays it to one of
// the pool's cold-wallet fee addresses.
import { Data, Either } from "effect";
import { toHex } from "./bytes.ts";
import { hash160 } from "./hash.ts";
import { deriveChild, type ExtendedKey, type HdKeyError, neuter } from "./hdkey.ts";
import type { NetParams } from "./params.ts";
import { SIG_TYPE } from "./script.ts";
import { parseTicket } from "./stake.ts";
import { calcStakeVoteSubsidy } from "./subsidy.ts";
import type { MsgTx } from "./tx.ts";

/** Pool fee rates are hundredths of a percent: 0.01 % … 100.00 %. */
const MAX_POOL_FEE_RATE = 10000;

const poolFeeHundredths = (percent: number) => Math.floor(percent * 100.0);

export const isValidPoolFeeRate = (percent: number): boolean => {
  const rate = poolFeeHundredths(percent);
  return Number.isFinite(rate) && rate > 0 && rate <= MAX_POOL_FEE_RATE;
};

/**
 * Fee the pool asks of a ticket: poolFee% of the vote subsidy share of the ticket, where the
 * subsidy is taken ceil(TicketPoolSize / SubsidyReductionInterval) reductions ahead (when the
 * ticket is likely to vote). Integer arithmetic as in Go's big.Int (the 2^64 shift only scales).
 */
export const stakePoolTicketFee = (
  net: NetParams,
  stakeDiff: bigint,
  relayFee: bigint,
  height: number,
  poolFeePercent: number,
): bigint => {
  const adjustments = Math.ceil(net.ticketPoolSize / net.subsidyReductionInterval);
  const subsidy = calcStakeVoteSubsidy(net, height + net.subsidyReductionInterval * adjustments);
  const numerator = BigInt(poolFeeHundredths(poolFeePercent)) * subsidy * (stakeDiff + relayFee);
  const denominator = (subsidy + stakeDiff) * 10000n;
  return denominator === 0n ? 0n : numerator / denominator;
};

export class TicketFeeError extends Data.TaggedError("TicketFeeError")<{
  readonly reason: "not-a-ticket" | "fee-signature-type" | "unknown-fee-address" | "fee-too-low";
  readonly detail: string;
}> {
  override get message() {
    return this.detail;
  }
}

const sigTypeName = (sigType: number) =>
  Object.entries(SIG_TYPE).find(([, t]) => t === sigType)?.[0] ?? "unknown";

/**
 * The pool wallet's acceptance rule for a mined ticket (no tolerance): output 1's commitment pays
 * a fee address (secp256k1 P2PKH from the cold xpub) at least `stakePoolTicketFee`, where the relay
 * fee is Σ commitments − Σ outputs and the stake difficulty is the ticket price.
 *
 * Unlike hcwallet, the commitment's signature type must be 0: a vote pays each commitment with its
 * own type, so a BLISS (4) fee commitment would be paid to a script the pool's secp256k1 key can
 * never spend, and with any other type hcwallet cannot build the vote at all.
 */
export const checkTicketFee = (args: {
  readonly net: NetParams;
  readonly ticket: MsgTx;
  readonly ticketHeight: number;
  readonly poolFeePercent: number;
  readonly isFeeAddress: (hash160Hex: string) => boolean;
}): Either.Either<{ readonly feeNeeded: bigint; readonly paid: bigint }, TicketFeeError> =>
  Either.gen(function* () {
    const ticket = yield* Either.mapLeft(
      parseTicket(args.ticket),
      (e) => new TicketFeeError({ reason: "not-a-ticket", detail: e.reason }),
    );
    const fee = ticket.commitments[0];
    if (fee.sigType !== SIG_TYPE.secp256k1) {
      return yield* Either.left(
        new TicketFeeError({
          reason: "fee-signature-type",
          detail: `pool fee commitment has signature type ${fee.sigType} (${
            sigTypeName(fee.sigType)
          }), not 0 (secp256k1): its vote would not pay the pool's fee address`,
        }),
      );
    }
    if (fee.isP2SH || !args.isFeeAddress(toHex(fee.hash160))) {
      return yield* Either.left(
        new TicketFeeError({
          reason: "unknown-fee-address",
          detail: `unknown pool commitment address (hash160 ${toHex(fee.hash160)})`,
        }),
      );
    }
    const committed = ticket.commitments.reduce((sum, c) => sum + c.amount, 0n);
    const spent = args.ticket.outputs.reduce((sum, o) => sum + o.value, 0n);
    const feeNeeded = stakePoolTicketFee(
      args.net,
      ticket.price,
      committed - spent,
      args.ticketHeight,
      args.poolFeePercent,
    );
    if (fee.amount < feeNeeded) {
      return yield* Either.left(
        new TicketFeeError({
          reason: "fee-too-low",
          detail: `ticket pays ${fee.amount} atoms of pool fee, ${feeNeeded} required`,
        }),
      );
    }
    return { feeNeeded, paid: fee.amount };
  });

/**
 * Hash160s (hex) of the pool's fee addresses: `coldXpub/0/i` for i in [0, count), as hcwallet's
 * stake-pool mode derives them. The external branch is derived once, then only its children.
 */
export const feeAddressHashes = (
  coldXpub: ExtendedKey,
  count = 10000,
): Either.Either<ReadonlySet<string>, HdKeyError> =>
  Either.gen(function* () {
    const external = yield* deriveChild(neuter(coldXpub), 0);
    const hashes = new Set<string>();
    for (let i = 0; i < count; i++) {
      const child = yield* deriveChild(external, i);
      hashes.add(toHex(hash160(child.publicKey)));
    }
    return hashes;
  });
