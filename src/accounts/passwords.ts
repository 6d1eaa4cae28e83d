// Password rules and bcrypt. New hashes use cost 12; the Go program's $2a$ hashes (cost 10) keep
// verifying and are replaced at the next sign-in (needsRehash).
import bcrypt from "bcryptjs";
import { Effect } from "effect";

export const BCRYPT_COST = 12;
export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt reads only the first 72 bytes: a longer password would be partly ignored. */
export const MAX_PASSWORD_BYTES = 72;

/** Why a new password is refused, in the words the pages show; undefined when it is acceptable. */
export const passwordProblem = (password: string): string | undefined => {
  if (password === "") return "password cannot be empty";
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    return `password must be at most ${MAX_PASSWORD_BYTES} bytes`;
  }
  return undefined;
};

export const hashPassword = (password: string): Effect.Effect<string> =>
  Effect.promise(() => bcrypt.hash(password, BCRYPT_COST)).pipe(Effect.withSpan("hashPassword"));

/** Compared against when no account matches, so an unknown email costs as much time as a known one. */
let unknownAccountHash: Promise<string> | undefined;
const hashForUnknownAccount =
  () => (unknownAccountHash ??= bcrypt.hash("no account has this password", BCRYPT_COST));

/**
 * Whether `password` matches the stored hash (bytes of a bcrypt string; undefined for an unknown
 * account). A malformed stored hash matches nothing.
 */
export const checkPassword = (password: string, stored: Uint8Array | undefined): Effect.Effect<boolean> => {
  return Effect.tryPromise(async () =>
    bcrypt.compare(
      password,
      stored === undefined ? await hashForUnknownAccount() : new TextDecoder().decode(stored),
    )
  ).pipe(
    Effect.catchAll((e) =>
      Effect.as(
        Effect.logWarning("a stored password hash is not a bcrypt hash").pipe(
          Effect.annotateLogs({ error: String(e.error) }),
        ),
        false,
      )
    ),
    Effect.map((matches) => matches && stored !== undefined),
    Effect.withSpan("checkPassword"),
  );
};

/** Hashes made by the Go program ($2a$, cost 10) or at a lower cost are replaced at sign-in. */
export const needsRehash = (stored: Uint8Array): boolean => {
  const hash = new TextDecoder().decode(stored);
  return !hash.startsWith("$2b$") || bcrypt.getRounds(hash) < BCRYPT_COST;
};
