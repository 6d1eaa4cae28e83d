// Password change from the settings page (behaviour §7.6): current password, then the new one
// twice. Every session of the account ends (the page gives this browser a fresh one) and a notice
// goes to the account's address.
import { Effect } from "effect";
import type { User } from "../domain/models.ts";
import { passwordChangeNotice } from "../mail/messages.ts";
import { Sessions } from "../storage/sessions.ts";
import { Users } from "../storage/users.ts";
import { audit } from "./audit.ts";
import { requireCurrentPassword } from "./email_change.ts";
import { rejected } from "./errors.ts";
import { sendAccountMail } from "./mail.ts";
import { hashPassword, passwordProblem } from "./passwords.ts";
import { PoolSettings } from "./pool_settings.ts";

export interface PasswordChange {
  readonly user: User;
  readonly password: string;
  readonly newPassword: string;
  readonly newPasswordRepeat: string;
  readonly ip: string;
}

export const changePassword = (r: PasswordChange) =>
  Effect.gen(function* () {
    yield* requireCurrentPassword(r.user, r.password);
    if (r.newPassword !== r.newPasswordRepeat) return yield* rejected("Passwords do not match");
    const problem = passwordProblem(r.newPassword);
    if (problem !== undefined) return yield* rejected(problem);
    const hash = yield* hashPassword(r.newPassword);
    yield* Effect.flatMap(Users, (users) => users.setPassword(r.user.UserId, hash));
    const signedOut = yield* Effect.flatMap(Sessions, (s) => s.removeAllOfUser(r.user.UserId));
    yield* audit({
      userId: r.user.UserId,
      ip: r.ip,
      action: "password changed",
      detail: `${signedOut} session(s) ended`,
    });
    const { config } = yield* PoolSettings;
    yield* sendAccountMail(passwordChangeNotice({ to: r.user.Email, baseUrl: config.baseUrl, ip: r.ip }));
  }).pipe(Effect.withSpan("changePassword"));
