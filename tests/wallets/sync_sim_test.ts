// Startup sync against hcsim: one wallet missing 1 000 scripts (and with them every ticket), one
// missing 5 000+ tickets whose scripts it holds; the sync repairs both and a second run repairs nothing.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { repairCount, type SyncProgress, syncWallets } from "../../src/wallets/wallet_sync.ts";
import {
  decoratedPoolLayer,
  DRIFTED_POOL_OPTIONS,
  poolLayer,
  registerDriftedUsers,
  unreachable,
  type WalletDecorator,
  withSimPool,
} from "./support.ts";

const SCRIPTS = 1_000;
const TICKETS = 5_000;

Deno.test("startup sync repairs a wallet missing 1000 scripts and one missing 5000 tickets; a second run repairs nothing", () =>
  withSimPool(DRIFTED_POOL_OPTIONS, async (pool) => {
    const registrations = await registerDriftedUsers(pool, SCRIPTS, TICKETS);
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

Deno.test("a wallet that goes away between the script and ticket phases: each wallet's repairs are reported under its own name", () =>
  withSimPool({}, async (pool) => {
    // Scripts on wallets 1 and 2, none on wallet 3; wallet 2 then stops answering gettickets.
    const [registration] = await registerDriftedUsers(pool, 1, 0);
    const decorate: WalletDecorator = (w) => w.name === "wallet 2" ? unreachable(w, "getTickets") : w;
    const summary = await syncWallets({ resetVoteBits: false }).pipe(
      Effect.provide(decoratedPoolLayer(pool, 2, decorate)),
      Effect.runPromise,
    );
    assert.deepEqual(
      summary.repaired.map((r) => [r.wallet, r.scriptsImported]),
      [["wallet 1", 0], ["wallet 2", 0], ["wallet 3", 1]],
    );
    assert.deepEqual(summary.skipped.map((s) => s.wallet), ["wallet 2"]);
    assert.ok(
      pool.sim.nodes[2].wallet.listScripts().some((s) => s.redeemscript === registration.redeemScript),
    );
  }));
