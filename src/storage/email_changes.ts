// EmailChange rows: a pending change of a user's email, confirmed by a token sent to the new
// address within an hour.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { Context, Effect, Layer } from "effect";
import { EmailChange, type TokenExpired, type TokenNotFound } from "../domain/models.ts";
import { tokenRows } from "./token_rows.ts";
import { type EmailTaken, type EmailTooLong, type UserNotFound, Users } from "./users.ts";

export interface EmailChangesApi {
  readonly create: (userId: number, newEmail: string, token: string) => Effect.Effect<EmailChange, SqlError>;
  /** The pending change for a token, refused once expired. */
  readonly find: (token: string) => Effect.Effect<EmailChange, TokenNotFound | TokenExpired | SqlError>;
  /** Sets the user's new email and consumes the token, all or nothing. */
  readonly apply: (
    token: string,
  ) => Effect.Effect<
    EmailChange,
    TokenNotFound | TokenExpired | EmailTaken | EmailTooLong | UserNotFound | SqlError
  >;
  readonly remove: (token: string) => Effect.Effect<void, SqlError>;
}

export class EmailChanges extends Context.Tag("hcstakepool/EmailChanges")<EmailChanges, EmailChangesApi>() {
  static readonly layer = Layer.effect(
    EmailChanges,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;
      const users = yield* Users;
      const rows = tokenRows(sql, { name: "EmailChange", id: "EmailChangeID", row: EmailChange });
      return {
        create: (userId, newEmail, token) =>
          rows.create({ UserId: userId, NewEmail: newEmail, Token: token }),
        find: rows.find,
        apply: (token) => rows.consume(token, (change) => users.setEmail(change.UserId, change.NewEmail)),
        remove: rows.remove,
      };
    }),
  );
}
