// Startup sync against hcsim: one wallet missing 1 000 scripts (and with them every ticket), one
// missing 5 000+ tickets whose scripts it holds; the sync repairs both and a second run repairs nothing.
import assert from "node:assert/strict";
import { Effect, Either } from "effect";
import { type LocalRegistration, localRegistration } from "../../src/services/address_registration.ts";
import { Users } from "../../src/services/users.ts";
import { repairCount, type SyncProgress, syncWallets } from "../../src/services/wallet_sync.ts";
import { newUser, poolLayer, type SimPool, withSimPool } from "./support.ts";

const SCRIPTS = 1_000;
const TICKETS = 5_000;

/** 1 000 registered users; their scripts on wallets 1 and 2 only, tickets bought to them and mined. */
const setUp = async (pool: SimPool): Promise<ReadonlyArray<LocalRegistration>> => {
  const { sim } = pool;
  const registrations = await Effect.gen(function* () {
    const users = yield* Users;
    const out: Array<LocalRegistration> = [];
    for (let i = 0; i < SCRIPTS; i++) {
      const userId = yield* newUser(`user${i}@example.com`);
      const local = Either.getOrThrow(
        localRegistration(sim.chain.net, pool.keys, userId, sim.userWallet.getNewAddress().pubKeyAddress),
      );
      yield* users.setMultisig(userId, {
        MultiSigAddress: local.multisigAddress,
        MultiSigScript: local.redeemScript,
        PoolPubKeyAddr: local.poolPubKeyAddr,
        UserPubKeyAddr: local.userPubKeyAddr,
        UserFeeAddr: local.feeAddress,
        HeightRegistered: sim.chain.height,
      });
      out.push(local);
    }
    return out;
  }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);
  const [first, second] = sim.nodes.map((n) => n.wallet);
  for (const r of registrations) first.importScript(r.redeemScript, false, 0);
  // Tickets drawn while the chain grows are missed (nobody votes here): buy until 5 000 are unspent.
  for (let block = 0; first.getTickets(true).length < TICKETS; block++) {
    const r = registrations[block % registrations.length];
    sim.userWallet.purchaseTicket({
      spendLimit: 1e9,
      ticketAddress: r.multisigAddress,
      numTickets: sim.chain.net.maxFreshStakePerBlock,
      poolAddress: r.feeAddress,
      poolFees: 7.5,
    });
    sim.control.generate(1);
  }
  // The second wallet learns the scripts without a rescan: it holds them but none of the tickets.
  for (const r of registrations) second.importScript(r.redeemScript, false, 0);
  return registrations;
};

Deno.test("startup sync repairs a wallet missing 1000 scripts and one missing 5000 tickets; a second run repairs nothing", () =>
  withSimPool({ userFunds: 10n ** 24n }, async (pool) => {
    const registrations = await setUp(pool);
    const [first, second, third] = pool.sim.nodes.map((n) => n.wallet);
    const tickets = new Set(first.getTickets(true));
    assert.ok(tickets.size >= TICKETS, `${tickets.size} unspent tickets`);
    assert.equal(second.getTickets(true).length, 0);
    assert.equal(third.listScripts().length, 0);

    const progress: Array<SyncProgress> = [];
    const { firstRun, secondRun } = await Effect.gen(function* () {
      const onProgress = (p: SyncProgress) => Effect.sync(() => progress.push(p));
      const firstRun = yield* syncWallets({ resetVoteBits: true, onProgress });
      const secondRun = yield* syncWallets({ resetVoteBits: true });
      return { firstRun, secondRun };
    }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);

    assert.deepEqual(firstRun.problems, []);
    assert.deepEqual(firstRun.skipped, []);
    assert.equal(firstRun.scripts, SCRIPTS);
    assert.equal(firstRun.tickets, tickets.size);
    assert.deepEqual(firstRun.repaired.map((r) => r.scriptsImported), [0, 0, SCRIPTS]);
    // The third wallet's imports rescan from the registration heights and find its tickets itself.
    assert.deepEqual(firstRun.repaired.map((r) => r.ticketsAdded), [0, tickets.size, 0]);
    const scripts = new Set(registrations.map((r) => r.redeemScript));
    for (const w of [first, second, third]) {
      assert.deepEqual(new Set(w.listScripts().map((s) => s.redeemscript)), scripts, w.name);
      assert.deepEqual(new Set(w.getTickets(true)), tickets, w.name);
    }
    const last = (phase: SyncProgress["phase"]) => progress.filter((p) => p.phase === phase).at(-1);
    assert.deepEqual([last("scripts")?.done, last("scripts")?.total], [SCRIPTS, SCRIPTS]);
    assert.deepEqual([last("tickets")?.done, last("tickets")?.total], [tickets.size, tickets.size]);
    assert.ok(progress.every((p) => p.perSecond > 0));

    assert.equal(repairCount(secondRun), 0);
    assert.deepEqual(secondRun.problems, []);
    assert.equal(secondRun.voteBitsReset, 0);
  }));
