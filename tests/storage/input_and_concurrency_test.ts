import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Either, Layer, Option } from "effect";
import assert from "node:assert/strict";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { MAX_EMAIL_LENGTH, type NewUser, Users } from "../../src/storage/users.ts";
import { runMigrated, testBothStores } from "./support.ts";

const user = (email: string): NewUser => ({
  email,
  passwordHash: "$2a$10$hash",
  emailToken: crypto.randomUUID(),
  voteBits: 1,
  voteBitsVersion: 5,
});

const ODD = [
  "robert'); DROP TABLE Users;--@x.test",
  "quote\"double'single`back@x.test",
  "back\\slash\\\\0\\n%_@x.test",
  "emoji😀🧑🏽‍💻@x.test",
  "combining e\u0301 and ﬁ ligature@x.test",
  "rtl\u202Eevil@x.test",
  "tab\there@x.test",
  "中文@例子.测试",
  "x".repeat(MAX_EMAIL_LENGTH - 7) + "@x.test",
];

testBothStores("odd input round-trips verbatim; an over-long email is refused clearly", async (config) => {
  await runMigrated(
    config,
    Layer.merge(Users.layer, LowFeeTickets.layer),
    Effect.gen(function* () {
      const users = yield* Users;
      for (const email of ODD) {
        const created = yield* users.create(user(email));
        const back = Option.getOrThrow(yield* users.byId(created.UserId));
        assert.equal(back.Email, email);
        assert.equal(back.Username, email);
        assert.equal(Option.getOrThrow(yield* users.byEmail(email)).UserId, created.UserId);
      }
      assert.equal(yield* users.count, ODD.length);
      const long = yield* Effect.either(users.create(user("y".repeat(MAX_EMAIL_LENGTH - 6) + "@x.test")));
      assert.ok(Either.isLeft(long) && long.left._tag === "EmailTooLong");
      assert.match(long.left.message, /256 characters, at most 255/);
      const sql = yield* SqlClient.SqlClient;
      const [{ n }] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM Users`;
      assert.equal(Number(n), ODD.length);

      const tickets = yield* LowFeeTickets;
      const hash = "' OR 1=1 --\\😀";
      yield* tickets.add(1, [{ TicketHash: hash, TicketAddress: 'addr"`', Expires: 9e9 }]);
      assert.deepEqual((yield* tickets.all).map((t) => [t.TicketHash, t.TicketAddress]), [[hash, 'addr"`']]);
    }),
  );
});

testBothStores(
  "200 concurrent sign-ups give 200 distinct users; one email signed up concurrently wins once",
  async (config) => {
    await runMigrated(
      config,
      Users.layer,
      Effect.gen(function* () {
        const users = yield* Users;
        const created = yield* Effect.forEach(
          Array.from({ length: 200 }, (_, i) => `user${i}@x.test`),
          (email) => users.create(user(email)),
          { concurrency: "unbounded" },
        );
        assert.equal(new Set(created.map((u) => u.UserId)).size, 200);
        assert.equal(new Set(created.map((u) => u.Email)).size, 200);
        assert.equal(yield* users.count, 200);

        const race = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "same@x.test" : "SAME@x.test")),
          (email) => Effect.either(users.create(user(email))),
          { concurrency: "unbounded" },
        );
        assert.equal(race.filter(Either.isRight).length, 1);
        assert.ok(race.filter(Either.isLeft).every((r) => r.left._tag === "EmailTaken"));
        assert.equal(yield* users.count, 201);
      }),
    );
  },
);
