// Every reconciler round pushes users and added low-fee tickets to every stakepoold, changed or
// not (issue 9 item 2): a stakepoold that restarted or missed a push is brought up to date.
import assert from "node:assert/strict";
import { Effect, Layer, Ref } from "effect";
import { Reconciler } from "../../src/wallets/reconciler.ts";
import { StakepooldClients } from "../../src/wallets/stakepoolds.ts";
import { poolLayer, withSimPool } from "./support.ts";

Deno.test("every reconciler round pushes users and low-fee tickets to the stakepoolds, even with nothing changed", () =>
  withSimPool({}, async (pool) => {
    const reports = await Effect.gen(function* () {
      const reconciler = yield* Reconciler;
      return [yield* reconciler.runOnce, yield* reconciler.runOnce];
    }).pipe(
      Effect.provide(Reconciler.layer({ interval: "1 hour" }).pipe(Layer.provideMerge(poolLayer(pool, 2)))),
      Effect.runPromise,
    );
    // The layer's own first round may have run too: every round pushed "all".
    const updates = await Effect.runPromise(Ref.get(pool.stakepooldUpdates));
    assert.ok(updates.length >= 2, JSON.stringify(updates));
    assert.ok(updates.every((u) => u === "all"), JSON.stringify(updates));
    for (const report of reports) {
      assert.equal(report.stakepooldsUpdated, 1);
      assert.deepEqual(report.problems, []);
    }
  }));

Deno.test("a stakepoold that did not take the push is a problem of the round; the wallets are still reconciled", () =>
  withSimPool({}, async (pool) => {
    const refusing = Layer.succeed(StakepooldClients, {
      updateAll: () =>
        Effect.succeed({ ok: 1, failed: [{ host: "127.0.0.1:9113", reason: "connection refused" }] }),
    });
    const report = await Effect.flatMap(Reconciler, (r) => r.runOnce).pipe(
      Effect.provide(
        Reconciler.layer({ interval: "1 hour" }).pipe(
          Layer.provide(refusing),
          Layer.provideMerge(poolLayer(pool, 2)),
        ),
      ),
      Effect.runPromise,
    );
    assert.ok(report.summary !== undefined, "the wallets' part ran");
    assert.equal(report.stakepooldsUpdated, 1);
    assert.deepEqual(report.problems, ["stakepoold 127.0.0.1:9113: connection refused"]);
  }));
