// The web app under test, started the way `hcstakepool serve` starts it (startWebApp): an hcsim
// network of 3 voting nodes over real TLS, a fresh database on the chosen store, mail caught by an
// in-process SMTP server (smtp-server) or written to the log, and a browser-like HTTP client with
// a cookie jar that reads each form's CSRF token and captcha. Tests of the pages (and of issues
// 12 and 13) start here; `beforeStart` adds what runs beside the app (pool_support.ts: the
// stakepoolds).
import { Context, Effect, Exit, Logger, Redacted, Scope } from "effect";
import type { Hono } from "hono";
import { PoolSettings, type PoolSettingsApi } from "../../src/accounts/pool_settings.ts";
import { makeApp, PAGES } from "../../src/http/app.ts";
import type { Page as AppPage } from "../../src/http/page.ts";
import { loadStaticAssets } from "../../src/http/static_files.ts";
import { SMTPServer } from "smtp-server";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { poolConfigFromOptions } from "../../src/config/pool.ts";
import type { AppEnv, WebServices } from "../../src/http/context.ts";
import type { RateRule, RateRuleName } from "../../src/http/middleware/rate_limit.ts";
import { type RunningWebApp, startWebApp, type WebAppTuning } from "../../src/cli/serve.ts";
import { type SimNetwork, type SimNetworkOptions, startSimNetwork } from "../../src/sim/network.ts";
import { withMysqlDatabase } from "../support/mysql.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";

// ---- mail sink ----

export interface CaughtMail {
  readonly to: ReadonlyArray<string>;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly messages: ReadonlyArray<CaughtMail>;
  /** The first message (already caught or still to come) that matches. */
  readonly waitFor: (
    match: (m: CaughtMail) => boolean,
    what: string,
    timeoutMs?: number,
  ) => Promise<CaughtMail>;
  readonly close: () => Promise<void>;
}

/** Message headers (unfolded, names lowercased) and body. */
const splitMessage = (raw: string) => {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.slice(0, end).replace(/\r\n[ \t]+/g, " ");
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
};

const decodeBody = (body: string, encoding: string | undefined): string => {
  switch ((encoding ?? "7bit").toLowerCase()) {
    case "base64":
      return new TextDecoder().decode(
        Uint8Array.from(atob(body.replace(/\s+/g, "")), (c) => c.charCodeAt(0)),
      );
    case "quoted-printable": {
      const bytes = body.replace(/=\r\n/g, "").replace(
        /=([0-9A-F]{2})/gi,
        (_, h) => String.fromCharCode(parseInt(h, 16)),
      );
      return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
    }
    default:
      return body;
  }
};

/** The text and HTML parts of a message nodemailer wrote (multipart/alternative or a single part). */
export const parseMail = (raw: string, envelopeTo: ReadonlyArray<string>): CaughtMail => {
  const { headers, body } = splitMessage(raw);
  const parts: Array<{ type: string; text: string }> = [];
  const collect = (type: string, encoding: string | undefined, content: string) => {
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (boundary === undefined) {
      parts.push({ type: type.split(";")[0].trim().toLowerCase(), text: decodeBody(content, encoding) });
      return;
    }
    for (const chunk of content.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith("--")) break;
      const part = splitMessage(chunk.replace(/^\r\n/, ""));
      collect(
        part.headers.get("content-type") ?? "text/plain",
        part.headers.get("content-transfer-encoding"),
        part.body.replace(/\r\n$/, ""),
      );
    }
  };
  collect(headers.get("content-type") ?? "text/plain", headers.get("content-transfer-encoding"), body);
  return {
    to: envelopeTo,
    from: headers.get("from") ?? "",
    subject: headers.get("subject") ?? "",
    text: parts.find((p) => p.type === "text/plain")?.text ?? "",
    html: parts.find((p) => p.type === "text/html")?.text ?? "",
  };
};

export interface SmtpSinkOptions {
  /** TLS with this key and certificate: from the first byte (SMTPS) or after STARTTLS; plain SMTP without. */
  readonly tls?: { readonly key: string; readonly cert: string; readonly starttls?: boolean };
  /** Answer each DATA only after this long (a slow server). */
  readonly delayMs?: number;
  /** Refuse every message (a failing server). */
  readonly refuse?: boolean;
}

