// Hostile input to every form field, query parameter and API command of the web app (started as
// `hcstakepool serve` starts it, against hcsim): random, over-long, Unicode, NUL and malformed
// values. No answer is a 5xx; a refused form shows why (an alert), a refused API call says why in
// its envelope; nothing of a refused input is stored (the user count, the signed-in user's row).
// The captcha is off and the rate limits lifted, so every value reaches the checks behind them.
import assert from "node:assert/strict";
import { Effect, FastCheck as fc, Option } from "effect";
import { Users } from "../../src/storage/users.ts";
import { RATE_RULES, type RateRuleName } from "../../src/http/middleware/rate_limit.ts";
import { alertsOf, type Page, type TestWebApp, type WebClient, withWebApp } from "../http/support.ts";
import { signedUpUser } from "../api/support.ts";
import { fuzz, hostileText } from "./support.ts";

const RUNS = 40;
const UNLIMITED = Object.fromEntries(
  Object.keys(RATE_RULES).map((k) => [k, { points: 1_000_000, seconds: 1 }]),
) as Record<RateRuleName, { points: number; seconds: number }>;

/**
 * A URI or a header over 64 KiB is refused by fetch ("Invalid URL") or by Deno's server (an empty
 * 400) before the app sees it: a value goes into a URL or a header cut to 2 000 UTF-16 units, at
 * most 18 000 characters encoded, so the longest path (three values) still reaches the app.
 */
const HEAD_VALUE_UNITS = 2_000;

/** A value in a URL. A lone surrogate has no UTF-8: it reaches a server as the bytes of one, invalid UTF-8. */
const inUrl = (value: string) => {
  const x = value.slice(0, HEAD_VALUE_UNITS);
  return encodeURIComponent(x.toWellFormed()) + (x.isWellFormed() ? "" : "%ED%A0%80");
};

/** What an HTTP field value may hold (RFC 9110 5.5): tab, visible ASCII, space and Latin-1 bytes. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const userCount = (web: TestWebApp) => web.run(Effect.flatMap(Users, (u) => u.count));
const userRow = (web: TestWebApp, userId: number) =>
  web.run(Effect.flatMap(Users, (u) => u.byId(userId))).then(Option.getOrThrow);

const noServerError = (p: Page, where: string) => assert.ok(p.status < 500, `${where}: HTTP ${p.status}`);

/** Posts a form as a browser does and follows the redirect; the page shown afterwards. */
const submitted = async (
  client: WebClient,
  formPath: string,
  fields: Record<string, string>,
  action?: string,
) => {
  const posted = await client.submit(formPath, fields, action);
  noServerError(posted, `POST ${action ?? formPath}`);
  const shown = await client.follow(posted);
  noServerError(shown, `after POST ${action ?? formPath}`);
  return shown;
};

const saysWhy = (p: Page, where: string) =>
  assert.ok(
    alertsOf(p.text).length > 0 || (p.status >= 400 && p.text.trim() !== ""),
    `${where}: refused without a reason`,
  );

