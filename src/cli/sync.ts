// `hcpool sync -C <hcstakepool.conf>`: the startup wallet sync on demand. Reads the pool's config
// file (the original's option names; with no dbhost the embedded store in datadir), prints
// progress on stderr and the summary of what was repaired as JSON.
import { Effect, Layer } from "effect";
import { loadPoolConfig } from "../config/pool.ts";
import { databaseLayer } from "../storage/database.ts";
import { Users } from "../storage/users.ts";
import { pendingText } from "../wallets/reconciler.ts";
import { VotingWallets, votingWalletsConfig } from "../wallets/voting_wallets.ts";
import { type SyncProgress, syncWallets } from "../wallets/wallet_sync.ts";
import { command } from "./command.ts";
import { apiTokenIssuer } from "./database.ts";

const printProgress = (p: SyncProgress) =>
  Effect.sync(() => console.error(`sync ${p.phase}: ${p.done}/${p.total} (${p.perSecond}/s)`));

export default command({
  name: "sync",
  usage: "-C <hcstakepool.conf> [--<option> <value>…]",
  summary: "import missing scripts and tickets into every voting wallet; progress on stderr, JSON summary",
  run: (argv) =>
    Effect.gen(function* () {
      const pool = yield* loadPoolConfig(argv);
      const wallets = votingWalletsConfig(pool);
      const summary = yield* syncWallets({ resetVoteBits: true, onProgress: printProgress }).pipe(
        Effect.provide(
          Layer.mergeAll(
            VotingWallets.layer(wallets),
            Users.layer.pipe(
              Layer.provide(
                databaseLayer(pool.database, apiTokenIssuer(pool.apiSecret, pool.baseUrl)),
              ),
            ),
          ),
        ),
      );
      // Not left undone: a wallet behind the others finds these as it connects the blocks.
      const pending = pendingText(summary);
      if (pending !== "none") {
        console.error(`sync pending (each wallet finds them as it reaches those blocks): ${pending}`);
      }
      // An operator (or a unit's ExecStartPre) reads the exit status: anything left undone fails.
      const unfinished = [
        ...(summary.skipped.length > 0 ? [`${summary.skipped.length} wallets were not synced`] : []),
        ...(summary.problems.length > 0 ? [`${summary.problems.length} problems were not repaired`] : []),
      ];
      if (unfinished.length > 0) {
        console.log(JSON.stringify(summary, null, 2));
        return yield* Effect.fail({ message: `${unfinished.join("; ")} (see the summary)` });
      }
      return summary;
    }),
});
