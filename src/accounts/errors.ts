// Failures a user can correct (a wrong password, a taken email, an expired link): the message is
// the original's wording and is shown to the user as is, so it never carries a secret.
import { Data } from "effect";

export class AccountRejected extends Data.TaggedError("AccountRejected")<{ readonly message: string }> {}

export const rejected = (message: string) => new AccountRejected({ message });
