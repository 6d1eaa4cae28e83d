import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Either, Layer, Option } from "effect";
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { LATEST_VERSION, migrate } from "../../src/storage/migrations.ts";
import { SqlDialect } from "../../src/storage/sql.ts";
import { Users } from "../../src/storage/users.ts";
import { loadOriginalSchema, runOn, testBothStores } from "./support.ts";

const ORIGINAL_COLUMNS =
  "UserId, Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr, UserPubKeyAddr, UserFeeAddr";

const snapshot = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;
  const rows = (q: string) =>
    Effect.map(
      sql.unsafe<Record<string, unknown>>(q),
      (rs) =>
        rs.map((r) =>
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v]))
        ),
    );
  return {
    users: yield* rows(`SELECT ${ORIGINAL_COLUMNS} FROM Users ORDER BY UserId`),
    emailChange: yield* rows("SELECT * FROM EmailChange ORDER BY EmailChangeID"),
    passwordReset: yield* rows("SELECT * FROM PasswordReset ORDER BY PasswordResetID"),
    lowFeeTicket: yield* rows("SELECT * FROM LowFeeTicket ORDER BY LowFeeTicketID"),
  };
});

testBothStores(
  "an original database migrates without losing or changing a row; again is a no-op",
  async (config, store) => {
    await runOn(
      config,
      Users.layer,
      Effect.gen(function* () {
        yield* loadOriginalSchema(store);
        const before = yield* snapshot;
        const report = yield* migrate({ issueApiToken: (id) => Effect.succeed(`jwt-for-${id}`) });
        assert.equal(report.store, store);
        assert.equal(report.version, LATEST_VERSION);
        assert.deepEqual(report.applied.slice(0, 7), [
          "add column Users.HeightRegistered",
          "add column Users.EmailVerified",
          "add column Users.EmailToken",
          "add column Users.APIToken",
          "add column Users.VoteBits",
          "add column Users.VoteBitsVersion",
          "issue API tokens for 3 verified user(s)",
        ]);
        assert.equal(report.apiTokensIssued, 3);
        assert.deepEqual(yield* snapshot, before);

        const users = yield* Users;
        const get = (id: number) => Effect.map(users.byId(id), Option.getOrThrow);
        const admin = yield* get(1);
        assert.deepEqual(
          [
            admin.HeightRegistered,
            admin.EmailVerified,
            admin.EmailToken,
            admin.APIToken,
            admin.VoteBits,
            admin.VoteBitsVersion,
          ],
          [15346, 2, "", "jwt-for-1", 1, 3],
        );
        assert.equal((yield* get(2)).HeightRegistered, 0);
        assert.equal((yield* get(5)).HeightRegistered, 15346);
        const hash = new TextDecoder().decode(admin.Password);
        assert.equal(hash, "$2a$10$88sE6RHmkz89b8nox1xAKeA.wz9Bknz7TEUUnstEtS2s.BlpvUfcO");
        assert.ok(yield* Effect.promise(() => bcrypt.compare("hunter2 pässword", hash)));
        assert.equal(Option.getOrThrow(yield* users.byEmail("o'brien+päd@example.net")).UserId, 5);

        const after = yield* snapshot;
        const second = yield* migrate({ issueApiToken: () => Effect.succeed("never") });
        assert.deepEqual(second, {
          store,
          applied: [],
          version: LATEST_VERSION,
          apiTokensIssued: 0,
          apiTokensPending: 0,
          mergedLowFeeTickets: [],
        });
        assert.deepEqual(yield* snapshot, after);
        assert.equal(admin.APIToken, (yield* get(1)).APIToken);

        // New sign-ups continue after the highest existing id.
        const next = yield* users.create({
          email: "new@pool.example",
          passwordHash: hash,
          emailToken: "t",
          voteBits: 1,
          voteBitsVersion: 5,
        });
        assert.equal(next.UserId, 6);
      }),
    );
  },
);

testBothStores(
  "without an API secret the original's token backfill is left pending and reported",
  async (config, store) => {
    await runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        yield* loadOriginalSchema(store);
        const report = yield* migrate();
        assert.equal(report.apiTokensPending, 3);
        assert.equal(report.apiTokensIssued, 0);
        const sql = yield* SqlClient.SqlClient;
        const tokens = yield* sql<{ APIToken: string }>`SELECT APIToken FROM Users ORDER BY UserId`;
        assert.deepEqual(tokens.map((r) => r.APIToken), ["", "", ""]);
        const later = yield* migrate({ issueApiToken: (id) => Effect.succeed(`jwt-${id}`) });
        assert.deepEqual([later.applied, later.apiTokensIssued], [
          ["issue API tokens for 3 verified user(s)"],
          3,
        ]);
      }),
    );
  },
);

testBothStores(
  "duplicate emails block the unique index with a message naming them; nothing half-applied",
  async (config, store) => {
    await runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient;
        const dialect = yield* SqlDialect;
        yield* loadOriginalSchema(store);
        yield* sql`INSERT INTO Users (UserId, Email, Username, Password, MultiSigAddress) VALUES
                   (7, 'ADMIN@pool.example', 'ADMIN@pool.example', ${new Uint8Array()}, '')`;
        const blocked = yield* Effect.either(migrate());
        assert.ok(Either.isLeft(blocked) && blocked.left._tag === "MigrationBlocked");
        assert.match(blocked.left.message, /admin@pool\.example" \(UserId 1, 7\)/i);
        assert.match(blocked.left.message, /run migrate again/);
        assert.equal(yield* dialect.indexExists("Users", "Users_Email"), false);
        const versions = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM SchemaVersion`;
        assert.equal(Number(versions[0].n), 0);

        yield* sql`UPDATE Users SET Email = 'admin2@pool.example' WHERE UserId = 7`;
        const report = yield* migrate();
        assert.equal(report.version, LATEST_VERSION);
        assert.equal(yield* dialect.indexExists("Users", "Users_Email"), true);
      }),
    );
  },
);

testBothStores(
  "a fresh database gets the original tables and every migration once",
  async (config, store) => {
    await runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        const first = yield* migrate();
        assert.deepEqual(first.applied, [
          "create table Users",
          "create table EmailChange",
          "create table PasswordReset",
          "create table LowFeeTicket",
          "1 unique index on Users.Email",
          "2 lookup indexes",
          "3 sessions",
          "4 audit log",
          "5 unique index on LowFeeTicket.TicketHash",
          "6 signing keys",
        ]);
        assert.equal(first.store, store);
        const again = yield* migrate();
        assert.deepEqual(again.applied, []);
      }),
    );
  },
);
