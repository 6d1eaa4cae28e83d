// PasswordReset rows: a reset link's token, valid for an hour.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Context, Effect, Layer } from "effect";
import { PasswordReset, type TokenExpired, type TokenNotFound } from "../domain/models.ts";
import { tokenRows } from "./token_rows.ts";
import { type UserNotFound, Users } from "./users.ts";

export interface PasswordResetsApi {
  readonly create: (userId: number, token: string) => Effect.Effect<PasswordReset, SqlError>;
  /** The reset for a token, refused once expired. */
  readonly find: (token: string) => Effect.Effect<PasswordReset, TokenNotFound | TokenExpired | SqlError>;
  /** Stores the new bcrypt hash and consumes the token, all or nothing. */
  readonly apply: (
    token: string,
    passwordHash: string,
  ) => Effect.Effect<PasswordReset, TokenNotFound | TokenExpired | UserNotFound | SqlError>;
  readonly remove: (token: string) => Effect.Effect<void, SqlError>;
}

export class PasswordResets
  extends Context.Tag("hcstakepool/PasswordResets")<PasswordResets, PasswordResetsApi>() {
  static readonly layer = Layer.effect(
    PasswordResets,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;
      const users = yield* Users;
      const rows = tokenRows(sql, { name: "PasswordReset", id: "PasswordResetID", row: PasswordReset });
      return {
        create: (userId, token) => rows.create({ UserId: userId, Token: token }),
        find: rows.find,
        apply: (token, passwordHash) =>
          rows.consume(token, (reset) => users.setPassword(reset.UserId, passwordHash)),
        remove: rows.remove,
      };
    }),
  );
}