Deno.test("hostile input: every form field and query parameter of the pages", (t) =>
  withWebApp({ options: { nocaptcha: "1" }, rateRules: UNLIMITED }, async (web) => {
    await t.step("sign-up: a refused form stores no user and says why", async () => {
      await fuzz(
        fc.asyncProperty(hostileText, hostileText, hostileText, async (email, password, repeat) => {
          const before = await userCount(web);
          const page = await submitted(web.client(), "/signup", { email, password, passwordrepeat: repeat });
          const stored = (await userCount(web)) - before;
          assert.ok(stored === 0 || stored === 1, `${stored} users stored by one sign-up`);
          if (stored === 0) saysWhy(page, `sign-up ${JSON.stringify(email).slice(0, 80)}`);
        }),
        RUNS,
      );
    });

    await t.step("sign-in and password reset refuse with a reason", async () => {
      await fuzz(
        fc.asyncProperty(hostileText, hostileText, async (email, password) => {
          const signin = await submitted(web.client(), "/signin", { email, password });
          saysWhy(signin, "sign-in");
          const reset = await submitted(web.client(), "/passwordreset", { email });
          saysWhy(reset, "password reset");
        }),
        RUNS,
      );
    });

    await t.step("links and query parameters: tokens, pages, redirects", async () => {
      const { client } = await signedUpUser(web, "query-fuzz@example.test");
      await fuzz(
        fc.asyncProperty(hostileText, hostileText, hostileText, async (a, b, c) => {
          for (
            const path of [
              `/emailverify?t=${inUrl(a)}`,
              `/emailupdate?t=${inUrl(a)}`,
              `/passwordupdate?t=${inUrl(a)}`,
              `/error?r=${inUrl(b)}`,
              `/tickets?section=${inUrl(a)}&page=${inUrl(b)}&order=${inUrl(c)}`,
              `/${inUrl(a)}`,
            ]
          ) noServerError(await client.get(path), `GET ${path.slice(0, 80)}`);
        }),
        RUNS,
      );
    });

    await t.step(
      "a signed-in user's forms: a refused change leaves the row as it was and says why",
      async () => {
        const { client, userId } = await signedUpUser(web, "form-fuzz@example.test");
        await fuzz(
          fc.asyncProperty(
            fc.constantFrom("address", "email", "password", "voting"),
            hostileText,
            hostileText,
            async (form, x, y) => {
              const before = await userRow(web, userId);
              const page = form === "address"
                ? await submitted(client, "/address", { UserPubKeyAddr: x })
                : form === "email"
                ? await submitted(client, "/settings", { updateEmail: "true", email: x, password: y })
                : form === "password"
                ? await submitted(client, "/settings", {
                  updatePassword: "true",
                  password: x,
                  newpassword: y,
                  newpasswordrepeat: y,
                })
                : await submitted(client, "/voting", { agenda0: x, [y.slice(0, 40) || "agenda1"]: x });
              const after = await userRow(web, userId);
              if (JSON.stringify(after) === JSON.stringify(before)) {
                if (form !== "voting") saysWhy(page, `${form} ${JSON.stringify(x).slice(0, 80)}`);
              } else {
                // Only the voting form takes arbitrary values (refused silently when not a choice).
                assert.equal(form, "voting", `${form} stored a refused value`);
              }
            },
          ),
          RUNS,
        );
      },
    );
  }));

Deno.test("hostile input: every API command, field and path", (t) =>
  withWebApp({ rateRules: UNLIMITED }, async (web) => {
    const { token, userId } = await signedUpUser(web, "api-fuzz@example.test");
    await t.step("no 5xx; a refusal's envelope says why; a refused address stores nothing", async () => {
      await fuzz(
        fc.asyncProperty(
          fc.constantFrom("v1", "v2"),
          fc.oneof(
            fc.constantFrom("address", "voting", "getpurchaseinfo", "stats", "generatecaptcha"),
            hostileText,
          ),
          fc.constantFrom("GET", "POST"),
          fc.dictionary(fc.oneof(fc.constantFrom("UserPubKeyAddr", "VoteBits"), fc.string()), hostileText, {
            maxKeys: 3,
          }),
          fc.oneof(fc.constant(token), hostileText),
          async (version, command, method, fields, bearer) => {
            const before = await userRow(web, userId);
            const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
            // A token no header can carry (a control character, one beyond Latin-1) never leaves a
            // client: fetch refuses it ("failed to parse header value"), and so would Deno's server (400).
            const sent = bearer.slice(0, HEAD_VALUE_UNITS);
            if (HEADER_VALUE.test(sent)) headers.set("authorization", `Bearer ${sent}`);
            const path = inUrl(command);
            const response = await fetch(`${web.url}/api/${version}/${path}`, {
              method,
              headers,
              body: method === "POST" ? new URLSearchParams(fields).toString() : undefined,
            });
            const text = await response.text();
            assert.ok(
              response.status < 500,
              `${method} ${command}: HTTP ${response.status} ${text.slice(0, 200)}`,
            );
            if (response.status === 404 && !text.startsWith("{")) return;
            const envelope = JSON.parse(text);
            if (envelope.status !== "success") {
              assert.ok(
                typeof envelope.message === "string" && envelope.message !== "",
                `${command}: ${text}`,
              );
              const after = await userRow(web, userId);
              assert.equal(after.MultiSigAddress, before.MultiSigAddress, "a refused call stored an address");
              assert.equal(after.VoteBits, before.VoteBits, "a refused call stored vote bits");
            }
          },
        ),
        RUNS * 3,
      );
    });
  }));
