// CSRF protection for every form POST (the API has its own bearer auth): the body is read once,
// strictly (form.ts), and its csrf_token must equal the session's token. A missing or wrong token
// gets the 403 page and the handler never runs, so nothing changes.
import { Cause, Data, Effect, Either } from "effect";
import type { MiddlewareHandler } from "hono";
import { sameToken } from "../../accounts/tokens.ts";
import type { AppEnv } from "../context.ts";
import { readForm } from "../form.ts";
import { failurePage } from "../outcomes.tsx";

export class CsrfRejected extends Data.TaggedError("CsrfRejected")<Record<never, never>> {
  override get message() {
    return "The form's security token is missing or out of date. Please go back, reload the page and try again.";
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const csrfMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE_METHODS.has(c.req.method) || c.req.path.startsWith("/api/")) return next();
  const form = await readForm(c.req.raw);
  if (Either.isLeft(form)) return failurePage(c, Cause.fail(form.left));
  c.set("form", form.right);
  if (!sameToken(c.get("session").storedCsrfToken, form.right.get("csrf_token"))) {
    await c.get("run")(
      Effect.logWarning("refused a form without a valid CSRF token").pipe(
        Effect.annotateLogs({ path: c.req.path, ip: c.get("ip") }),
      ),
    );
    return failurePage(c, Cause.fail(new CsrfRejected()));
  }
  await next();
};
