// The sign-up mail's link (GET /emailverify?t=…): marks the email verified and spends the token.
import { Effect, Option } from "effect";
import { Users } from "../storage/users.ts";
import { audit } from "./audit.ts";
import { rejected } from "./errors.ts";

export const verifyEmail = (token: string, ip: string) =>
  Effect.gen(function* () {
    if (token === "") return yield* rejected("No email verification token present");
    const verified = yield* Effect.flatMap(Users, (users) => users.verifyEmail(token));
    if (Option.isNone(verified)) return yield* rejected("Email verification token not valid");
    yield* audit({ userId: verified.value.UserId, ip, action: "email verified" });
    return verified.value;
  }).pipe(Effect.withSpan("verifyEmail"));
