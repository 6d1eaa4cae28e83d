// Server-side sessions. The cookie carries a random id; the table keeps only its SHA-256, so a
// database dump cannot be replayed as a sign-in.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Context, Effect, Layer, Option, Schema } from "effect";
import { createHash, randomBytes } from "node:crypto";
import { Session } from "../domain/models.ts";
import { decodedRows, unixNow, writeResult } from "./sql.ts";

const hashOf = (id: string) => createHash("sha256").update(id).digest("hex");

export interface NewSession {
  /** 0 for a visitor who has not signed in. */
  readonly userId: number;
  readonly data: string;
  readonly ttlSeconds: number;
}

export interface SessionsApi {
  /** A new session; `id` goes into the cookie and is not stored. */
  readonly create: (
    s: NewSession,
  ) => Effect.Effect<{ readonly id: string; readonly session: Session }, SqlError>;
  /** The unexpired session with this cookie id. */
  readonly get: (id: string) => Effect.Effect<Option.Option<Session>, SqlError>;
  /** Records activity and extends the expiry. */
  readonly touch: (id: string, ttlSeconds: number) => Effect.Effect<void, SqlError>;
  readonly setData: (id: string, data: string) => Effect.Effect<void, SqlError>;
  readonly remove: (id: string) => Effect.Effect<void, SqlError>;
  /** Signs a user out everywhere (password change); returns how many sessions went. */
  readonly removeAllOfUser: (userId: number) => Effect.Effect<number, SqlError>;
  readonly removeExpired: Effect.Effect<number, SqlError>;
}

export class Sessions extends Context.Tag("hcstakepool/Sessions")<Sessions, SessionsApi>() {
  static readonly layer = Layer.effect(
    Sessions,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;
      const byHash = SqlSchema.findOne({
        Request: Schema.Struct({ hash: Schema.String, now: Schema.Number }),
        Result: Session,
        execute: ({ hash, now }) =>
          sql`SELECT * FROM Sessions WHERE SessionHash = ${hash} AND Expires > ${now}`,
      });
      const removed = (raw: unknown) => writeResult(raw).affectedRows;
      return {
        create: ({ userId, data, ttlSeconds }) =>
          Effect.gen(function* () {
            const id = randomBytes(32).toString("base64url");
            const now = yield* unixNow;
            const session = new Session({
              SessionHash: hashOf(id),
              UserId: userId,
              Data: data,
              Created: now,
              LastSeen: now,
              Expires: now + ttlSeconds,
            });
            yield* sql`INSERT INTO Sessions (SessionHash, UserId, Data, Created, LastSeen, Expires)
                       VALUES (${session.SessionHash}, ${userId}, ${data}, ${now}, ${now}, ${session.Expires})`;
            return { id, session };
          }),
        get: (id) => decodedRows(Effect.flatMap(unixNow, (now) => byHash({ hash: hashOf(id), now }))),
        touch: (id, ttlSeconds) =>
          Effect.flatMap(
            unixNow,
            (now) =>
              sql`UPDATE Sessions SET LastSeen = ${now}, Expires = ${now + ttlSeconds}
                WHERE SessionHash = ${hashOf(id)}`,
          ),
        setData: (id, data) =>
          Effect.asVoid(sql`UPDATE Sessions SET Data = ${data} WHERE SessionHash = ${hashOf(id)}`),
        remove: (id) => Effect.asVoid(sql`DELETE FROM Sessions WHERE SessionHash = ${hashOf(id)}`),
        removeAllOfUser: (userId) =>
          Effect.map(sql`DELETE FROM Sessions WHERE UserId = ${userId}`.raw, removed),
        removeExpired: Effect.flatMap(
          unixNow,
          (now) => Effect.map(sql`DELETE FROM Sessions WHERE Expires <= ${now}`.raw, removed),
        ),
      };
    }),
  );
}
