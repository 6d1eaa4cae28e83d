// Brings a database to the current schema. First what the original hcstakepool did at every
// start (create its four tables if missing, add later columns when missing and backfill them),
// then our numbered migrations recorded in SchemaVersion. Every step is idempotent. SQLite runs
// each step in one transaction; MySQL auto-commits DDL, so preconditions are checked before any
// DDL and each statement re-checks what already exists. A database that is already current is
// only read, so a program whose database user may only read and write rows (stakepoold) starts.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Data, Effect, Fiber } from "effect";
import { isDuplicateKey, SqlDialect, type Store, unixNow } from "./sql.ts";

export class MigrationBlocked extends Data.TaggedError("MigrationBlocked")<{ readonly message: string }> {}

const varchar = "varchar(255)";
const bigint = "bigint(20)";

interface Column {
  readonly name: string;
  readonly type: string;
}
export interface TableDefinition {
  readonly name: string;
  readonly key: string;
  /** All columns but the key, in order. */
  readonly columns: ReadonlyArray<Column>;
}

const col = (name: string, type: string): Column => ({ name, type });

/** The original's tables, as gorp creates them (nullable columns, no indexes). */
export const Users: TableDefinition = {
  name: "Users",
  key: "UserId",
  columns: [
    col("Email", varchar),
    col("Username", varchar),
    col("Password", "mediumblob"),
    col("MultiSigAddress", varchar),
    col("MultiSigScript", varchar),
    col("PoolPubKeyAddr", varchar),
    col("UserPubKeyAddr", varchar),
    col("UserFeeAddr", varchar),
    col("HeightRegistered", bigint),
    col("EmailVerified", bigint),
    col("EmailToken", varchar),
    col("APIToken", varchar),
    col("VoteBits", bigint),
    col("VoteBitsVersion", bigint),
  ],
};
export const EmailChange: TableDefinition = {
  name: "EmailChange",
  key: "EmailChangeID",
  columns: [
    col("UserId", bigint),
    col("NewEmail", varchar),
    col("Token", varchar),
    col("Created", bigint),
    col("Expires", bigint),
  ],
};
export const PasswordReset: TableDefinition = {
  name: "PasswordReset",
  key: "PasswordResetID",
  columns: [col("UserId", bigint), col("Token", varchar), col("Created", bigint), col("Expires", bigint)],
};
export const LowFeeTicket: TableDefinition = {
  name: "LowFeeTicket",
  key: "LowFeeTicketID",
  columns: [
    col("AddedByUid", bigint),
    col("TicketAddress", varchar),
    col("TicketHash", varchar),
    col("TicketExpiry", bigint),
    col("Voted", bigint),
    col("Created", bigint),
    col("Expires", bigint),
  ],
};
// Our own tables: NOT NULL throughout.
export const Sessions: TableDefinition = {
  name: "Sessions",
  key: "SessionHash",
  columns: [
    col("UserId", `${bigint} NOT NULL`),
    col("Data", "text NOT NULL"),
    col("Created", `${bigint} NOT NULL`),
    col("LastSeen", `${bigint} NOT NULL`),
    col("Expires", `${bigint} NOT NULL`),
  ],
};
export const AuditLog: TableDefinition = {
  name: "AuditLog",
  key: "AuditId",
  columns: [
    col("Created", `${bigint} NOT NULL`),
    col("ActorUserId", `${bigint} NOT NULL`),
    col("ActorIp", `${varchar} NOT NULL`),
    col("Action", `${varchar} NOT NULL`),
    col("Detail", "text NOT NULL"),
  ],
};

/** The pool's own key pairs by purpose (the API's ed25519 answer-signing key): 32-byte seeds, hex. */
export const SigningKey: TableDefinition = {
  name: "SigningKey",
  key: "Purpose",
  columns: [col("Seed", `${varchar} NOT NULL`), col("Created", `${bigint} NOT NULL`)],
};

/** Every table holding pool data, in restore order. */
export const DATA_TABLES: ReadonlyArray<TableDefinition> = [
  Users,
  EmailChange,
  PasswordReset,
  LowFeeTicket,
  Sessions,
  AuditLog,
  SigningKey,
];

/** The table if it is missing; its key column is the dialect's auto-increment key unless `keyType` says else. */
const createTable = (table: TableDefinition, keyType?: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const dialect = yield* SqlDialect;
    const columns = table.columns.map((c) =>
      `${c.name} ${c.type}${c.name === "Email" && table === Users ? dialect.emailCollation : ""}`
    );
    yield* sql.unsafe(
      `CREATE TABLE IF NOT EXISTS ${table.name} (${table.key} ${keyType ?? dialect.autoIncrementKey}, ${
        columns.join(", ")
      })${dialect.tableOptions}`,
    );
  });

