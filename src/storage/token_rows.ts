// What the one-hour token tables (EmailChange, PasswordReset) do alike: a row stamped with its
// creation and expiry; the newest row for a token, refused once expired (an empty token never
// matches); using a token consumes it in the same transaction.
import type * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Effect, Schema } from "effect";
import {
  TOKEN_LIFETIME_SECONDS,
  type TokenExpired,
  type TokenNotFound,
  validToken,
} from "../domain/models.ts";
import { decodedRows, unixNow, writeResult } from "./sql.ts";

export interface TokenRows<A, F> {
  /** Stores a row valid for TOKEN_LIFETIME_SECONDS from now. */
  readonly create: (fields: F) => Effect.Effect<A, SqlError>;
  readonly find: (token: string) => Effect.Effect<A, TokenNotFound | TokenExpired | SqlError>;
  /** Runs `use` with the token's row and removes the token, all or nothing. */
  readonly consume: <E>(
    token: string,
    use: (row: A) => Effect.Effect<void, E>,
  ) => Effect.Effect<A, E | TokenNotFound | TokenExpired | SqlError>;
  readonly remove: (token: string) => Effect.Effect<void, SqlError>;
}

export const tokenRows = <
  A extends { readonly Expires: number },
  I,
  P extends { readonly Token: string },
  K extends string,
>(
  sql: SqlClient.SqlClient,
  /** Table and id column: constants, never user input. The row class builds the stored row. */
  table: {
    readonly name: "EmailChange" | "PasswordReset";
    readonly id: K;
    readonly row: Schema.Schema<A, I> & (new (props: P) => A);
  },
): TokenRows<A, Omit<P, K | "Created" | "Expires">> => {
  const byToken = SqlSchema.findOne({
    Request: Schema.String,
    Result: table.row,
    execute: (token) =>
      sql`SELECT * FROM ${sql(table.name)} WHERE Token = ${token} ORDER BY ${sql(table.id)} DESC`,
  });
  const find = (token: string) =>
    Effect.gen(function* () {
      const row = yield* decodedRows(token === "" ? Effect.succeedNone : byToken(token));
      return yield* validToken(row, yield* unixNow);
    });
  const remove = (token: string) => Effect.asVoid(sql`DELETE FROM ${sql(table.name)} WHERE Token = ${token}`);
  return {
    create: (fields) =>
      Effect.gen(function* () {
        const now = yield* unixNow;
        const stored = { ...fields, Created: now, Expires: now + TOKEN_LIFETIME_SECONDS };
        const raw = yield* sql`INSERT INTO ${sql(table.name)} ${sql.insert(stored)}`.raw;
        return new table.row({ ...stored, [table.id]: writeResult(raw).insertId } as unknown as P);
      }),
    find,
    consume: (token, use) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const row = yield* find(token);
          yield* use(row);
          yield* remove(token);
          return row;
        }),
      ),
    remove,
  };
};
