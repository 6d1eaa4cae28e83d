// The look-up and removal shared by the one-hour token tables (EmailChange, PasswordReset): the
// newest row for a token, refused once expired; an empty token never matches.
import type * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Effect, Schema } from "effect";
import { type TokenExpired, type TokenNotFound, validToken } from "../domain/models.ts";
import { decodedRows, unixNow } from "./sql.ts";

export interface TokenRows<A> {
  readonly find: (token: string) => Effect.Effect<A, TokenNotFound | TokenExpired | SqlError>;
  readonly remove: (token: string) => Effect.Effect<void, SqlError>;
}

export const tokenRows = <A extends { readonly Expires: number }, I>(
  sql: SqlClient.SqlClient,
  /** Table and id column: constants, never user input. */
  table: {
    readonly name: "EmailChange" | "PasswordReset";
    readonly id: string;
    readonly row: Schema.Schema<A, I>;
  },
): TokenRows<A> => {
  const byToken = SqlSchema.findOne({
    Request: Schema.String,
    Result: table.row,
    execute: (token) =>
      sql`SELECT * FROM ${sql(table.name)} WHERE Token = ${token} ORDER BY ${sql(table.id)} DESC`,
  });
  return {
    find: (token) =>
      Effect.gen(function* () {
        const row = yield* decodedRows(token === "" ? Effect.succeedNone : byToken(token));
        return yield* validToken(row, yield* unixNow);
      }),
    remove: (token) => Effect.asVoid(sql`DELETE FROM ${sql(table.name)} WHERE Token = ${token}`),
  };
};
