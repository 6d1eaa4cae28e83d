// databaseLayer: how every program opens the pool database (migrated first).
import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Layer, Redacted, TestClock, TestContext } from "effect";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { apiTokenIssuer } from "../../src/cli/database.ts";
import { AppliedMigrations, databaseLayer } from "../../src/storage/database.ts";
import { LATEST_VERSION, migrate } from "../../src/storage/migrations.ts";
import { Users } from "../../src/storage/users.ts";
import { mysqlTest, withMysqlDatabase, withMysqlUser } from "../support/mysql.ts";
import { loadOriginalSchema, runMigrated, runOn, withEmbeddedDatabase } from "./support.ts";

const schemaVersions = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql<{ Version: number }>`SELECT Version FROM SchemaVersion ORDER BY Version`,
);

// The embedded store's lock works across processes: tests/storage/cli_test.ts starts several hcpool migrate.
mysqlTest(
  "programs starting together on a new database migrate it once, one after the other [mysql]",
  () =>
    withMysqlDatabase(async (config) => {
      const reports = await Promise.all(
        Array.from({ length: 4 }, () => runMigrated(config, Layer.empty, AppliedMigrations)),
      );
      const working = reports.filter((r) => r.applied.length > 0);
      assert.equal(working.length, 1, "one program applied the migrations, the others found them done");
      assert.ok(working[0].applied.some((a) => a.startsWith(`${LATEST_VERSION} `)), `${working[0].applied}`);
      assert.ok(reports.every((r) => r.version === LATEST_VERSION));
      const versions = await runOn(config, Layer.empty, schemaVersions);
      assert.deepEqual(
        versions.map((v) => Number(v.Version)),
        Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
      );
    }),
);

mysqlTest(
  "a database user that may only read opens a current database (nothing is written) [mysql]",
  () =>
    withMysqlDatabase(async (owner) => {
      await runMigrated(owner, Layer.empty, Effect.void);
      await withMysqlUser(owner, "SELECT", async (readOnly) => {
        const count = await runMigrated(readOnly, Users.layer, Effect.flatMap(Users, (u) => u.count));
        assert.equal(count, 0);
        // An outdated schema needs DDL: the error keeps the server's reason.
        await runOn(
          owner,
          Layer.empty,
          Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM SchemaVersion`),
        );
        const refused = await runMigrated(readOnly, Layer.empty, Effect.void).then(
          () => assert.fail("migrated without the privilege"),
          (e: unknown) => String(e),
        );
        assert.match(refused, /command denied to user/);
      });
    }),
);

Deno.test("API tokens the migration issues are HS256 JWTs signed with apisecret at the Effect clock's time", () =>
  withEmbeddedDatabase((config) =>
    runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        yield* loadOriginalSchema("embedded");
        const issuedAt = 1_700_000_123;
        yield* TestClock.setTime(issuedAt * 1000);
        const report = yield* migrate(apiTokenIssuer(Redacted.make("s3cret"), "https://pool.example"));
        assert.equal(report.apiTokensIssued, 3);
        const sql = yield* SqlClient.SqlClient;
        const [{ APIToken }] = yield* sql<{ APIToken: string }>`SELECT APIToken FROM Users WHERE UserId = 1`;
        const [header, payload, signature] = APIToken.split(".");
        const json = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString());
        assert.deepEqual(json(header), { alg: "HS256", typ: "JWT" });
        const { jti, ...claims } = json(payload);
        assert.deepEqual(claims, { iat: issuedAt, iss: "https://pool.example", loggedInAs: 1 });
        assert.equal(typeof jti, "string");
        // Verified with WebCrypto, not with the code under test.
        const key = yield* Effect.promise(() =>
          crypto.subtle.importKey(
            "raw",
            new TextEncoder().encode("s3cret"),
            { name: "HMAC", hash: "SHA-256" },
            false,
            ["verify"],
          )
        );
        const valid = yield* Effect.promise(() =>
          crypto.subtle.verify(
            "HMAC",
            key,
            Buffer.from(signature, "base64url"),
            new TextEncoder().encode(`${header}.${payload}`),
          )
        );
        assert.ok(valid);
      }).pipe(Effect.provide(TestContext.TestContext)),
    )
  ));

mysqlTest(
  "a refused connection fails with the server's reason and without the password [mysql]",
  () =>
    withMysqlDatabase(async (config) => {
      const wrong = { ...config, dbpassword: Redacted.make("wrong-secret-1234") };
      const error = await Effect.runPromise(Effect.flip(Effect.provide(Effect.void, databaseLayer(wrong))));
      assert.match(error.message, /Access denied for user/);
      assert.ok(!error.message.includes("wrong-secret-1234"));
      // The server's own error stays the cause: its code decides what a caller does.
      const cause = (error as { cause?: { errno?: number; code?: string } }).cause;
      assert.deepEqual([cause?.errno, cause?.code], [1045, "ER_ACCESS_DENIED_ERROR"]);
    }),
);
