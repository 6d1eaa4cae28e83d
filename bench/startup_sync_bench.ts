// Startup sync against hcsim (3 nodes, real TLS): the time syncWallets takes to repair wallets
// drifted as in the startup-sync test (one missing 1 000 scripts, one missing 5 000 tickets), and
// a second run that finds nothing to repair.
import { Effect, Logger, LogLevel } from "effect";
import { repairCount, syncWallets } from "../src/wallets/wallet_sync.ts";
import {
  DRIFTED_POOL_OPTIONS,
  poolLayer,
  registerDriftedUsers,
  withSimPool,
} from "../tests/wallets/support.ts";
import type { Measurement } from "./measurement.ts";

const SCRIPTS = 1_000;
const TICKETS = 5_000;

export const startupSyncBenchmarks = async (): Promise<ReadonlyArray<Measurement>> => {
  const out: Array<Measurement> = [];
  await withSimPool(DRIFTED_POOL_OPTIONS, async (pool) => {
    await registerDriftedUsers(pool, SCRIPTS, TICKETS);
    await Effect.gen(function* () {
      for (const run of ["repair", "second run"] as const) {
        const start = performance.now();
        const summary = yield* syncWallets({ resetVoteBits: true });
        const ms = performance.now() - start;
        if (summary.problems.length > 0) throw new Error(`sync problems: ${summary.problems.join("; ")}`);
        const repaired = repairCount(summary);
        const name = run === "repair"
          ? `startup sync: repair ${SCRIPTS} scripts + ${summary.tickets} tickets`
          : "startup sync: second run, nothing to repair";
        if ((run === "repair") !== (repaired > 0)) throw new Error(`${run}: ${repaired} repairs`);
        out.push({ name, value: ms, unit: "ms" });
      }
    }).pipe(
      Effect.provide(poolLayer(pool, 2)),
      Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
      Effect.runPromise,
    );
  });
  return out;
};
