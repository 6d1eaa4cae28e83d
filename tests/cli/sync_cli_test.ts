// `hcpool sync -C hcstakepool.conf` on a new embedded datadir: the store is created and migrated
// first (it used to fail with "Failed to execute statement"), then the wallets are repaired.
import assert from "node:assert/strict";
import { Layer } from "effect";
import { AppliedMigrations } from "../../src/storage/database.ts";
import { LATEST_VERSION } from "../../src/storage/migrations.ts";
import { runHcpool } from "../support/hcpool.ts";
import { writePoolConf } from "../support/pool_conf.ts";
import { runMigrated } from "../storage/support.ts";
import { registerDriftedUsers, withSimPool } from "../wallets/support.ts";

const TICKETS = 3;

Deno.test("hcpool sync on a new embedded datadir creates the store, then repairs drifted wallets", () =>
  withSimPool({}, async (pool) => {
    const datadir = await Deno.makeTempDir({ prefix: "hcs_sync_cli_" });
    try {
      const conf = await writePoolConf(pool.sim, datadir);
      const first = await runHcpool("sync", "-C", conf);
      assert.equal(first.code, 0, first.stderr);
      assert.match(
        first.stderr,
        new RegExp(`database migrated to version ${LATEST_VERSION}: create table Users;`),
      );
      const empty = JSON.parse(first.stdout);
      assert.equal(empty.scripts, 0);
      assert.deepEqual(empty.repaired.map((r: { scriptsImported: number }) => r.scriptsImported), [0, 0, 0]);

      const store = { ...pool.db, datadir };
      const current = await runMigrated(store, Layer.empty, AppliedMigrations);
      assert.deepEqual([current.version, current.applied], [LATEST_VERSION, []]);

      // Users registered in the new store; wallet 2 lacks their tickets, wallet 3 everything.
      const registrations = await registerDriftedUsers({ ...pool, db: store }, 2, TICKETS);
      const [firstWallet, second, third] = pool.sim.nodes.map((n) => n.wallet);
      const tickets = new Set(firstWallet.getTickets(true));
      const out = await runHcpool("sync", "-C", conf);
      assert.equal(out.code, 0, out.stderr);
      const summary = JSON.parse(out.stdout);
      assert.deepEqual(summary.problems, []);
      assert.deepEqual(summary.repaired.map((r: { scriptsImported: number }) => r.scriptsImported), [
        0,
        0,
        2,
      ]);
      // Wallets 2 and 3 rescanned: each now holds every ticket among its transactions.
      assert.deepEqual(summary.repaired.map((r: { ticketsAdded: number }) => r.ticketsAdded), [
        0,
        tickets.size,
        tickets.size,
      ]);
      const scripts = new Set(registrations.map((r) => r.redeemScript));
      for (const w of [firstWallet, second, third]) {
        assert.deepEqual(new Set(w.listScripts().map((s) => s.redeemscript)), scripts, w.name);
        assert.deepEqual(new Set(w.getTickets(true)), tickets, w.name);
        assert.ok([...tickets].every((t) => w.storedTx(t) !== undefined), `${w.name} can vote each`);
      }
      assert.doesNotMatch(out.stderr, /database migrated/, "a current store is not migrated again");
    } finally {
      await Deno.remove(datadir, { recursive: true });
    }
  }));
