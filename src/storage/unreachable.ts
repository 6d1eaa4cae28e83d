// Whether a failure means "the database cannot be reached for now" (retry, answer 503, vote from
// the snapshot) rather than a refusal that retrying will not mend (wrong password, no such
// database, a bad statement). The web app and stakepoold decide it the same way.
import { Cause } from "effect";

/**
 * The codes (Node's socket errors, mysql2's and the server's, SQLite's lock) of a database that
 * cannot be reached or went away: refused or lost connections, timeouts, a server out of
 * connections or shutting down, a locked embedded store.
 */
const UNREACHABLE_CODES: ReadonlySet<unknown> = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "PROTOCOL_CONNECTION_LOST",
  "PROTOCOL_SEQUENCE_TIMEOUT",
  "ER_CON_COUNT_ERROR",
  "ER_SERVER_SHUTDOWN",
  "SQLITE_BUSY",
]);

/** Whether `u` (an error, its causes, an Effect Cause) says the database is unreachable. */
export const isDatabaseUnreachable = (u: unknown, depth = 0): boolean => {
  if (depth > 8 || typeof u !== "object" || u === null) return false;
  if (Cause.isCause(u)) {
    return [...Cause.failures(u), ...Cause.defects(u)].some((e) => isDatabaseUnreachable(e, depth + 1));
  }
  const { code, fatal } = u as { readonly code?: unknown; readonly fatal?: unknown };
  return UNREACHABLE_CODES.has(code) ||
    // mysql2's error for a statement sent on a connection that was already lost (a transaction's
    // next statement): fatal and without a code, the loss itself went to the statement before.
    (fatal === true && code === undefined) ||
    isDatabaseUnreachable((u as { readonly cause?: unknown }).cause, depth + 1);
};
