// Backup and restore of the pool's tables as JSON lines: a header naming the schema version and
// each table's columns, then one line per row. The dump is read inside one snapshot transaction, so it
// is consistent on both stores, and (WAL on the embedded store) never blocks the running pool.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Data, Effect } from "effect";
import { Buffer } from "node:buffer";
import { DATA_TABLES, LATEST_VERSION } from "./migrations.ts";
import { SqlDialect, unixNow } from "./sql.ts";

export const BACKUP_FORMAT = "hcstakepool-backup";

export class BackupFileError extends Data.TaggedError("BackupFileError")<{ readonly message: string }> {}
export class RestoreRefused extends Data.TaggedError("RestoreRefused")<{ readonly message: string }> {}

export interface BackupHeader {
  readonly format: typeof BACKUP_FORMAT;
  readonly version: number;
  readonly created: number;
  /** Table → column names, key first; rows list values in this order. */
  readonly tables: Readonly<Record<string, ReadonlyArray<string>>>;
}

/** Rows per table. */
export type TableCounts = Readonly<Record<string, number>>;

/** Reports progress of long work (the CLI prints it on stderr). */
export type Progress = (message: string) => void;

const PROGRESS_EVERY = 1000;

// Blobs (Users.Password) travel as base64; everything else is a JSON string, number or null.
const encodeValue = (v: unknown): unknown =>
  v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString("base64") } : v;
const decodeValue = (v: unknown): unknown =>
  v !== null && typeof v === "object" && "$bytes" in v ? Buffer.from(String(v.$bytes), "base64") : v;

const columnsOf = (table: (typeof DATA_TABLES)[number]) => [table.key, ...table.columns.map((c) => c.name)];

