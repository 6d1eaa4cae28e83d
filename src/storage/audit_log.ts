// AuditLog rows: what admins did (add/remove low-fee tickets, resume wallets…), newest first.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Context, Effect, Layer, Schema } from "effect";
import { AuditEntry } from "../domain/models.ts";
import { decodedRows, unixNow, writeResult } from "./sql.ts";

export interface NewAuditEntry {
  readonly actorUserId: number;
  readonly actorIp: string;
  readonly action: string;
  /** Free text or JSON; never a secret. */
  readonly detail: string;
}

export interface AuditLogApi {
  readonly append: (entry: NewAuditEntry) => Effect.Effect<AuditEntry, SqlError>;
  /** Newest first; `beforeId` pages back. */
  readonly list: (
    options: { readonly limit: number; readonly beforeId?: number },
  ) => Effect.Effect<ReadonlyArray<AuditEntry>, SqlError>;
}

export class AuditLog extends Context.Tag("hcstakepool/AuditLog")<AuditLog, AuditLogApi>() {
  static readonly layer = Layer.effect(
    AuditLog,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;
      const page = SqlSchema.findAll({
        Request: Schema.Struct({ limit: Schema.Int, beforeId: Schema.Int }),
        Result: AuditEntry,
        execute: ({ limit, beforeId }) =>
          sql`SELECT * FROM AuditLog WHERE AuditId < ${beforeId} ORDER BY AuditId DESC LIMIT ${limit}`,
      });
      return {
        append: (e) =>
          Effect.gen(function* () {
            const now = yield* unixNow;
            const raw = yield* sql`INSERT INTO AuditLog (Created, ActorUserId, ActorIp, Action, Detail)
                                   VALUES (${now}, ${e.actorUserId}, ${e.actorIp}, ${e.action}, ${e.detail})`
              .raw;
            return new AuditEntry({
              AuditId: writeResult(raw).insertId,
              Created: now,
              ActorUserId: e.actorUserId,
              ActorIp: e.actorIp,
              Action: e.action,
              Detail: e.detail,
            });
          }),
        list: ({ limit, beforeId }) =>
          decodedRows(
            page({ limit: Math.max(0, Math.trunc(limit)), beforeId: beforeId ?? Number.MAX_SAFE_INTEGER }),
          ),
      };
    }),
  );
}
