// `hcpool backup <file>`: a consistent JSON-lines dump of the pool's tables (safe while running).
import { Effect } from "effect";
import { loadDatabaseArgs } from "../config/pool.ts";
import { backupToFile } from "../storage/backup.ts";
import { describeStore } from "../storage/sql.ts";
import { command, UsageError } from "./command.ts";
import { runOnDatabase } from "./database.ts";

export default command({
  name: "backup",
  usage: "<file> [-C hcstakepool.conf] [--dbhost …] [--datadir dir]",
  summary: "write a consistent dump of the pool database to <file> (JSON lines)",
  run: (argv) =>
    Effect.gen(function* () {
      const args = yield* loadDatabaseArgs(argv);
      const { database: config, positional } = args;
      if (positional.length !== 1) return yield* new UsageError({ message: "expected one backup file name" });
      const file = positional[0];
      const rows = yield* runOnDatabase(args, backupToFile(file, (m) => console.error(m)));
      return { from: describeStore(config), file, rows };
    }),
});
