// The Sql layer chosen by config: MySQL (@effect/sql-mysql2) when dbhost is set, else the
// embedded SQLite file. Repositories write one portable SQL text for both; the few places where
// the engines differ (DDL details, catalog queries, error codes) are answered here only.
import * as SqlClient from "@effect/sql/SqlClient";
import { SqlError } from "@effect/sql/SqlError";
import { MysqlClient } from "@effect/sql-mysql2";
import { Clock, Context, Effect, Layer, type ParseResult, type Scope } from "effect";
import { type DatabaseConfig, embeddedDatabaseFile } from "../config/database.ts";
import * as SqliteClient from "./sqlite_client.ts";

export type Store = "mysql" | "embedded";

export interface SqlDialect {
  readonly store: Store;
  /** Column type of an auto-increment primary key (SQLite's AUTOINCREMENT never reuses ids). */
  readonly autoIncrementKey: string;
  /** Appended to CREATE TABLE. */
  readonly tableOptions: string;
  /**
   * Collation for Email on tables we create: MySQL's utf8mb4 default is already case-insensitive
   * (the original relied on it for sign-in lookups); SQLite needs NOCASE to behave alike.
   */
  readonly emailCollation: string;
  /** Position clause for ALTER TABLE … ADD COLUMN (SQLite can only append). */
  readonly after: (column: string) => string;
  /** Starts a snapshot read that takes no write lock (WAL readers never block the pool's writes). */
  readonly beginReadTransaction: string;
  readonly tableExists: (table: string) => Effect.Effect<boolean, SqlError>;
  readonly columnExists: (table: string, column: string) => Effect.Effect<boolean, SqlError>;
  readonly indexExists: (table: string, index: string) => Effect.Effect<boolean, SqlError>;
  readonly dropIndex: (table: string, index: string) => string;
  /**
   * Held while migrating, so programs starting together (the web app and its stakepoolds on one
   * database) migrate one after the other; released with the scope.
   */
  readonly migrationLock: Effect.Effect<void, SqlError, Scope.Scope>;
}

export const SqlDialect = Context.GenericTag<SqlDialect>("hcstakepool/SqlDialect");

/** Rows changed and the generated key of an INSERT/UPDATE/DELETE run with `.raw`. */
export interface WriteResult {
  readonly affectedRows: number;
  readonly insertId: number;
}

/** mysql2's ResultSetHeader and our SQLite client both report { affectedRows, insertId }. */
export const writeResult = (raw: unknown): WriteResult => {
  const r = raw as Partial<WriteResult>;
  return { affectedRows: Number(r.affectedRows ?? 0), insertId: Number(r.insertId ?? 0) };
};

/** A unique index refused the row (MySQL ER_DUP_ENTRY; SQLite UNIQUE / PRIMARY KEY constraint). */
export const isDuplicateKey = (error: SqlError): boolean => {
  const cause = error.cause as { errno?: number; errcode?: number } | undefined;
  return cause?.errno === 1062 || cause?.errcode === 2067 || cause?.errcode === 1555;
};

const exists = (rows: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
  Effect.map(rows, (r) => r.length > 0);

/** GET_LOCK names are at most 64 characters: one lock per database, named by its hash. */
const MYSQL_MIGRATION_LOCK = "CONCAT('hcstakepool_migrate_', MD5(DATABASE()))";
/** MariaDB has no "wait forever" (a negative timeout is an error). */
const MYSQL_MIGRATION_LOCK_WAIT_SECONDS = 600;

const mysqlDialect = (sql: SqlClient.SqlClient): SqlDialect => ({
  store: "mysql",
  autoIncrementKey: "bigint(20) NOT NULL AUTO_INCREMENT PRIMARY KEY",
  tableOptions: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  emailCollation: "",
  beginReadTransaction: "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
  after: (column) => ` AFTER ${column}`,
  tableExists: (table) =>
    exists(
      sql`SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ${table}`,
    ),
  columnExists: (table, column) =>
    exists(
      sql`SELECT 1 FROM information_schema.columns
          WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column}`,
    ),
  indexExists: (table, index) =>
    exists(
      sql`SELECT 1 FROM information_schema.statistics
          WHERE table_schema = DATABASE() AND table_name = ${table} AND index_name = ${index}`,
    ),
  dropIndex: (table, index) => `DROP INDEX ${index} ON ${table}`,
  // A named lock belongs to a session: taken and released on one reserved connection; a program
  // that dies loses it with its connection.
  migrationLock: Effect.gen(function* () {
    const connection = yield* sql.reserve;
    const lock = (statement: string) =>
      Effect.map(
        connection.executeUnprepared(`SELECT ${statement} AS result`, [], undefined),
        (rows) => Number((rows[0] as { result: unknown } | undefined)?.result),
      );
    yield* Effect.acquireRelease(
      Effect.filterOrFail(
        lock(`GET_LOCK(${MYSQL_MIGRATION_LOCK}, ${MYSQL_MIGRATION_LOCK_WAIT_SECONDS})`),
        (result) => result === 1,
        () =>
          new SqlError({
            cause: undefined,
            message:
              `another program has been migrating this database for ${MYSQL_MIGRATION_LOCK_WAIT_SECONDS} s`,
          }),
      ),
      () =>
        lock(`RELEASE_LOCK(${MYSQL_MIGRATION_LOCK})`).pipe(
          Effect.catchAll((e) => Effect.logWarning("could not release the migration lock", e)),
        ),
    );
  }),
});

/** An exclusive flock on a file beside the database (released by the kernel if the program dies). */
const fileLock = (path: string): Effect.Effect<void, SqlError, Scope.Scope> =>
  Effect.asVoid(Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const file = await Deno.open(path, { create: true, write: true });
        try {
          await file.lock(true);
        } catch (e) {
          file.close();
          throw e;
        }
        return file;
      },
      catch: (cause) => new SqlError({ cause, message: `cannot lock ${path}` }),
    }),
    (file) => Effect.sync(() => file.close()),
  ));

