import assert from "node:assert/strict";
import { simnet } from "../../src/domain/params.ts";
import {
  estimateSupply,
  nextRequiredStakeDifficulty,
  type StakeDiffBlock,
} from "../../src/domain/stakediff.ts";

// simnet: StakeDiffWindowSize 8, TicketMaturity 16, CoinbaseMaturity 16, MinimumStakeDiff 20000,
// TicketPoolSize 64, TicketsPerBlock 5 → target pool size (live + immature) 5·(64+16) = 400.

/** A chain whose every block has the same header fields, until `tipHeight`. */
const uniform = (block: StakeDiffBlock) => (_height: number) => block;

Deno.test("estimateSupply follows HC's series: block one ledger, full intervals, current interval", () => {
  // 2e13 ledger + 25 blocks of 6.4e8 − 2 base subsidies for blocks 0 and 1.
  assert.equal(estimateSupply(simnet, 24), 20_000_000_000_000n + 25n * 640_000_000n - 1_280_000_000n);
  // Two reductions: 128·6.4e8·(1 + 0.99940637·0.999) = 163709498460.5696 in the full intervals,
  // then 45 blocks of trunc(6.4e8·(1 − 2·0.00059363)·0.999²) = 637962312.
  assert.equal(
    estimateSupply(simnet, 300),
    20_000_000_000_000n + 163_709_498_460n + 45n * 637_962_312n - 1_280_000_000n,
  );
  assert.equal(estimateSupply(simnet, 0), 0n);
});

Deno.test("the stake difficulty is the minimum until CoinbaseMaturity + 1 and the tip's between retargets", () => {
  const block = { sbits: 5_000_000n, poolSize: 300, freshStake: 10 };
  assert.equal(nextRequiredStakeDifficulty(simnet, 15, uniform(block)), 20_000n);
  assert.equal(nextRequiredStakeDifficulty(simnet, 16, uniform(block)), 5_000_000n);
  assert.equal(nextRequiredStakeDifficulty(simnet, 24, uniform(block)), 5_000_000n);
});

Deno.test("at a retarget the price scales by cur²/(prev·target), counting immature tickets", () => {
  // Heights 0..15 (prev window end 15): pool 240 + 16·10 immature = 400.
  // Heights 16..23 (tip 23): pool 640 + 16·10 = 800 → 1e6·800²/400/400 = 4e6.
  const at = (h: number) => ({ sbits: 1_000_000n, poolSize: h <= 15 ? 240 : 640, freshStake: 10 });
  assert.equal(nextRequiredStakeDifficulty(simnet, 23, at), 4_000_000n);
  // Integer division twice: 1e6·401²/400 = 402002500, /400 = 1005006 (truncated).
  const slightly = (h: number) => ({ sbits: 1_000_000n, poolSize: h <= 15 ? 240 : 241, freshStake: 10 });
  assert.equal(nextRequiredStakeDifficulty(simnet, 23, slightly), 1_005_006n);
});

Deno.test("the price stays between MinimumStakeDiff and supply / TicketPoolSize, and holds when the old pool was empty", () => {
  const shrinking = (h: number) => ({
    sbits: 30_000n,
    poolSize: h <= 15 ? 400 : 0,
    freshStake: h <= 15 ? 0 : 1,
  });
  assert.equal(nextRequiredStakeDifficulty(simnet, 23, shrinking), 20_000n);
  // Supply at height 24 over 64 tickets: 20014720000000 / 64 = 312730000000.
  const huge = uniform({ sbits: 10n ** 15n, poolSize: 400, freshStake: 0 });
  assert.equal(nextRequiredStakeDifficulty(simnet, 23, huge), 312_730_000_000n);
  const empty = uniform({ sbits: 70_000n, poolSize: 0, freshStake: 0 });
  assert.equal(nextRequiredStakeDifficulty(simnet, 23, empty), 70_000n);
});