/** Columns the original added to Users after its first release, with their backfills. */
const ORIGINAL_COLUMN_ADDITIONS: ReadonlyArray<{
  readonly column: string;
  readonly after: string;
  readonly backfill: string;
}> = [
  // 15346 is the original's (Decred mainnet) registration height, kept verbatim.
  {
    column: "HeightRegistered",
    after: "UserFeeAddr",
    backfill: "UPDATE Users SET HeightRegistered = 15346 WHERE MultiSigAddress <> ''",
  },
  { column: "EmailVerified", after: "HeightRegistered", backfill: "UPDATE Users SET EmailVerified = 2" },
  { column: "EmailToken", after: "EmailVerified", backfill: "UPDATE Users SET EmailToken = ''" },
  { column: "APIToken", after: "EmailToken", backfill: "UPDATE Users SET APIToken = ''" },
  { column: "VoteBits", after: "APIToken", backfill: "UPDATE Users SET VoteBits = 1" },
  { column: "VoteBitsVersion", after: "VoteBits", backfill: "UPDATE Users SET VoteBitsVersion = 3" },
];

/** Rows of one ticket hash merged into one: the oldest kept, Voted if any of them was voted. */
export interface MergedLowFeeTicket {
  readonly ticketHash: string;
  readonly keptId: number;
  readonly removedIds: ReadonlyArray<number>;
  readonly voted: boolean;
}

/** What a migration changed in the rows, beyond the schema; the operator is told. */
interface RowChanges {
  readonly mergedLowFeeTickets?: ReadonlyArray<MergedLowFeeTicket>;
}

interface Migration {
  readonly version: number;
  readonly name: string;
  /** Idempotent; may fail with MigrationBlocked before changing anything. */
  readonly apply: Effect.Effect<
    RowChanges | void,
    SqlError | MigrationBlocked,
    SqlClient.SqlClient | SqlDialect
  >;
}

const createIndex = (table: string, index: string, columns: string, unique = false) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const dialect = yield* SqlDialect;
    if (yield* dialect.indexExists(table, index)) return;
    yield* sql.unsafe(`CREATE ${unique ? "UNIQUE " : ""}INDEX ${index} ON ${table} (${columns})`);
  });

const duplicateEmails = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;
  const rows = yield* sql<{ Email: string; Ids: string }>`
    SELECT Email, GROUP_CONCAT(UserId) AS Ids FROM Users WHERE Email IS NOT NULL
    GROUP BY Email HAVING COUNT(*) > 1 ORDER BY Email`;
  if (rows.length === 0) return;
  const list = rows.map((r) => `"${r.Email}" (UserId ${String(r.Ids).split(",").join(", ")})`).join("; ");
  return yield* new MigrationBlocked({
    message: `cannot add the unique index on Users.Email: ${rows.length} email address(es) belong to more ` +
      `than one user: ${list}. Change or merge those users, then run migrate again.`,
  });
});

const dropIndex = (table: string, index: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const dialect = yield* SqlDialect;
    if (yield* dialect.indexExists(table, index)) yield* sql.unsafe(dialect.dropIndex(table, index));
  });

/** Merges LowFeeTicket rows sharing a TicketHash (compared as the unique index will compare them). */
const mergeDuplicateLowFeeTickets = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;
  const hashes = yield* sql<{ TicketHash: string }>`
    SELECT MIN(TicketHash) AS TicketHash FROM LowFeeTicket WHERE TicketHash IS NOT NULL
    GROUP BY TicketHash HAVING COUNT(*) > 1 ORDER BY MIN(TicketHash)`;
  const merged: Array<MergedLowFeeTicket> = [];
  for (const { TicketHash } of hashes) {
    const rows = yield* sql<{ LowFeeTicketID: number; Voted: number | null }>`
      SELECT LowFeeTicketID, Voted FROM LowFeeTicket WHERE TicketHash = ${TicketHash} ORDER BY LowFeeTicketID`;
    const [kept, ...removed] = rows.map((r) => ({
      id: Number(r.LowFeeTicketID),
      voted: Number(r.Voted ?? 0),
    }));
    const voted = Math.max(...rows.map((r) => Number(r.Voted ?? 0)));
    if (voted !== kept.voted) {
      yield* sql`UPDATE LowFeeTicket SET Voted = ${voted} WHERE LowFeeTicketID = ${kept.id}`;
    }
    const removedIds = removed.map((r) => r.id);
    yield* sql`DELETE FROM LowFeeTicket WHERE ${sql.in("LowFeeTicketID", removedIds)}`;
    merged.push({ ticketHash: TicketHash, keptId: kept.id, removedIds, voted: voted > 0 });
  }
  return merged;
});

