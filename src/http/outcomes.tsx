// The one place that decides what a failed use case looks like to the user. A handler runs its
// use case with runPage; a failure's tag picks the outcome from OUTCOMES:
//   flash        the user can fix it: the message (the original's wording) is flashed and the
//                browser sent back to the form (a POST) — or shown on an error page (a GET)
//   page         a status page with the error's message (403, 404, 413, 429 …)
//   maintenance  the wallet commands are stopped or too few wallets answer: 503 maintenance page
// Anything else (a database failure, a bug) is logged with its cause and shown as a plain 500
// page that reveals nothing — or, when the database does not answer, a 503 saying so.
import { Cause, Effect, Exit, Option } from "effect";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { MaintenanceView, StatusView } from "../../templates/error.tsx";
import { isDatabaseUnreachable } from "../storage/unreachable.ts";
import type { Ctx, WebServices } from "./context.ts";
import { render } from "./render.tsx";

type Outcome =
  | { readonly kind: "flash" }
  | { readonly kind: "page"; readonly status: ContentfulStatusCode; readonly title: string }
  | { readonly kind: "maintenance" };

/** Error tag → outcome. Errors not listed are internal (500, logged). */
export const OUTCOMES: Readonly<Record<string, Outcome>> = {
  AccountRejected: { kind: "flash" },
  CaptchaInvalid: { kind: "flash" },
  EmailTooLong: { kind: "flash" },
  FormRejected: { kind: "page", status: 400, title: "Form not accepted" },
  CsrfRejected: { kind: "page", status: 403, title: "Forbidden" },
  Forbidden: { kind: "page", status: 403, title: "Forbidden" },
  NotFound: { kind: "page", status: 404, title: "Page not found" },
  RateLimited: { kind: "page", status: 429, title: "Rate Limited" },
  WalletsStopped: { kind: "maintenance" },
  WalletsUnavailable: { kind: "maintenance" },
};

interface Tagged {
  readonly _tag: string;
  readonly message: string;
  /** FormRejected carries its own status (400, 413, 415). */
  readonly status?: ContentfulStatusCode;
  /** RateLimited: seconds for Retry-After. */
  readonly retryAfterSeconds?: number;
}

const isTagged = (e: unknown): e is Tagged =>
  typeof e === "object" && e !== null && typeof (e as Tagged)._tag === "string" &&
  typeof (e as Tagged).message === "string";

export const INTERNAL_ERROR_TEXT =
  "Something went wrong on our side. It has been logged; please try again later.";

export const DATABASE_DOWN_TEXT =
  "The pool's database is not answering right now. Please try again in a minute.";

/**
 * The 500 page; the cause goes to the log only (path without its query: links carry tokens). A
 * database that does not answer is a 503 saying so instead: it passes, and nothing is wrong with
 * the request.
 */
export const internalErrorPage = async (c: Ctx, cause: Cause.Cause<unknown>): Promise<Response> => {
  const unavailable = isDatabaseUnreachable(cause);
  await c.get("run")(
    Effect.logError(unavailable ? "request failed: the database is unreachable" : "request failed", cause)
      .pipe(
        Effect.annotateLogs({ method: c.req.method, path: c.req.path }),
      ),
  );
  if (unavailable) {
    c.header("Retry-After", "60");
    return render(
      c,
      { title: "Temporarily unavailable", status: 503 },
      <StatusView title="Temporarily unavailable" message={DATABASE_DOWN_TEXT} />,
    );
  }
  return render(
    c,
    { title: "Error", status: 500 },
    <StatusView title="Error" message={INTERNAL_ERROR_TEXT} />,
  );
};

export const notFoundPage = (c: Ctx): Response =>
  render(
    c,
    { title: "Page not found", status: 404 },
    <StatusView title="Page not found" message="There is no page at this address." />,
  );

/** Where a POST goes back to after a flash: the same path and query (token pages keep their token). */
const currentUrl = (c: Ctx) => {
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
};

export interface FailureOptions {
  /** Where a flash-kind failure redirects (default: the POSTed URL). */
  readonly back?: string;
}

/** The response for a failed use case, per OUTCOMES. */
export const failurePage = (
  c: Ctx,
  cause: Cause.Cause<unknown>,
  options: FailureOptions = {},
): Response | Promise<Response> => {
  const failure = Cause.failureOption(cause);
  const error = Option.isSome(failure) && isTagged(failure.value) ? failure.value : undefined;
  const outcome = error === undefined ? undefined : OUTCOMES[error._tag];
  if (error === undefined || outcome === undefined) return internalErrorPage(c, cause);
  switch (outcome.kind) {
    case "flash":
      if (options.back !== undefined || c.req.method === "POST") {
        c.get("session").flash("error", error.message);
        return c.redirect(options.back ?? currentUrl(c), 303);
      }
      return render(c, { title: "Error", status: 400 }, <StatusView title="Error" message={error.message} />);
    case "page":
      if (error.retryAfterSeconds !== undefined) c.header("Retry-After", String(error.retryAfterSeconds));
      return render(
        c,
        { title: outcome.title, status: error.status ?? outcome.status },
        <StatusView title={outcome.title} message={error.message} />,
      );
    case "maintenance":
      return render(
        c,
        { title: "Maintenance", status: 503 },
        <MaintenanceView retry={c.req.method === "GET" ? currentUrl(c) : undefined} />,
      );
  }
};

/**
 * Runs one use case for a page: success → `onSuccess`, failure → failurePage. The one way
 * handlers run effects, so every failure is either shown as OUTCOMES says or logged.
 */
export const runPage = async <A, E>(
  c: Ctx,
  effect: Effect.Effect<A, E, WebServices>,
  onSuccess: (a: A) => Response | Promise<Response>,
  options: FailureOptions = {},
): Promise<Response> => {
  const exit = await c.get("run")(effect);
  return Exit.isSuccess(exit) ? onSuccess(exit.value) : failurePage(c, exit.cause, options);
};

/**
 * For pages that show a user-correctable failure in place (a token link that expired): errors
 * whose outcome is "flash" become a Left value; every other failure still goes to failurePage.
 */
export const userFailures = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<
  { readonly ok: true; readonly value: A } | { readonly ok: false; readonly message: string },
  E,
  R
> =>
  effect.pipe(
    Effect.map((value) => ({ ok: true as const, value })),
    Effect.catchIf(
      (e): e is E => isTagged(e) && OUTCOMES[e._tag]?.kind === "flash",
      (e) => Effect.succeed({ ok: false as const, message: (e as Tagged).message }),
    ),
  );
