// The mailed links of email change and password reset: an hour long, spent on use, and the email
// change re-checks that nobody took the new address in the meantime.
import assert from "node:assert/strict";
import { Effect, Layer, Option, Ref, TestClock, TestContext } from "effect";
import { applyEmailChange, requestEmailChange } from "../../src/accounts/email_change.ts";
import { checkResetToken, requestPasswordReset, resetPassword } from "../../src/accounts/password_reset.ts";
import { hashPassword } from "../../src/accounts/passwords.ts";
import { Captcha } from "../../src/captcha/captcha.ts";
import { EmailVerification } from "../../src/domain/models.ts";
import type { MailMessage } from "../../src/mail/mailer.ts";
import { Sessions } from "../../src/storage/sessions.ts";
import { Users } from "../../src/storage/users.ts";
import { type Accounts, withAccounts } from "./support.ts";

const tokenIn = (mail: MailMessage, path: string) => {
  const m = new RegExp(`${path}\\?t=([0-9a-f]{32})`).exec(mail.text);
  assert.ok(m, `a ${path} link in ${mail.text}`);
  return m[1];
};

const run = <A, E>(a: Accounts, effect: Effect.Effect<A, E, Layer.Layer.Success<Accounts["layer"]>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(a.layer), Effect.provide(TestContext.TestContext)));

const newUser = (email: string, password: string) =>
  Effect.gen(function* () {
    return yield* Effect.flatMap(Users, (u) =>
      Effect.flatMap(hashPassword(password), (passwordHash) =>
        u.create({
          email,
          passwordHash,
          emailToken: "",
          emailVerified: EmailVerification.verified,
          voteBits: 1,
          voteBitsVersion: 0,
        })));
  });

const solved = (a: Accounts) =>
  Effect.map(
    Effect.flatMap(Captcha, (c) => c.issue),
    (c) => ({ captchaId: c.id, captchaAnswer: a.captchas.get(c.id)! }),
  );

Deno.test("email change: the link works within the hour, is spent on use, and ends every session", () =>
  withAccounts((a) =>
    run(
      a,
      Effect.gen(function* () {
        const user = yield* newUser("before@example.test", "password one");
        const session = yield* Effect.flatMap(Sessions, (s) =>
          s.create({ userId: user.UserId, data: "{}", ttlSeconds: 3600 }));
        yield* requestEmailChange({
          user,
          newEmail: "after@example.test",
          password: "password one",
          ip: "203.0.113.5",
          ...(yield* solved(a)),
        });
        const [confirm, notice] = yield* Ref.get(a.outbox);
        assert.deepEqual([confirm.to, notice.to], ["after@example.test", "before@example.test"]);
        assert.match(confirm.text, /203\.0\.113\.5/);
        assert.match(confirm.html ?? "", /Confirm the new address/);
        const token = tokenIn(confirm, "/emailupdate");
        yield* TestClock.adjust("59 minutes");
        const change = yield* applyEmailChange(token, "203.0.113.5");
        assert.equal(change.NewEmail, "after@example.test");
        assert.equal(
          Option.getOrThrow(
            yield* Effect.flatMap(Users, (u) =>
              u.byId(user.UserId)),
          ).Email,
          "after@example.test",
        );
        assert.ok(
          Option.isNone(yield* Effect.flatMap(Sessions, (s) => s.get(session.id))),
          "signed out",
        );
        assert.equal(
          (yield* Effect.flip(applyEmailChange(token, "203.0.113.5"))).message,
          "Email verification token not valid",
        );
      }),
    )
  ));

Deno.test("email change: an expired link, and an address taken meanwhile, are refused", () =>
  withAccounts((a) =>
    run(
      a,
      Effect.gen(function* () {
        const user = yield* newUser("carol@example.test", "password one");
        const request = (newEmail: string) =>
          Effect.flatMap(solved(a), (captcha) =>
            requestEmailChange({ user, newEmail, password: "password one", ip: "203.0.113.5", ...captcha }));
        yield* request("late@example.test");
        const late = tokenIn((yield* Ref.get(a.outbox))[0], "/emailupdate");
        yield* TestClock.adjust("61 minutes");
        assert.equal(
          (yield* Effect.flip(applyEmailChange(late, "203.0.113.5"))).message,
          "Email change token has expired",
        );

        yield* request("contested@example.test");
        const contested = tokenIn((yield* Ref.get(a.outbox))[2], "/emailupdate");
        yield* newUser("contested@example.test", "password two");
        assert.equal(
          (yield* Effect.flip(applyEmailChange(contested, "203.0.113.5"))).message,
          "Email address is in use",
        );
        assert.equal((yield* Effect.flip(request("contested@example.test"))).message, "Email address in use");
        assert.equal(
          (yield* Effect.flip(
            Effect.flatMap(solved(a), (captcha) =>
              requestEmailChange({
                user,
                newEmail: "x@example.test",
                password: "wrong",
                ip: "",
                ...captcha,
              })),
          )).message,
          "Password not valid",
        );
      }),
    )
  ));

Deno.test("password reset: an hour-long link, spent on use, that ends every session", () =>
  withAccounts((a) =>
    run(
      a,
      Effect.gen(function* () {
        const user = yield* newUser("dave@example.test", "password one");
        const session = yield* Effect.flatMap(Sessions, (s) =>
          s.create({ userId: user.UserId, data: "{}", ttlSeconds: 3600 }));
        const sent = yield* requestPasswordReset({
          email: "dave@example.test",
          ip: "203.0.113.9",
          ...(yield* solved(a)),
        });
        assert.equal(sent.mailSent, true);
        const mail = (yield* Ref.get(a.outbox))[0];
        assert.equal(mail.subject, "Stake pool password reset");
        const token = tokenIn(mail, "/passwordupdate");
        yield* checkResetToken(token);
        const mismatch = yield* Effect.flip(
          resetPassword({ token, password: "password two", passwordRepeat: "password 2", ip: "203.0.113.9" }),
        );
        assert.equal(mismatch.message, "Passwords do not match");
        yield* resetPassword({
          token,
          password: "password two",
          passwordRepeat: "password two",
          ip: "203.0.113.9",
        });
        assert.ok(
          Option.isNone(
            yield* Effect.flatMap(Sessions, (s) =>
              s.get(session.id)),
          ),
          "signed out",
        );
        assert.equal((yield* Effect.flip(checkResetToken(token))).message, "Password update token not valid");

        yield* requestPasswordReset({ email: "dave@example.test", ip: "203.0.113.9", ...(yield* solved(a)) });
        const later = tokenIn((yield* Ref.get(a.outbox))[1], "/passwordupdate");
        yield* TestClock.adjust("61 minutes");
        assert.equal(
          (yield* Effect.flip(checkResetToken(later))).message,
          "Password update token has expired",
        );
        assert.equal((yield* Effect.flip(checkResetToken(""))).message, "No password update token present");

        const unknown = yield* requestPasswordReset({
          email: "nobody@example.test",
          ip: "",
          ...(yield* solved(a)),
        });
        assert.equal(unknown.mailSent, undefined);
        assert.equal((yield* Ref.get(a.outbox)).length, 2, "no mail for an unknown address");
      }),
    )
  ));
