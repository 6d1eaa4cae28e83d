// LowFeeTicket rows: tickets an admin allowed to vote although their pool fee is too low.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Context, Effect, Layer, Schema } from "effect";
import { LowFeeTicket } from "../domain/models.ts";
import { decodedRows, unixNow, writeResult } from "./sql.ts";

export interface NewLowFeeTicket {
  readonly TicketHash: string;
  /** The owner's multisig address. */
  readonly TicketAddress: string;
  /** Unix seconds after which the ticket can no longer vote (now + expiry blocks × block time × 1.05). */
  readonly Expires: number;
}

export interface LowFeeTicketsApi {
  /** Adds the tickets not already added; returns how many were new. */
  readonly add: (
    addedByUid: number,
    tickets: ReadonlyArray<NewLowFeeTicket>,
  ) => Effect.Effect<number, SqlError>;
  /** Removes tickets by hash; returns how many rows went. */
  readonly remove: (hashes: ReadonlyArray<string>) => Effect.Effect<number, SqlError>;
  /** Not voted and not expired: what stakepoold gets as its added low-fee set. */
  readonly votable: Effect.Effect<ReadonlyArray<LowFeeTicket>, SqlError>;
  readonly all: Effect.Effect<ReadonlyArray<LowFeeTicket>, SqlError>;
}

export class LowFeeTickets
  extends Context.Tag("hcstakepool/LowFeeTickets")<LowFeeTickets, LowFeeTicketsApi>() {
  static readonly layer = Layer.effect(
    LowFeeTickets,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient;
      const list = (query: (now: number) => Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
        decodedRows(
          Effect.flatMap(
            unixNow,
            SqlSchema.findAll({ Request: Schema.Number, Result: LowFeeTicket, execute: query }),
          ),
        );
      return {
        add: (addedByUid, tickets) =>
          sql.withTransaction(
            Effect.gen(function* () {
              const now = yield* unixNow;
              let added = 0;
              for (const t of tickets) {
                const [present] =
                  yield* sql`SELECT 1 AS p FROM LowFeeTicket WHERE TicketHash = ${t.TicketHash}`;
                if (present !== undefined) continue;
                yield* sql`INSERT INTO LowFeeTicket (AddedByUid, TicketAddress, TicketHash, TicketExpiry, Voted,
                             Created, Expires)
                           VALUES (${addedByUid}, ${t.TicketAddress}, ${t.TicketHash}, 0, 0, ${now}, ${t.Expires})`;
                added++;
              }
              return added;
            }),
          ),
        remove: (hashes) =>
          hashes.length === 0 ? Effect.succeed(0) : Effect.map(
            sql`DELETE FROM LowFeeTicket WHERE ${sql.in("TicketHash", hashes)}`.raw,
            (raw) => writeResult(raw).affectedRows,
          ),
        votable: list((now) =>
          sql`SELECT * FROM LowFeeTicket WHERE Voted = 0 AND Expires > ${now} ORDER BY LowFeeTicketID`
        ),
        all: list(() => sql`SELECT * FROM LowFeeTicket ORDER BY LowFeeTicketID`),
      };
    }),
  );
}
