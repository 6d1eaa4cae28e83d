import { Effect, Either, Layer, Option, TestClock, TestContext } from "effect";
import assert from "node:assert/strict";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { EmailChanges } from "../../src/storage/email_changes.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { PasswordResets } from "../../src/storage/password_resets.ts";
import { Sessions } from "../../src/storage/sessions.ts";
import { Users } from "../../src/storage/users.ts";
import { runMigrated, testBothStores } from "./support.ts";

const repositories = Layer.mergeAll(
  EmailChanges.layer,
  PasswordResets.layer,
  LowFeeTickets.layer,
  Sessions.layer,
  AuditLog.layer,
).pipe(Layer.provideMerge(Users.layer));

const T0 = 1_700_000_000;
/** Runs `body` with the Effect clock at T0 (seconds); TestClock.adjust moves it. */
const atT0 = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.zipRight(TestClock.setTime(T0 * 1000), body).pipe(Effect.provide(TestContext.TestContext));

const signUp = (email: string) =>
  Effect.flatMap(
    Users,
    (users) =>
      users.create({ email, passwordHash: "$2a$10$x", emailToken: email, voteBits: 1, voteBitsVersion: 5 }),
  );

testBothStores("email change: token valid for an hour, applies the new email once", async (config) => {
  await runMigrated(
    config,
    repositories,
    atT0(Effect.gen(function* () {
      const changes = yield* EmailChanges;
      const users = yield* Users;
      const alice = yield* signUp("alice@x.test");
      const change = yield* changes.create(alice.UserId, "alice@new.test", "tok-a");
      assert.equal(change.Created, T0);
      assert.equal(change.Expires, T0 + 3600);
      assert.deepEqual({ ...(yield* changes.find("tok-a")) }, { ...change });
      const unknown = yield* Effect.either(changes.find("nope"));
      assert.ok(Either.isLeft(unknown) && unknown.left._tag === "TokenNotFound");

      yield* changes.create(alice.UserId, "late@new.test", "tok-late");
      yield* TestClock.adjust("59 minutes");
      const applied = yield* changes.apply("tok-a");
      assert.equal(applied.NewEmail, "alice@new.test");
      assert.equal(Option.getOrThrow(yield* users.byId(alice.UserId)).Email, "alice@new.test");
      const reused = yield* Effect.either(changes.apply("tok-a"));
      assert.ok(Either.isLeft(reused) && reused.left._tag === "TokenNotFound");

      yield* TestClock.adjust("1 minute");
      const expired = yield* Effect.either(changes.apply("tok-late"));
      assert.ok(Either.isLeft(expired) && expired.left._tag === "TokenExpired");
      assert.equal(Option.getOrThrow(yield* users.byId(alice.UserId)).Email, "alice@new.test");

      // A change to an email taken meanwhile fails and keeps the token and the old email.
      yield* signUp("bob@x.test");
      yield* changes.create(alice.UserId, "bob@x.test", "tok-bob");
      const taken = yield* Effect.either(changes.apply("tok-bob"));
      assert.ok(Either.isLeft(taken) && taken.left._tag === "EmailTaken");
      assert.equal((yield* changes.find("tok-bob")).NewEmail, "bob@x.test");
    })),
  );
});

testBothStores("password reset: token valid for an hour, sets the hash and is consumed", async (config) => {
  await runMigrated(
    config,
    repositories,
    atT0(Effect.gen(function* () {
      const resets = yield* PasswordResets;
      const users = yield* Users;
      const alice = yield* signUp("alice@x.test");
      const reset = yield* resets.create(alice.UserId, "r1");
      assert.equal(reset.Expires, T0 + 3600);
      yield* resets.create(alice.UserId, "r2");
      yield* resets.apply("r1", "$2a$10$newhash");
      const stored = Option.getOrThrow(yield* users.byId(alice.UserId));
      assert.equal(new TextDecoder().decode(stored.Password), "$2a$10$newhash");
      const again = yield* Effect.either(resets.find("r1"));
      assert.ok(Either.isLeft(again) && again.left._tag === "TokenNotFound");
      yield* TestClock.adjust("1 hour");
      const expired = yield* Effect.either(resets.apply("r2", "$2a$10$other"));
      assert.ok(Either.isLeft(expired) && expired.left._tag === "TokenExpired");
      const empty = yield* Effect.either(resets.find(""));
      assert.ok(Either.isLeft(empty) && empty.left._tag === "TokenNotFound");
    })),
  );
});

