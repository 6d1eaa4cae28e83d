// What the admin status page shows (behaviour §2.3 /status, issue 12): every voting wallet
// (connected, unlocked, vote version, best block), every stakepoold (its control API's counts and
// its ticket-event stream, with the last vote it reported), the wallet manager's state and the
// reconciler's last round; and the admin's "resume after check".
import { Effect, Either, Option } from "effect";
import { audit } from "../accounts/audit.ts";
import type { User } from "../domain/models.ts";
import { StakepooldWatch } from "../tickets/stakepoold_watch.ts";
import { Reconciler } from "../wallets/reconciler.ts";
import { VotingWallets } from "../wallets/voting_wallets.ts";

/** Each wallet's best block, when it answers (a wallet that does not is shown by its status). */
const bestBlocks = Effect.flatMap(
  VotingWallets,
  (vw) =>
    Effect.forEach(vw.wallets, (w) =>
      w.rpc.getBestBlock().pipe(
        Effect.timeout("5 seconds"),
        Effect.either,
        Effect.map((answer) => [w.name, Either.isRight(answer) ? answer.right.height : undefined] as const),
      ), { concurrency: "unbounded" }),
).pipe(Effect.map((pairs) => new Map(pairs)));

export const poolStatus = Effect.gen(function* () {
  const [wallets, heights, stakepoolds, reconciler] = yield* Effect.all([
    Effect.flatMap(VotingWallets, (vw) => vw.status),
    bestBlocks,
    Effect.flatMap(StakepooldWatch, (watch) => watch.reports),
    Effect.flatMap(Reconciler, (r) => r.lastReport),
  ], { concurrency: "unbounded" });
  return {
    wallets,
    bestBlocks: heights as ReadonlyMap<string, number | undefined>,
    stakepoolds,
    reconciler: Option.getOrUndefined(reconciler),
  };
}).pipe(Effect.withSpan("poolStatus"));

export type PoolStatus = Effect.Effect.Success<typeof poolStatus>;

/**
 * Resume after check: the wallets' consistency check and the stop's own re-check run first, and
 * wallet commands resume only if both pass (ResumeRefused names what is wrong). Returns whether
 * the commands were stopped at all.
 */
export const resumeWallets = (r: { readonly admin: User; readonly ip: string }) =>
  Effect.gen(function* () {
    const vw = yield* VotingWallets;
    const stopped = yield* vw.stopped;
    if (Option.isNone(stopped)) return false;
    yield* vw.resume.pipe(
      Effect.tapError((e) =>
        Effect.logWarning("an admin's resume was refused").pipe(
          Effect.annotateLogs({ admin: r.admin.UserId, ip: r.ip, problems: e.problems.join("; ") }),
        )
      ),
    );
    yield* audit({
      userId: r.admin.UserId,
      ip: r.ip,
      action: "wallet commands resumed",
      detail: `stopped since ${stopped.value.since.toISOString()}: ${stopped.value.reason}`,
    });
    return true;
  }).pipe(Effect.withSpan("resumeWallets"));
