import * as SqlClient from "@effect/sql/SqlClient";
import assert from "node:assert/strict";
import { Effect, Layer, Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { runHcpool } from "../support/hcpool.ts";
import { loadOriginalSchema, runOn, testBothStores } from "./support.ts";

const hcpool = (args: ReadonlyArray<string>) => runHcpool(...args);

/** The database options as an hcstakepool.conf, the way an operator writes them. */
const confFor = (config: DatabaseConfig) =>
  [
    "[Application Options]",
    ...(config.dbhost === undefined ? [] : [`dbhost=${config.dbhost}`, `dbport=${config.dbport}`]),
    `dbname=${config.dbname}`,
    `dbuser=${config.dbuser}`,
    ...(config.dbpassword === undefined ? [] : [`dbpassword=${Redacted.value(config.dbpassword)}`]),
    `datadir=${config.datadir}`,
  ].join("\n");

testBothStores("hcpool migrate, backup and restore from the command line", async (config, store) => {
  const dir = await Deno.makeTempDir();
  try {
    const conf = `${dir}/hcstakepool.conf`;
    await Deno.writeTextFile(conf, confFor(config));
    const first = await hcpool(["migrate", "-C", conf]);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.equal(report.store, store);
    assert.ok(report.applied.includes("1 unique index on Users.Email"));
    const second = await hcpool(["migrate", "-C", conf]);
    assert.deepEqual(JSON.parse(second.stdout), { store, applied: [], version: report.version });

    const backup = await hcpool(["backup", `${dir}/b.jsonl`, "-C", conf]);
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(JSON.parse(backup.stdout).rows.Users, 0);
    const restore = await hcpool(["restore", `${dir}/b.jsonl`, "-C", conf]);
    assert.equal(restore.code, 0, restore.stderr);

    const bad = await hcpool(["migrate", "-C", conf, "--dbport", "abc"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr.trim(), 'hcpool migrate: dbport: expected a port number 1-65535, got "abc"');
    if (config.dbpassword !== undefined) {
      const denied = await hcpool(["migrate", "-C", conf, "--dbpassword", "wrong-secret"]);
      assert.equal(denied.code, 1);
      assert.match(denied.stderr, /^hcpool migrate: .*Access denied/);
      assert.ok(!denied.stderr.includes("wrong-secret"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

testBothStores("hcpool backup on a new database migrates it first", async (config) => {
  const dir = await Deno.makeTempDir();
  try {
    const conf = `${dir}/hcstakepool.conf`;
    await Deno.writeTextFile(conf, confFor(config));
    const backup = await hcpool(["backup", `${dir}/b.jsonl`, "-C", conf]);
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(JSON.parse(backup.stdout).rows.LowFeeTicket, 0);
    assert.match(backup.stderr, /database migrated to version \d+: create table Users;/);
    const migrate = await hcpool(["migrate", "-C", conf]);
    assert.deepEqual(JSON.parse(migrate.stdout).applied, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

testBothStores(
  "several hcpool migrate at once on a new database: one applies, all succeed",
  async (config) => {
    const dir = await Deno.makeTempDir();
    try {
      const conf = `${dir}/hcstakepool.conf`;
      await Deno.writeTextFile(conf, confFor(config));
      const runs = await Promise.all(Array.from({ length: 3 }, () => hcpool(["migrate", "-C", conf])));
      for (const run of runs) assert.equal(run.code, 0, run.stderr);
      const applied = runs.map((r) => JSON.parse(r.stdout).applied.length);
      assert.equal(applied.filter((n) => n > 0).length, 1, `applied per process: ${applied}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

testBothStores(
  "hcpool migrate names the low-fee tickets whose duplicate rows it merged",
  async (config, store) => {
    const dir = await Deno.makeTempDir();
    try {
      const ticket = "aa00000000000000000000000000000000000000000000000000000000000001";
      await runOn(
        config,
        Layer.empty,
        Effect.gen(function* () {
          yield* loadOriginalSchema(store);
          const sql = yield* SqlClient.SqlClient;
          yield* sql`INSERT INTO LowFeeTicket (AddedByUid, TicketHash, Voted) VALUES (1, ${ticket}, 1)`;
        }),
      );
      const conf = `${dir}/hcstakepool.conf`;
      await Deno.writeTextFile(conf, confFor(config));
      const out = await hcpool(["migrate", "-C", conf]);
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout).mergedLowFeeTickets, [
        { ticketHash: ticket, keptId: 6, removedIds: [7], voted: true },
      ]);
      assert.match(
        out.stderr,
        new RegExp(
          `level=WARN .*merged duplicate LowFeeTicket rows of 1 ticket\\(s\\): ${ticket} \\(kept id 6, voted`,
        ),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