const sqliteDialect = (filename: string) => (sql: SqlClient.SqlClient): SqlDialect => ({
  store: "embedded",
  autoIncrementKey: "INTEGER PRIMARY KEY AUTOINCREMENT",
  tableOptions: "",
  emailCollation: " COLLATE NOCASE",
  beginReadTransaction: "BEGIN DEFERRED",
  after: () => "",
  tableExists: (table) => exists(sql`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ${table}`),
  columnExists: (table, column) =>
    exists(sql`SELECT 1 FROM pragma_table_info(${table}) WHERE name = ${column} COLLATE NOCASE`),
  indexExists: (table, index) =>
    exists(sql`SELECT 1 FROM sqlite_master WHERE type = 'index' AND tbl_name = ${table} AND name = ${index}`),
  dropIndex: (_table, index) => `DROP INDEX ${index}`,
  migrationLock: fileLock(`${filename}.migration-lock`),
});

const dialectLayer = (make: (sql: SqlClient.SqlClient) => SqlDialect) =>
  Layer.effect(SqlDialect, Effect.map(SqlClient.SqlClient, make));

/** A stored row that does not decode means a broken database, not an expected failure. */
export const decodedRows = <A, E, R>(
  effect: Effect.Effect<A, E | ParseResult.ParseError, R>,
): Effect.Effect<A, Exclude<E, ParseResult.ParseError>, R> =>
  Effect.catchIf(
    effect,
    (e): e is ParseResult.ParseError => (e as { _tag?: string })?._tag === "ParseError",
    Effect.die,
  ) as Effect.Effect<A, Exclude<E, ParseResult.ParseError>, R>;

/** Unix seconds from the Effect Clock (tests move it), the unit of every time column. */
export const unixNow: Effect.Effect<number> = Effect.map(
  Clock.currentTimeMillis,
  (ms) => Math.floor(ms / 1000),
);

export const storeOf = (
  config: DatabaseConfig,
): Store => (config.dbhost === undefined ? "embedded" : "mysql");

/**
 * A SqlError whose message carries its cause's ("Access denied for user …", "Table … doesn't exist"),
 * the cause itself kept (its errno and code decide what callers do).
 */
export const withCauseMessage = <E>(error: E): E =>
  error instanceof SqlError && error.cause instanceof Error && !error.message.includes(error.cause.message)
    ? new SqlError({ cause: error.cause, message: `${error.message}: ${error.cause.message}` }) as E
    : error;

/** Where the data lives, for messages (never includes the password). */
export const describeStore = (config: DatabaseConfig): string =>
  config.dbhost === undefined
    ? embeddedDatabaseFile(config)
    : `mysql://${config.dbuser}@${config.dbhost}:${config.dbport}/${config.dbname}`;

export const sqlLayer = (config: DatabaseConfig): Layer.Layer<SqlClient.SqlClient | SqlDialect, SqlError> => {
  if (config.dbhost === undefined) {
    const filename = embeddedDatabaseFile(config);
    const client = Layer.unwrapEffect(
      Effect.as(
        Effect.tryPromise({
          try: () => Deno.mkdir(config.datadir, { recursive: true }),
          catch: (cause) =>
            new SqlError({ cause, message: `cannot create data directory ${config.datadir}` }),
        }),
        SqliteClient.layer({ filename }),
      ),
    );
    return Layer.provideMerge(dialectLayer(sqliteDialect(filename)), client);
  }
  const client = MysqlClient.layer({
    host: config.dbhost,
    port: config.dbport,
    database: config.dbname,
    username: config.dbuser,
    password: config.dbpassword,
    poolConfig: { charset: "utf8mb4_general_ci" },
  });
  // MysqlClient.layer declares ConfigError only for its Config-reading sibling; none occurs here.
  return Layer.provideMerge(dialectLayer(mysqlDialect), client) as Layer.Layer<
    SqlClient.SqlClient | SqlDialect,
    SqlError
  >;
};
