// Mail off (no smtphost): every message and its link goes to the log and the pages say so; a
// refusing SMTP server keeps the account and tells the user; closepool blocks sign-up.
import assert from "node:assert/strict";
import { Effect, Option } from "effect";
import { EmailVerification } from "../../src/domain/models.ts";
import { Users } from "../../src/storage/users.ts";
import { alertsOf, withWebApp } from "./support.ts";

const MAIL_OFF = /Mail server not configured/;

Deno.test("console mail: the verification link is in the log, the pages say mail is off, sign-up works end to end", () =>
  withWebApp({ mail: "console" }, async (web) => {
    const c = web.client();
    for (const path of ["/signup", "/passwordreset"]) assert.match((await c.get(path)).text, MAIL_OFF, path);
    const email = "console@example.test";
    const password = "console password";
    const page = await c.submit("/signup", { email, password, passwordrepeat: password });
    assert.equal(page.status, 200);
    assert.deepEqual(alertsOf(page.text), [
      "Your account was created, but mail is off on this pool: ask the administrator for your verification link.",
    ]);
    const line = web.logs.find((l) => l.includes("mail is off") && l.includes(email));
    assert.ok(line, "the message is logged");
    assert.match(line, /subject="Stake pool email verification"/);
    assert.ok(!line.includes(password), "no password in the log");
    const link = /(\/emailverify\?t=[0-9a-f]{32})/.exec(line)?.[1];
    assert.ok(link, `a verification link in: ${line}`);
    assert.deepEqual(alertsOf((await c.get(link)).text), ["Email successfully verified"]);
    assert.equal((await c.submit("/signin", { email, password })).location, "/settings");
    assert.match((await c.get("/settings")).text, MAIL_OFF);
    assert.ok(web.logs.every((l) => !l.includes(password)), "no line carries the password");
  }));

Deno.test("a refusing SMTP server: the account is kept and the user told", () =>
  withWebApp({ smtpSink: { refuse: true } }, async (web) => {
    const c = web.client();
    const email = "unlucky@example.test";
    const page = await c.submit("/signup", {
      email,
      password: "a password 1",
      passwordrepeat: "a password 1",
    });
    assert.equal(page.status, 200);
    assert.deepEqual(alertsOf(page.text), ["Unable to send signup email"]);
    const user = await web.run(Effect.flatMap(Users, (u) => u.byEmail(email)));
    assert.ok(Option.isSome(user), "the account exists");
    assert.equal(user.value.EmailVerified, EmailVerification.unverified);
    assert.ok(
      web.logs.some((l) => l.includes("mail not sent") && l.includes(email)),
      "the failure is logged",
    );

    const reset = await c.follow(await c.submit("/passwordreset", { email }));
    assert.deepEqual(alertsOf(reset.text), [
      "Unable to send password reset email",
      `An email containing password reset instructions has been sent to ${email} if it was a registered account here.`,
    ]);
  }));

Deno.test("closepool: the pages show the message, sign-up is refused and nothing is stored", () =>
  withWebApp(
    { options: { closepool: "1", closepoolmsg: "Closed for maintenance until Friday." } },
    async (web) => {
      const c = web.client();
      const home = await c.get("/");
      assert.match(home.text, /Closed for maintenance until Friday\./);
      assert.doesNotMatch(home.text, /Create an account/);
      const form = await c.get("/signup");
      assert.match(form.text, /Closed for maintenance until Friday\./);
      assert.match(form.text, /<button type="submit" class="button button-block" disabled="">/);
      const page = await c.follow(
        await c.submit("/signup", {
          email: "late@example.test",
          password: "a password 1",
          passwordrepeat: "a password 1",
        }),
      );
      assert.deepEqual(alertsOf(page.text), ["Closed for maintenance until Friday."]);
      assert.equal(await web.run(Effect.flatMap(Users, (u) => u.count)), 0);
    },
  ));
