// `hcpool migrate [-C hcstakepool.conf] [--dbhost …]`: brings the database to the current schema
// (every program does so at start; this says what it did).
import { Effect } from "effect";
import { loadDatabaseArgs } from "../config/pool.ts";
import { AppliedMigrations } from "../storage/database.ts";
import { command } from "./command.ts";
import { runOnDatabase } from "./database.ts";

export default command({
  name: "migrate",
  usage:
    "[-C hcstakepool.conf] [--dbhost h --dbport p --dbname n --dbuser u --dbpassword pw] [--datadir dir]",
  summary: "create or upgrade the pool database (MySQL when dbhost is set, else the embedded store)",
  run: (argv) =>
    Effect.gen(function* () {
      const args = yield* loadDatabaseArgs(argv);
      const report = yield* runOnDatabase(args, AppliedMigrations);
      return {
        store: report.store,
        applied: report.applied,
        version: report.version,
        ...(report.mergedLowFeeTickets.length > 0
          ? {
            mergedLowFeeTickets: report.mergedLowFeeTickets,
            mergeNote: "duplicate rows of these ticket hashes were merged into the oldest (Voted kept)",
          }
          : {}),
        ...(report.apiTokensPending > 0
          ? {
            apiTokensPending: report.apiTokensPending,
            note: "no apisecret in the config: verified users without an API token keep an empty one",
          }
          : {}),
      };
    }),
});