const fileError = (what: string) => (cause: unknown) =>
  new BackupFileError({ message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}` });

/** Runs `f` inside one snapshot read on a connection of its own, so the rows are consistent. */
const inSnapshot = <A, E>(
  f: (
    query: (text: string) => Effect.Effect<ReadonlyArray<Record<string, unknown>>, SqlError>,
  ) => Effect.Effect<A, E>,
) =>
  Effect.scoped(Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const dialect = yield* SqlDialect;
    const conn = yield* sql.reserve;
    yield* conn.executeUnprepared(dialect.beginReadTransaction, [], undefined);
    return yield* f((text) => conn.execute(text, [], undefined)).pipe(
      Effect.ensuring(Effect.ignore(conn.executeUnprepared("ROLLBACK", [], undefined))),
    );
  }));

/** Writes a consistent dump of every pool table to `file` (replaced atomically). */
export const backupToFile = (
  file: string,
  progress: Progress = () => {},
): Effect.Effect<TableCounts, SqlError | BackupFileError, SqlClient.SqlClient | SqlDialect> =>
  Effect.gen(function* () {
    const created = yield* unixNow;
    const lines: Array<string> = [];
    const counts: Record<string, number> = {};
    yield* inSnapshot((query) =>
      Effect.gen(function* () {
        const [version] = yield* query("SELECT MAX(Version) AS v FROM SchemaVersion");
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: Number(version?.v ?? 0),
          created,
          tables: Object.fromEntries(DATA_TABLES.map((t) => [t.name, columnsOf(t)])),
        };
        lines.push(JSON.stringify(header));
        for (const table of DATA_TABLES) {
          const rows = yield* query(
            `SELECT ${columnsOf(table).join(", ")} FROM ${table.name} ORDER BY ${table.key}`,
          );
          rows.forEach((row, i) => {
            lines.push(
              JSON.stringify({ table: table.name, row: columnsOf(table).map((c) => encodeValue(row[c])) }),
            );
            if ((i + 1) % PROGRESS_EVERY === 0) progress(`${table.name}: ${i + 1}/${rows.length} rows`);
          });
          counts[table.name] = rows.length;
        }
      })
    );
    const temp = `${file}.partial`;
    yield* Effect.tryPromise({
      try: async () => {
        try {
          await Deno.writeTextFile(temp, lines.join("\n") + "\n", { mode: 0o600 });
          await Deno.rename(temp, file);
        } catch (e) {
          // A full disk must not keep the half-written dump as well.
          await Deno.remove(temp).catch(() => {});
          throw e;
        }
      },
      catch: fileError(`cannot write ${file}`),
    });
    return counts;
  }).pipe(Effect.withSpan("Backup.backupToFile"));

const parseHeader = (line: string | undefined): BackupHeader | undefined => {
  try {
    const header = JSON.parse(line ?? "");
    return header?.format === BACKUP_FORMAT && typeof header.version === "number" &&
        typeof header.tables === "object" && header.tables !== null
      ? header
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Loads a backup into a migrated database (databaseLayer) in one transaction. A database that
 * already holds rows is refused unless `force` (its rows are then replaced).
 */
export const restoreFromFile = (
  file: string,
  options: { readonly force?: boolean; readonly progress?: Progress } = {},
): Effect.Effect<
  TableCounts,
  SqlError | BackupFileError | RestoreRefused,
  SqlClient.SqlClient | SqlDialect
> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const progress = options.progress ?? (() => {});
    const text = yield* Effect.tryPromise({
      try: () => Deno.readTextFile(file),
      catch: fileError(`cannot read ${file}`),
    });
    const lines = text.split("\n").filter((l) => l !== "");
    const header = parseHeader(lines[0]);
    if (header === undefined) {
      return yield* new BackupFileError({
        message: `${file} is not an hcstakepool backup (bad header line)`,
      });
    }
    if (header.version > LATEST_VERSION) {
      return yield* new BackupFileError({
        message:
          `${file} is from schema version ${header.version}; this program knows up to ${LATEST_VERSION}`,
      });
    }
    // Table and column names come from our own definitions; the file only selects among them.
    const known = new Map(DATA_TABLES.map((t) => [t.name, new Set(columnsOf(t))]));
    for (const [table, columns] of Object.entries(header.tables)) {
      const unknown = columns.filter((c) => !known.get(table)?.has(c));
      if (!known.has(table) || unknown.length > 0) {
        return yield* new BackupFileError({
          message: `${file} has unknown ${
            known.has(table) ? `columns ${unknown.join(", ")} in ` : "table "
          }${table}`,
        });
      }
    }
    return yield* sql.withTransaction(Effect.gen(function* () {
      const nonEmpty: Array<string> = [];
      for (const table of DATA_TABLES) {
        const [row] = yield* sql.unsafe<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table.name}`);
        if (Number(row.n) > 0) nonEmpty.push(`${table.name} (${row.n} rows)`);
      }
      if (nonEmpty.length > 0 && !options.force) {
        return yield* new RestoreRefused({
          message: `the database is not empty: ${
            nonEmpty.join(", ")
          }; restore into a fresh database or use --force`,
        });
      }
      for (const table of [...DATA_TABLES].reverse()) yield* sql.unsafe(`DELETE FROM ${table.name}`);
      const counts: Record<string, number> = Object.fromEntries(
        Object.keys(header.tables).map((t) => [t, 0]),
      );
      for (let i = 1; i < lines.length; i++) {
        const entry = yield* Effect.try({
          try: () => JSON.parse(lines[i]) as { table: string; row: ReadonlyArray<unknown> },
          catch: fileError(`${file}:${i + 1}`),
        });
        const columns = Object.hasOwn(header.tables, entry?.table) ? header.tables[entry.table] : undefined;
        if (columns === undefined || !Array.isArray(entry.row) || entry.row.length !== columns.length) {
          return yield* new BackupFileError({ message: `${file}:${i + 1}: row does not match the header` });
        }
        const record = Object.fromEntries(columns.map((c, j) => [c, decodeValue(entry.row[j])]));
        yield* sql`INSERT INTO ${sql(entry.table)} ${sql.insert(record as Record<string, any>)}`;
        counts[entry.table]++;
        if (i % PROGRESS_EVERY === 0) progress(`restored ${i}/${lines.length - 1} rows`);
      }
      return counts;
    }));
  }).pipe(Effect.withSpan("Backup.restoreFromFile"));
