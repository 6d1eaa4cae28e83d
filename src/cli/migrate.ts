// `hcpool migrate [-C hcstakepool.conf] [--dbhost …]`: brings the database to the current schema.
import type * as SqlClient from "@effect/sql/SqlClient";
import { SqlError } from "@effect/sql/SqlError";
import { Effect } from "effect";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import type { DatabaseConfig } from "../config/database.ts";
import { loadDatabaseArgs } from "../config/pool.ts";
import { migrate } from "../storage/migrations.ts";
import { type SqlDialect, sqlLayer } from "../storage/sql.ts";
import { command } from "./command.ts";

const base64url = (text: string | Buffer) => Buffer.from(text).toString("base64url");

/** The original's API token: an HS256 JWT with claims iat, iss (baseurl) and loggedInAs. */
export const signApiToken = (apiSecret: string, baseUrl: string, userId: number, iat: number): string => {
  const signed = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${
    base64url(JSON.stringify({ iat, iss: baseUrl, loggedInAs: userId }))
  }`;
  return `${signed}.${base64url(createHmac("sha256", apiSecret).update(signed).digest())}`;
};

/** Runs an effect on the configured store; a failure's message says which store and why. */
export const runOnDatabase = <A, E extends { readonly message: string }>(
  config: DatabaseConfig,
  effect: Effect.Effect<A, E, SqlClient.SqlClient | SqlDialect>,
): Effect.Effect<A, E | SqlError> =>
  effect.pipe(
    Effect.provide(sqlLayer(config)),
    Effect.mapError((e) =>
      e instanceof SqlError && e.cause instanceof Error
        ? new SqlError({ ...e, message: `${e.message}: ${e.cause.message}` })
        : e
    ),
  );

export default command({
  name: "migrate",
  usage:
    "[-C hcstakepool.conf] [--dbhost h --dbport p --dbname n --dbuser u --dbpassword pw] [--datadir dir]",
  summary: "create or upgrade the pool database (MySQL when dbhost is set, else the embedded store)",
  run: (argv) =>
    Effect.gen(function* () {
      const { database: config, options } = yield* loadDatabaseArgs(argv);
      const apiSecret = options.apisecret;
      const baseUrl = (options.baseurl ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
      const iat = Math.floor(Date.now() / 1000);
      const report = yield* runOnDatabase(
        config,
        migrate(
          apiSecret ? { issueApiToken: (userId) => signApiToken(apiSecret, baseUrl, userId, iat) } : {},
        ),
      );
      return {
        store: report.store,
        applied: report.applied,
        version: report.version,
        ...(report.apiTokensPending > 0
          ? {
            apiTokensPending: report.apiTokensPending,
            note: "no apisecret in the config: verified users without an API token keep an empty one",
          }
          : {}),
      };
    }),
});
