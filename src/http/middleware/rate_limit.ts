// Per-IP and per-account rate limits (rate-limiter-flexible, in memory) on the routes attackers
// hammer: sign-in, sign-up, password reset, captcha images and settings changes. One table of
// rules; a route names the rules it consumes and how to key each (client IP, a form field, the
// signed-in user). Over the limit: 429 with Retry-After, and the request goes no further.
import { Context, Data, Effect, Layer } from "effect";
import type { MiddlewareHandler } from "hono";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { AppEnv, Ctx } from "../context.ts";
import { failurePage } from "../outcomes.tsx";

export interface RateRule {
  readonly points: number;
  readonly seconds: number;
}

export const RATE_RULES = {
  "signin:ip": { points: 30, seconds: 15 * 60 },
  /** Brute force on one account: the 9th try within 15 minutes is refused. */
  "signin:account": { points: 8, seconds: 15 * 60 },
  "signup:ip": { points: 10, seconds: 3600 },
  "passwordreset:ip": { points: 10, seconds: 3600 },
  "passwordreset:account": { points: 3, seconds: 3600 },
  "passwordupdate:ip": { points: 20, seconds: 3600 },
  /** Captcha images drawn (each form view draws one). */
  "captcha:ip": { points: 60, seconds: 10 * 60 },
  /** Email and password changes: each needs the current password, so this also caps guessing. */
  "settings:account": { points: 10, seconds: 15 * 60 },
  "settings:ip": { points: 30, seconds: 15 * 60 },
  /** API writes (address, voting): per client IP before the token is checked, then per token's user. */
  "apiwrite:ip": { points: 60, seconds: 15 * 60 },
  "apiwrite:account": { points: 30, seconds: 15 * 60 },
} as const satisfies Record<string, RateRule>;

export type RateRuleName = keyof typeof RATE_RULES;

export class RateLimited extends Data.TaggedError("RateLimited")<{ readonly retryAfterSeconds: number }> {
  override get message() {
    const minutes = Math.ceil(this.retryAfterSeconds / 60);
    return `Too many attempts. Please wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`;
  }
}

export class RateLimits extends Context.Tag("hcstakepool/RateLimits")<RateLimits, {
  /** Takes one point of `rule` for `key`; fails once the key has used them all. */
  readonly consume: (rule: RateRuleName, key: string) => Effect.Effect<void, RateLimited>;
}>() {
  /** The rules of RATE_RULES, some replaced (tests loosen or tighten them). */
  static readonly layer = (overrides: Partial<Record<RateRuleName, RateRule>> = {}) =>
    Layer.sync(RateLimits, () => {
      const limiters = new Map(
        (Object.keys(RATE_RULES) as Array<RateRuleName>).map((name) => {
          const rule = overrides[name] ?? RATE_RULES[name];
          return [
            name,
            new RateLimiterMemory({ keyPrefix: name, points: rule.points, duration: rule.seconds }),
          ];
        }),
      );
      return {
        consume: (rule, key) =>
          Effect.tryPromise({
            try: () => limiters.get(rule)!.consume(key),
            catch: (e) =>
              new RateLimited({
                retryAfterSeconds: e instanceof RateLimiterRes
                  ? Math.max(1, Math.ceil(e.msBeforeNext / 1000))
                  : 60,
              }),
          }).pipe(
            Effect.asVoid,
            Effect.tapError(() =>
              Effect.logWarning("rate limit reached").pipe(Effect.annotateLogs({ rule }))
            ),
          ),
      };
    });
}

/** How a rule's key is found in a request; undefined skips the rule (e.g. an empty field). */
export type RateKey = (c: Ctx) => string | undefined;

export const byIp: RateKey = (c) => c.get("ip");
/** A form field, case-folded (an email address). */
export const byField = (name: string): RateKey => (c) =>
  c.get("form").get(name).trim().toLowerCase() || undefined;
export const byUser: RateKey = (c) => {
  const user = c.get("user");
  return user === undefined ? undefined : String(user.UserId);
};

/** Consumes `rule` for the request's key before the handler runs. */
export const rateLimit = (rule: RateRuleName, key: RateKey): MiddlewareHandler<AppEnv> => async (c, next) => {
  const k = key(c);
  if (k !== undefined) {
    const exit = await c.get("run")(Effect.flatMap(RateLimits, (limits) => limits.consume(rule, k)));
    if (exit._tag === "Failure") return failurePage(c, exit.cause);
  }
  await next();
};
