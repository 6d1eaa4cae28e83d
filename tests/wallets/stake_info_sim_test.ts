// VotingWallets.stakeInfo against hcsim (3 voting nodes, real TLS): the live counts compared across
// wallets, the agreed answer cached for 5 minutes on the Effect clock, errors not cached, and a
// disagreement reported in status without stopping wallet commands.
import assert from "node:assert/strict";
import { Effect, Either, Option, TestClock, TestContext } from "effect";
import { type LocalRegistration, localRegistration } from "../../src/wallets/address_registration.ts";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import { poolLayer, type SimPool, withSimPool } from "./support.ts";

const registration = (pool: SimPool, userId: number): LocalRegistration =>
  Either.getOrThrow(
    localRegistration(
      pool.sim.chain.net,
      pool.keys,
      userId,
      pool.sim.userWallet.getNewAddress().pubKeyAddress,
    ),
  );

/** Buys `count` tickets to each registration's script and mines until they are live. */
const buyLiveTickets = (pool: SimPool, registrations: ReadonlyArray<LocalRegistration>, count: number) => {
  for (const r of registrations) {
    pool.sim.userWallet.purchaseTicket({
      spendLimit: 1e9,
      ticketAddress: r.multisigAddress,
      numTickets: count,
      poolAddress: r.feeAddress,
      poolFees: 7.5,
    });
  }
  // Drawn tickets are missed here (nobody votes): mine only until the tickets are live.
  pool.sim.control.generate(pool.sim.chain.net.ticketMaturity + 1);
};

/** Imports the script into the nodes' wallets and waits for each one's rescan from genesis. */
const importOn = (pool: SimPool, nodes: ReadonlyArray<number>, r: LocalRegistration) =>
  Promise.all(nodes.map((i) => {
    const wallet = pool.sim.nodes[i].wallet;
    wallet.importScript(r.redeemScript, false, 0);
    return wallet.rescan(0);
  }));

const simLive = (pool: SimPool, node: number) => pool.sim.nodes[node].wallet.stakeInfo().live;

const getStakeInfoFails = { methodErrors: { getstakeinfo: { code: -32603, message: "injected" } } };

Deno.test("stakeInfo answers the agreed live count, reuses it for 5 minutes without asking the wallets, and does not cache errors", () =>
  withSimPool({}, async (pool) => {
    const r = registration(pool, 1);
    await importOn(pool, [0, 1, 2], r);
    buyLiveTickets(pool, [r], 5);
    const live = simLive(pool, 0);
    assert.ok(live > 0, "some of the tickets are live");

    const out = await Effect.gen(function* () {
      const vw = yield* VotingWallets;
      yield* vw.ready; // connects every client on the live clock
      return yield* Effect.gen(function* () {
        const first = yield* vw.stakeInfo;
        // Every wallet now answers getstakeinfo with an error: only the cache can answer.
        for (const node of [0, 1, 2]) {
          yield* Effect.promise(() => pool.sim.control.setFaults(node, getStakeInfoFails));
        }
        yield* TestClock.adjust("4 minutes");
        const cached = yield* vw.stakeInfo;
        yield* TestClock.adjust("61 seconds");
        const expired = yield* Effect.flip(vw.stakeInfo);
        const stillFailing = yield* Effect.flip(vw.stakeInfo);
        yield* Effect.promise(() => pool.sim.control.clearFaults());
        const recovered = yield* vw.stakeInfo;
        const status = yield* vw.status;
        return { first, cached, expired, stillFailing, recovered, status };
      }).pipe(Effect.provide(TestContext.TestContext));
    }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);

    assert.equal(out.first.live, live);
    assert.deepEqual(out.cached, out.first);
    assert.equal(out.expired._tag, "WalletCallFailed");
    assert.match(out.expired.message, /getstakeinfo: -32603: injected/);
    assert.equal(out.stillFailing._tag, "WalletCallFailed", "the error was not cached");
    assert.equal(out.recovered.live, live);
    assert.equal(out.status.lastStakeInfoMismatch, undefined);
  }));

Deno.test("live counts that differ are reported with each wallet's count and shown in status, without stopping wallet commands", () =>
  withSimPool({}, async (pool) => {
    const shared = registration(pool, 1);
    const onlyFirst = registration(pool, 2);
    await importOn(pool, [0, 1, 2], shared);
    buyLiveTickets(pool, [shared, onlyFirst], 5);
    // Wallet 1 alone learns the second script; its rescan finds the tickets paying to it.
    await importOn(pool, [0], onlyFirst);
    const [live1, live2] = [simLive(pool, 0), simLive(pool, 1)];
    assert.ok(live1 > live2 && live2 > 0, `${live1} vs ${live2}`);

    const out = await Effect.gen(function* () {
      const vw = yield* VotingWallets;
      const mismatch = yield* Effect.flip(vw.stakeInfo);
      const during = yield* vw.status;
      const stopped = yield* vw.stopped;
      yield* Effect.promise(() => importOn(pool, [1, 2], onlyFirst));
      const agreed = yield* vw.stakeInfo;
      const after = yield* vw.status;
      return { mismatch, during, stopped, agreed, after };
    }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);

    assert.equal(out.mismatch._tag, "StakeInfoMismatch");
    const expected = [
      { wallet: "wallet 1", live: live1 },
      { wallet: "wallet 2", live: live2 },
      { wallet: "wallet 3", live: live2 },
    ];
    assert.equal(out.mismatch._tag === "StakeInfoMismatch" && out.mismatch.live.length, 3);
    assert.deepEqual(out.mismatch._tag === "StakeInfoMismatch" && out.mismatch.live, expected);
    assert.equal(
      out.mismatch.message,
      `getstakeinfo: live ticket counts differ: wallet 1 ${live1}, wallet 2 ${live2}, wallet 3 ${live2}`,
    );
    assert.deepEqual(out.during.lastStakeInfoMismatch?.live, expected);
    assert.ok(Option.isNone(out.stopped), "a read-only disagreement does not stop wallet commands");
    assert.equal(out.during.stopped, undefined);
    assert.equal(out.agreed.live, live1);
    assert.equal(out.after.lastStakeInfoMismatch, undefined);
  }));
