// The MySQL/MariaDB server of the tests, from one variable: HCPOOL_TEST_MYSQL, an admin account's
// URL (default mysql://root@127.0.0.1:3306) that may create databases and users. Every test that
// needs MySQL gets its database from withMysqlDatabase. Without a reachable server the MySQL tests
// are ignored and the reason printed, except in CI (CI=true), where they run and fail with it.
import { MysqlClient } from "@effect/sql-mysql2";
import { Effect, Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { withCauseMessage } from "../../src/storage/sql.ts";

export const MYSQL_ENV = "HCPOOL_TEST_MYSQL";
const DEFAULT_URL = "mysql://root@127.0.0.1:3306";
/** A server that takes this long to answer counts as unreachable. */
const PROBE_TIMEOUT = "5 seconds";

interface MysqlServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  /** For messages: the URL without its password. */
  readonly shown: string;
}

const parseServer = (text: string): MysqlServer => {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url === undefined || url.protocol !== "mysql:" || url.hostname === "" || url.username === "") {
    throw new Error(`${MYSQL_ENV} must look like mysql://user[:password]@host[:port], got "${text}"`);
  }
  const port = url.port === "" ? 3306 : Number(url.port);
  const user = decodeURIComponent(url.username);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    host,
    port,
    user,
    password: url.password === "" ? undefined : decodeURIComponent(url.password),
    shown: `mysql://${user}@${url.host}`,
  };
};

const server = parseServer(Deno.env.get(MYSQL_ENV) ?? DEFAULT_URL);
const inCi = Deno.env.get("CI") === "true";

const adminLayer = () =>
  MysqlClient.layer({
    host: server.host,
    port: server.port,
    username: server.user,
    ...(server.password === undefined ? {} : { password: Redacted.make(server.password) }),
    maxConnections: 1,
  });

/** Runs statements as the admin account (names come from randomName, never from input). */
const asAdmin = (statements: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* MysqlClient.MysqlClient;
    for (const s of statements) yield* sql.unsafe(s);
  }).pipe(Effect.provide(adminLayer()), Effect.runPromise);

/** Why the server cannot be used, or undefined when it answers. */
const probe = (): Promise<string | undefined> =>
  Effect.gen(function* () {
    const sql = yield* MysqlClient.MysqlClient;
    yield* sql`SELECT 1`;
  }).pipe(
    Effect.provide(adminLayer()),
    Effect.timeoutFail({ duration: PROBE_TIMEOUT, onTimeout: () => `no answer within ${PROBE_TIMEOUT}` }),
    Effect.match({
      onSuccess: () => undefined,
      onFailure: (e) =>
        `${server.shown} (from ${MYSQL_ENV}) is unreachable: ${
          typeof e === "string" ? e : withCauseMessage(e).message
        }`,
    }),
    Effect.runPromise,
  );

const unreachable = await probe();

if (unreachable !== undefined) {
  console.error(
    inCi
      ? `MySQL tests FAIL: ${unreachable} (CI=true requires MySQL)`
      : `MySQL tests skipped: ${unreachable}. Set ${MYSQL_ENV}=mysql://user[:password]@host:port to an ` +
        "account that may create databases and users.",
  );
}

let skipShown = false;

/**
 * True when the MySQL tests are ignored: no server outside CI. The first call in a test file
 * registers the reason as an ignored test too: `deno test --quiet` hides output printed before
 * the tests, while a test's name is always shown.
 */
export const mysqlIgnored = (): boolean => {
  const ignored = unreachable !== undefined && !inCi;
  if (ignored && !skipShown) {
    skipShown = true;
    Deno.test({ name: `MySQL tests skipped: ${unreachable}`, ignore: true, fn: () => {} });
  }
  return ignored;
};

const randomName = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

/** Runs `f` as a new user (from anywhere) allowed `privileges` on database `dbname`; the user is dropped after. */
const asNewUser = async <A>(
  dbname: string,
  privileges: string,
  f: (user: string, password: string) => Promise<A>,
): Promise<A> => {
  const user = `hcs_${randomName()}`;
  const password = randomName();
  const accounts = [`'${user}'@'%'`, `'${user}'@'localhost'`];
  await asAdmin(accounts.flatMap((a) => [
    `CREATE USER ${a} IDENTIFIED BY '${password}'`,
    `GRANT ${privileges} ON ${dbname}.* TO ${a}`,
  ]));
  try {
    return await f(user, password);
  } finally {
    await asAdmin(accounts.map((a) => `DROP USER IF EXISTS ${a}`));
  }
};

/** A fresh MySQL database and a user allowed everything on it (only there); both dropped after `f`. */
export const withMysqlDatabase = async <A>(f: (config: DatabaseConfig) => Promise<A>): Promise<A> => {
  if (unreachable !== undefined) throw new Error(unreachable);
  const dbname = `hcs_test_${randomName()}`;
  await asAdmin([`CREATE DATABASE ${dbname} CHARACTER SET utf8mb4`]);
  try {
    return await asNewUser(dbname, "ALL PRIVILEGES", (dbuser, password) =>
      f({
        dbhost: server.host,
        dbport: server.port,
        dbname,
        dbuser,
        dbpassword: Redacted.make(password),
        datadir: "/nonexistent",
      }));
  } finally {
    await asAdmin([`DROP DATABASE IF EXISTS ${dbname}`]);
  }
};

/** The database of `config` as another user with only `privileges` on it (dropped after `f`). */
export const withMysqlUser = <A>(
  config: DatabaseConfig,
  privileges: string,
  f: (config: DatabaseConfig) => Promise<A>,
): Promise<A> =>
  asNewUser(
    config.dbname,
    privileges,
    (dbuser, password) => f({ ...config, dbuser, dbpassword: Redacted.make(password) }),
  );

/** A Deno test that needs MySQL: ignored (reason printed above) when there is none outside CI. */
export const mysqlTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: mysqlIgnored(), fn });
