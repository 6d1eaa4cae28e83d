// LowFeeTicket rows: tickets an admin allowed to vote although their pool fee is too low.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Context, Effect, Layer, Schema } from "effect";
import { LowFeeTicket } from "../domain/models.ts";
import { decodedRows, isDuplicateKey, unixNow, writeResult } from "./sql.ts";

export interface NewLowFeeTicket {
  readonly TicketHash: string;
  /** The owner's multisig address. */
  readonly TicketAddress: string;
  /** Unix seconds after which the ticket can no longer vote (now + expiry blocks × block time × 1.05). */
  readonly Expires: number;
}

export interface LowFeeTicketsApi {
  /** Adds the tickets not already added; returns how many were new. Safe to run concurrently. */
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
        // One statement per ticket and no transaction: the unique index on TicketHash decides
        // between concurrent adds (a loser is "already added"), and no two admins can deadlock.
        add: (addedByUid, tickets) =>
          Effect.flatMap(
            unixNow,
            (now) =>
              Effect.reduce(tickets, 0, (added, t) =>
                sql`INSERT INTO LowFeeTicket (AddedByUid, TicketAddress, TicketHash, TicketExpiry, Voted,
                    Created, Expires)
                  VALUES (${addedByUid}, ${t.TicketAddress}, ${t.TicketHash}, 0, 0, ${now}, ${t.Expires})`
                  .pipe(
                    Effect.as(added + 1),
                    Effect.catchIf(isDuplicateKey, () =>
                      Effect.succeed(added)),
                  )),
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
