// The disk filling up while `hcpool backup` writes: the tool runs under a file-size limit
// (RLIMIT_FSIZE, `ulimit -f`, in its own shell) well below the dump's size, against MariaDB (an
// embedded store's own files would meet the limit first) — once with the signal
// the kernel sends at the limit ignored, so writes fail as on a full disk (EFBIG, like ENOSPC),
// once with it killing the process mid-write. Either way the last good backup is untouched, the
// failure says so, no half-written file is left where a backup is looked for, and restoring the
// good backup brings back every row of its time, each once.
import assert from "node:assert/strict";
import { Effect, Layer, Option, Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { Users } from "../../src/storage/users.ts";
import { runMigrated } from "../storage/support.ts";
import { runHcpool } from "../support/hcpool.ts";
import { mysqlIgnored, withMysqlDatabase } from "../support/mysql.ts";

const TOOL = new URL("../../main.ts", import.meta.url).pathname;
/** 1 KiB blocks the tool may write: a tenth of the dump. */
const LIMIT_BLOCKS = 16;

/** The tool's flags for a database. */
const dbFlags = (d: DatabaseConfig) => [
  "--dbhost",
  d.dbhost!,
  "--dbport",
  String(d.dbport),
  "--dbname",
  d.dbname,
  "--dbuser",
  d.dbuser,
  "--dbpassword",
  d.dbpassword === undefined ? "" : Redacted.value(d.dbpassword),
];

const addUsers = (database: DatabaseConfig, from: number, n: number) =>
  runMigrated(
    database,
    Users.layer,
    Effect.flatMap(Users, (users) =>
      Effect.forEach(
        Array.from({ length: n }, (_, i) => from + i),
        (i) =>
          users.create({
            email: `backup${i}@example.test`,
            passwordHash: `$2b$12$${"x".repeat(53)}`,
            emailToken: `token-${i}-${"t".repeat(40)}`,
            voteBits: 1,
            voteBitsVersion: 7,
          }),
        { discard: true },
      )),
  );

const emails = (database: DatabaseConfig) =>
  runMigrated(
    database,
    Layer.empty,
    Effect.flatMap(Users.pipe(Effect.provide(Users.layer)), (users) =>
      Effect.forEach(
        Array.from({ length: 400 }, (_, i) => i),
        (i) => Effect.map(users.byEmail(`backup${i}@example.test`), Option.isSome),
      )),
  );

/** `hcpool backup <file>` in a shell whose processes may write at most LIMIT_BLOCKS KiB per file. */
const limitedBackup = async (file: string, database: DatabaseConfig, signal: "ignored" | "default") => {
  const trap = signal === "ignored" ? "trap '' XFSZ; " : "";
  const out = await new Deno.Command("bash", {
    args: [
      "-c",
      `${trap}ulimit -f ${LIMIT_BLOCKS}; exec "$0" run -q -A "$1" backup "$2" "\${@:3}"`,
      Deno.execPath(),
      TOOL,
      file,
      ...dbFlags(database),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, signal: out.signal, stderr: new TextDecoder().decode(out.stderr) };
};

Deno.test({
  name: "the disk full while writing a backup: the last good backup stays whole and restores every row once",
  ignore: mysqlIgnored(),
  fn: () =>
    withMysqlDatabase(async (database) => {
      const dir = await Deno.makeTempDir({ prefix: "hcs_backup_full_" });
      try {
        const file = `${dir}/pool.backup`;
        await addUsers(database, 0, 200);
        const good = await runHcpool("backup", file, ...dbFlags(database));
        assert.equal(good.code, 0, good.stderr);
        const goodBytes = await Deno.readFile(file);
        assert.ok(
          goodBytes.length > 2 * LIMIT_BLOCKS * 1024,
          `the dump (${goodBytes.length} B) passes the limit`,
        );

        await addUsers(database, 200, 200);
        const full = await limitedBackup(file, database, "ignored");
        assert.equal(full.code, 1, full.stderr);
        assert.match(full.stderr, /cannot write .*pool\.backup.*(File too large|No space)/i);
        const files = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
        assert.deepEqual(files(), ["pool.backup"], "the half-written dump is removed");
        assert.deepEqual(await Deno.readFile(file), goodBytes, "the good backup was not touched");
        // Killed mid-write nothing can clean up: the half is left beside it, never in its place.
        const killed = await limitedBackup(file, database, "default");
        assert.equal(killed.signal, "SIGXFSZ", `killed at the limit (${killed.code}): ${killed.stderr}`);
        assert.deepEqual(await Deno.readFile(file), goodBytes, "the good backup was not touched");
        assert.ok(files().every((n) => n === "pool.backup" || n === "pool.backup.partial"), files().join());

        // The good backup restores the first 200 users, each once, and nothing of the later ones.
        await withMysqlDatabase(async (fresh) => {
          const restored = await runHcpool("restore", file, ...dbFlags(fresh));
          assert.equal(restored.code, 0, restored.stderr);
          assert.equal(JSON.parse(restored.stdout).rows.Users, 200);
          const present = await emails(fresh);
          assert.deepEqual(present, Array.from({ length: 400 }, (_, i) => i < 200));
        });
        // With room again, the next backup has all 400.
        const after = await runHcpool("backup", file, ...dbFlags(database));
        assert.equal(after.code, 0, after.stderr);
        assert.equal(JSON.parse(after.stdout).rows.Users, 400);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }),
});
