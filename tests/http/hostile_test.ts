// Hostile input against the pages: script payloads in every field come back escaped, forms
// without the session's CSRF token change nothing, sign-in guessing is cut off, admin pages refuse
// everyone else, over-long / non-UTF-8 / control-character forms are refused whole; with the
// wallet commands stopped, wallet pages show maintenance and the rest keeps working.
import assert from "node:assert/strict";
import { Effect, Option } from "effect";
import { MAINTENANCE_TEXT } from "../../templates/error.tsx";
import { MAX_FIELD_CHARS } from "../../src/http/form.ts";
import { runPage } from "../../src/http/outcomes.tsx";
import { page } from "../../src/http/page.ts";
import { Users } from "../../src/storage/users.ts";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import { alertsOf, hiddenField, type Page, type TestWebApp, type WebClient, withWebApp } from "./support.ts";

const SCRIPT = "<script>alert(1)</script>";
const IMG = `"><img src=x onerror=alert(2)>`;
/** No whitespace, one "@": passes the email check, so pages that echo the address get it verbatim. */
const EMAIL_PAYLOAD = `${SCRIPT}${IMG.replaceAll(" ", "/")}@x.test`;

const assertEscaped = (p: Page, where: string) => {
  assert.ok(!p.text.includes(SCRIPT), `${where}: a raw <script> came back`);
  assert.ok(!p.text.includes("<img src=x"), `${where}: a raw <img> came back`);
  assert.ok(!p.text.includes("<img/src=x"), `${where}: a raw <img> came back`);
};

const userCount = (web: TestWebApp) => web.run(Effect.flatMap(Users, (u) => u.count));

/** Signs a stored, verified user in (the account made through the repository, not the pages). */
const verifiedUser = async (web: TestWebApp, client: WebClient, email: string, password: string) => {
  const signup = await client.submit("/signup", { email, password, passwordrepeat: password });
  assert.equal(signup.status, 200, alertsOf(signup.text).join("; "));
  const user = await web.run(Effect.flatMap(Users, (u) => u.byEmail(email)));
  assert.ok(Option.isSome(user));
  assert.equal((await client.get(`/emailverify?t=${user.value.EmailToken}`)).status, 200);
  const signin = await client.submit("/signin", { email, password });
  assert.equal(signin.status, 303);
  return user.value.UserId;
};

