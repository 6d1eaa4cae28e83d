// Server-side sessions (the Sessions table): the cookie holds only a random id. A session is
// created when a request first needs one (a form's CSRF token, a flash message, a sign-in), gets
// a new id at sign-in (the old one dies), and is deleted at sign-out. Its data — CSRF token and
// flash messages — is written back only when the request changed it.
import { Duration, Effect, Exit, Layer, Option, Schedule, Schema } from "effect";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { MiddlewareHandler } from "hono";
import { randomBytes } from "node:crypto";
import { Sessions } from "../../storage/sessions.ts";
import type { AppEnv, Ctx } from "../context.ts";

export const SESSION_COOKIE = "session";
/** Idle lifetime: each request extends it (written at most once per TOUCH_AFTER). */
export const SESSION_TTL_SECONDS = 12 * 3600;
const TOUCH_AFTER_SECONDS = 300;

export const Flash = Schema.Struct({
  kind: Schema.Literal("error", "success", "info"),
  text: Schema.String,
});
export type Flash = typeof Flash.Type;

const SessionData = Schema.Struct({ csrf: Schema.String, flashes: Schema.Array(Flash) });
type SessionData = typeof SessionData.Type;
const decodeData = Schema.decodeUnknownOption(Schema.parseJson(SessionData));

const newCsrfToken = () => randomBytes(32).toString("base64url");

/** The request's session; the middleware persists what changed after the handler ran. */
export class SessionState {
  private changed = false;
  private next: "keep" | "rotate" | "destroy" = "keep";

  private constructor(
    /** The cookie's id of a stored session; undefined until one is created. */
    readonly id: string | undefined,
    private user: number,
    private data: SessionData,
    readonly lastSeen: number,
  ) {}

  static stored(id: string, userId: number, raw: string, lastSeen: number): SessionState {
    const data = Option.getOrElse(decodeData(raw), () => ({ csrf: "", flashes: [] }));
    return new SessionState(id, userId, data, lastSeen);
  }
  static fresh(): SessionState {
    return new SessionState(undefined, 0, { csrf: "", flashes: [] }, 0);
  }

  /** 0 when nobody is signed in. */
  get userId(): number {
    return this.user;
  }

  /** The token every form carries (made on first use). */
  csrfToken(): string {
    if (this.data.csrf === "") this.update({ ...this.data, csrf: newCsrfToken() });
    return this.data.csrf;
  }
  /** The stored token, without making one. */
  get storedCsrfToken(): string {
    return this.data.csrf;
  }

  flash(kind: Flash["kind"], text: string) {
    this.update({ ...this.data, flashes: [...this.data.flashes, { kind, text }] });
  }
  /** The pending flash messages, removed from the session. */
  takeFlashes(): ReadonlyArray<Flash> {
    const flashes = this.data.flashes;
    if (flashes.length > 0) this.update({ ...this.data, flashes: [] });
    return flashes;
  }

  /** A new session id and CSRF token for `userId`; the current id stops working. */
  signIn(userId: number) {
    this.user = userId;
    this.next = "rotate";
    this.data = { ...this.data, csrf: newCsrfToken() };
  }
  /** The session is deleted and its cookie cleared. */
  signOut() {
    this.user = 0;
    this.next = "destroy";
  }

  private update(data: SessionData) {
    this.data = data;
    this.changed = true;
  }

  /** What the middleware has to do once the handler is done. */
  get pending() {
    return { next: this.next, changed: this.changed, userId: this.user };
  }
  /** The data as the Sessions table stores it. */
  get stored(): string {
    return JSON.stringify(this.data);
  }
}

const unixNow = () => Math.floor(Date.now() / 1000);

export class SessionStoreError extends Error {
  constructor(message: string, override readonly cause: unknown) {
    super(message);
  }
}

/**
 * Loads the session named by the cookie, runs the handler, then stores, rotates or deletes it.
 * `secure`: the cookie is only sent over https.
 */
export const sessionMiddleware =
  (options: { readonly secure: boolean }): MiddlewareHandler<AppEnv> => async (c, next) => {
    const cookieId = getCookie(c, SESSION_COOKIE);
    // A visitor without a cookie keeps the fresh state set for every request: no database round.
    let state = c.get("session");
    if (cookieId !== undefined && cookieId.length <= 64) {
      const found = await c.get("run")(Effect.flatMap(Sessions, (s) => s.get(cookieId)));
      if (Exit.isFailure(found)) throw new SessionStoreError("reading the session failed", found.cause);
      if (Option.isSome(found.value)) {
        const s = found.value.value;
        state = SessionState.stored(cookieId, s.UserId, s.Data, s.LastSeen);
      }
    }
    c.set("session", state);
    await next();
    await persist(c, state, options.secure);
  };

const persist = async (c: Ctx, state: SessionState, secure: boolean) => {
  const { next, changed, userId } = state.pending;
  const touch = state.id !== undefined && unixNow() - state.lastSeen > TOUCH_AFTER_SECONDS;
  // Most requests change nothing (and a visitor has no session): no database round, no cookie.
  if (next === "keep" && !changed && !touch) return;
  const data = state.stored;
  const exit = await c.get("run")(
    Effect.gen(function* () {
      const sessions = yield* Sessions;
      if (state.id !== undefined && next !== "keep") yield* sessions.remove(state.id);
      if (next === "destroy") return "cleared" as const;
      if (state.id === undefined || next === "rotate") {
        if (!changed && next !== "rotate") return undefined;
        return (yield* sessions.create({ userId, data, ttlSeconds: SESSION_TTL_SECONDS })).id;
      }
      if (changed) yield* sessions.setData(state.id, data);
      if (touch) yield* sessions.touch(state.id, SESSION_TTL_SECONDS);
      return undefined;
    }),
  );
  if (Exit.isFailure(exit)) throw new SessionStoreError("storing the session failed", exit.cause);
  const cookie = { path: "/", secure, httpOnly: true, sameSite: "Lax" } as const;
  if (exit.value === "cleared") deleteCookie(c, SESSION_COOKIE, cookie);
  else if (exit.value !== undefined) setCookie(c, SESSION_COOKIE, exit.value, cookie);
};

/**
 * Deletes expired sessions every `interval` (default an hour) while the web app runs; a failed
 * round is logged and the next one runs as planned.
 */
export const expiredSessionSweeper = (interval: Duration.DurationInput = Duration.hours(1)) =>
  Layer.scopedDiscard(
    Effect.flatMap(Sessions, (sessions) =>
      sessions.removeExpired.pipe(
        Effect.tap((n) => (n > 0 ? Effect.logDebug(`removed ${n} expired session(s)`) : Effect.void)),
        Effect.catchAll((e) => Effect.logError("removing expired sessions failed", e)),
        Effect.repeat(Schedule.spaced(interval)),
        Effect.forkScoped,
      )),
  );
