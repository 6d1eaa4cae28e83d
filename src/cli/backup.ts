// `hcpool backup <file>`: a consistent JSON-lines dump of the pool's tables (safe while running).
import { Effect } from "effect";
import { databaseConfigFromOptions, parseArgs } from "../config/database.ts";
import { backupToFile } from "../services/backup.ts";
import { describeStore } from "../services/sql.ts";
import { command, UsageError } from "./command.ts";
import { runOnDatabase } from "./migrate.ts";

export default command({
  name: "backup",
  usage: "<file> [-C hcstakepool.conf] [--dbhost …] [--datadir dir]",
  summary: "write a consistent dump of the pool database to <file> (JSON lines)",
  run: (argv) =>
    Effect.gen(function* () {
      const { options, positional } = yield* parseArgs(argv);
      if (positional.length !== 1) return yield* new UsageError({ message: "expected one backup file name" });
      const config = yield* databaseConfigFromOptions(options);
      const file = positional[0];
      const rows = yield* runOnDatabase(config, backupToFile(file, (m) => console.error(m)));
      return { from: describeStore(config), file, rows };
    }),
});
