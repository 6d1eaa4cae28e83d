// `hcpool restore <file> [--force]`: loads a backup into a freshly migrated, empty database.
import { Effect } from "effect";
import { databaseConfigFromOptions, parseArgs } from "../config/database.ts";
import { restoreFromFile } from "../services/backup.ts";
import { describeStore } from "../services/sql.ts";
import { command, UsageError } from "./command.ts";
import { runOnDatabase } from "./migrate.ts";

export default command({
  name: "restore",
  usage: "<file> [--force] [-C hcstakepool.conf] [--dbhost …] [--datadir dir]",
  summary: "load a backup into an empty pool database (--force replaces existing rows)",
  run: (argv) =>
    Effect.gen(function* () {
      const { options, positional, switches } = yield* parseArgs(argv, { switches: ["force"] });
      if (positional.length !== 1) return yield* new UsageError({ message: "expected one backup file name" });
      const config = yield* databaseConfigFromOptions(options);
      const file = positional[0];
      const rows = yield* runOnDatabase(
        config,
        restoreFromFile(file, { force: switches.has("force"), progress: (m) => console.error(m) }),
      );
      return { into: describeStore(config), file, rows };
    }),
});
