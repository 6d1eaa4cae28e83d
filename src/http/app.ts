// The web app: one Hono app, middleware in this order —
//   0 request metrics (src/metrics: every request by route and status)
//   1 security headers (every response, assets included)
//   2 request basics: the runtime runner, settings, client IP
//   3 /assets/* and /robots.txt from memory, /metrics and /status.json (no session)
//   4 session (Sessions table; cookie id rotated at sign-in, deleted at sign-out)
//   5 auth (the signed-in user, admin or not)
//   6 CSRF (every form POST; reads the form strictly, once)
//   7 pages: access guard, rate limits, handler
// then the 404 page and the 500 page for anything thrown. A new page is a file in pages/ and a
// line in PAGES.
import { Cause, Runtime } from "effect";
import { type Handler, Hono, type MiddlewareHandler } from "hono";
import { demoTickets } from "../demo/demo_forms.tsx";
import { httpMetrics } from "../metrics/http_metrics.ts";
import { metricsRoute, statusJsonRoute } from "../metrics/web_routes.ts";
import type { PoolSettingsApi } from "../accounts/pool_settings.ts";
import type { AppEnv, Runner, WebServices } from "./context.ts";
import { apiRoutes } from "./api/router.ts";
import { Form } from "./form.ts";
import { authMiddleware, requireAdmin, requireUser } from "./middleware/auth.ts";
import { clientIp } from "./middleware/client_ip.ts";
import { csrfMiddleware } from "./middleware/csrf.ts";
import { rateLimit } from "./middleware/rate_limit.ts";
import { securityHeaders } from "./middleware/security_headers.ts";
import { sessionMiddleware, SessionState } from "./middleware/session.ts";
import { internalErrorPage, notFoundPage } from "./outcomes.tsx";
import type { Access, Limit, Page } from "./page.ts";
import { assetResponse, type StaticAssets } from "./static_files.ts";
import apiDocs from "./pages/api_docs.tsx";
import address from "./pages/address.tsx";
import adminTickets from "./pages/admintickets.tsx";
import captchaImage from "./pages/captcha_image.ts";
import emailUpdate from "./pages/email_update.tsx";
import emailVerify from "./pages/email_verify.tsx";
import errorPage from "./pages/error.tsx";
import home from "./pages/home.tsx";
import logout from "./pages/logout.ts";
import passwordReset from "./pages/password_reset.tsx";
import passwordUpdate from "./pages/password_update.tsx";
import settings from "./pages/settings.tsx";
import signIn from "./pages/signin.tsx";
import signUp from "./pages/signup.tsx";
import stats from "./pages/stats.tsx";
import status from "./pages/status.tsx";
import tickets, { ticketsLive } from "./pages/tickets.tsx";
import voting from "./pages/voting.tsx";

export const PAGES: ReadonlyArray<Page> = [
  home,
  signUp,
  signIn,
  logout,
  emailVerify,
  passwordReset,
  passwordUpdate,
  settings,
  emailUpdate,
  errorPage,
  captchaImage,
  address,
  tickets,
  ticketsLive,
  voting,
  stats,
  status,
  adminTickets,
  apiDocs,
  // Answers 404 unless the demo composition (deno task start) provides a DemoWallet.
  demoTickets,
];

export interface WebAppOptions {
  readonly runtime: Runtime.Runtime<WebServices>;
  readonly settings: PoolSettingsApi;
  readonly assets: StaticAssets;
  /** Default PAGES (a test adds probe pages). */
  readonly pages?: ReadonlyArray<Page>;
}

const GUARDS: Readonly<Record<Access, ReadonlyArray<MiddlewareHandler<AppEnv>>>> = {
  public: [],
  user: [requireUser],
  admin: [requireAdmin],
};

/** Guards and limits, then the handler, as one argument list for Hono (which types each position). */
const chain = (
  guards: ReadonlyArray<MiddlewareHandler<AppEnv>>,
  limits: ReadonlyArray<MiddlewareHandler<AppEnv>>,
  handler: Handler<AppEnv>,
) => [...guards, ...limits, handler] as unknown as [Handler<AppEnv>];

const limiters = (limits: ReadonlyArray<Limit> | undefined) =>
  (limits ?? []).map((l) => rateLimit(l.rule, l.key));

export const makeApp = ({ runtime, settings, assets, pages = PAGES }: WebAppOptions): Hono<AppEnv> => {
  const run: Runner = (effect) => Runtime.runPromiseExit(runtime)(effect);
  const { config } = settings;
  const app = new Hono<AppEnv>();

  app.use("*", httpMetrics);
  app.use("*", securityHeaders({ https: config.baseUrl.startsWith("https://") }));
  app.use("*", async (c, next) => {
    c.set("run", run);
    c.set("settings", settings);
    c.set("ip", clientIp(c, config.realIpHeader));
    c.set("session", SessionState.fresh());
    c.set("user", undefined);
    c.set("isAdmin", false);
    c.set("form", Form.empty);
    await next();
  });
  app.get(
    "/assets/*",
    (c) =>
      assetResponse(assets, c.req.path.slice("/assets/".length), c.req.header("if-none-match")) ??
        c.notFound(),
  );
  app.get(
    "/robots.txt",
    (c) => assetResponse(assets, "robots.txt", c.req.header("if-none-match")) ?? c.notFound(),
  );
  app.get("/metrics", metricsRoute);
  app.get("/status.json", statusJsonRoute);
  // The JSON API answers before any session is read: only its bearer token says who asks.
  app.route("/api", apiRoutes());
  app.use("*", sessionMiddleware({ secure: settings.secureCookies }));
  app.use("*", authMiddleware);
  app.use("*", csrfMiddleware);

  for (const p of pages) {
    const guards = GUARDS[p.access];
    if (p.get) app.on("GET", p.path, ...chain(guards, limiters(p.limits?.get), p.get));
    if (p.post) app.on("POST", p.path, ...chain(guards, limiters(p.limits?.post), p.post));
  }

  app.notFound(notFoundPage);
  app.onError((error, c) => internalErrorPage(c, Cause.die(error)));
  return app;
};
