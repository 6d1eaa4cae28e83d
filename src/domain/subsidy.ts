// HC block subsidy (hcd blockchain/subsidy.go; HC-PROTOCOL §6.1). HC≠Decred: the reduction is a
// float64 formula, so it is evaluated in IEEE-754 doubles in Go's operation order and truncated
// toward zero like Go's int64(float64).
import type { NetName, NetParams } from "./params.ts";

/**
 * Sum of each net's block-one ledger (hcd 27c7ab1 chaincfg/premine.go), paid instead of the
 * subsidy at height 1. Simnet's ledger has two payouts of 100 000 HC (Decred's had three).
 */
export const BLOCK_ONE_SUBSIDY: Readonly<Record<NetName, bigint>> = {
  mainnet: (41326010n + 2000000n) * 100000000n,
  testnet2: 40000000n * 100000000n,
  simnet: 2n * 100000n * 100000000n,
};

/** Linear decay per reduction interval in the first ~99 years, as a fraction of 1e8. */
export const LINEAR_DECAY = 59363.0;
/** From this reduction iteration on, the subsidy falls tenfold per interval. */
export const TAIL_ITERATION = 1682;

const totalProportions = (net: NetParams) =>
  BigInt(net.workRewardProportion + net.stakeRewardProportion + net.blockTaxProportion);

export const calcBlockSubsidy = (net: NetParams, height: number): bigint => {
  if (height === 1) return BLOCK_ONE_SUBSIDY[net.name];
  // Go divides int64s (truncating) and converts to uint64: a negative quotient becomes huge,
  // which lands in the tail formula and rounds to zero.
  const iteration = Math.trunc(height / net.subsidyReductionInterval);
  if (iteration < 0) return 0n;
  if (iteration === 0) return BigInt(net.baseSubsidy);
  const q = net.mulSubsidy / net.divSubsidy;
  const subsidy = iteration < TAIL_ITERATION
    ? net.baseSubsidy * (1.0 - iteration * LINEAR_DECAY / 100000000.0) * Math.pow(q, iteration)
    : 100000000.0 / net.subsidyReductionInterval * Math.pow(0.1, iteration - (TAIL_ITERATION - 1));
  return BigInt(Math.trunc(subsidy));
};

/** Reward of one vote on a block at `height` (voters do not scale it). */
export const calcStakeVoteSubsidy = (net: NetParams, height: number): bigint =>
  calcBlockSubsidy(net, height) * BigInt(net.stakeRewardProportion) /
  (totalProportions(net) * BigInt(net.ticketsPerBlock));

/** Proof-of-work reward of a block; scaled by voters/TicketsPerBlock once votes are required. */
export const calcBlockWorkSubsidy = (net: NetParams, height: number, voters: number): bigint => {
  const subsidy = calcBlockSubsidy(net, height) * BigInt(net.workRewardProportion) / totalProportions(net);
  if (height < net.stakeValidationHeight) return subsidy;
  return BigInt(voters) * subsidy / BigInt(net.ticketsPerBlock);
};

/** Organization (treasury) share of a block; all voters count as present before stake validation. */
export const calcBlockTaxSubsidy = (net: NetParams, height: number, voters: number): bigint => {
  const subsidy = calcBlockSubsidy(net, height) * BigInt(net.blockTaxProportion) / totalProportions(net);
  const present = height < net.stakeValidationHeight ? net.ticketsPerBlock : voters;
  return BigInt(present) * subsidy / BigInt(net.ticketsPerBlock);
};
