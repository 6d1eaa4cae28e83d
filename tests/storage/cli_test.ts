import assert from "node:assert/strict";
import { Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { runHcpool } from "../support/hcpool.ts";
import { testBothStores } from "./support.ts";

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