/** Index creations raced by a writer of a program that does not know the index yet. */
const RACED_INDEX_RETRIES = 3;

const uniqueLowFeeTicketHash: Migration["apply"] = Effect.gen(function* () {
  const merged: Array<MergedLowFeeTicket> = [];
  // A ticket added between the merge and the index creation fails the creation as a whole: merge again.
  yield* Effect.zipRight(
    Effect.tap(mergeDuplicateLowFeeTickets, (m) => merged.push(...m)),
    createIndex("LowFeeTicket", "LowFeeTicket_UniqueTicketHash", "TicketHash", true),
  ).pipe(Effect.retry({ times: RACED_INDEX_RETRIES, while: isDuplicateKey }));
  // The unique index serves every look-up the plain one did.
  yield* dropIndex("LowFeeTicket", "LowFeeTicket_TicketHash");
  return { mergedLowFeeTickets: merged };
});

const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "unique index on Users.Email",
    apply: Effect.zipRight(
      duplicateEmails,
      // A sign-up racing the check still cannot half-apply: the index creation fails as a whole.
      createIndex("Users", "Users_Email", "Email", true).pipe(
        Effect.catchIf(isDuplicateKey, () => duplicateEmails),
      ),
    ),
  },
  {
    version: 2,
    name: "lookup indexes",
    apply: Effect.all([
      createIndex("Users", "Users_MultiSigAddress", "MultiSigAddress"),
      createIndex("Users", "Users_EmailToken", "EmailToken"),
      createIndex("Users", "Users_APIToken", "APIToken"),
      createIndex("EmailChange", "EmailChange_Token", "Token"),
      createIndex("PasswordReset", "PasswordReset_Token", "Token"),
      createIndex("LowFeeTicket", "LowFeeTicket_TicketHash", "TicketHash"),
    ], { discard: true }),
  },
  {
    version: 3,
    name: "sessions",
    apply: Effect.zipRight(
      createTable(Sessions, `${varchar} NOT NULL PRIMARY KEY`),
      createIndex("Sessions", "Sessions_UserId", "UserId"),
    ),
  },
  {
    version: 4,
    name: "audit log",
    apply: createTable(AuditLog),
  },
  { version: 5, name: "unique index on LowFeeTicket.TicketHash", apply: uniqueLowFeeTicketHash },
  {
    version: 6,
    name: "signing keys",
    apply: createTable(SigningKey, `${varchar} NOT NULL PRIMARY KEY`),
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export interface MigrateOptions {
  /**
   * Issues the API token the original generated at start for verified users without one, at
   * `issuedAt` (unix seconds). Without it those tokens stay empty (reported as apiTokensPending).
   */
  readonly issueApiToken?: (userId: number, issuedAt: number) => Effect.Effect<string>;
}

export interface MigrationReport {
  readonly store: Store;
  readonly applied: ReadonlyArray<string>;
  readonly version: number;
  readonly apiTokensIssued: number;
  readonly apiTokensPending: number;
  readonly mergedLowFeeTickets: ReadonlyArray<MergedLowFeeTicket>;
}

/** How long a program waits for another one's migration before saying so. */
const LOCK_WAIT_NOTICE = "5 seconds";

const createVersionTable =
  `CREATE TABLE IF NOT EXISTS SchemaVersion (Version ${bigint} NOT NULL PRIMARY KEY, ` +
  `Name ${varchar} NOT NULL, AppliedAt ${bigint} NOT NULL)`;

/** The highest applied migration (0 before any). */
const currentVersion = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;
  const dialect = yield* SqlDialect;
  if (!(yield* dialect.tableExists("SchemaVersion"))) return 0;
  const [row] = yield* sql<{ v: number | null }>`SELECT MAX(Version) AS v FROM SchemaVersion`;
  return Number(row?.v ?? 0);
});

const ORIGINAL_TABLES = [Users, EmailChange, PasswordReset, LowFeeTicket];

