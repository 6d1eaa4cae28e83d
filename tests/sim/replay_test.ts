// Issue 10 item 8: a seed replays an hcsim network. Every choice (wallet keys, background tickets,
// hence blocks and lotteries) derives from it, block times come from the chain's own clock, the CLI
// prints the seed and SimNetwork keeps it.
import assert from "node:assert/strict";
import type { SimNetwork } from "../../src/sim/network.ts";
import { derived, withNetwork } from "./helpers.ts";

/** The same actions on any network; what a replay must reproduce. */
const play = (network: SimNetwork) => {
  const fee = derived(network.endpoints.coldWalletXpub, 1).address;
  network.control.generate(5);
  const tickets = network.userWallet.purchaseTicket({
    spendLimit: 1e9,
    numTickets: 3,
    poolAddress: fee,
    poolFees: 7.5,
  });
  network.control.generate(30);
  const blocks = Array.from({ length: network.chain.height + 1 }, (_, h) => network.chain.blockAt(h)!);
  return {
    votingXpub: network.endpoints.votingWalletXpub,
    coldXpub: network.endpoints.coldWalletXpub,
    tickets,
    hashes: blocks.map((b) => b.hash),
    winners: blocks.map((b) => b.winners),
    times: blocks.map((b) => b.header.timestamp),
  };
};

Deno.test("the same seed and the same actions give the same keys, tickets, blocks and lotteries; another seed another chain", async () => {
  const runs: Array<ReturnType<typeof play>> = [];
  for (const seed of ["replay me", "replay me", "another seed"]) {
    await withNetwork({ nodes: 1, seed }, (network) => {
      assert.equal(network.seed, seed);
      runs.push(play(network));
      return Promise.resolve();
    });
  }
  assert.deepEqual(runs[1], runs[0]);
  assert.notEqual(runs[2].votingXpub, runs[0].votingXpub);
  assert.notDeepEqual(runs[2].hashes, runs[0].hashes);
});

Deno.test("block times come from the chain's clock: simnet's genesis time, one target spacing per block, or an injected clock", async () => {
  await withNetwork({ nodes: 1, startHeight: 0 }, (network) => {
    network.control.generate(3);
    // hcd chaincfg/genesis.go: simnet's genesis timestamp; TargetTimePerBlock is 1 s.
    assert.deepEqual([0, 1, 2, 3].map((h) => network.chain.blockAt(h)!.header.timestamp), [
      1401292357,
      1401292358,
      1401292359,
      1401292360,
    ]);
    return Promise.resolve();
  });
  let now = 1_800_000_000;
  await withNetwork({ nodes: 1, startHeight: 0, clock: () => now }, (network) => {
    now += 600;
    network.control.generate(1);
    now += 600;
    network.control.generate(1);
    assert.deepEqual([0, 1, 2].map((h) => network.chain.blockAt(h)!.header.timestamp), [
      1_800_000_000,
      1_800_000_600,
      1_800_001_200,
    ]);
    return Promise.resolve();
  });
});

Deno.test("deno task sim prints the seed it runs on; --seed replays it", async () => {
  const datadir = await Deno.makeTempDir({ prefix: "hcsim-cli-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/sim/main.ts", "--nodes", "1", "--seed", "printed seed", "--datadir", datadir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    let printed = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      printed += chunk;
      if (printed.includes("Ctrl-C stops")) break;
    }
    const lines = printed.split("\n");
    assert.ok(
      lines.some((l) => /^seed\s+printed seed\s+\(--seed printed seed replays this network\)$/.test(l)),
      lines.join("\n"),
    );
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(datadir, { recursive: true });
  }
});
