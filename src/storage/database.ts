// The pool database as every program opens it: the configured store, migrated before anything
// uses it (as the original migrated at start), with what the migration did logged for the operator.
import type * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Context, Effect, Layer } from "effect";
import type { DatabaseConfig } from "../config/database.ts";
import { migrate, type MigrateOptions, type MigrationBlocked, type MigrationReport } from "./migrations.ts";
import { describeStore, type SqlDialect, sqlLayer, withCauseMessage } from "./sql.ts";

/** What the start-up migration did (the migrate command prints it). */
export class AppliedMigrations
  extends Context.Tag("hcstakepool/AppliedMigrations")<AppliedMigrations, MigrationReport>() {}

const logReport = (report: MigrationReport) =>
  Effect.gen(function* () {
    if (report.applied.length > 0) {
      yield* Effect.logInfo(`database migrated to version ${report.version}: ${report.applied.join("; ")}`);
    }
    if (report.mergedLowFeeTickets.length > 0) {
      yield* Effect.logWarning(
        `merged duplicate LowFeeTicket rows of ${report.mergedLowFeeTickets.length} ticket(s): ${
          report.mergedLowFeeTickets.map((m) =>
            `${m.ticketHash} (kept id ${m.keptId}${m.voted ? ", voted" : ""}; removed ids ${
              m.removedIds.join(", ")
            })`
          ).join("; ")
        }`,
      );
    }
    if (report.apiTokensPending > 0) {
      // Not a fault: the web app issues a missing token when its user opens the settings.
      yield* Effect.logInfo(`${report.apiTokensPending} verified user(s) have no API token yet`);
    }
  });

export const databaseLayer = (
  config: DatabaseConfig,
  options: MigrateOptions = {},
): Layer.Layer<SqlClient.SqlClient | SqlDialect | AppliedMigrations, SqlError | MigrationBlocked> =>
  Layer.effect(AppliedMigrations, Effect.tap(migrate(options), logReport)).pipe(
    Layer.provideMerge(sqlLayer(config)),
    Layer.mapError(withCauseMessage),
    Layer.annotateLogs({ store: describeStore(config) }),
  );
