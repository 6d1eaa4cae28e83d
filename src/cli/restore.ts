// `hcpool restore <file> [--force]`: loads a backup into a freshly migrated, empty database.
import { Effect } from "effect";
import { loadDatabaseArgs } from "../config/pool.ts";
import { restoreFromFile } from "../storage/backup.ts";
import { describeStore } from "../storage/sql.ts";
import { command, UsageError } from "./command.ts";
import { runOnDatabase } from "./database.ts";

export default command({
  name: "restore",
  usage: "<file> [--force] [-C hcstakepool.conf] [--dbhost …] [--datadir dir]",
  summary: "load a backup into an empty pool database (--force replaces existing rows)",
  run: (argv) =>
    Effect.gen(function* () {
      const args = yield* loadDatabaseArgs(argv, ["force"]);
      const { database: config, options, positional } = args;
      if (positional.length !== 1) return yield* new UsageError({ message: "expected one backup file name" });
      const file = positional[0];
      const rows = yield* runOnDatabase(
        args,
        restoreFromFile(file, { force: options.force === "1", progress: (m) => console.error(m) }),
      );
      return { into: describeStore(config), file, rows };
    }),
});
