// Sign-in (behaviour §7.2): the same answer for an unknown email and a wrong password (and the
// same bcrypt time); an unverified email is refused. A hash from the Go program ($2a$, cost 10)
// is replaced with a cost-12 one while the password is at hand.
import { Effect, Option } from "effect";
import { EmailVerification } from "../domain/models.ts";
import { Users } from "../storage/users.ts";
import { rejected } from "./errors.ts";
import { checkPassword, hashPassword, needsRehash } from "./passwords.ts";

export const INVALID_SIGN_IN = "Invalid Email or Password";

export const signIn = (r: { readonly email: string; readonly password: string }) =>
  Effect.gen(function* () {
    const users = yield* Users;
    const found = yield* users.byEmail(r.email.trim());
    const matches = yield* checkPassword(
      r.password,
      Option.getOrUndefined(Option.map(found, (u) => u.Password)),
    );
    if (!matches || Option.isNone(found)) return yield* rejected(INVALID_SIGN_IN);
    const user = found.value;
    if (user.EmailVerified === EmailVerification.unverified) {
      return yield* rejected("You must validate your email address");
    }
    if (needsRehash(user.Password)) {
      yield* Effect.flatMap(hashPassword(r.password), (hash) => users.setPassword(user.UserId, hash)).pipe(
        Effect.tap(() =>
          Effect.logInfo("password hash upgraded to cost 12").pipe(
            Effect.annotateLogs({ userId: user.UserId }),
          )
        ),
        Effect.catchAll((e) => Effect.logError("could not upgrade a password hash", e)),
      );
    }
    return user;
  }).pipe(Effect.withSpan("signIn"));
