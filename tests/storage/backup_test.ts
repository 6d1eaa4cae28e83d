import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Either, Layer } from "effect";
import assert from "node:assert/strict";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { backupToFile, restoreFromFile } from "../../src/storage/backup.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { DATA_TABLES } from "../../src/storage/migrations.ts";
import { PasswordResets } from "../../src/storage/password_resets.ts";
import { Sessions } from "../../src/storage/sessions.ts";
import { Users } from "../../src/storage/users.ts";
import { runMigrated, runOn, testBothStores, withEmbeddedDatabase } from "./support.ts";

const repositories = Layer.mergeAll(PasswordResets.layer, LowFeeTickets.layer, Sessions.layer, AuditLog.layer)
  .pipe(Layer.provideMerge(Users.layer));

const dumpAll = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;
  const out: Record<string, unknown> = {};
  for (const t of DATA_TABLES) {
    const rows = yield* sql.unsafe<Record<string, unknown>>(`SELECT * FROM ${t.name} ORDER BY ${t.key}`);
    out[t.name] = rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]))
    );
  }
  return out;
});

const populate: Effect.Effect<void, unknown, Users | PasswordResets | LowFeeTickets | Sessions | AuditLog> =
  Effect.gen(function* () {
    const users = yield* Users;
    const a = yield* users.create({
      email: "a'\\😀@x.test",
      passwordHash: "$2a$10$88sE6RHmkz89b8nox1xAKeA.wz9Bknz7TEUUnstEtS2s.BlpvUfcO",
      emailToken: "t1",
      voteBits: 1,
      voteBitsVersion: 5,
    });
    yield* users.setMultisig(a.UserId, {
      MultiSigAddress: "HsM",
      MultiSigScript: "51",
      PoolPubKeyAddr: "HkP",
      UserPubKeyAddr: "HkU",
      UserFeeAddr: "HsF",
      HeightRegistered: 7,
    });
    yield* users.create({
      email: "b@x.test",
      passwordHash: "h",
      emailToken: "t2",
      voteBits: 5,
      voteBitsVersion: 5,
    });
    yield* (yield* PasswordResets).create(a.UserId, "reset");
    yield* (yield* LowFeeTickets).add(a.UserId, [{
      TicketHash: "ab".repeat(32),
      TicketAddress: "HsM",
      Expires: 9e9,
    }]);
    yield* (yield* Sessions).create({ userId: a.UserId, data: '{"k":"v\\n"}', ttlSeconds: 60 });
    yield* (yield* AuditLog).append({
      actorUserId: a.UserId,
      actorIp: "::1",
      action: "addlowfee",
      detail: "1",
    });
  });

testBothStores("backup then restore into a fresh database gives back every row", async (config) => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/pool.jsonl`;
  try {
    const original = await runMigrated(
      config,
      repositories,
      Effect.gen(function* () {
        yield* populate;
        const counts = yield* backupToFile(file);
        assert.deepEqual(counts, {
          Users: 2,
          EmailChange: 0,
          PasswordReset: 1,
          LowFeeTicket: 1,
          Sessions: 1,
          AuditLog: 1,
          SigningKey: 0,
        });
        return yield* dumpAll;
      }),
    );
    const header = JSON.parse((await Deno.readTextFile(file)).split("\n")[0]);
    assert.equal(header.format, "hcstakepool-backup");
    assert.deepEqual(Object.keys(header.tables), DATA_TABLES.map((t) => t.name));

    // Restore into a fresh embedded store and, for the MySQL case, into a fresh MySQL too.
    await withEmbeddedDatabase((fresh) =>
      runMigrated(fresh, Layer.empty, Effect.zipRight(restoreFromFile(file), dumpAll)).then((restored) =>
        assert.deepEqual(restored, original)
      )
    );
    const again = await runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        const refused = yield* Effect.either(restoreFromFile(file));
        assert.ok(Either.isLeft(refused) && refused.left._tag === "RestoreRefused");
        assert.match(refused.left.message, /Users \(2 rows\).*--force/);
        yield* restoreFromFile(file, { force: true });
        return yield* dumpAll;
      }),
    );
    assert.deepEqual(again, original);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

testBothStores(
  "backup while the pool is mid-write sees only committed rows and does not block it",
  async (config) => {
    const dir = await Deno.makeTempDir();
    try {
      await runMigrated(
        config,
        repositories,
        Effect.gen(function* () {
          yield* populate;
          const sql = yield* SqlClient.SqlClient;
          const users = yield* Users;
          // The "running pool" holds an open write transaction while a second client backs up.
          yield* sql.withTransaction(Effect.gen(function* () {
            yield* users.create({
              email: "c@x.test",
              passwordHash: "h",
              emailToken: "t3",
              voteBits: 1,
              voteBitsVersion: 5,
            });
            const counts = yield* Effect.promise(() =>
              runOn(config, Layer.empty, backupToFile(`${dir}/live.jsonl`))
            );
            assert.equal(counts.Users, 2);
          }));
          assert.equal(yield* users.count, 3);
        }),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

testBothStores("restore refuses files that are not backups or name unknown columns", async (config) => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad.jsonl`;
    await Deno.writeTextFile(
      bad,
      '{"format":"hcstakepool-backup","version":1,"created":0,"tables":{"Users":["UserId","Email; DROP TABLE Users"]}}\n',
    );
    await Deno.writeTextFile(`${dir}/not.jsonl`, "hello\n");
    await runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        const unknown = yield* Effect.either(restoreFromFile(bad));
        assert.ok(Either.isLeft(unknown) && unknown.left._tag === "BackupFileError");
        assert.match(unknown.left.message, /unknown columns Email; DROP TABLE Users in Users/);
        const notBackup = yield* Effect.either(restoreFromFile(`${dir}/not.jsonl`));
        assert.ok(Either.isLeft(notBackup) && /not an hcstakepool backup/.test(notBackup.left.message));
      }),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
