// Password reset (behaviour §7.3): a one-hour link mailed to a registered address; the answer is
// the same whether or not the address is registered. Setting the new password spends the token
// and signs the account out everywhere.
import { Effect, Option } from "effect";
import { Captcha } from "../captcha/captcha.ts";
import { Mailer } from "../mail/mailer.ts";
import { passwordResetMail } from "../mail/messages.ts";
import { PasswordResets } from "../storage/password_resets.ts";
import { Sessions } from "../storage/sessions.ts";
import { Users } from "../storage/users.ts";
import { audit } from "./audit.ts";
import { rejected } from "./errors.ts";
import { sendAccountMail } from "./mail.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { PoolSettings } from "./pool_settings.ts";
import { newToken } from "./tokens.ts";

export interface ResetRequest {
  readonly email: string;
  readonly captchaId: string;
  readonly captchaAnswer: string;
  readonly ip: string;
}

export interface ResetRequested {
  readonly email: string;
  /** false: the address is registered but its mail failed; undefined: mail is off or no account. */
  readonly mailSent: boolean | undefined;
}

export const requestPasswordReset = (r: ResetRequest) =>
  Effect.gen(function* () {
    yield* Effect.flatMap(Captcha, (c) => c.verify(r.captchaId, r.captchaAnswer));
    const email = r.email.trim();
    if (email === "") return yield* rejected("email address is invalid");
    const { config } = yield* PoolSettings;
    const user = yield* Effect.flatMap(Users, (users) => users.byEmail(email));
    if (Option.isNone(user)) return { email, mailSent: undefined } satisfies ResetRequested;
    const token = newToken();
    yield* Effect.flatMap(PasswordResets, (resets) => resets.create(user.value.UserId, token));
    yield* audit({ userId: user.value.UserId, ip: r.ip, action: "password reset requested" });
    const sent = yield* sendAccountMail(
      passwordResetMail(user.value.Email, r.ip, `${config.baseUrl}/passwordupdate?t=${token}`),
    );
    const mailer = yield* Mailer;
    return { email, mailSent: mailer.enabled ? sent : undefined } satisfies ResetRequested;
  }).pipe(Effect.withSpan("requestPasswordReset"));

const tokenRejections = {
  TokenNotFound: () => rejected("Password update token not valid"),
  TokenExpired: () => rejected("Password update token has expired"),
} as const;

/** Whether a reset link can still be used (the page hides its form when not). */
export const checkResetToken = (token: string) =>
  token === ""
    ? Effect.fail(rejected("No password update token present"))
    : Effect.flatMap(PasswordResets, (resets) => resets.find(token)).pipe(
      Effect.asVoid,
      Effect.catchTags(tokenRejections),
    );

export interface NewPassword {
  readonly token: string;
  readonly password: string;
  readonly passwordRepeat: string;
  readonly ip: string;
}

export const resetPassword = (r: NewPassword) =>
  Effect.gen(function* () {
    yield* checkResetToken(r.token);
    if (r.password === "") return yield* rejected("Password cannot be empty");
    const problem = passwordProblem(r.password);
    if (problem !== undefined) return yield* rejected(problem);
    if (r.password !== r.passwordRepeat) return yield* rejected("Passwords do not match");
    const hash = yield* hashPassword(r.password);
    const reset = yield* Effect.flatMap(PasswordResets, (resets) => resets.apply(r.token, hash)).pipe(
      Effect.catchTags({ ...tokenRejections, UserNotFound: () => rejected("Unable to find User ID") }),
    );
    const signedOut = yield* Effect.flatMap(Sessions, (s) => s.removeAllOfUser(reset.UserId));
    yield* audit({
      userId: reset.UserId,
      ip: r.ip,
      action: "password reset",
      detail: `${signedOut} session(s) ended`,
    });
    return reset.UserId;
  }).pipe(Effect.withSpan("resetPassword"));
