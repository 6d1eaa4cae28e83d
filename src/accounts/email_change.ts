// Email change (behaviour §7.4): the current password and a captcha, then a one-hour link to the
// new address and a notice to the old one. Following the link stores the new address, spends the
// token and signs the account out everywhere (the original logged the user out).
import { Effect, Option } from "effect";
import { Captcha } from "../captcha/captcha.ts";
import type { User } from "../domain/models.ts";
import { Mailer } from "../mail/mailer.ts";
import { emailChangeMail, emailChangeNotice } from "../mail/messages.ts";
import { EmailChanges } from "../storage/email_changes.ts";
import { Sessions } from "../storage/sessions.ts";
import { Users } from "../storage/users.ts";
import { audit } from "./audit.ts";
import { emailProblem } from "./email.ts";
import { rejected } from "./errors.ts";
import { sendAccountMail } from "./mail.ts";
import { checkPassword } from "./passwords.ts";
import { PoolSettings } from "./pool_settings.ts";
import { newToken } from "./tokens.ts";

/** Every settings change starts with the current password. */
export const requireCurrentPassword = (user: User, password: string) =>
  Effect.flatMap(
    checkPassword(password, user.Password),
    (ok) => (ok ? Effect.void : Effect.fail(rejected("Password not valid"))),
  );

export interface EmailChangeRequest {
  readonly user: User;
  readonly newEmail: string;
  readonly password: string;
  readonly captchaId: string;
  readonly captchaAnswer: string;
  readonly ip: string;
}

export const requestEmailChange = (r: EmailChangeRequest) =>
  Effect.gen(function* () {
    yield* requireCurrentPassword(r.user, r.password);
    yield* Effect.flatMap(Captcha, (c) => c.verify(r.captchaId, r.captchaAnswer));
    const newEmail = r.newEmail.trim();
    const problem = emailProblem(newEmail);
    if (problem !== undefined) return yield* rejected(problem);
    const taken = yield* Effect.flatMap(Users, (users) => users.byEmail(newEmail));
    if (Option.isSome(taken)) return yield* rejected("Email address in use");
    const { config } = yield* PoolSettings;
    const token = newToken();
    yield* Effect.flatMap(EmailChanges, (changes) => changes.create(r.user.UserId, newEmail, token));
    yield* audit({
      userId: r.user.UserId,
      ip: r.ip,
      action: "email change requested",
      detail: `to ${newEmail}`,
    });
    const sent = yield* sendAccountMail(
      emailChangeMail({
        to: newEmail,
        oldEmail: r.user.Email,
        baseUrl: config.baseUrl,
        ip: r.ip,
        url: `${config.baseUrl}/emailupdate?t=${token}`,
      }),
    );
    // The notice is a courtesy: its failure is logged (sendAccountMail) and not shown.
    yield* sendAccountMail(
      emailChangeNotice({ to: r.user.Email, newEmail, baseUrl: config.baseUrl, ip: r.ip }),
    );
    const mailer = yield* Mailer;
    return { newEmail, mailSent: mailer.enabled ? sent : undefined };
  }).pipe(Effect.withSpan("requestEmailChange"));

export const applyEmailChange = (token: string, ip: string) =>
  Effect.gen(function* () {
    if (token === "") return yield* rejected("Email verification token not valid");
    const change = yield* Effect.flatMap(EmailChanges, (changes) => changes.apply(token)).pipe(
      Effect.catchTags({
        TokenNotFound: () => rejected("Email verification token not valid"),
        TokenExpired: () => rejected("Email change token has expired"),
        EmailTaken: () => rejected("Email address is in use"),
        UserNotFound: () => rejected("Error occurred while changing email address"),
      }),
    );
    const signedOut = yield* Effect.flatMap(Sessions, (s) => s.removeAllOfUser(change.UserId));
    yield* audit({
      userId: change.UserId,
      ip,
      action: "email changed",
      detail: `to ${change.NewEmail}; ${signedOut} session(s) ended`,
    });
    return change;
  }).pipe(Effect.withSpan("applyEmailChange"));
