// The pool database of the operator's database commands (migrate, backup, restore): opened the
// way every program opens it (migrated first; API tokens issued when the config has apisecret),
// and a failure's message says why in one line.
import type * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Effect, Redacted } from "effect";
import type { DatabaseConfig } from "../config/database.ts";
import type { Options } from "../config/options.ts";
import { baseUrlOption } from "../config/pool.ts";
import { signApiToken } from "../accounts/api_token.ts";
import { type AppliedMigrations, databaseLayer } from "../storage/database.ts";
import type { MigrateOptions, MigrationBlocked } from "../storage/migrations.ts";
import { type SqlDialect, withCauseMessage } from "../storage/sql.ts";

/**
 * Migration options for a command that knows the pool's apisecret: verified users without an API
 * token get one, as the original issued them at start (without a secret they stay pending).
 */
export const apiTokenIssuer = (
  apiSecret: Redacted.Redacted<string> | undefined,
  baseUrl: string,
): MigrateOptions =>
  apiSecret === undefined || Redacted.value(apiSecret) === "" ? {} : {
    issueApiToken: (userId, issuedAt) => signApiToken({ apiSecret, baseUrl, userId, issuedAt }),
  };

export const runOnDatabase = <A, E extends { readonly message: string }>(
  args: { readonly database: DatabaseConfig; readonly options: Options },
  effect: Effect.Effect<A, E, SqlClient.SqlClient | SqlDialect | AppliedMigrations>,
): Effect.Effect<A, E | SqlError | MigrationBlocked> =>
  effect.pipe(
    Effect.provide(databaseLayer(
      args.database,
      apiTokenIssuer(
        args.options.apisecret === undefined ? undefined : Redacted.make(args.options.apisecret),
        baseUrlOption(args.options),
      ),
    )),
    Effect.mapError(withCauseMessage),
  );
