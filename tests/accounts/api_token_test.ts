// The API token: the original's JWT (HS256 keyed by apisecret; iat, iss = baseurl, loggedInAs),
// bound to the token the user holds: a regenerated one revokes the old; a token signed with
// another secret, for another user or with an alg other than HMAC is refused.
import assert from "node:assert/strict";
import { Effect, Option, Redacted } from "effect";
import { sign, verify } from "hono/jwt";
import {
  apiTokenOf,
  regenerateApiToken,
  signApiToken,
  verifyApiToken,
} from "../../src/accounts/api_token.ts";
import { EmailVerification } from "../../src/domain/models.ts";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { Users } from "../../src/storage/users.ts";
import { withAccounts } from "./support.ts";

Deno.test("signApiToken writes the original's claims, HS256 with apisecret", async () => {
  const token = await Effect.runPromise(
    signApiToken({
      apiSecret: Redacted.make("s3cret"),
      baseUrl: "https://pool.example",
      userId: 42,
      issuedAt: 1700000000,
    }),
  );
  const claims = await verify(token, "s3cret", "HS256");
  assert.equal(claims.iat, 1700000000);
  assert.equal(claims.iss, "https://pool.example");
  assert.equal(claims.loggedInAs, 42);
  await assert.rejects(verify(token, "other secret", "HS256"));
  const again = await Effect.runPromise(
    signApiToken({
      apiSecret: Redacted.make("s3cret"),
      baseUrl: "https://pool.example",
      userId: 42,
      issuedAt: 1700000000,
    }),
  );
  assert.notEqual(again, token, "two tokens issued in the same second differ (jti)");
});

Deno.test("a user's token is issued once, verifies only while held, and regeneration revokes it", () =>
  withAccounts(async ({ layer, config }) => {
    await Effect.gen(function* () {
      const users = yield* Users;
      const alice = yield* users.create({
        email: "alice@example.test",
        passwordHash: "$2b$12$x",
        emailToken: "",
        emailVerified: EmailVerification.verified,
        voteBits: 1,
        voteBitsVersion: 0,
      });
      const bob = yield* users.create({
        email: "bob@example.test",
        passwordHash: "$2b$12$x",
        emailToken: "",
        emailVerified: EmailVerification.verified,
        voteBits: 1,
        voteBitsVersion: 0,
      });
      const first = yield* apiTokenOf(alice, "198.51.100.7");
      const reloaded = Option.getOrThrow(yield* users.byId(alice.UserId));
      assert.equal(reloaded.APIToken, first);
      assert.equal(yield* apiTokenOf(reloaded, "198.51.100.7"), first, "not reissued once held");
      assert.equal(Option.getOrThrow(yield* verifyApiToken(first)).UserId, alice.UserId);

      const second = yield* regenerateApiToken(reloaded, "198.51.100.7");
      assert.ok(Option.isNone(yield* verifyApiToken(first)), "the old token is revoked");
      assert.equal(Option.getOrThrow(yield* verifyApiToken(second)).UserId, alice.UserId);

      // Signed correctly but never handed out (another iat): not the token Alice holds.
      const forged = yield* Effect.promise(() =>
        sign(
          { iat: 1, iss: config.baseUrl, loggedInAs: alice.UserId },
          Redacted.value(config.apiSecret),
          "HS512",
        )
      );
      assert.ok(Option.isNone(yield* verifyApiToken(forged)));
      // Bob's claim in a token signed with another secret.
      const otherSecret = yield* Effect.promise(() =>
        sign({ iat: 1, iss: config.baseUrl, loggedInAs: bob.UserId }, "not the apisecret", "HS256")
      );
      assert.ok(Option.isNone(yield* verifyApiToken(otherSecret)));
      // alg "none" and garbage.
      const none = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" }))}.${
        btoa(JSON.stringify({ loggedInAs: alice.UserId }))
      }.`;
      assert.ok(Option.isNone(yield* verifyApiToken(none)));
      assert.ok(Option.isNone(yield* verifyApiToken("not a token")));
      assert.ok(Option.isNone(yield* verifyApiToken("")));

      const actions = (yield* Effect.flatMap(AuditLog, (log) => log.list({ limit: 10 }))).map((e) =>
        e.Action
      );
      assert.deepEqual(actions, ["api token regenerated", "api token issued"]);
    }).pipe(Effect.provide(layer), Effect.runPromise);
  }));
