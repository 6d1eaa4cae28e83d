// When a ticket can no longer vote, estimated so that the estimate errs late: a ticket mined at
// height H can be drawn up to block H + TicketMaturity + TicketExpiry, and a chain may run slower
// than its target. Stopping early costs the owner a vote; stopping late costs nothing (a ticket
// that voted, missed or expired is not voted again).
import type { NetParams } from "./params.ts";

/** A block: its height and its header's timestamp (Unix seconds). */
export interface BlockStamp {
  readonly height: number;
  readonly time: number;
}

/** On the whole estimate: the chain's pace varies around its recent average. */
export const EXPIRY_MARGIN = 1.5;

/**
 * Seconds per block, never below the target nor below the average from any of `blocks` (older
 * blocks' header times) to the `tip`'s: the slowest recent stretch counts. Only header times are
 * compared, never the wall clock: a chain whose timestamps are not today's (a simnet stamped from
 * its genesis time) still has its own pace.
 */
export const chainBlockTime = (
  net: NetParams,
  chain: { readonly tip: BlockStamp; readonly blocks: ReadonlyArray<BlockStamp> },
): number =>
  chain.blocks.reduce(
    (slowest, b) =>
      b.height < chain.tip.height
        ? Math.max(slowest, (chain.tip.time - b.time) / (chain.tip.height - b.height))
        : slowest,
    net.targetTimePerBlock,
  );

/**
 * Unix seconds after which a ticket mined at `ticketHeight` (undefined: not mined yet, as if in the
 * next block) can no longer vote, at `blockTime` seconds per block, with EXPIRY_MARGIN.
 */
export const ticketVotableUntil = (
  net: NetParams,
  ticket: {
    readonly ticketHeight: number | undefined;
    readonly bestHeight: number;
    readonly now: number;
    readonly blockTime: number;
  },
): number => {
  const minedAt = ticket.ticketHeight ?? ticket.bestHeight + 1;
  const blocksLeft = Math.max(0, minedAt + net.ticketMaturity + net.ticketExpiry - ticket.bestHeight);
  return ticket.now + Math.ceil(blocksLeft * ticket.blockTime * EXPIRY_MARGIN);
};
