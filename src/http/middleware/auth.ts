// Who is asking: the signed-in user of the session (loaded once per request) and whether they are
// an admin — their user id in adminuserids AND their IP in adminips, both required as in the
// original. Guards for pages that need a user (303 → /) or an admin (403).
import { Cause, Effect, Exit, Option } from "effect";
import type { MiddlewareHandler } from "hono";
import type { PoolConfig } from "../../config/pool.ts";
import { Users } from "../../storage/users.ts";
import type { AppEnv } from "../context.ts";
import { failurePage, internalErrorPage } from "../outcomes.tsx";
import { Forbidden } from "./forbidden.ts";

export const isAdmin = (config: PoolConfig, ip: string, userId: number): boolean =>
  userId > 0 && config.adminUserIds.includes(userId) && config.adminIps.includes(ip);

export const authMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const session = c.get("session");
  if (session.userId > 0) {
    const found = await c.get("run")(Effect.flatMap(Users, (users) => users.byId(session.userId)));
    if (Exit.isFailure(found)) return internalErrorPage(c, found.cause);
    if (Option.isSome(found.value)) {
      c.set("user", found.value.value);
      c.set("isAdmin", isAdmin(c.get("settings").config, c.get("ip"), found.value.value.UserId));
    } else {
      session.signOut();
    }
  }
  await next();
};

/** Pages for signed-in users: anyone else is sent to the home page (as the original). */
export const requireUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("user") === undefined) return c.redirect("/", 303);
  await next();
};

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get("isAdmin")) {
    await c.get("run")(
      Effect.logWarning("refused an admin page").pipe(
        Effect.annotateLogs({ path: c.req.path, ip: c.get("ip"), userId: c.get("user")?.UserId ?? 0 }),
      ),
    );
    return failurePage(
      c,
      Cause.fail(new Forbidden({ message: "This page is for the pool's administrators." })),
    );
  }
  await next();
};
