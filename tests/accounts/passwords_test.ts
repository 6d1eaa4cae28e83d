// Passwords: the rules new passwords meet, bcrypt cost 12 for new hashes, and the Go program's
// $2a$ (cost 10) hashes, which keep verifying and are replaced with cost-12 ones at sign-in.
import assert from "node:assert/strict";
import bcrypt from "bcryptjs";
import { Effect, Option } from "effect";
import {
  BCRYPT_COST,
  checkPassword,
  hashPassword,
  needsRehash,
  passwordProblem,
} from "../../src/accounts/passwords.ts";
import { signIn } from "../../src/accounts/sign_in.ts";
import { EmailVerification } from "../../src/domain/models.ts";
import { Users } from "../../src/storage/users.ts";
import { withAccounts } from "./support.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

// Published bcrypt test vectors ($2a$, cost 10, as Go's bcrypt.DefaultCost writes them).
const GO_HASHES = [
  {
    password: "abcdefghijklmnopqrstuvwxyz",
    hash: "$2a$10$fVH8e28OQRj9tqiDXs1e1uxpsjN0c7II7YPKXua2NAKYvM6iQk7dq",
  },
  {
    password: "~!@#$%^&*()      ~!@#$%^&*()PNBFRD",
    hash: "$2a$10$LgfYWkbzEvQ4JakH7rOvHe0y8pHKF9OaFgwUZ2q7W2FFZmZzJYlfS",
  },
];

Deno.test("new passwords: at least 8 characters, at most bcrypt's 72 bytes", () => {
  assert.equal(passwordProblem(""), "password cannot be empty");
  assert.equal(passwordProblem("1234567"), "password must be at least 8 characters");
  assert.equal(passwordProblem("12345678"), undefined);
  assert.equal(passwordProblem("ééééééé"), "password must be at least 8 characters", "characters, not bytes");
  assert.equal(passwordProblem("a".repeat(72)), undefined);
  assert.equal(passwordProblem("a".repeat(73)), "password must be at most 72 bytes");
  assert.equal(passwordProblem("é".repeat(37)), "password must be at most 72 bytes", "74 bytes in UTF-8");
});

Deno.test("new hashes are bcrypt $2b$ at cost 12 and verify; a wrong password and a broken hash do not", async () => {
  const hash = await Effect.runPromise(hashPassword("correct horse"));
  assert.match(hash, /^\$2b\$12\$/);
  assert.equal(bcrypt.getRounds(hash), BCRYPT_COST);
  assert.equal(await Effect.runPromise(checkPassword("correct horse", bytes(hash))), true);
  assert.equal(await Effect.runPromise(checkPassword("correct hors", bytes(hash))), false);
  assert.equal(await Effect.runPromise(checkPassword("x", bytes("$2a$10$not-a-hash"))), false);
  assert.equal(
    await Effect.runPromise(checkPassword("anything", undefined)),
    false,
    "no account matches nothing",
  );
  assert.equal(needsRehash(bytes(hash)), false);
});

Deno.test("the Go program's $2a$ cost-10 hashes verify and are due for a rehash", async () => {
  for (const { password, hash } of GO_HASHES) {
    assert.equal(await Effect.runPromise(checkPassword(password, bytes(hash))), true, password);
    assert.equal(await Effect.runPromise(checkPassword(password + "x", bytes(hash))), false);
    assert.equal(needsRehash(bytes(hash)), true);
  }
  const lowCost = await bcrypt.hash("password", 10);
  assert.equal(needsRehash(bytes(lowCost)), true, "a $2b$ hash below cost 12 too");
});

Deno.test("sign-in with a Go-made hash succeeds and stores a cost-12 hash that keeps working", () =>
  withAccounts(async ({ layer }) => {
    const { password, hash } = GO_HASHES[0];
    await Effect.gen(function* () {
      const users = yield* Users;
      yield* users.create({
        email: "old@example.test",
        passwordHash: hash,
        emailToken: "",
        emailVerified: EmailVerification.grandfathered,
        voteBits: 1,
        voteBitsVersion: 0,
      });
      const user = yield* signIn({ email: "OLD@example.test", password });
      const stored = new TextDecoder().decode(Option.getOrThrow(yield* users.byId(user.UserId)).Password);
      assert.match(stored, /^\$2b\$12\$/);
      assert.ok(yield* Effect.promise(() => bcrypt.compare(password, stored)));
      yield* signIn({ email: "old@example.test", password });
      const wrong = yield* Effect.flip(signIn({ email: "old@example.test", password: "nope" }));
      assert.equal(wrong.message, "Invalid Email or Password");
      const unknown = yield* Effect.flip(signIn({ email: "nobody@example.test", password }));
      assert.equal(unknown.message, "Invalid Email or Password", "the same answer for an unknown address");
    }).pipe(Effect.provide(layer), Effect.runPromise);
  }));
