// The background reconciler against hcsim: a round that fails unexpectedly is reported, and the
// rounds go on.
import assert from "node:assert/strict";
import { Effect, Layer, Option } from "effect";
import { Reconciler } from "../../src/wallets/reconciler.ts";
import { Users } from "../../src/storage/users.ts";
import { eventually, poolLayer, registerDriftedUsers, withSimPool } from "./support.ts";

Deno.test("a reconciler round that dies (a row that does not decode) is reported and the next round still runs", () =>
  withSimPool({}, async (pool) => {
    const [registration] = await registerDriftedUsers(pool, 1, 0);
    let reads = 0;
    const usersDyingOnce = Layer.effect(
      Users,
      Effect.map(Users, (users) => ({
        ...users,
        registeredScripts: Effect.suspend(() =>
          ++reads === 1 ? Effect.die(new Error("a Users row that does not decode")) : users.registeredScripts
        ),
      })),
    );
    const report = await Effect.flatMap(Reconciler, (r) =>
      eventually(
        r.lastReport,
        (last) => Option.isSome(last) && last.value.summary !== undefined,
        "a round that completes",
        30_000,
      )).pipe(
        Effect.provide(
          Reconciler.layer({ interval: "100 millis" }).pipe(
            Layer.provide(usersDyingOnce),
            Layer.provideMerge(poolLayer(pool, 2)),
          ),
        ),
        Effect.runPromise,
      );
    assert.ok(reads >= 2);
    assert.deepEqual(Option.getOrThrow(report).problems, []);
    assert.ok(
      pool.sim.nodes[2].wallet.listScripts().some((s) => s.redeemscript === registration.redeemScript),
    );
  }));
