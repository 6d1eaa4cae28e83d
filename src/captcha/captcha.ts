// The self-hosted captcha of sign-up, password reset and email change (the original's fields
// verifyKey / verifyValue): six digits drawn as a PNG, kept in memory for a few minutes and good
// for one answer, right or wrong. The store is bounded: the oldest challenges go first.
import { randomBytes, randomInt } from "node:crypto";
import { Buffer } from "node:buffer";
import { Clock, Context, Data, Duration, Effect, Layer, Option } from "effect";
import { drawCaptcha } from "./image.ts";

export const CAPTCHA_DIGITS = 6;

export class CaptchaInvalid extends Data.TaggedError("CaptchaInvalid")<Record<never, never>> {
  override get message() {
    return "verify value is invalid";
  }
}

export interface IssuedCaptcha {
  /** The form's verifyKey. */
  readonly id: string;
  readonly png: Uint8Array;
}

export interface CaptchaApi {
  /** False with nocaptcha (test networks): forms show no captcha and verify accepts anything. */
  readonly enabled: boolean;
  readonly issue: Effect.Effect<IssuedCaptcha>;
  /** The image of a pending challenge. */
  readonly image: (id: string) => Effect.Effect<Option.Option<Uint8Array>>;
  /** Consumes the challenge whatever the answer: a second try needs a new image. */
  readonly verify: (id: string, answer: string) => Effect.Effect<void, CaptchaInvalid>;
}

export interface CaptchaOptions {
  /** Default 10 minutes (the original's store). */
  readonly lifetime?: Duration.DurationInput;
  /** Pending challenges kept at most; default 10 000. */
  readonly capacity?: number;
  /** Told each new challenge's digits: lets a test read what a person reads off the image. */
  readonly onIssued?: (id: string, digits: string) => void;
}

const randomUnit = () => randomInt(0, 2 ** 32) / 2 ** 32;

interface Pending {
  readonly digits: string;
  readonly png: Uint8Array;
  readonly expiresAt: number;
}

export class Captcha extends Context.Tag("hcstakepool/Captcha")<Captcha, CaptchaApi>() {
  static readonly layer = (options: CaptchaOptions = {}) =>
    Layer.sync(Captcha, () => makeCaptcha(options, true));
  /** nocaptcha: challenges can still be issued (the API's generatecaptcha) but are not required. */
  static readonly disabled = Layer.sync(Captcha, () => makeCaptcha({}, false));
}

const makeCaptcha = (options: CaptchaOptions, enabled: boolean): CaptchaApi => {
  const lifetimeMs = Duration.toMillis(options.lifetime ?? Duration.minutes(10));
  const capacity = options.capacity ?? 10_000;
  const pending = new Map<string, Pending>();

  const dropExpired = (now: number) => {
    // Map order is issue order, so expired entries are at the front.
    for (const [id, p] of pending) {
      if (p.expiresAt > now) break;
      pending.delete(id);
    }
  };

  const issue = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis;
    dropExpired(now);
    while (pending.size >= capacity) pending.delete(pending.keys().next().value!);
    const id = randomBytes(15).toString("base64url");
    const digits = Array.from({ length: CAPTCHA_DIGITS }, () => String(randomInt(0, 10))).join("");
    const png = drawCaptcha(digits, randomUnit);
    pending.set(id, { digits, png, expiresAt: now + lifetimeMs });
    options.onIssued?.(id, digits);
    return { id, png };
  }).pipe(Effect.withSpan("Captcha.issue"));

  const live = (id: string) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      const p = pending.get(id);
      return p !== undefined && p.expiresAt > now ? Option.some(p) : Option.none();
    });

  return {
    enabled,
    issue,
    image: (id) => Effect.map(live(id), Option.map((p) => p.png)),
    verify: (id, answer) =>
      enabled
        ? Effect.flatMap(live(id), (p) => {
          pending.delete(id);
          return Option.isSome(p) && p.value.digits === answer.trim()
            ? Effect.void
            : Effect.fail(new CaptchaInvalid());
        })
        : Effect.void,
  };
};

/** The API's generatecaptcha answer: `{ CaptchaId, ImageBlob }` with the PNG as a data URL. */
export const captchaForApi = (captcha: IssuedCaptcha) => ({
  CaptchaId: captcha.id,
  ImageBlob: `data:image/png;base64,${Buffer.from(captcha.png).toString("base64")}`,
});
