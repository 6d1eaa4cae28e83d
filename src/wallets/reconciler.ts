// The periodic wallet reconciler (anchors §6 goal 1, vspd's consistency loop): every few minutes it
// repeats the cheap part of the startup sync, repairing a wallet that came back without scripts
// or tickets, and keeps a report of what it did and what it could not fix. While wallet commands
// are stopped it only reports: repairing is then an operator's decision. Every round also pushes
// the users and the added low-fee tickets to every stakepoold, so one that restarted, or missed a
// push while it was away, is brought up to date (issue 9 item 2), wallets stopped or not.
import { Clock, Context, Duration, Effect, Layer, Option, Ref, Schedule } from "effect";
import type { Users } from "../storage/users.ts";
import { StakepooldClients } from "./stakepoolds.ts";
import { VotingWallets } from "./voting_wallets.ts";
import { type SyncSummary, syncWallets } from "./wallet_sync.ts";

export interface ReconcileReport {
  readonly at: Date;
  /** Undefined when the wallets' part could not run (stopped, too few wallets, vote versions differ…). */
  readonly summary: SyncSummary | undefined;
  /** Stakepoolds that took the push of users and low-fee tickets. */
  readonly stakepooldsUpdated: number;
  /** What needs an operator: the round's failure, wallets skipped, items not repaired, stakepoolds not told. */
  readonly problems: ReadonlyArray<string>;
}

/** What a sync repaired, wallet by wallet, for a log line; "none" when it repaired nothing. */
export const repairsText = (summary: SyncSummary): string => {
  const wallets = summary.repaired.flatMap((r) => {
    const done = [
      ...(r.scriptsImported > 0 ? [`${r.scriptsImported} script(s) imported`] : []),
      ...(r.rescannedFrom !== undefined ? [`rescanned from block ${r.rescannedFrom}`] : []),
      ...(r.ticketsAdded > 0 ? [`${r.ticketsAdded} ticket(s) made votable`] : []),
    ];
    return done.length === 0 ? [] : [`${r.wallet}: ${done.join(", ")}`];
  });
  return wallets.length === 0 ? "none" : wallets.join("; ");
};

/**
 * Tickets a wallet lacks in blocks it had not reached during the sync, wallet by wallet, for a log
 * line; "none" when there are none. Neither a repair nor a problem: it finds them as it connects
 * those blocks, holding their scripts, and the next round checks.
 */
export const pendingText = (summary: SyncSummary): string => {
  const wallets = summary.repaired.filter((r) => r.ticketsPending > 0).map((r) =>
    `${r.wallet}: ${r.ticketsPending} ticket(s) in blocks it had not reached`
  );
  return wallets.length === 0 ? "none" : wallets.join("; ");
};

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
  const context = yield* Effect.context<VotingWallets | Users | StakepooldClients>();
  const vw = yield* VotingWallets;
  const stakepoolds = yield* StakepooldClients;
  const last = yield* Ref.make(Option.none<ReconcileReport>());

  const walletsPart = Effect.gen(function* () {
    const stopped = yield* vw.stopped;
    if (Option.isSome(stopped)) return { summary: undefined, problems: [stopped.value.message] };
    return yield* syncWallets({ resetVoteBits: false }).pipe(
      Effect.match({
        onFailure: (e) => ({ summary: undefined, problems: [e.message] }),
        onSuccess: (summary) => ({
          summary,
          problems: [...summary.skipped.map((s) => `${s.wallet}: ${s.reason}`), ...summary.problems],
        }),
      }),
    );
  });

  // A defect (a row that does not decode, a bug) ends that part of this round only: the schedule
  // would stop for good, and with it every later repair and push.
  const survive = <A, R>(part: string, effect: Effect.Effect<A, never, R>, failed: (problem: string) => A) =>
    Effect.catchAllDefect(effect, (defect) =>
      Effect.succeed(failed(
        `${part} failed unexpectedly: ${defect instanceof Error ? defect.message : String(defect)}`,
      )));

  const round = Effect.gen(function* () {
    const wallets = yield* survive(
      "round",
      walletsPart,
      (problem) => ({ summary: undefined, problems: [problem] }),
    );
    const pushed = yield* survive(
      "stakepoold update",
      stakepoolds.updateAll("all"),
      (problem) => ({ ok: 0, failed: [{ host: "stakepoolds", reason: problem }] }),
    );
    return {
      at: new Date(yield* Clock.currentTimeMillis),
      summary: wallets.summary,
      stakepooldsUpdated: pushed.ok,
      problems: [...wallets.problems, ...pushed.failed.map((f) => `stakepoold ${f.host}: ${f.reason}`)],
    } satisfies ReconcileReport;
  });

  const runOnce = round.pipe(
    Effect.tap((report) => Ref.set(last, Option.some(report))),
    Effect.tap((report) => {
      const repaired = report.summary === undefined ? "none" : repairsText(report.summary);
      const pending = report.summary === undefined ? "none" : pendingText(report.summary);
      const annotations = { repaired, pending, problems: report.problems.join("; ") };
      return report.problems.length > 0
        ? Effect.logWarning("wallet reconciliation left problems").pipe(Effect.annotateLogs(annotations))
        : repaired !== "none"
        ? Effect.logInfo("wallet reconciliation repaired wallets").pipe(Effect.annotateLogs(annotations))
        : pending !== "none"
        ? Effect.logInfo("wallet reconciliation left tickets to the next round").pipe(
          Effect.annotateLogs(annotations),
        )
        : Effect.logDebug("wallets consistent");
    }),
    Effect.provide(context),
    Effect.withSpan("Reconciler.round"),
  );

  return { runOnce, lastReport: Ref.get(last) };
});
