import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Either } from "effect";
import assert from "node:assert/strict";
import * as SqliteClient from "../../src/storage/sqlite_client.ts";

const run = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.runPromise(Effect.provide(effect, SqliteClient.layer({ filename: ":memory:" })));

Deno.test("embedded client: nested transactions roll back to their savepoint; values and raw results", async () => {
  await run(Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    yield* sql`CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT, b BLOB)`;
    const inner = yield* sql.withTransaction(Effect.gen(function* () {
      yield* sql`INSERT INTO t (v) VALUES (${"outer"})`;
      const failed = yield* Effect.either(sql.withTransaction(
        Effect.zipRight(sql`INSERT INTO t (v) VALUES (${"inner"})`, Effect.fail("boom" as const)),
      ));
      return failed;
    }));
    assert.ok(Either.isLeft(inner));
    assert.deepEqual(yield* sql`SELECT v FROM t`, [{ v: "outer" }]);
    const raw = yield* sql`INSERT INTO t (v, b) VALUES (${"x"}, ${new Uint8Array([0, 255])})`.raw;
    assert.deepEqual(raw, { affectedRows: 1, insertId: 2 });
    assert.deepEqual(yield* sql`SELECT id, v, b FROM t WHERE id = 2`.values, [[
      2,
      "x",
      new Uint8Array([0, 255]),
    ]]);
    const rolledBack = yield* Effect.either(
      sql.withTransaction(Effect.zipRight(sql`DELETE FROM t`, Effect.fail("stop" as const))),
    );
    assert.ok(Either.isLeft(rolledBack));
    assert.equal((yield* sql`SELECT id FROM t`).length, 2);
    const error = yield* Effect.flip(sql`SELECT * FROM missing`);
    assert.equal(error._tag, "SqlError");
  }));
});
