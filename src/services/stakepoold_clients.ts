// The web app's view of its stakepoolds: after a change in the database (users' voting
// preferences, admin-added low-fee tickets) every stakepoold is told, each independently; a
// stakepoold that is down is reported, never fatal (voting goes on in the others).
import { Context, Effect, Layer } from "effect";

export type StakepooldUpdate = "users" | "tickets" | "all";

export interface StakepooldUpdateReport {
  readonly ok: number;
  /** Host and reason for each stakepoold that did not take the update. */
  readonly failed: ReadonlyArray<{ readonly host: string; readonly reason: string }>;
}

export class StakepooldClients extends Context.Tag("hcstakepool/StakepooldClients")<StakepooldClients, {
  /** Reads the current rows from the database and pushes them to every stakepoold. */
  readonly updateAll: (kind: StakepooldUpdate) => Effect.Effect<StakepooldUpdateReport>;
}>() {
  /** No stakepoold configured (enablestakepoold=false). */
  static readonly none = Layer.succeed(StakepooldClients, {
    updateAll: () => Effect.succeed({ ok: 0, failed: [] }),
  });
}
