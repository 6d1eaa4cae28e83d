// How long an admin-added low-fee ticket is kept (LowFeeTicket.Expires): from the ticket's own
// height, at the chain's real pace (never below its target), erring late.
import assert from "node:assert/strict";
import { NETWORKS } from "../../src/domain/params.ts";
import { chainBlockTime, EXPIRY_MARGIN, ticketVotableUntil } from "../../src/domain/ticket_expiry.ts";

const simnet = NETWORKS.simnet;
const NOW = 1_796_130_379;

/** Blocks `spacing` seconds apart whose newest, `bestHeight`, was stamped at NOW. */
const chainAt = (bestHeight: number, spacing: number, heights: ReadonlyArray<number>) =>
  heights.map((height) => ({ height, time: NOW - (bestHeight - height) * spacing }));

Deno.test("a ticket of a chain slower than its target is kept as long as that chain lets it vote (realnodes FINDINGS web 6)", () => {
  // The real simnet run: a block every ~3.7 s (here 4 s; target 1 s), ticket mined at 414, added at 420.
  const bestHeight = 420;
  const blockTime = chainBlockTime(simnet, {
    tip: { height: bestHeight, time: NOW },
    blocks: chainAt(bestHeight, 4, [380, 414]),
  });
  assert.equal(blockTime, 4);
  const until = ticketVotableUntil(simnet, { ticketHeight: 414, bestHeight, now: NOW, blockTime });
  const lastBlock = 414 + simnet.ticketMaturity + simnet.ticketExpiry;
  // The chain reaches the ticket's last block this long after NOW; the original kept 404 s.
  const chainNeeds = (lastBlock - bestHeight) * 4;
  assert.ok(until - NOW >= chainNeeds, `${until - NOW} s < ${chainNeeds} s`);
  assert.equal(until, NOW + Math.ceil((lastBlock - bestHeight) * 4 * EXPIRY_MARGIN));
});

Deno.test("the block time is never below the target, and the slowest recent stretch decides", () => {
  const tip = { height: 500, time: NOW };
  const fast = chainBlockTime(simnet, { tip, blocks: chainAt(500, 0.25, [100, 400, 499]) });
  assert.equal(fast, simnet.targetTimePerBlock);
  // 100 old blocks at 2 s, then the last 10 at 30 s each: the recent 30 s/block decides.
  const slowedDown = [
    { height: 390, time: NOW - 10 * 30 - 100 * 2 },
    { height: 490, time: NOW - 10 * 30 },
  ];
  assert.equal(chainBlockTime(simnet, { tip, blocks: slowedDown }), 30);
  // Blocks at the best height say nothing about the pace (no division by zero).
  assert.equal(
    chainBlockTime(simnet, { tip, blocks: [{ height: 500, time: NOW - 60 }] }),
    simnet.targetTimePerBlock,
  );
  assert.equal(chainBlockTime(simnet, { tip, blocks: [] }), simnet.targetTimePerBlock);
});

Deno.test("the pace comes from the blocks' own times: a chain stamped years back (hcsim from simnet's genesis) is not decades slow", () => {
  // Blocks 4 s apart whose newest was stamped in 2019, read today.
  const stampedThen = 1_556_000_000;
  const blocks = [380, 414].map((height) => ({ height, time: stampedThen - (420 - height) * 4 }));
  const blockTime = chainBlockTime(simnet, { tip: { height: 420, time: stampedThen }, blocks });
  assert.equal(blockTime, 4);
  const until = ticketVotableUntil(simnet, { ticketHeight: 414, bestHeight: 420, now: NOW, blockTime });
  const lastBlock = 414 + simnet.ticketMaturity + simnet.ticketExpiry;
  assert.equal(until, NOW + Math.ceil((lastBlock - 420) * 4 * EXPIRY_MARGIN));
});

Deno.test("a ticket not mined yet counts from the next block; one past its last block is not kept", () => {
  const blocksOfLife = simnet.ticketMaturity + simnet.ticketExpiry;
  assert.equal(
    ticketVotableUntil(simnet, { ticketHeight: undefined, bestHeight: 700, now: NOW, blockTime: 2 }),
    NOW + Math.ceil((blocksOfLife + 1) * 2 * EXPIRY_MARGIN),
  );
  assert.equal(
    ticketVotableUntil(simnet, {
      ticketHeight: 700 - blocksOfLife - 5,
      bestHeight: 700,
      now: NOW,
      blockTime: 2,
    }),
    NOW,
  );
});
