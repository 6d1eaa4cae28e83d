// Test databases: a fresh MariaDB database and a dedicated user (dropped afterwards), or a fresh
// embedded store in a temporary directory (removed afterwards). Other test files reuse these.
import type * as SqlClient from "@effect/sql/SqlClient";
import { MysqlClient } from "@effect/sql-mysql2";
import { Effect, Layer, Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { migrate } from "../../src/storage/migrations.ts";
import { type SqlDialect, sqlLayer, type Store } from "../../src/storage/sql.ts";

export const MYSQL_HOST = "127.0.0.1";
export const MYSQL_PORT = 3306;

const randomName = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

/** Runs statements as MariaDB root (names come from randomName, never from input). */
const asRoot = (statements: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* MysqlClient.MysqlClient;
    for (const s of statements) yield* sql.unsafe(s);
  }).pipe(
    Effect.provide(
      MysqlClient.layer({ host: MYSQL_HOST, port: MYSQL_PORT, username: "root", maxConnections: 1 }),
    ),
    Effect.runPromise,
  );

/** A fresh MariaDB database and a user allowed only on it; both dropped after `f`. */
export const withMysqlDatabase = async <A>(f: (config: DatabaseConfig) => Promise<A>): Promise<A> => {
  const id = randomName();
  const dbname = `hcs_test_${id}`;
  const dbuser = `hcs_${id}`;
  const password = randomName();
  await asRoot([
    `CREATE DATABASE ${dbname} CHARACTER SET utf8mb4`,
    `CREATE USER '${dbuser}'@'%' IDENTIFIED BY '${password}'`,
    `CREATE USER '${dbuser}'@'localhost' IDENTIFIED BY '${password}'`,
    `GRANT ALL PRIVILEGES ON ${dbname}.* TO '${dbuser}'@'%'`,
    `GRANT ALL PRIVILEGES ON ${dbname}.* TO '${dbuser}'@'localhost'`,
  ]);
  try {
    return await f({
      dbhost: MYSQL_HOST,
      dbport: MYSQL_PORT,
      dbname,
      dbuser,
      dbpassword: Redacted.make(password),
      datadir: "/nonexistent",
    });
  } finally {
    await asRoot([
      `DROP DATABASE IF EXISTS ${dbname}`,
      `DROP USER IF EXISTS '${dbuser}'@'%'`,
      `DROP USER IF EXISTS '${dbuser}'@'localhost'`,
    ]);
  }
};

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
    Deno.test(`${name} [${store}]`, () => withDatabase((config) => f(config, store)));
  }
};

/** Runs an effect against the store, with the given layers built on its Sql layer. */
export const runOn = <A, E, ROut>(
  config: DatabaseConfig,
  layer: Layer.Layer<ROut, never, SqlClient.SqlClient | SqlDialect>,
  effect: Effect.Effect<A, E, ROut | SqlClient.SqlClient | SqlDialect>,
): Promise<A> =>
  effect.pipe(
    Effect.provide(Layer.provideMerge(layer, sqlLayer(config))),
    Effect.runPromise,
  );

/** Runs an effect against a freshly migrated store. */
export const runMigrated = <A, E, ROut>(
  config: DatabaseConfig,
  layer: Layer.Layer<ROut, never, SqlClient.SqlClient | SqlDialect>,
  effect: Effect.Effect<A, E, ROut | SqlClient.SqlClient | SqlDialect>,
): Promise<A> => runOn(config, layer, Effect.zipRight(migrate(), effect));
