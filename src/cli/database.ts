// The pool database of the operator's database commands (migrate, backup, restore): opened the
// way every program opens it (migrated first; API tokens issued when the config has apisecret),
// and a failure's message says why in one line.
import type * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Effect } from "effect";
import type { DatabaseConfig } from "../config/database.ts";
import type { Options } from "../config/options.ts";
import { apiTokenIssuer } from "../storage/api_tokens.ts";
import { type AppliedMigrations, databaseLayer } from "../storage/database.ts";
import type { MigrationBlocked } from "../storage/migrations.ts";
import { type SqlDialect, withCauseMessage } from "../storage/sql.ts";

/** The original's default baseurl, the issuer named in tokens when the config sets none. */
const DEFAULT_BASE_URL = "http://127.0.0.1:8000";

export const runOnDatabase = <A, E extends { readonly message: string }>(
  args: { readonly database: DatabaseConfig; readonly options: Options },
  effect: Effect.Effect<A, E, SqlClient.SqlClient | SqlDialect | AppliedMigrations>,
): Effect.Effect<A, E | SqlError | MigrationBlocked> =>
  effect.pipe(
    Effect.provide(databaseLayer(
      args.database,
      apiTokenIssuer(args.options.apisecret, (args.options.baseurl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")),
    )),
    Effect.mapError(withCauseMessage),
  );
