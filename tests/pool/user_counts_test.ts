// UserCounts on a real store: one read however many ask at once, counts kept for the TTL (time
// moved by Effect's TestClock), a new user shown once the TTL has passed, and a failed read that
// is not hidden behind old counts.
import * as SqlClient from "@effect/sql/SqlClient";
import { Duration, Effect, Either, Layer, TestClock, TestContext } from "effect";
import assert from "node:assert/strict";
import { USER_COUNTS_TTL, UserCounts } from "../../src/pool/user_counts.ts";
import { Users } from "../../src/storage/users.ts";
import { runMigrated, testBothStores } from "../storage/support.ts";

/** The real Users, with its count reads counted. */
const countedUsers = (reads: { n: number }) =>
  Layer.effect(
    Users,
    Effect.map(Users, (users) => ({
      ...users,
      count: Effect.zipRight(Effect.sync(() => reads.n++), users.count),
    })),
  ).pipe(Layer.provide(Users.layer));

const addUser = (n: number, withAddress: boolean) =>
  Effect.gen(function* () {
    const users = yield* Users;
    const user = yield* users.create({
      email: `user${n}@counts.test`,
      passwordHash: "h",
      emailToken: `t${n}`,
      voteBits: 1,
      voteBitsVersion: 5,
    });
    if (withAddress) {
      yield* users.setMultisig(user.UserId, {
        MultiSigAddress: `HsM${n}`,
        MultiSigScript: "51",
        PoolPubKeyAddr: "HkP",
        UserPubKeyAddr: "HkU",
        UserFeeAddr: "HsF",
        HeightRegistered: 7,
      });
    }
  });

/** Asks until the counts are `expected` (the read started by an earlier ask lands in its own time). */
const countsBecome = (expected: { users: number; active: number }) =>
  Effect.gen(function* () {
    const counts = yield* UserCounts;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const seen = yield* counts.get;
      if (seen.users === expected.users && seen.active === expected.active) return;
      if (Date.now() > deadline) assert.fail(`counts stayed ${JSON.stringify(seen)}`);
      // Real time, not the test clock: the read is database work.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)));
    }
  });

testBothStores(
  "user counts: one read per TTL for a burst, new users after the TTL, failures shown",
  (config) => {
    const reads = { n: 0 };
    const ttl = Duration.toMillis(USER_COUNTS_TTL);
    return runMigrated(
      config,
      Layer.provideMerge(UserCounts.layer(), countedUsers(reads)),
      Effect.gen(function* () {
        const counts = yield* UserCounts;
        const burst = Effect.all(Array.from({ length: 20 }, () => counts.get), { concurrency: "unbounded" });
        yield* addUser(1, true);

        const first = yield* burst;
        assert.deepEqual(first[0], { users: 1, active: 1 });
        assert.ok(first.every((c) => c === first[0]), "every ask shares the one read");
        assert.equal(reads.n, 1);

        // Within the TTL a new user is not read yet, however often the page is asked for.
        yield* addUser(2, false);
        yield* TestClock.adjust(ttl - 1);
        assert.deepEqual(yield* burst, first);
        assert.equal(reads.n, 1);

        // Once the TTL has passed, the first ask still gets the old counts and starts one read for
        // everyone; the new user shows as soon as it is in.
        yield* TestClock.adjust(1);
        assert.deepEqual((yield* burst)[0], { users: 1, active: 1 });
        yield* countsBecome({ users: 2, active: 1 });
        assert.equal(reads.n, 2);

        // A read that fails is not covered up by the old counts: the ask after it sees the failure.
        const sql = yield* SqlClient.SqlClient;
        yield* sql`ALTER TABLE Users RENAME TO UsersAway`;
        yield* TestClock.adjust(ttl);
        const deadline = Date.now() + 120_000;
        let failed = false;
        while (!failed) {
          failed = Either.isLeft(yield* Effect.either(counts.get));
          if (Date.now() > deadline) assert.fail("the failed read was never shown");
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)));
        }
        yield* sql`ALTER TABLE UsersAway RENAME TO Users`;
        yield* countsBecome({ users: 2, active: 1 });
      }).pipe(Effect.provide(TestContext.TestContext)),
    );
  },
);
