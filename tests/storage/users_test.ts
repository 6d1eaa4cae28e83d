import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Either, Option } from "effect";
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { EmailVerification } from "../../src/domain/models.ts";
import { MAX_USER_ID, type NewUser, Users } from "../../src/storage/users.ts";
import { runMigrated, testBothStores } from "./support.ts";

const newUser = (email: string, extra: Partial<NewUser> = {}): NewUser => ({
  email,
  passwordHash: "$2a$10$abcdefghijklmnopqrstuu5Q0I2B1lqj0N0h1kqQ2v3GZ4KJ8eTQm",
  emailToken: crypto.randomUUID().replaceAll("-", ""),
  voteBits: 1,
  voteBitsVersion: 5,
  ...extra,
});

const multisig = (n: number) => ({
  MultiSigAddress: `HsMultisig${n}`,
  MultiSigScript: `5121${n}`,
  PoolPubKeyAddr: `HkPool${n}`,
  UserPubKeyAddr: `HkUser${n}`,
  UserFeeAddr: `HsFee${n}`,
  HeightRegistered: 1000 + n,
});

testBothStores("users: sign-up, look-ups, email verification and password change", async (config) => {
  const hash = await bcrypt.hash("correct horse", 4);
  await runMigrated(
    config,
    Users.layer,
    Effect.gen(function* () {
      const users = yield* Users;
      const created = yield* users.create(
        newUser("Alice@Example.com", { passwordHash: hash, emailToken: "tok1" }),
      );
      assert.equal(created.Email, "Alice@Example.com");
      assert.equal(created.Username, "Alice@Example.com");
      assert.equal(created.EmailVerified, EmailVerification.unverified);
      assert.equal(created.VoteBits, 1);
      assert.equal(created.VoteBitsVersion, 5);
      assert.equal(created.MultiSigAddress, "");
      assert.ok(bcrypt.compareSync("correct horse", new TextDecoder().decode(created.Password)));

      // Email compares case-insensitively on both stores, as the original did on MySQL.
      const byEmail = yield* users.byEmail("alice@example.com");
      assert.equal(Option.getOrThrow(byEmail).UserId, created.UserId);
      assert.ok(Option.isNone(yield* users.byEmail("bob@example.com")));
      assert.ok(Option.isNone(yield* users.byEmailToken("")));

      const taken = yield* Effect.either(users.create(newUser("alice@example.com")));
      assert.ok(Either.isLeft(taken) && taken.left._tag === "EmailTaken");

      const verified = Option.getOrThrow(yield* users.verifyEmail("tok1"));
      assert.equal(verified.EmailVerified, EmailVerification.verified);
      assert.equal(verified.EmailToken, "");
      assert.ok(Option.isNone(yield* users.verifyEmail("tok1")));

      yield* users.setPassword(created.UserId, "$2a$10$new");
      const after = Option.getOrThrow(yield* users.byId(created.UserId));
      assert.equal(new TextDecoder().decode(after.Password), "$2a$10$new");
      const missing = yield* Effect.either(users.setPassword(9998, "x"));
      assert.ok(Either.isLeft(missing) && missing.left._tag === "UserNotFound");

      yield* users.create(newUser("bob@example.com"));
      const email = yield* Effect.either(users.setEmail(created.UserId, "BOB@example.com"));
      assert.ok(Either.isLeft(email) && email.left._tag === "EmailTaken");
      yield* users.setEmail(created.UserId, "alice2@example.com");
      assert.equal(Option.getOrThrow(yield* users.byId(created.UserId)).Email, "alice2@example.com");

      yield* users.setApiToken(created.UserId, "jwt.token.here");
      assert.equal(Option.getOrThrow(yield* users.byApiToken("jwt.token.here")).UserId, created.UserId);
      assert.ok(Option.isNone(yield* users.byApiToken("")));
    }),
  );
});