export const startSmtpSink = async (options: SmtpSinkOptions = {}): Promise<SmtpSink> => {
  const messages: Array<CaughtMail> = [];
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    secure: options.tls !== undefined && !options.tls.starttls,
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    authOptional: true,
    disabledCommands: options.tls === undefined
      ? ["STARTTLS", "AUTH"]
      : options.tls.starttls
      ? []
      : ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Array<Uint8Array> = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("end", () => {
        const finish = () => {
          if (options.refuse) return callback(new Error("mailbox unavailable"));
          const raw = new TextDecoder().decode(
            chunks.reduce((acc, c) => {
              const out = new Uint8Array(acc.length + c.length);
              out.set(acc);
              out.set(c, acc.length);
              return out;
            }, new Uint8Array()),
          );
          messages.push(parseMail(raw, session.envelope.rcptTo.map((r) => r.address)));
          for (const w of waiters) w();
          callback();
        };
        if (options.delayMs) setTimeout(finish, options.delayMs);
        else finish();
      });
    },
  });
  // A client that gives up mid-handshake (a refused certificate) is the test's point, not a crash.
  server.on("error", () => {});
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.server.address() as { port: number }).port));
  });
  const waitFor = (match: (m: CaughtMail) => boolean, what: string, timeoutMs = 15_000) =>
    new Promise<CaughtMail>((resolve, reject) => {
      const check = () => {
        const found = messages.find(match);
        if (found === undefined) return false;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `no mail ${what} within ${timeoutMs} ms (caught: ${messages.map((m) => m.subject).join(", ")})`,
          ),
        );
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  return {
    port,
    messages,
    waitFor,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

/** Signs up through the pages, follows the mailed link and signs in; the client ends signed in. */
export const signUpAndSignIn = async (
  web: Pick<TestWebApp, "smtp" | "url">,
  client: WebClient,
  email: string,
  password: string,
) => {
  const signup = await client.submit("/signup", { email, password, passwordrepeat: password });
  if (signup.status !== 200) {
    throw new Error(`sign-up of ${email}: ${signup.status} ${alertsOf(signup.text)}`);
  }
  const mail = await web.smtp!.waitFor(
    (m) => m.to.includes(email) && m.subject === "Stake pool email verification",
    `verification for ${email}`,
  );
  const verified = await client.get(linkIn(mail, "/emailverify").replace(web.url, ""));
  if (verified.status !== 200) throw new Error(`verification of ${email}: ${verified.status}`);
  const signin = await client.submit("/signin", { email, password });
  if (signin.status !== 303 || signin.location === "/signin") throw new Error(`sign-in of ${email} failed`);
};

/** The first link to `path` in a message's text. */
export const linkIn = (mail: CaughtMail, path: string): string => {
  const m = new RegExp(`https?://[^\\s"<>]+${path}\\?t=[0-9a-f]+`).exec(mail.text);
  if (m === null) throw new Error(`no ${path} link in "${mail.subject}": ${mail.text}`);
  return m[0];
};

// ---- HTTP client ----

export interface Page {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Location of a redirect, relative to the site. */
  readonly location: string | undefined;
}

/** A hidden input's value in a page, or undefined. */
export const hiddenField = (html: string, name: string): string | undefined =>
  new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** Flash messages and alerts shown on a page, as text. */
export const alertsOf = (html: string): ReadonlyArray<string> =>
  [...html.matchAll(/<p class="alert alert-[a-z]+"[^>]*>([\s\S]*?)<\/p>/g)].map((m) =>
    m[1].replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim()
  );

/** Decodes the entities Hono's escaping writes, to compare shown text with what was sent. */
export const unescapeHtml = (s: string) =>
  s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'")
    .replaceAll("&amp;", "&");

export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string, private readonly captchaAnswer: (id: string) => string | undefined) {}

  private async request(method: string, path: string, init: { body?: BodyInit; headers?: HeadersInit } = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set(
        "cookie",
        [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
      );
    }
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers,
      body: init.body,
      redirect: "manual",
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attributes.some((a) =>
        /max-age=0/i.test(a) || /expires=thu, 01 jan 1970/i.test(a.trim())
      );
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = response.headers.get("location") ?? undefined;
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: location === undefined ? undefined : location.replace(this.baseUrl, ""),
    } satisfies Page;
  }

  /** Another client holding the same cookies now (a stolen or kept-back cookie). */
  copy(): WebClient {
    const other = new WebClient(this.baseUrl, this.captchaAnswer);
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    return other;
  }

  get(path: string, headers?: HeadersInit): Promise<Page> {
    return this.request("GET", path, { headers });
  }

  /** A raw urlencoded POST (the caller supplies csrf_token, or leaves it out on purpose). */
  post(path: string, body: string | Record<string, string>, headers?: HeadersInit): Promise<Page> {
    return this.request("POST", path, {
      body: typeof body === "string" ? body : new URLSearchParams(body).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  /**
   * As a person would: opens `formPath`, fills `fields` plus the form's CSRF token and the
   * captcha's digits, and posts to `action` (default the same path). Follows no redirect.
   */
  async submit(formPath: string, fields: Record<string, string>, action?: string): Promise<Page> {
    const form = await this.get(formPath);
    if (form.status !== 200) throw new Error(`GET ${formPath}: ${form.status}`);
    const csrf = hiddenField(form.text, "csrf_token");
    if (csrf === undefined) throw new Error(`no csrf_token on ${formPath}`);
    const captchaId = hiddenField(form.text, "verifyKey");
    const captcha: Record<string, string> = captchaId === undefined
      ? {}
      : { verifyKey: captchaId, verifyValue: this.captchaAnswer(captchaId) ?? "" };
    return this.post(action ?? formPath, { csrf_token: csrf, ...captcha, ...fields });
  }

  /** GET that follows redirects (within the site), as a browser after a POST. */
  async follow(page: Page): Promise<Page> {
    let current = page;
    for (
      let i = 0;
      i < 5 && current.location !== undefined && current.status >= 300 && current.status < 400;
      i++
    ) {
      current = await this.get(current.location);
    }
    return current;
  }
}

// ---- the web app ----

export type StoreKind = "embedded" | "mysql";

/** What runs before the web app starts can use: the network, the database, and the app's scope. */
export interface WebAppSetup {
  readonly sim: SimNetwork;
  readonly database: DatabaseConfig;
  /** The test's temporary directory (the sim's and the app's data). */
  readonly datadir: string;
  /** Runs an effect in the web app's scope, closed after the app stops, logging as the app does. */
  readonly runScoped: <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Promise<A>;
}

export interface WebAppOptions {
  readonly store?: StoreKind;
  /** smtp (default): an in-process SMTP server catches every mail; console: mail goes to the log. */
  readonly mail?: "smtp" | "console";
  /** How the SMTP server behaves (slow, refusing). */
  readonly smtpSink?: SmtpSinkOptions;
  /** Options of hcstakepool.conf added or replaced (closepool, adminips, nocaptcha…). */
  readonly options?: Readonly<Record<string, string>>;
  readonly rateRules?: Partial<Record<RateRuleName, RateRule>>;
  /** Tuning of the app besides the captcha and rate rules (ticket view, reconciler, wallet timeout). */
  readonly tuning?: Omit<WebAppTuning, "captcha" | "rateRules">;
  /** hcsim options over the default 3 nodes, 16 background tickets, 50 fee addresses. */
  readonly network?: Partial<SimNetworkOptions>;
  /** Runs once the network is up, before the database and the app (e.g. to load the wallets). */
  readonly prepare?: (sim: SimNetwork) => void | Promise<void>;
  /**
   * Runs between creating the database and starting the app (e.g. starting stakepoolds in its
   * scope); the hcstakepool.conf options it returns come before `options`.
   */
  readonly beforeStart?: (setup: WebAppSetup) => Promise<Readonly<Record<string, string>>>;
  /** Write the app's log lines to stderr as well (debugging a test). */
  readonly showLog?: boolean;
}

export interface TestWebApp {
  readonly sim: SimNetwork;
  readonly url: string;
  readonly app: RunningWebApp;
  readonly database: DatabaseConfig;
  /** Present in smtp mode. */
  readonly smtp: SmtpSink | undefined;
  /** Every log line so far (logfmt). */
  readonly logs: ReadonlyArray<string>;
  /** A new browser-like client (its own cookies). */
  readonly client: () => WebClient;
  /** The digits of a captcha the app issued. */
  readonly captchaAnswer: (id: string) => string | undefined;
  /** The app's Hono app with extra pages mounted, on the same services (probe pages for guards). */
  readonly appWith: (
    pages: ReadonlyArray<AppPage>,
    settings?: Partial<PoolSettingsApi>,
  ) => Promise<Hono<AppEnv>>;
  /** Runs an effect against the app's services (to look behind the pages). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, WebServices>) => Promise<A>;
}

const freePort = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
};

/** hcstakepool.conf options for the sim's wallets and the test database. */
export const poolOptions = (
  sim: SimNetwork,
  database: DatabaseConfig,
  port: number,
): Record<string, string> => {
  const wallets = sim.endpoints.nodes.map((n) => n.wallet);
  return {
    simnet: "1",
    listen: `127.0.0.1:${port}`,
    baseurl: `http://127.0.0.1:${port}`,
    apisecret: "test-api-secret-0123456789",
    cookiesecret: "test-cookie-secret-0123456789",
    coldwalletextpub: sim.endpoints.coldWalletXpub,
    votingwalletextpub: sim.endpoints.votingWalletXpub,
    // No test client is an admin unless a test says so.
    adminips: "192.0.2.1",
    adminuserids: "1",
    wallethosts: wallets.map((w) => new URL(w.url).host).join(","),
    walletusers: wallets.map((w) => w.user).join(","),
    walletpasswords: wallets.map((w) => w.password).join(","),
    walletcerts: wallets.map((w) => w.cert).join(","),
    minservers: "2",
    poolemail: "support@pool.example",
    ...(database.dbhost === undefined ? { datadir: database.datadir } : {
      dbhost: database.dbhost,
      dbport: String(database.dbport),
      dbname: database.dbname,
      dbuser: database.dbuser,
      dbpassword: database.dbpassword === undefined ? "" : Redacted.value(database.dbpassword),
    }),
  };
};

export const withWebApp = async (
  options: WebAppOptions,
  body: (web: TestWebApp) => Promise<void>,
): Promise<void> => {
  const withDatabase = options.store === "mysql" ? withMysqlDatabase : withEmbeddedDatabase;
  const datadir = await Deno.makeTempDir({ prefix: "hcs_web_" });
  const sim = await startSimNetwork({
    nodes: 3,
    datadir,
    backgroundTickets: 16,
    feeAddressCount: 50,
    ...options.network,
  });
  const smtp = options.mail === "console" ? undefined : await startSmtpSink(options.smtpSink);
  try {
    await options.prepare?.(sim);
    await withDatabase(async (database) => {
      const logs: Array<string> = [];
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.logfmtLogger, (line) => {
          logs.push(line);
          if (options.showLog) console.error(line);
        }),
      );
      const answers = new Map<string, string>();
      const scope = await Effect.runPromise(Scope.make());
      try {
        const runScoped = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) =>
          Effect.runPromise(effect.pipe(Scope.extend(scope), Effect.provide(logger)));
        const extra = await options.beforeStart?.({ sim, database, datadir, runScoped });
        const port = freePort();
        const conf = {
          ...poolOptions(sim, database, port),
          ...(smtp === undefined
            ? {}
            : { smtphost: `127.0.0.1:${smtp.port}`, smtptls: "none", smtpfrom: "pool@pool.example" }),
          ...extra,
          ...options.options,
        };
        const config = await Effect.runPromise(poolConfigFromOptions(conf, "", datadir));
        const app = await runScoped(
          startWebApp(config, {
            walletTimeoutMs: 30_000,
            ...options.tuning,
            captcha: { onIssued: (id, digits) => answers.set(id, digits) },
            rateRules: options.rateRules,
          }),
        );
        const url = `http://${app.address}`;
        await body({
          sim,
          url,
          app,
          database,
          smtp,
          logs,
          client: () => new WebClient(url, (id) => answers.get(id)),
          captchaAnswer: (id) => answers.get(id),
          run: (effect) =>
            Effect.runPromise(effect.pipe(Effect.provide(app.context), Effect.provide(logger))),
          appWith: async (pages, overrides = {}) => {
            const runtime = await Effect.runPromise(
              Effect.runtime<WebServices>().pipe(Effect.provide(app.context), Effect.provide(logger)),
            );
            const settings = Context.get(app.context, PoolSettings);
            const assets = await Effect.runPromise(loadStaticAssets());
            return makeApp({
              runtime,
              settings: { ...settings, ...overrides },
              assets,
              pages: [...PAGES, ...pages],
            });
          },
        });
      } finally {
        await Effect.runPromise(Scope.close(scope, Exit.void));
      }
    });
  } finally {
    await smtp?.close();
    await sim.close();
    await Deno.remove(datadir, { recursive: true });
  }
};
