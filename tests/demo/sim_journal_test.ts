// hcsim restarted on its journal is the network that stopped (the demo's "a second start resumes
// the same pool"): same chain, tickets, votes, wallet scripts and balances — after purchases,
// imports, votes, a reorganization and blocks from the interval miner — and it goes on recording.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { nodeRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import { JournalMismatch } from "../../src/sim/journal.ts";
import { type SimNetwork, startSimNetwork } from "../../src/sim/network.ts";
import { clientFor, derived } from "../sim/helpers.ts";

const start = (datadir: string, extra: { blockIntervalMs?: number; net?: "simnet" | "testnet2" } = {}) =>
  startSimNetwork({
    nodes: 2,
    datadir,
    backgroundTickets: 8,
    feeAddressCount: 20,
    journal: `${datadir}/journal.jsonl`,
    ...extra,
  });

/** Everything a client could see of the network, read over its endpoints and control. */
const observe = (net: SimNetwork) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const user = walletRpc(yield* clientFor(net.endpoints.userWallet));
    const wallets = [];
    for (const n of net.endpoints.nodes) wallets.push(walletRpc(yield* clientFor(n.wallet)));
    const hcd = nodeRpc(yield* clientFor(net.endpoints.nodes[0].hcd));
    return {
      chain: net.control.chainState(),
      best: yield* hcd.getBestBlock(),
      tickets: net.control.tickets(),
      votes: net.control.votes().map((v) => [v.ticket, v.txid, v.voteBits, v.outcome]),
      userBalance: (yield* user.getBalance()).totalspendable,
      userStake: yield* user.getStakeInfo(),
      scripts: yield* Effect.forEach(wallets, (w) => w.listScripts()),
      walletTickets: yield* Effect.forEach(wallets, (w) => w.getTickets(true)),
      nextAddress: yield* user.getNewAddress(),
    };
  })));

Deno.test("hcsim restarted on its journal is the same network, and keeps recording", async () => {
  const datadir = await Deno.makeTempDir({ prefix: "hcsim_journal_" });
  try {
    const first = await start(datadir);
    const seed = first.seed;
    let ticketAddress = "";
    try {
      await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const user = walletRpc(yield* clientFor(first.endpoints.userWallet));
        const node0 = walletRpc(yield* clientFor(first.endpoints.nodes[0].wallet));
        const node1 = walletRpc(yield* clientFor(first.endpoints.nodes[1].wallet));
        const hcd0 = nodeRpc(yield* clientFor(first.endpoints.nodes[0].hcd));
        // A pool user's 1-of-2 script in both voting wallets, tickets bought to it with the pool fee.
        const userKey = (yield* user.validateAddress(yield* user.getNewAddress())).pubkeyaddr!;
        const poolKey = derived(first.endpoints.votingWalletXpub, 1).pubKeyAddress;
        const multisig = yield* node0.createMultisig(1, [poolKey, userKey]);
        for (const w of [node0, node1]) yield* w.importScript(multisig.redeemScript, false);
        ticketAddress = multisig.address;
        const fee = derived(first.endpoints.coldWalletXpub, 1).address;
        const bought = yield* user.purchaseTicket(["default", 1000, 1, ticketAddress, 3, fee, 7.5]);
        assert.equal(bought.length, 3);
        first.control.generate(1 + 16);
        // Vote whichever pool ticket is drawn, as a stakepoold would: generatevote, then sendrawtransaction.
        for (let i = 0; i < 200 && first.control.votes().every((v) => !bought.includes(v.ticket)); i++) {
          const { hash, height, winners } = first.control.chainState();
          for (const t of winners.filter((w) => bought.includes(w))) {
            const vote = yield* node0.generateVote(hash, height, t, 5, "07000000");
            yield* hcd0.sendRawTransaction(vote.hex);
          }
          first.control.generate(1);
        }
        assert.ok(first.control.votes().some((v) => bought.includes(v.ticket)), "a pool ticket was voted");
        first.control.reorg();
        first.control.sideBlock();
      })));
    } finally {
      await first.close();
    }
    const before = await (async () => {
      const again = await start(datadir);
      try {
        assert.equal(again.seed, seed, "the journal keeps the seed");
        return await observe(again);
      } finally {
        await again.close();
      }
    })();
    assert.ok(before.tickets.some((t) => t.status === "voted"), "the restart kept the voted ticket");
    assert.ok(before.scripts.every((s) => s.scripts.length === 1), "both wallets kept the imported script");

    // The interval miner's blocks and the calls made above (getnewaddress) are journaled too.
    const third = await start(datadir, { blockIntervalMs: 20 });
    const from = third.control.chainState().height;
    const mined = await new Promise<number>((resolve) => {
      const off = third.chain.onEvent(() => {
        if (third.chain.height >= from + 3) {
          off();
          resolve(third.chain.height);
        }
      });
    }).finally(() => third.close());
    assert.equal(from, before.chain.height);
    const fourth = await start(datadir);
    try {
      const now = await observe(fourth);
      assert.equal(now.chain.height, mined, "blocks mined by the interval miner were kept");
      assert.equal(fourth.chain.blockAt(before.chain.height)!.hash, before.chain.hash);
      assert.deepEqual(now.votes, before.votes);
      assert.deepEqual(now.scripts, before.scripts);
      assert.notEqual(now.nextAddress, before.nextAddress, "getnewaddress moved on and was kept");
    } finally {
      await fourth.close();
    }

    // The same state twice in a row from one journal: nothing depends on the wall clock.
    const a = await start(datadir);
    const seenA = await observe(a).finally(() => a.close());
    const b = await start(datadir);
    const seenB = await observe(b).finally(() => b.close());
    assert.deepEqual({ ...seenA, nextAddress: "" }, { ...seenB, nextAddress: "" });
    assert.notEqual(seenA.nextAddress, seenB.nextAddress);
  } finally {
    await Deno.remove(datadir, { recursive: true });
  }
});

Deno.test("hcsim refuses a journal written for another network", async () => {
  const datadir = await Deno.makeTempDir({ prefix: "hcsim_journal_" });
  try {
    await (await start(datadir)).close();
    await assert.rejects(() => start(datadir, { net: "testnet2" }), JournalMismatch);
  } finally {
    await Deno.remove(datadir, { recursive: true });
  }
});
