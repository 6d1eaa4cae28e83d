import assert from "node:assert/strict";
import { Either } from "effect";
import { netByName, NETWORKS } from "../../src/domain/params.ts";
import {
  calcBlockSubsidy,
  calcBlockTaxSubsidy,
  calcBlockWorkSubsidy,
  calcStakeVoteSubsidy,
} from "../../src/domain/subsidy.ts";
import vectors from "../vectors/hc-poolfee.json" with { type: "json" };

Deno.test("hc-poolfee.json: block and stake-vote subsidy for every listed height and net", () => {
  for (const v of vectors.subsidy) {
    const net = Either.getOrThrow(netByName(v.net));
    assert.equal(calcBlockSubsidy(net, v.height), BigInt(v.blockSubsidy), `${v.net} ${v.height} block`);
    assert.equal(
      calcStakeVoteSubsidy(net, v.height),
      BigInt(v.stakeVoteSubsidy),
      `${v.net} ${v.height} vote`,
    );
  }
});

Deno.test("height 1 pays the premine ledger sum (hcd chaincfg/premine.go)", () => {
  assert.equal(calcBlockSubsidy(NETWORKS.mainnet, 1), 4332601000000000n);
  assert.equal(calcBlockSubsidy(NETWORKS.testnet2, 1), 4000000000000000n);
  assert.equal(calcBlockSubsidy(NETWORKS.simnet, 1), 20000000000000n);
});

Deno.test("subsidy is constant within a reduction interval and never increases", () => {
  for (const net of Object.values(NETWORKS)) {
    const sri = net.subsidyReductionInterval;
    let previous = calcBlockSubsidy(net, 2);
    for (let it = 1; it < 1800; it += 7) {
      const first = calcBlockSubsidy(net, it * sri);
      assert.equal(calcBlockSubsidy(net, it * sri + sri - 1), first);
      assert.ok(first <= previous, `${net.name} iteration ${it}`);
      previous = first;
    }
  }
});

Deno.test("work and tax shares split the subsidy 6:1 and scale with voters after stake validation", () => {
  const net = NETWORKS.simnet;
  const h = net.stakeValidationHeight;
  const sub = calcBlockSubsidy(net, h);
  assert.equal(calcBlockWorkSubsidy(net, h - 1, 0), calcBlockSubsidy(net, h - 1) * 6n / 10n);
  assert.equal(calcBlockWorkSubsidy(net, h, 5), sub * 6n / 10n);
  assert.equal(calcBlockWorkSubsidy(net, h, 3), 3n * (sub * 6n / 10n) / 5n);
  assert.equal(calcBlockWorkSubsidy(net, h, 0), 0n);
  assert.equal(calcBlockTaxSubsidy(net, h - 1, 0), calcBlockSubsidy(net, h - 1) / 10n);
  assert.equal(calcBlockTaxSubsidy(net, h, 4), 4n * (sub / 10n) / 5n);
});
