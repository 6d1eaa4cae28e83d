// Sign-up (behaviour §7.1), checks in the original's order and words: closed pool, captcha, email,
// password, repeat, already registered. The account is stored before the verification mail goes
// out; a mail that fails leaves the account (the user is told, and can ask for a new link by
// resetting the password once mail works).
import { Effect } from "effect";
import { Captcha } from "../captcha/captcha.ts";
import { EmailVerification } from "../domain/models.ts";
import { Mailer } from "../mail/mailer.ts";
import { verificationMail } from "../mail/messages.ts";
import { Users } from "../storage/users.ts";
import { audit } from "./audit.ts";
import { emailProblem } from "./email.ts";
import { rejected } from "./errors.ts";
import { sendAccountMail } from "./mail.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { PoolSettings } from "./pool_settings.ts";
import { newToken } from "./tokens.ts";

export interface SignUpRequest {
  readonly email: string;
  readonly password: string;
  readonly passwordRepeat: string;
  readonly captchaId: string;
  readonly captchaAnswer: string;
  readonly ip: string;
}

export interface SignUpResult {
  readonly email: string;
  /** undefined when mail is off (the link went to the log). */
  readonly mailSent: boolean | undefined;
}

export const signUp = (r: SignUpRequest) =>
  Effect.gen(function* () {
    const { config, voteVersion } = yield* PoolSettings;
    if (config.closePool) return yield* rejected(config.closePoolMsg);
    yield* Effect.flatMap(Captcha, (c) => c.verify(r.captchaId, r.captchaAnswer));
    const email = r.email.trim();
    const emailError = emailProblem(email);
    if (emailError !== undefined) return yield* rejected(emailError);
    const passwordError = passwordProblem(r.password);
    if (passwordError !== undefined) return yield* rejected(passwordError);
    if (r.password !== r.passwordRepeat) return yield* rejected("passwords do not match");

    const users = yield* Users;
    const token = newToken();
    const user = yield* users.create({
      email,
      passwordHash: yield* hashPassword(r.password),
      emailToken: token,
      emailVerified: EmailVerification.unverified,
      voteBits: 1,
      voteBitsVersion: voteVersion,
    }).pipe(
      Effect.catchTags({
        EmailTaken: () => rejected("User exists"),
        UserIdsExhausted: () => rejected("The stake pool is full: it cannot open new accounts."),
      }),
    );
    yield* audit({ userId: user.UserId, ip: r.ip, action: "signup" });
    const mailer = yield* Mailer;
    const sent = yield* sendAccountMail(verificationMail(email, `${config.baseUrl}/emailverify?t=${token}`));
    return { email, mailSent: mailer.enabled ? sent : undefined } satisfies SignUpResult;
  }).pipe(Effect.withSpan("signUp"));
