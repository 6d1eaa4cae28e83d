// A minimal @effect/sql SqlClient over Deno's built-in node:sqlite (native-addon drivers do not
// load under Deno). One connection; a semaphore serializes statements and holds the connection
// for a whole transaction so other fibers never run inside it. Nested transactions use the
// savepoints provided by SqlClient.make.
import * as Reactivity from "@effect/experimental/Reactivity";
import * as Client from "@effect/sql/SqlClient";
import type { Connection } from "@effect/sql/SqlConnection";
import { SqlError } from "@effect/sql/SqlError";
import * as Statement from "@effect/sql/Statement";
import { Context, Effect, Layer, Scope, Stream } from "effect";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";

export interface SqliteClientConfig {
  /** Database file path, or ":memory:". */
  readonly filename: string;
}

/** What `executeRaw` returns for statements that produce no rows (same shape as mysql2's header). */
export interface WriteResult {
  readonly affectedRows: number;
  readonly insertId: number;
}

const toParam = (value: unknown): SQLInputValue => {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (
    typeof value === "number" || typeof value === "bigint" || typeof value === "string" ||
    value instanceof Uint8Array
  ) return value;
  throw new TypeError(`unsupported SQL parameter of type ${typeof value}`);
};

const fail = (message: string) => (cause: unknown) => new SqlError({ cause, message });

export const make = (config: SqliteClientConfig): Effect.Effect<Client.SqlClient, SqlError, Scope.Scope> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const db = new DatabaseSync(config.filename);
          // WAL lets a backup (or stakepoold) read while the pool writes; busy_timeout waits for
          // another process's write lock instead of failing at once, and comes first: switching a
          // new file to WAL takes that lock too (programs starting together).
          db.exec("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
          return db;
        },
        catch: fail(`cannot open SQLite database ${config.filename}`),
      }),
      (db) => Effect.sync(() => db.close()),
    );

    const run = (sql: string, params: ReadonlyArray<unknown>, rowsAsArrays: boolean) =>
      Effect.try({
        try: (): ReadonlyArray<any> | WriteResult => {
          const stmt = db.prepare(sql);
          const values = params.map(toParam);
          if (stmt.columns().length === 0) {
            const { changes, lastInsertRowid } = stmt.run(...values);
            return { affectedRows: Number(changes), insertId: Number(lastInsertRowid) };
          }
          const rows = stmt.all(...values);
          // node:sqlite rows have a null prototype; callers expect plain objects.
          return rows.map((row) => (rowsAsArrays ? Object.values(row) : { ...row }));
        },
        catch: fail("Failed to execute statement"),
      });

    const rows = (sql: string, params: ReadonlyArray<unknown>, rowsAsArrays = false) =>
      Effect.map(run(sql, params, rowsAsArrays), (r) => (Array.isArray(r) ? r : []));

    const execute: Connection["execute"] = (sql, params, transformRows) =>
      transformRows ? Effect.map(rows(sql, params), transformRows) : rows(sql, params);

    const connection: Connection = {
      execute,
      executeRaw: (sql, params) => run(sql, params, false),
      executeValues: (sql, params) => rows(sql, params, true),
      executeUnprepared: execute,
      executeStream: (sql, params, transformRows) =>
        Stream.flatMap(execute(sql, params, transformRows), Stream.fromIterable),
    };

    const lock = yield* Effect.makeSemaphore(1);
    // Scoped: the permit is held until the statement (or the whole transaction) is done.
    const acquirer = Effect.uninterruptibleMask((restore) =>
      Effect.as(
        Effect.zipRight(
          restore(lock.take(1)),
          Effect.tap(Effect.scope, (scope) => Scope.addFinalizer(scope, lock.release(1))),
        ),
        connection,
      )
    );

    return yield* Client.make({
      acquirer,
      compiler: Statement.makeCompilerSqlite(),
      spanAttributes: [["db.system.name", "sqlite"]],
      // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on a
      // read-to-write lock upgrade when another process writes.
      beginTransaction: "BEGIN IMMEDIATE",
    }).pipe(Effect.provide(Reactivity.layer));
  });

export class SqliteClient extends Context.Tag("hcstakepool/SqliteClient")<SqliteClient, Client.SqlClient>() {}

export const layer = (config: SqliteClientConfig): Layer.Layer<Client.SqlClient | SqliteClient, SqlError> =>
  Layer.scopedContext(
    Effect.map(
      make(config),
      (client) => Context.make(SqliteClient, client).pipe(Context.add(Client.SqlClient, client)),
    ),
  );