const missingTables = Effect.flatMap(
  SqlDialect,
  (dialect) => Effect.filter(ORIGINAL_TABLES, (t) => Effect.map(dialect.tableExists(t.name), (e) => !e)),
);
const missingColumns = Effect.flatMap(
  SqlDialect,
  (dialect) =>
    Effect.filter(
      ORIGINAL_COLUMN_ADDITIONS,
      (c) => Effect.map(dialect.columnExists("Users", c.column), (e) => !e),
    ),
);
const unsetHeights = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(
    sql<{ n: number }>`SELECT COUNT(*) AS n FROM Users WHERE HeightRegistered IS NULL`,
    ([row]) => Number(row.n),
  ));
const usersWithoutApiToken = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  Effect.map(
    sql<
      { UserId: number }
    >`SELECT UserId FROM Users WHERE APIToken = '' AND EmailVerified > 0 ORDER BY UserId`,
    (rows) => rows.map((r) => Number(r.UserId)),
  ));

/**
 * Reads whether the original's start-up has anything to do, so that a current database is only
 * read (no write lock, no privilege beyond reading); else the verified users without an API token.
 */
const originalStartupPending = (options: MigrateOptions) =>
  Effect.gen(function* () {
    if ((yield* missingTables).length > 0 || (yield* missingColumns).length > 0) return "work" as const;
    if ((yield* unsetHeights) > 0) return "work" as const;
    const withoutToken = yield* usersWithoutApiToken;
    return options.issueApiToken !== undefined && withoutToken.length > 0 ? "work" as const : withoutToken;
  });

/** The original's start-up: its tables, later columns and backfills, API tokens (one transaction). */
const originalStartup = (options: MigrateOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const dialect = yield* SqlDialect;
    const applied: Array<string> = [];
    for (const table of yield* missingTables) {
      yield* createTable(table);
      applied.push(`create table ${table.name}`);
    }
    for (const { column, after, backfill } of yield* missingColumns) {
      const type = Users.columns.find((c) => c.name === column)!.type;
      yield* sql.unsafe(`ALTER TABLE Users ADD COLUMN ${column} ${type} NULL${dialect.after(after)}`);
      yield* sql.unsafe(backfill);
      applied.push(`add column Users.${column}`);
    }
    if (
      (yield* unsetHeights) > 0
    ) yield* sql`UPDATE Users SET HeightRegistered = 0 WHERE HeightRegistered IS NULL`;
    const missing = yield* usersWithoutApiToken;
    const issue = options.issueApiToken;
    if (issue !== undefined) {
      const now = yield* unixNow;
      for (const userId of missing) {
        const token = yield* issue(userId, now);
        yield* sql`UPDATE Users SET APIToken = ${token} WHERE UserId = ${userId}`;
      }
      if (missing.length > 0) applied.push(`issue API tokens for ${missing.length} verified user(s)`);
    }
    return {
      applied,
      apiTokensIssued: issue === undefined ? 0 : missing.length,
      apiTokensPending: issue === undefined ? missing.length : 0,
    };
  });

export const migrate = (
  options: MigrateOptions = {},
): Effect.Effect<MigrationReport, SqlError | MigrationBlocked, SqlClient.SqlClient | SqlDialect> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient;
    const dialect = yield* SqlDialect;
    const waiting = yield* Effect.fork(
      Effect.logWarning("waiting for another program to finish migrating the database").pipe(
        Effect.delay(LOCK_WAIT_NOTICE),
      ),
    );
    yield* dialect.migrationLock;
    yield* Fiber.interrupt(waiting);
    const pending = yield* originalStartupPending(options);
    const original = pending === "work"
      ? yield* sql.withTransaction(originalStartup(options))
      : { applied: [], apiTokensIssued: 0, apiTokensPending: pending.length };
    if (!(yield* dialect.tableExists("SchemaVersion"))) yield* sql.unsafe(createVersionTable);
    const applied = [...original.applied];
    const mergedLowFeeTickets: Array<MergedLowFeeTicket> = [];
    let version = yield* currentVersion;
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      const now = yield* unixNow;
      const changes = yield* sql.withTransaction(
        Effect.zipLeft(
          migration.apply,
          sql`INSERT INTO SchemaVersion (Version, Name, AppliedAt) VALUES (${migration.version}, ${migration.name}, ${now})`,
        ),
      );
      mergedLowFeeTickets.push(...(changes?.mergedLowFeeTickets ?? []));
      applied.push(`${migration.version} ${migration.name}`);
      version = migration.version;
    }
    return {
      store: dialect.store,
      applied,
      version,
      apiTokensIssued: original.apiTokensIssued,
      apiTokensPending: original.apiTokensPending,
      mergedLowFeeTickets,
    };
  }).pipe(Effect.scoped, Effect.withSpan("Migrations.migrate"));