testBothStores("users: multisig fields are set once, counts and stakepoold list follow", async (config) => {
  await runMigrated(
    config,
    Users.layer,
    Effect.gen(function* () {
      const users = yield* Users;
      const a = yield* users.create(newUser("a@x.test"));
      const b = yield* users.create(newUser("b@x.test"));
      yield* users.create(newUser("c@x.test"));
      assert.equal(yield* users.count, 3);
      assert.equal(yield* users.countActive, 0);

      const set = yield* users.setMultisig(a.UserId, multisig(1));
      assert.deepEqual(
        [set.MultiSigAddress, set.MultiSigScript, set.PoolPubKeyAddr, set.UserPubKeyAddr, set.UserFeeAddr],
        ["HsMultisig1", "51211", "HkPool1", "HkUser1", "HsFee1"],
      );
      assert.equal(set.HeightRegistered, 1001);
      const again = yield* Effect.either(users.setMultisig(a.UserId, multisig(9)));
      assert.ok(Either.isLeft(again) && again.left._tag === "AddressAlreadySet");
      assert.equal(Option.getOrThrow(yield* users.byId(a.UserId)).MultiSigAddress, "HsMultisig1");
      const none = yield* Effect.either(users.setMultisig(4242, multisig(2)));
      assert.ok(Either.isLeft(none) && none.left._tag === "UserNotFound");

      yield* users.setMultisig(b.UserId, multisig(2));
      yield* users.setVoteBits(b.UserId, 5, 5);
      assert.equal(yield* users.countActive, 2);
      const configs = yield* users.votingConfigs;
      assert.deepEqual(configs.map((c) => ({ ...c })), [
        { UserId: a.UserId, MultiSigAddress: "HsMultisig1", VoteBits: 1, VoteBitsVersion: 5 },
        { UserId: b.UserId, MultiSigAddress: "HsMultisig2", VoteBits: 5, VoteBitsVersion: 5 },
      ]);
      const scripts = yield* users.registeredScripts;
      assert.deepEqual(scripts.map((s) => ({ ...s })), [
        { MultiSigScript: "51211", HeightRegistered: 1001 },
        { MultiSigScript: "51212", HeightRegistered: 1002 },
      ]);
    }),
  );
});

testBothStores("users: vote bits reset for a new vote version and for invalid bits", async (config) => {
  await runMigrated(
    config,
    Users.layer,
    Effect.gen(function* () {
      const users = yield* Users;
      const old = yield* users.create(newUser("old@x.test", { voteBits: 5, voteBitsVersion: 4 }));
      const valid = yield* users.create(newUser("valid@x.test", { voteBits: 5, voteBitsVersion: 5 }));
      const invalid = yield* users.create(newUser("invalid@x.test", { voteBits: 7, voteBitsVersion: 5 }));
      const changed = yield* users.resetVoteBits(5, (bits) => bits !== 7);
      assert.equal(changed, 2);
      const row = (id: number) =>
        Effect.map(
          users.byId(id),
          (u) => [Option.getOrThrow(u).VoteBits, Option.getOrThrow(u).VoteBitsVersion],
        );
      assert.deepEqual(yield* row(old.UserId), [1, 5]);
      assert.deepEqual(yield* row(valid.UserId), [5, 5]);
      assert.deepEqual(yield* row(invalid.UserId), [1, 5]);
      assert.equal(yield* users.resetVoteBits(5, (b) => b !== 7), 0);
    }),
  );
});

testBothStores("users: ids stop at the last derivation index and are never reused", async (config) => {
  await runMigrated(
    config,
    Users.layer,
    Effect.gen(function* () {
      const users = yield* Users;
      const sql = yield* SqlClient.SqlClient;
      yield* sql`INSERT INTO Users (UserId, Email, Username, Password, MultiSigAddress, EmailVerified, EmailToken,
                   APIToken, VoteBits, VoteBitsVersion)
                 VALUES (${
        MAX_USER_ID - 1
      }, 'seed@x.test', 'seed@x.test', ${new Uint8Array()}, '', 0, '', '', 1, 5)`;
      const last = yield* users.create(newUser("last@x.test"));
      assert.equal(last.UserId, MAX_USER_ID);
      const over = yield* Effect.either(users.create(newUser("over@x.test")));
      assert.ok(Either.isLeft(over) && over.left._tag === "UserIdsExhausted");
      assert.ok(Option.isNone(yield* users.byEmail("over@x.test")));
      assert.equal(yield* users.count, 2);
      // Deleting the top user must not hand its id (and addresses) to someone else.
      yield* sql`DELETE FROM Users WHERE UserId = ${MAX_USER_ID}`;
      const reuse = yield* Effect.either(users.create(newUser("reuse@x.test")));
      assert.ok(Either.isLeft(reuse) && reuse.left._tag === "UserIdsExhausted");
    }),
  );
});

testBothStores(
  "users: refused duplicate sign-ups do not use up user ids (derivation indexes)",
  async (config) => {
    await runMigrated(
      config,
      Users.layer,
      Effect.gen(function* () {
        const users = yield* Users;
        const first = yield* users.create(newUser("taken@x.test"));
        for (let i = 0; i < 10; i++) {
          const email = i % 2 === 0 ? "taken@x.test" : "TAKEN@X.test";
          const again = yield* Effect.either(users.create(newUser(email)));
          assert.ok(Either.isLeft(again) && again.left._tag === "EmailTaken", `attempt ${i}`);
        }
        const next = yield* users.create(newUser("next@x.test"));
        assert.equal(next.UserId, first.UserId + 1);
      }),
    );
  },
);
