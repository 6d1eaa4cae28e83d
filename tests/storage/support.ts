// Test databases: a fresh MySQL database (tests/support/mysql.ts: the server from
// HCPOOL_TEST_MYSQL) or a fresh embedded store in a temporary directory, removed afterwards.
// Other test files and the benchmarks reuse these.
import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Layer } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { type AppliedMigrations, databaseLayer } from "../../src/storage/database.ts";
import { type SqlDialect, sqlLayer, type Store } from "../../src/storage/sql.ts";
import { mysqlIgnored, withMysqlDatabase } from "../support/mysql.ts";

/** A fresh embedded store in a temporary data dir, removed after `f`. */
export const withEmbeddedDatabase = async <A>(f: (config: DatabaseConfig) => Promise<A>): Promise<A> => {
  const datadir = await Deno.makeTempDir({ prefix: "hcs_test_" });
  try {
    return await f({ dbport: 3306, dbname: "stakepool", dbuser: "stakepool", datadir });
  } finally {
    await Deno.remove(datadir, { recursive: true });
  }
};

export const STORES: ReadonlyArray<{
  readonly store: Store;
  readonly with: <A>(f: (config: DatabaseConfig) => Promise<A>) => Promise<A>;
}> = [
  { store: "mysql", with: withMysqlDatabase },
  { store: "embedded", with: withEmbeddedDatabase },
];

/** Registers one Deno test per store, named "<name> [<store>]". */
export const testBothStores = (name: string, f: (config: DatabaseConfig, store: Store) => Promise<void>) => {
  for (const { store, with: withDatabase } of STORES) {
    Deno.test({
      name: `${name} [${store}]`,
      ignore: store === "mysql" && mysqlIgnored(),
      fn: () => withDatabase((config) => f(config, store)),
    });
  }
};

/** Runs an effect against the store as it is (not migrated), with `layer` built on its Sql layer. */
export const runOn = <A, E, ROut>(
  config: DatabaseConfig,
  layer: Layer.Layer<ROut, never, SqlClient.SqlClient | SqlDialect>,
  effect: Effect.Effect<A, E, ROut | SqlClient.SqlClient | SqlDialect>,
): Promise<A> =>
  effect.pipe(
    Effect.provide(Layer.provideMerge(layer, sqlLayer(config))),
    Effect.runPromise,
  );

/** Runs an effect against the store opened as the programs open it (databaseLayer: migrated first). */
export const runMigrated = <A, E, ROut>(
  config: DatabaseConfig,
  layer: Layer.Layer<ROut, never, SqlClient.SqlClient | SqlDialect>,
  effect: Effect.Effect<A, E, ROut | SqlClient.SqlClient | SqlDialect | AppliedMigrations>,
): Promise<A> =>
  effect.pipe(
    Effect.provide(Layer.provideMerge(layer, databaseLayer(config))),
    Effect.runPromise,
  );

const ORIGINAL_SCHEMA = new URL("./fixtures/original_schema.sql", import.meta.url);

/**
 * Creates the original program's tables with a few rows (fixtures/original_schema.sql); for the
 * embedded store, gorp's MySQL DDL in SQLite's words (with the case-insensitive Email our embedded
 * store always creates, as MySQL's collation gives).
 */
export const loadOriginalSchema = (store: Store) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const text = yield* Effect.promise(() => Deno.readTextFile(ORIGINAL_SCHEMA));
    const statements = text.split("\n").filter((l) => !l.startsWith("--")).join("\n").split(/;\s*$/m)
      .map((s) => s.trim()).filter((s) => s !== "");
    for (const statement of statements) {
      yield* sql.unsafe(
        store === "mysql" ? statement : statement
          .replaceAll("bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT")
          .replaceAll(" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "")
          .replace(", Email varchar(255),", ", Email varchar(255) COLLATE NOCASE,"),
      );
    }
  });
