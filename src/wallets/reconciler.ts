// The periodic wallet reconciler (anchors §6 goal 1, vspd's consistency loop): every few minutes it
// repeats the cheap part of the startup sync, repairing a wallet that came back without scripts
// or tickets, and keeps a report of what it did and what it could not fix. While wallet commands
// are stopped it only reports: repairing is then an operator's decision.
import { Context, Duration, Effect, Layer, Option, Ref, Schedule } from "effect";
import type { Users } from "../storage/users.ts";
import { VotingWallets } from "./voting_wallets.ts";
import { repairCount, type SyncSummary, syncWallets } from "./wallet_sync.ts";

export interface ReconcileReport {
  readonly at: Date;
  /** Undefined when the round could not run (stopped, too few wallets, vote versions differ…). */
  readonly summary: SyncSummary | undefined;
  /** What needs an operator: the round's failure, wallets skipped, items not repaired. */
  readonly problems: ReadonlyArray<string>;
}

export interface ReconcilerConfig {
  /** Default 5 minutes. */
  readonly interval?: Duration.DurationInput;
}

export class Reconciler extends Context.Tag("hcstakepool/Reconciler")<Reconciler, {
  /** One round now (also what the background fiber runs). */
  readonly runOnce: Effect.Effect<ReconcileReport>;
  /** The latest round's report. */
  readonly lastReport: Effect.Effect<Option.Option<ReconcileReport>>;
}>() {
  /** Runs a round every interval in a background fiber that ends with the layer's scope. */
  static readonly layer = (config: ReconcilerConfig = {}) =>
    Layer.scoped(
      Reconciler,
      Effect.gen(function* () {
        const reconciler = yield* makeReconciler;
        yield* reconciler.runOnce.pipe(
          Effect.schedule(Schedule.spaced(config.interval ?? Duration.minutes(5))),
          Effect.forkScoped,
        );
        return reconciler;
      }),
    );
}

const makeReconciler = Effect.gen(function* () {
  const context = yield* Effect.context<VotingWallets | Users>();
  const vw = yield* VotingWallets;
  const last = yield* Ref.make(Option.none<ReconcileReport>());

  const round = Effect.gen(function* () {
    const stopped = yield* vw.stopped;
    if (Option.isSome(stopped)) {
      return { at: new Date(), summary: undefined, problems: [stopped.value.message] };
    }
    return yield* syncWallets({ resetVoteBits: false }).pipe(
      Effect.match({
        onFailure: (e) => ({ at: new Date(), summary: undefined, problems: [e.message] }),
        onSuccess: (summary) => ({
          at: new Date(),
          summary,
          problems: [...summary.skipped.map((s) => `${s.wallet}: ${s.reason}`), ...summary.problems],
        }),
      }),
    );
  }).pipe(
    // A defect (a row that does not decode, a bug) ends this round only: the schedule would stop
    // for good, and with it every later repair.
    Effect.catchAllDefect((defect) =>
      Effect.succeed<ReconcileReport>({
        at: new Date(),
        summary: undefined,
        problems: [`round failed unexpectedly: ${defect instanceof Error ? defect.message : String(defect)}`],
      })
    ),
  );

  const runOnce = round.pipe(
    Effect.tap((report) => Ref.set(last, Option.some(report))),
    Effect.tap((report) => {
      const repaired = report.summary === undefined ? 0 : repairCount(report.summary);
      const annotations = { repaired, problems: report.problems.join("; ") };
      return report.problems.length > 0
        ? Effect.logWarning("wallet reconciliation left problems").pipe(Effect.annotateLogs(annotations))
        : repaired > 0
        ? Effect.logInfo("wallet reconciliation repaired wallets").pipe(Effect.annotateLogs(annotations))
        : Effect.logDebug("wallets consistent");
    }),
    Effect.provide(context),
    Effect.withSpan("Reconciler.round"),
  );

  return { runOnce, lastReport: Ref.get(last) };
});
