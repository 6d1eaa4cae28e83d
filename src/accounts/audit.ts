// Every account change is written to the audit log. The change has already happened when this
// runs, so a failed write is logged at error level (with its cause) instead of undoing it.
import { Effect } from "effect";
import { AuditLog } from "../storage/audit_log.ts";

export type AccountAction =
  | "signup"
  | "email verified"
  | "password changed"
  | "password reset requested"
  | "password reset"
  | "email change requested"
  | "email changed"
  | "api token issued"
  | "api token regenerated"
  | "address submitted"
  | "voting preferences changed"
  | "low-fee tickets added"
  | "low-fee tickets removed"
  | "wallet commands resumed";

export const audit = (entry: {
  readonly userId: number;
  readonly ip: string;
  readonly action: AccountAction;
  /** Never a secret: no password, token or link. */
  readonly detail?: string;
}) =>
  Effect.flatMap(
    AuditLog,
    (log) =>
      log.append({
        actorUserId: entry.userId,
        actorIp: entry.ip,
        action: entry.action,
        detail: entry.detail ?? "",
      }),
  ).pipe(
    Effect.asVoid,
    Effect.catchAll((e) =>
      Effect.logError("audit log write failed", e).pipe(
        Effect.annotateLogs({ action: entry.action, userId: entry.userId }),
      )
    ),
  );