testBothStores(
  "low-fee tickets: add once, remove by hashes as parameters, votable until expiry",
  async (config) => {
    await runMigrated(
      config,
      repositories,
      atT0(Effect.gen(function* () {
        const tickets = yield* LowFeeTickets;
        const hash = (n: number) => n.toString(16).padStart(64, "0");
        const added = yield* tickets.add(7, [
          { TicketHash: hash(1), TicketAddress: "HsA", Expires: T0 + 100 },
          { TicketHash: hash(2), TicketAddress: "HsB", Expires: T0 + 10_000 },
          { TicketHash: hash(3), TicketAddress: "HsC", Expires: T0 + 10_000 },
        ]);
        assert.equal(added, 3);
        assert.equal(yield* tickets.add(7, [{ TicketHash: hash(1), TicketAddress: "HsA", Expires: T0 }]), 0);
        const all = yield* tickets.all;
        assert.deepEqual(
          all.map((t) => [t.TicketHash, t.TicketAddress, t.AddedByUid, t.Voted, t.TicketExpiry]),
          [
            [hash(1), "HsA", 7, 0, 0],
            [hash(2), "HsB", 7, 0, 0],
            [hash(3), "HsC", 7, 0, 0],
          ],
        );
        assert.ok(all.every((t) => t.Created === T0));
        yield* TestClock.adjust("100 seconds");
        assert.deepEqual((yield* tickets.votable).map((t) => t.TicketHash), [hash(2), hash(3)]);
        // A hash that is SQL text removes nothing else.
        assert.equal(yield* tickets.remove([`${hash(2)}' OR '1'='1`]), 0);
        assert.equal(yield* tickets.remove([hash(2), hash(9)]), 1);
        assert.equal(yield* tickets.remove([]), 0);
        assert.deepEqual((yield* tickets.all).map((t) => t.TicketHash), [hash(1), hash(3)]);
      })),
    );
  },
);

testBothStores(
  "sessions: only the id's hash is stored; touch, expiry and sign-out everywhere",
  async (config) => {
    await runMigrated(
      config,
      repositories,
      atT0(Effect.gen(function* () {
        const sessions = yield* Sessions;
        const { id, session } = yield* sessions.create({ userId: 3, data: '{"csrf":"x"}', ttlSeconds: 600 });
        assert.notEqual(session.SessionHash, id);
        assert.equal(session.SessionHash.length, 64);
        assert.deepEqual({ ...Option.getOrThrow(yield* sessions.get(id)) }, { ...session });
        assert.ok(Option.isNone(yield* sessions.get(session.SessionHash)));

        yield* TestClock.adjust("500 seconds");
        yield* sessions.touch(id, 600);
        yield* sessions.setData(id, '{"csrf":"y"}');
        yield* TestClock.adjust("500 seconds");
        const touched = Option.getOrThrow(yield* sessions.get(id));
        assert.deepEqual([touched.LastSeen, touched.Expires, touched.Data], [
          T0 + 500,
          T0 + 1100,
          '{"csrf":"y"}',
        ]);

        const other = yield* sessions.create({ userId: 3, data: "", ttlSeconds: 60 });
        const visitor = yield* sessions.create({ userId: 0, data: "", ttlSeconds: 60 });
        assert.equal(yield* sessions.removeAllOfUser(3), 2);
        assert.ok(Option.isNone(yield* sessions.get(id)));
        assert.ok(Option.isNone(yield* sessions.get(other.id)));
        assert.ok(Option.isSome(yield* sessions.get(visitor.id)));
        yield* TestClock.adjust("60 seconds");
        assert.ok(Option.isNone(yield* sessions.get(visitor.id)));
        assert.equal(yield* sessions.removeExpired, 1);
        const last = yield* sessions.create({ userId: 4, data: "", ttlSeconds: 60 });
        yield* sessions.remove(last.id);
        assert.ok(Option.isNone(yield* sessions.get(last.id)));
      })),
    );
  },
);

testBothStores("audit log: appended entries list newest first, paged", async (config) => {
  await runMigrated(
    config,
    repositories,
    atT0(Effect.gen(function* () {
      const log = yield* AuditLog;
      const entries = [];
      for (const action of ["addlowfee", "removelowfee", "resume"]) {
        entries.push(yield* log.append({ actorUserId: 1, actorIp: "10.0.0.1", action, detail: `{"n":1}` }));
        yield* TestClock.adjust("1 second");
      }
      const listed = yield* log.list({ limit: 10 });
      assert.deepEqual(listed.map((e) => ({ ...e })), entries.reverse().map((e) => ({ ...e })));
      assert.deepEqual(listed.map((e) => e.Created), [T0 + 2, T0 + 1, T0]);
      const page = yield* log.list({ limit: 1, beforeId: listed[0].AuditId });
      assert.deepEqual(page.map((e) => e.Action), ["removelowfee"]);
    })),
  );
});
