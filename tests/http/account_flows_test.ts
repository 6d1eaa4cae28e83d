// Every account flow over HTTP with real cookies, CSRF tokens and captchas, on MySQL and on the
// embedded store: sign-up → mailed link → verify → sign in → settings (API token shown and
// regenerated, email change, password change) → sign out; password reset; all in the audit log.
import assert from "node:assert/strict";
import { Effect, Option } from "effect";
import { verifyApiToken } from "../../src/accounts/api_token.ts";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { Users } from "../../src/storage/users.ts";
import { mysqlIgnored } from "../support/mysql.ts";
import { alertsOf, type CaughtMail, linkIn, type StoreKind, unescapeHtml, withWebApp } from "./support.ts";

const tokenOn = (html: string) =>
  unescapeHtml(/<pre class="token"[^>]*>([^<]+)<\/pre>/.exec(html)?.[1] ?? "");
const mailTo = (address: string, subject: string) => (m: CaughtMail) =>
  m.to.includes(address) && m.subject === subject;

for (const store of ["embedded", "mysql"] as ReadonlyArray<StoreKind>) {
  Deno.test({
    name: `account flows over HTTP: sign-up, verify, sign in, settings, sign out, reset [${store}]`,
    ignore: store === "mysql" && mysqlIgnored(),
    fn: (t) =>
      withWebApp({ store }, async (web) => {
        const smtp = web.smtp!;
        const alice = web.client();
        const email = "alice@example.test";
        let password = "correct horse battery";

        await t.step("sign-up sends the verification mail and hides the form", async () => {
          const page = await alice.submit("/signup", { email, password, passwordrepeat: password });
          assert.equal(page.status, 200);
          assert.deepEqual(alertsOf(page.text), [`A verification email has been sent to ${email}`]);
          assert.doesNotMatch(page.text, /name="passwordrepeat"/);
          const mail = await smtp.waitFor(mailTo(email, "Stake pool email verification"), "verification");
          assert.match(mail.text, /please click the following link to verify your email address/);
          assert.match(mail.html, new RegExp(linkIn(mail, "/emailverify").replaceAll("?", "\\?")));
        });

        await t.step("a second sign-up with the same email is refused", async () => {
          const other = web.client();
          const page = await other.submit("/signup", { email, password, passwordrepeat: password });
          assert.equal(page.status, 303);
          assert.equal(page.location, "/signup");
          assert.deepEqual(alertsOf((await other.follow(page)).text), ["User exists"]);
        });

        await t.step("signing in before verifying is refused", async () => {
          const page = await alice.follow(await alice.submit("/signin", { email, password }));
          assert.deepEqual(alertsOf(page.text), ["You must validate your email address"]);
        });

        await t.step("the mailed link verifies the address once", async () => {
          const mail = await smtp.waitFor(mailTo(email, "Stake pool email verification"), "verification");
          const link = linkIn(mail, "/emailverify").replace(web.url, "");
          const page = await alice.get(link);
          assert.equal(page.status, 200);
          assert.deepEqual(alertsOf(page.text), ["Email successfully verified"]);
          const again = await alice.get(link);
          assert.equal(again.status, 400);
          assert.deepEqual(alertsOf(again.text), ["Email verification token not valid"]);
        });

        await t.step("sign-in gives a new session id and goes to settings", async () => {
          await alice.get("/signin");
          const before = alice.cookies.get("session");
          assert.ok(before, "the sign-in form opened a session (its CSRF token)");
          const kept = alice.copy();
          const page = await alice.submit("/signin", { email, password });
          assert.equal(page.status, 303);
          assert.equal(page.location, "/settings");
          assert.notEqual(alice.cookies.get("session"), before);
          assert.equal((await alice.get("/settings")).status, 200);
          // The session from before sign-in is gone: it never becomes a signed-in session.
          assert.equal((await kept.get("/settings")).status, 303);
        });

        await t.step("settings shows the API token; regenerating revokes the old one", async () => {
          const first = tokenOn((await alice.get("/settings")).text);
          assert.match(first, /^[\w-]+\.[\w-]+\.[\w-]+$/);
          const claims = JSON.parse(atob(first.split(".")[1].replaceAll("-", "+").replaceAll("_", "/")));
          assert.equal(claims.iss, web.url);
          assert.equal(typeof claims.loggedInAs, "number");
          assert.equal(typeof claims.iat, "number");
          assert.equal(
            tokenOn((await alice.get("/settings")).text),
            first,
            "the token is stable across views",
          );
          assert.ok(Option.isSome(await web.run(verifyApiToken(first))));

          const page = await alice.follow(await alice.submit("/settings", { regenerateToken: "true" }));
          assert.deepEqual(alertsOf(page.text), ["A new API token was made; the old one no longer works."]);
          const second = tokenOn(page.text);
          assert.notEqual(second, first);
          assert.ok(Option.isNone(await web.run(verifyApiToken(first))));
          assert.ok(Option.isSome(await web.run(verifyApiToken(second))));
        });

        const newEmail = "alice.new@example.test";
        await t.step(
          "email change: a link to the new address, a notice to the old, then every session ends",
          async () => {
            const wrong = await alice.follow(
              await alice.submit("/settings", {
                updateEmail: "true",
                email: newEmail,
                password: "not my password",
              }),
            );
            assert.deepEqual(alertsOf(wrong.text), ["Password not valid"]);

            const page = await alice.follow(
              await alice.submit("/settings", { updateEmail: "true", email: newEmail, password }),
            );
            assert.deepEqual(alertsOf(page.text), ["Verification token sent to new email address"]);
            const confirm = await smtp.waitFor(
              mailTo(newEmail, "Stake pool email change"),
              "confirmation to the new address",
            );
            const notice = await smtp.waitFor(
              mailTo(email, "Stake pool email change"),
              "notice to the old address",
            );
            assert.match(notice.text, /contact the stake pool administrator/);
            assert.doesNotMatch(notice.text, /emailupdate/, "the old address gets no link");

            const other = web.client();
            const done = await other.get(linkIn(confirm, "/emailupdate").replace(web.url, ""));
            assert.equal(done.status, 200);
            assert.deepEqual(alertsOf(done.text), ["Email successfully updated"]);
            assert.equal((await alice.get("/settings")).status, 303, "the old session was signed out");

            const old = await alice.follow(await alice.submit("/signin", { email, password }));
            assert.deepEqual(alertsOf(old.text), ["Invalid Email or Password"]);
            assert.equal(
              (await alice.submit("/signin", { email: newEmail, password })).location,
              "/settings",
            );
          },
        );

        await t.step("password change: notice mailed, other sessions and old cookies refused", async () => {
          const elsewhere = web.client();
          await elsewhere.submit("/signin", { email: newEmail, password });
          assert.equal((await elsewhere.get("/settings")).status, 200);
          const keptBack = alice.copy();

          const mismatch = await alice.follow(
            await alice.submit("/settings", {
              updatePassword: "true",
              password,
              newpassword: "another password 2",
              newpasswordrepeat: "typo password 2",
            }),
          );
          assert.deepEqual(alertsOf(mismatch.text), ["Passwords do not match"]);
          const short = await alice.follow(
            await alice.submit("/settings", {
              updatePassword: "true",
              password,
              newpassword: "short",
              newpasswordrepeat: "short",
            }),
          );
          assert.deepEqual(alertsOf(short.text), ["password must be at least 8 characters"]);

          const next = "another password 2";
          const page = await alice.follow(
            await alice.submit("/settings", {
              updatePassword: "true",
              password,
              newpassword: next,
              newpasswordrepeat: next,
            }),
          );
          assert.equal(page.status, 200, "this browser stays signed in");
          assert.deepEqual(alertsOf(page.text), ["Password successfully updated"]);
          await smtp.waitFor(mailTo(newEmail, "Stake pool password change"), "password change notice");
          assert.equal(
            (await keptBack.get("/settings")).status,
            303,
            "the cookie from before the change is refused",
          );
          assert.equal((await elsewhere.get("/settings")).status, 303, "other sessions are signed out");
          const stranger = web.client();
          const stale = await stranger.follow(
            await stranger.submit("/signin", { email: newEmail, password }),
          );
          assert.deepEqual(alertsOf(stale.text), ["Invalid Email or Password"]);
          password = next;
        });

        await t.step("sign out deletes the session: its cookie no longer works", async () => {
          const keptBack = alice.copy();
          const settings = await alice.get("/settings");
          const csrf = /name="csrf_token" value="([^"]+)"/.exec(settings.text)![1];
          const out = await alice.post("/logout", { csrf_token: csrf });
          assert.equal(out.status, 303);
          assert.equal(out.location, "/");
          assert.equal((await alice.get("/settings")).status, 303);
          assert.equal((await keptBack.get("/settings")).status, 303);
        });

        await t.step(
          "password reset: a one-hour link, then the new password works and the link is spent",
          async () => {
            const visitor = web.client();
            const before = smtp.messages.length;
            const unknown = await visitor.follow(
              await visitor.submit("/passwordreset", { email: "nobody@example.test" }),
            );
            assert.deepEqual(alertsOf(unknown.text), [
              "An email containing password reset instructions has been sent to nobody@example.test if it was a registered account here.",
            ]);
            assert.equal(smtp.messages.length, before, "no mail for an unknown address");

            const page = await visitor.follow(await visitor.submit("/passwordreset", { email: newEmail }));
            assert.deepEqual(alertsOf(page.text), [
              `An email containing password reset instructions has been sent to ${newEmail} if it was a registered account here.`,
            ]);
            const mail = await smtp.waitFor(mailTo(newEmail, "Stake pool password reset"), "reset link");
            assert.match(mail.text, /127\.0\.0\.1/, "the mail names the requesting IP");
            const link = linkIn(mail, "/passwordupdate").replace(web.url, "");
            const form = await visitor.get(link);
            assert.equal(form.status, 200);
            assert.match(form.text, /name="passwordrepeat"/);

            const reset = "reset password 3";
            const done = await visitor.submit(link, { password: reset, passwordrepeat: reset });
            assert.equal(done.status, 303);
            assert.equal(done.location, "/signin");
            assert.deepEqual(alertsOf((await visitor.follow(done)).text), ["Password successfully updated"]);
            assert.equal(
              (await visitor.submit("/signin", { email: newEmail, password: reset })).location,
              "/settings",
            );
            const spent = await web.client().get(link);
            assert.deepEqual(alertsOf(spent.text), ["Password update token not valid"]);
            assert.doesNotMatch(spent.text, /name="passwordrepeat"/);
          },
        );

        await t.step("every account change is in the audit log, without secrets", async () => {
          const entries = await web.run(Effect.flatMap(AuditLog, (log) => log.list({ limit: 100 })));
          const actions = entries.map((e) => e.Action).reverse();
          for (
            const action of [
              "signup",
              "email verified",
              "api token issued",
              "api token regenerated",
              "email change requested",
              "email changed",
              "password changed",
              "password reset requested",
              "password reset",
            ]
          ) assert.ok(actions.includes(action), `audit log has "${action}": ${actions.join(", ")}`);
          const user = await web.run(Effect.flatMap(Users, (u) => u.byEmail(newEmail)));
          assert.ok(Option.isSome(user));
          assert.ok(entries.every((e) => e.ActorUserId === user.value.UserId && e.ActorIp === "127.0.0.1"));
          const text = JSON.stringify(entries);
          assert.ok(!text.includes(user.value.APIToken) && !text.includes("reset password 3"));
        });
      }),
  });
}
