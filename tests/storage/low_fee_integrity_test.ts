// LowFeeTicket.TicketHash is unique (migration 5): duplicates an older database holds are merged and
// reported, and concurrent adds cannot create new ones.
import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Layer } from "effect";
import assert from "node:assert/strict";
import { LowFeeTickets, type NewLowFeeTicket } from "../../src/storage/low_fee_tickets.ts";
import { migrate } from "../../src/storage/migrations.ts";
import { isDuplicateKey, SqlDialect } from "../../src/storage/sql.ts";
import { loadOriginalSchema, runMigrated, runOn, testBothStores } from "./support.ts";

const hash = (n: number) => n.toString(16).padStart(64, "0");
/** The fixture's one low-fee ticket (LowFeeTicketID 6, not voted). */
const FIXTURE_TICKET = "aa00000000000000000000000000000000000000000000000000000000000001";

testBothStores(
  "duplicate low-fee tickets are merged into the oldest row, Voted kept, and reported by hash",
  async (config, store) => {
    await runOn(
      config,
      Layer.empty,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient;
        const dialect = yield* SqlDialect;
        yield* loadOriginalSchema(store);
        const row = (id: number, ticketHash: string, voted: number) =>
          sql`INSERT INTO LowFeeTicket (LowFeeTicketID, AddedByUid, TicketAddress, TicketHash, TicketExpiry,
                Voted, Created, Expires)
              VALUES (${id}, 1, 'HsM', ${ticketHash}, 0, ${voted}, ${1500000000 + id}, 1600000000)`;
        yield* row(7, FIXTURE_TICKET, 1);
        yield* row(8, FIXTURE_TICKET, 0);
        yield* row(9, hash(2), 0);
        yield* row(10, hash(3), 0);
        yield* row(11, hash(2), 0);

        const report = yield* migrate();
        assert.ok(report.applied.includes("5 unique index on LowFeeTicket.TicketHash"));
        assert.deepEqual(report.mergedLowFeeTickets, [
          { ticketHash: hash(2), keptId: 9, removedIds: [11], voted: false },
          { ticketHash: FIXTURE_TICKET, keptId: 6, removedIds: [7, 8], voted: true },
        ]);
        const rows = yield* sql<
          { LowFeeTicketID: number; TicketHash: string; Voted: number; Created: number }
        >`
          SELECT LowFeeTicketID, TicketHash, Voted, Created FROM LowFeeTicket ORDER BY LowFeeTicketID`;
        assert.deepEqual(rows.map((r) => [Number(r.LowFeeTicketID), r.TicketHash, Number(r.Voted)]), [
          [6, FIXTURE_TICKET, 1],
          [9, hash(2), 0],
          [10, hash(3), 0],
        ]);
        assert.equal(Number(rows[0].Created), 1500000000, "the oldest row is the one kept");
        assert.equal(yield* dialect.indexExists("LowFeeTicket", "LowFeeTicket_UniqueTicketHash"), true);
        assert.equal(yield* dialect.indexExists("LowFeeTicket", "LowFeeTicket_TicketHash"), false);

        const duplicate = yield* Effect.flip(row(12, hash(3), 0));
        assert.ok(isDuplicateKey(duplicate), String(duplicate));
        assert.deepEqual((yield* migrate()).mergedLowFeeTickets, []);
      }),
    );
  },
);

const PROGRAMS = 4;
const ADDS_PER_PROGRAM = 6;
const TICKETS: ReadonlyArray<NewLowFeeTicket> = Array.from(
  { length: 8 },
  (_, i) => ({ TicketHash: hash(100 + i), TicketAddress: "HsM", Expires: 9e9 }),
);

testBothStores(
  "concurrent adds of the same tickets from several programs leave one row per hash",
  async (config) => {
    await runMigrated(config, Layer.empty, Effect.void);
    // Each program has its own connections; each adds every ticket, in its own order, many times at once.
    const addedPerProgram = await Promise.all(
      Array.from({ length: PROGRAMS }, (_, program) =>
        runMigrated(
          config,
          LowFeeTickets.layer,
          Effect.flatMap(LowFeeTickets, (tickets) =>
            Effect.forEach(
              Array.from({ length: ADDS_PER_PROGRAM }, (_, i) => {
                const shift = (program * ADDS_PER_PROGRAM + i) % TICKETS.length;
                return [...TICKETS.slice(shift), ...TICKETS.slice(0, shift)];
              }),
              (batch) => tickets.add(program + 1, batch),
              { concurrency: "unbounded" },
            )),
        )),
    );
    const added = addedPerProgram.flat().reduce((a, b) => a + b, 0);
    assert.equal(added, TICKETS.length, "each ticket counted as new exactly once");
    const all = await runMigrated(config, LowFeeTickets.layer, Effect.flatMap(LowFeeTickets, (t) => t.all));
    assert.deepEqual(all.map((t) => t.TicketHash).sort(), TICKETS.map((t) => t.TicketHash).sort());
  },
);
