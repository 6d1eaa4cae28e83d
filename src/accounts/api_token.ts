// The API token (behaviour §7.6): the original's JWT — HS256 keyed by apisecret with claims iat,
// iss = baseurl and loggedInAs = user id — stored in Users.APIToken. Unlike the original it is
// bound to the stored value: regenerating it (a fresh jti makes every token distinct) revokes the
// old one, and verifyApiToken accepts only the token the user currently holds.
import { randomBytes } from "node:crypto";
import { Clock, Effect, Option, Redacted } from "effect";
import { decode, sign, verify } from "hono/jwt";
import type { User } from "../domain/models.ts";
import { Users } from "../storage/users.ts";
import { audit } from "./audit.ts";
import { PoolSettings } from "./pool_settings.ts";
import { sameToken } from "./tokens.ts";

export const signApiToken = (o: {
  readonly apiSecret: Redacted.Redacted<string>;
  readonly baseUrl: string;
  readonly userId: number;
  /** unix seconds */
  readonly issuedAt: number;
}): Effect.Effect<string> =>
  Effect.promise(() =>
    sign(
      { iat: o.issuedAt, iss: o.baseUrl, loggedInAs: o.userId, jti: randomBytes(12).toString("base64url") },
      Redacted.value(o.apiSecret),
      "HS256",
    )
  );

const issue = (user: User, ip: string, action: "api token issued" | "api token regenerated") =>
  Effect.gen(function* () {
    const { config } = yield* PoolSettings;
    const token = yield* signApiToken({
      apiSecret: config.apiSecret,
      baseUrl: config.baseUrl,
      userId: user.UserId,
      issuedAt: Math.floor((yield* Clock.currentTimeMillis) / 1000),
    });
    yield* Effect.flatMap(Users, (users) => users.setApiToken(user.UserId, token));
    yield* audit({ userId: user.UserId, ip, action });
    return token;
  });

/** The user's token, issued now if they have none yet (the original did so when settings opened). */
export const apiTokenOf = (user: User, ip: string) =>
  user.APIToken !== "" ? Effect.succeed(user.APIToken) : issue(user, ip, "api token issued");

/** A new token; the old one stops working at once. */
export const regenerateApiToken = (user: User, ip: string) =>
  issue(user, ip, "api token regenerated").pipe(Effect.withSpan("regenerateApiToken"));

/**
 * The user a bearer token belongs to: a valid HMAC signature by apisecret (HS256/384/512, as the
 * original accepted), a numeric loggedInAs naming an existing user, and exactly the token that
 * user holds now. None for anything else.
 */
export const verifyApiToken = (token: string) =>
  Effect.gen(function* () {
    const { config } = yield* PoolSettings;
    const alg = (() => {
      try {
        return decode(token).header.alg;
      } catch {
        return undefined;
      }
    })();
    if (alg !== "HS256" && alg !== "HS384" && alg !== "HS512") return Option.none<User>();
    const claims = yield* Effect.promise(() =>
      verify(token, Redacted.value(config.apiSecret), alg).then((p) => p, () => undefined)
    );
    const userId = claims?.loggedInAs;
    if (typeof userId !== "number" || !Number.isSafeInteger(userId)) return Option.none<User>();
    const user = yield* Effect.flatMap(Users, (users) => users.byId(userId));
    return Option.filter(user, (u) => sameToken(u.APIToken, token));
  }).pipe(Effect.withSpan("verifyApiToken"));