Deno.test("hostile input: XSS, CSRF, brute force, admin paths, bad forms, maintenance", (t) =>
  withWebApp({ options: { realipheader: "X-Real-IP", adminips: "10.1.1.1" } }, async (web) => {
    const password = "a good password";

    await t.step("a script payload in every field comes back escaped", async () => {
      const c = web.client();
      const everywhere = { verifyKey: SCRIPT, verifyValue: IMG };
      const pages: Array<[string, Page]> = [
        [
          "signup",
          await c.follow(
            await c.submit("/signup", {
              email: SCRIPT + IMG,
              password: SCRIPT,
              passwordrepeat: IMG,
              ...everywhere,
            }),
          ),
        ],
        ["signin", await c.follow(await c.submit("/signin", { email: SCRIPT, password: IMG }))],
        ["passwordreset", await c.follow(await c.submit("/passwordreset", { email: EMAIL_PAYLOAD }))],
        ["passwordupdate GET", await c.get(`/passwordupdate?t=${encodeURIComponent(SCRIPT + IMG)}`)],
        ["emailverify", await c.get(`/emailverify?t=${encodeURIComponent(SCRIPT + IMG)}`)],
        ["emailupdate", await c.get(`/emailupdate?t=${encodeURIComponent(SCRIPT + IMG)}`)],
        ["error r", await c.get(`/error?r=${encodeURIComponent(`/${IMG}${SCRIPT}`)}`)],
        ["404 path", await c.get(`/${encodeURIComponent(SCRIPT)}`)],
      ];
      for (const [where, p] of pages) assertEscaped(p, where);
      // The reset page echoes the address: escaped, so it shows as text.
      const reset = pages.find(([w]) => w === "passwordreset")![1];
      assert.match(reset.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      // The re-try link keeps the path, as an escaped attribute.
      assert.match(pages.find(([w]) => w === "error r")![1].text, /href="\/&quot;&gt;&lt;img src=x/);

      // An account whose address is the payload: navbar, settings and flashes show it as text.
      const payloadUser = web.client();
      await verifiedUser(web, payloadUser, EMAIL_PAYLOAD, password);
      const settings = await payloadUser.get("/settings");
      assert.equal(settings.status, 200);
      assertEscaped(settings, "settings of the payload account");
      assert.match(settings.text, /Hello, &lt;script&gt;/);
      const change = await payloadUser.follow(
        await payloadUser.submit("/settings", {
          updateEmail: "true",
          email: `${SCRIPT}@y.test`,
          password: IMG,
        }),
      );
      assertEscaped(change, "settings email change");
      const pw = await payloadUser.follow(
        await payloadUser.submit("/settings", {
          updatePassword: "true",
          password: SCRIPT,
          newpassword: IMG,
          newpasswordrepeat: IMG,
        }),
      );
      assertEscaped(pw, "settings password change");
    });

    await t.step("a form without the session's CSRF token gets 403 and changes nothing", async () => {
      const before = await userCount(web);
      const c = web.client();
      const form = await c.get("/signup");
      const csrf = hiddenField(form.text, "csrf_token")!;
      const fields = { email: "csrf@example.test", password, passwordrepeat: password };
      const missing = await c.post("/signup", fields);
      assert.equal(missing.status, 403);
      assert.match(missing.text, /security token is missing or out of date/);
      const forged = await c.post("/signup", { ...fields, csrf_token: csrf.slice(0, -2) + "xx" });
      assert.equal(forged.status, 403);
      // A real token, but of another visitor's session.
      const other = web.client();
      const theirs = hiddenField((await other.get("/signup")).text, "csrf_token")!;
      assert.equal((await c.post("/signup", { ...fields, csrf_token: theirs })).status, 403);
      // No cookie at all.
      assert.equal((await web.client().post("/signup", { ...fields, csrf_token: csrf })).status, 403);
      assert.equal(await userCount(web), before);

      const signedIn = web.client();
      await verifiedUser(web, signedIn, "victim@example.test", password);
      const change = await signedIn.post("/settings", {
        updatePassword: "true",
        password,
        newpassword: "attacker password",
        newpasswordrepeat: "attacker password",
      });
      assert.equal(change.status, 403);
      assert.equal((await signedIn.post("/logout", {})).status, 403);
      assert.equal((await signedIn.get("/settings")).status, 200, "still signed in");
      const stranger = web.client();
      assert.equal(
        (await stranger.submit("/signin", { email: "victim@example.test", password })).location,
        "/settings",
        "the password did not change",
      );
    });

    await t.step("guessing one account's password gets 429 within 10 tries", async () => {
      const c = web.client();
      const statuses: Array<number> = [];
      let refused: Page | undefined;
      for (let i = 0; i < 10 && refused === undefined; i++) {
        const p = await c.submit("/signin", { email: "victim@example.test", password: `guess ${i}` });
        statuses.push(p.status);
        if (p.status === 429) refused = p;
      }
      assert.ok(refused, `no 429 in ${statuses.join(", ")}`);
      assert.match(refused.text, /Too many attempts\. Please wait \d+ minutes? and try again\./);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      // The right password does not get through either until the window passes.
      const right = await web.client().submit("/signin", { email: "victim@example.test", password });
      assert.equal(right.status, 429);
    });

    await t.step("admin pages: 403 for anyone but an admin user from an admin IP", async () => {
      const probe = page({ path: "/probe-admin", access: "admin", get: (c) => c.text("admin page") });
      const app = await web.appWith([probe]);
      const admin = web.client(); // user id 1: the payload account made first
      const adminCookie = { cookie: "" };
      const ask = async (cookies: Map<string, string>, ip: string) => {
        adminCookie.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
        return await app.request("/probe-admin", { headers: { ...adminCookie, "X-Real-IP": ip } });
      };
      // User 1 (the one adminuserid) is the payload account, the first made in this app.
      const one = await web.run(Effect.flatMap(Users, (u) => u.byId(1)));
      assert.ok(Option.isSome(one));
      assert.equal(one.value.Email, EMAIL_PAYLOAD);
      assert.equal((await admin.submit("/signin", { email: EMAIL_PAYLOAD, password })).status, 303);
      const other = web.client();
      await verifiedUser(web, other, "notadmin@example.test", password);

      assert.equal((await ask(new Map(), "10.1.1.1")).status, 403, "nobody signed in");
      assert.equal((await ask(other.cookies, "10.1.1.1")).status, 403, "a user not in adminuserids");
      assert.equal((await ask(admin.cookies, "10.9.9.9")).status, 403, "an admin from another IP");
      const ok = await ask(admin.cookies, "10.1.1.1");
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), "admin page");
      const forbidden = await ask(other.cookies, "10.1.1.1");
      assert.match(await forbidden.text(), /for the pool&#39;s administrators|for the pool's administrators/);
    });

    await t.step(
      "over-long, non-UTF-8 and control-character forms are refused and store nothing",
      async () => {
        const c = web.client();
        const form = await c.get("/signup");
        const csrf = hiddenField(form.text, "csrf_token")!;
        const before = await userCount(web);
        const base = `csrf_token=${encodeURIComponent(csrf)}&password=${
          encodeURIComponent(password)
        }&passwordrepeat=${encodeURIComponent(password)}`;

        const huge = await c.post("/signup", `${base}&email=${"a".repeat(20_000)}@x.test`);
        assert.equal(huge.status, 413);
        assert.match(huge.text, /The form is too large/);

        const longField = await c.post("/signup", `${base}&email=${"a".repeat(MAX_FIELD_CHARS)}@x.test`);
        assert.equal(longField.status, 400);
        assert.match(longField.text, /The field &quot;email&quot; is too long|The field "email" is too long/);

        const percent = await c.post("/signup", `${base}&email=%FF%FE@x.test`);
        assert.equal(percent.status, 400);
        assert.match(percent.text, /not valid UTF-8/);

        const rawBytes = new Uint8Array([
          ...new TextEncoder().encode(`${base}&email=`),
          0xc3,
          0x28,
          0x40,
          0x78,
        ]);
        const raw = await fetch(new URL("/signup", web.url), {
          method: "POST",
          body: rawBytes,
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
          },
          redirect: "manual",
        });
        assert.equal(raw.status, 400);
        assert.match(await raw.text(), /not valid UTF-8/);

        const control = await c.post("/signup", `${base}&email=a%00b@x.test`);
        assert.equal(control.status, 400);
        assert.match(control.text, /control characters/);

        const longEmail = await c.follow(
          await c.submit("/signup", {
            email: `${"b".repeat(300)}@x.test`,
            password,
            passwordrepeat: password,
          }),
        );
        assert.deepEqual(alertsOf(longEmail.text), ["email address is too long (at most 255 characters)"]);

        const longPassword = "p".repeat(73);
        const tooLong = await c.follow(
          await c.submit("/signup", {
            email: "long@example.test",
            password: longPassword,
            passwordrepeat: longPassword,
          }),
        );
        assert.deepEqual(alertsOf(tooLong.text), ["password must be at most 72 bytes"]);

        const json = await c.post("/signup", JSON.stringify({ csrf_token: csrf }), {
          "content-type": "application/json",
        });
        assert.equal(json.status, 415);
        assert.equal(await userCount(web), before);
      },
    );

    await t.step(
      "wallet commands stopped: wallet pages show maintenance, the rest keeps working",
      async () => {
        const walletPage = page({
          path: "/probe-wallets",
          access: "public",
          get: (c) =>
            runPage(
              c,
              Effect.flatMap(VotingWallets, (vw) => vw.exclusive(Effect.succeed("done"))),
              (r) => c.text(r),
            ),
        });
        const app = await web.appWith([walletPage]);
        assert.equal(await (await app.request("/probe-wallets")).text(), "done");
        await web.run(Effect.flatMap(VotingWallets, (vw) => vw.stop("test: a wallet disagreed")));

        const maintenance = await app.request("/probe-wallets");
        assert.equal(maintenance.status, 503);
        const text = await maintenance.text();
        assert.ok(text.includes(MAINTENANCE_TEXT), "the maintenance page");
        assert.ok(!text.includes("a wallet disagreed"), "the stop reason is for the operator, not the page");
        const error = await web.client().get("/error?r=/stats");
        assert.equal(error.status, 200);
        assert.ok(error.text.includes(MAINTENANCE_TEXT));
        assert.match(error.text, /href="\/stats"/);

        const c = web.client();
        assert.equal((await c.get("/")).status, 200);
        assert.equal(
          (await c.submit("/signin", { email: "notadmin@example.test", password })).location,
          "/settings",
        );
        assert.equal((await c.get("/settings")).status, 200);
      },
    );
  }));
