// hcd's required stake difficulty (blockchain/difficulty.go calcNextRequiredStakeDifficultyV2, the
// DCP0001 algorithm, the only one hcd uses): every StakeDiffWindowSize blocks the price is scaled
// by the change of the ticket pool (live + immature) since the last window and by its distance
// from the target, then kept between MinimumStakeDiff and the estimated supply / TicketPoolSize.
import type { NetParams } from "./params.ts";
import { BLOCK_ONE_SUBSIDY, LINEAR_DECAY, TAIL_ITERATION } from "./subsidy.ts";

/** The header fields of one block the algorithm reads. */
export interface StakeDiffBlock {
  readonly sbits: bigint;
  readonly poolSize: number;
  readonly freshStake: number;
}

/**
 * hcd estimateSupply: HC's closed form of the decaying subsidy series in float64, evaluated in
 * Go's operation order and truncated like Go's int64(float64). Atoms.
 */
export const estimateSupply = (net: NetParams, height: number): bigint => {
  if (height <= 0) return 0n;
  const q = net.mulSubsidy / net.divSubsidy;
  const d = -LINEAR_DECAY / 100000000.0;
  const interval = net.subsidyReductionInterval;
  const reductions = Math.trunc(height / interval);
  let supply = BLOCK_ONE_SUBSIDY[net.name];
  let subsidy = BigInt(net.baseSubsidy);
  if (reductions > 0) {
    // hcd caps the series at the last linear-decay interval and adds a tenfold-decay tail.
    const n = Math.min(reductions, TAIL_ITERATION - 1);
    const temp1 = (1 * (1 - Math.pow(q, n))) / (1 - q);
    const temp2 = (1 - Math.pow(q, n - 1)) / (1 - q) / (1 - q) * d * q;
    const temp3 = (n - 1) * Math.pow(q, n) / (1 - q) * d;
    supply += BigInt(Math.trunc(net.baseSubsidy * interval * (temp1 + temp2 - temp3)));
    subsidy = BigInt(Math.trunc(net.baseSubsidy * (1.0 - n * LINEAR_DECAY / 100000000.0) * Math.pow(q, n)));
    if (reductions > TAIL_ITERATION - 1) {
      const tail = reductions - (TAIL_ITERATION - 1);
      supply += BigInt(Math.trunc(0.1 * (1 - Math.pow(0.1, tail)) / (1 - q) * net.baseSubsidy));
      subsidy = BigInt(Math.trunc(net.baseSubsidy * Math.pow(0.1, tail)));
    }
  }
  supply += BigInt(1 + height % interval) * subsidy;
  // Blocks 0 and 1 were counted at the base subsidy above; block one's ledger is already in.
  return supply - BigInt(net.baseSubsidy) * 2n;
};

/**
 * hcd calcNextStakeDiffV2: curDiff · curPoolSizeAll² / prevPoolSizeAll / targetPoolSizeAll in
 * integers, clamped to [MinimumStakeDiff, estimateSupply(nextHeight) / TicketPoolSize].
 * prevPoolSizeAll must be positive (the caller keeps the price when it is 0).
 */
export const calcNextStakeDiffV2 = (
  net: NetParams,
  nextHeight: number,
  curDiff: bigint,
  prevPoolSizeAll: number,
  curPoolSizeAll: number,
): bigint => {
  const targetPoolSizeAll = BigInt(net.ticketsPerBlock * (net.ticketPoolSize + net.ticketMaturity));
  const cur = BigInt(curPoolSizeAll);
  const next = curDiff * cur * cur / BigInt(prevPoolSizeAll) / targetPoolSizeAll;
  const maximum = estimateSupply(net, nextHeight) / BigInt(net.ticketPoolSize);
  const minimum = BigInt(net.minimumStakeDiff);
  const capped = next > maximum ? maximum : next;
  return capped < minimum ? minimum : capped;
};

/**
 * Stake difficulty of the block after the one at `tipHeight`, reading earlier blocks through
 * `blockAt`. Before CoinbaseMaturity + 1 it is the minimum; between retargets it is the tip's sbits.
 */
export const nextRequiredStakeDifficulty = (
  net: NetParams,
  tipHeight: number,
  blockAt: (height: number) => StakeDiffBlock,
): bigint => {
  const nextHeight = tipHeight + 1;
  if (nextHeight < net.coinbaseMaturity + 1) return BigInt(net.minimumStakeDiff);
  const tip = blockAt(tipHeight);
  const window = net.stakeDiffWindowSize;
  if (nextHeight % window !== 0) return tip.sbits;
  // Tickets bought in the TicketMaturity blocks ending at `height` are the immature ones there.
  const immatureAt = (height: number) => {
    let n = 0;
    for (let h = height; h >= 0 && h > height - net.ticketMaturity; h--) n += blockAt(h).freshStake;
    return n;
  };
  const prevHeight = nextHeight - window - 1;
  const prevPoolSizeAll = prevHeight < 0 ? 0 : blockAt(prevHeight).poolSize + immatureAt(prevHeight);
  if (prevPoolSizeAll === 0) return tip.sbits;
  const curPoolSizeAll = tip.poolSize + immatureAt(tipHeight);
  return calcNextStakeDiffV2(net, nextHeight, tip.sbits, prevPoolSizeAll, curPoolSizeAll);
};
