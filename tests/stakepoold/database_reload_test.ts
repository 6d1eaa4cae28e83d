import assert from "node:assert/strict";
import { Effect, Layer } from "effect";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { Users } from "../../src/storage/users.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import {
  buyLowFeeTickets,
  buyPoolTickets,
  eventually,
  partsOf,
  registerUsers,
  stakepooldConfigFor,
  TEST_FEE_ADDRESSES,
  withStakepooldSetup,
} from "./support.ts";

Deno.test("norpclisten: new vote bits, a new user and an added low-fee ticket in the database reach the voter without a control call", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const { users: [owner], userWallet } = yield* registerUsers(network, [
        { voteBits: 5, voteBitsVersion: 7 },
      ]);
      const config = { ...stakepooldConfigFor(network, database, dir, 0), noRpcListen: true };
      const context = yield* Layer.build(
        stakepooldLayer(config, {
          databaseReloadInterval: "200 millis",
          feeAddressCount: TEST_FEE_ADDRESSES,
        }),
      );
      const { keeper, status } = partsOf(context);
      const hashes = (tickets: Effect.Effect<ReadonlyArray<{ TicketHash: string }>>) =>
        Effect.map(tickets, (ts) => new Set(ts.map((t) => t.TicketHash)));

      const [paid] = yield* buyPoolTickets(userWallet, owner);
      const [lowFee] = yield* buyLowFeeTickets(network, userWallet, owner);
      network.control.generate(1);
      yield* eventually(
        "the paid ticket is live, the low-fee one ignored",
        Effect.zipWith(
          hashes(keeper.liveTickets),
          hashes(keeper.ignoredLowFeeTickets),
          (live, ignored) => live.has(paid) && ignored.has(lowFee) && !live.has(lowFee),
        ),
      );
      assert.equal((yield* status).userVotingConfigs, 1);

      // What the web app writes; nobody tells this stakepoold.
      yield* (yield* Users).setVoteBits(owner.userId, 3, 7);
      yield* (yield* LowFeeTickets).add(1, [{
        TicketHash: lowFee,
        TicketAddress: owner.ticketAddress,
        Expires: Math.floor(Date.now() / 1000) + 86_400,
      }]);
      // Registered last: a reload that knows this user read the new bits and the added ticket.
      yield* registerUsers(network, [{ voteBits: 1, voteBitsVersion: 7 }]);
      yield* eventually(
        "a reload brought the second user and the added low-fee ticket",
        Effect.zipWith(
          status,
          hashes(keeper.liveTickets),
          (s, live) => s.userVotingConfigs === 2 && s.addedLowFeeTickets === 1 && live.has(lowFee),
        ),
      );

      const votedBits = (ticket: string) => network.control.votes(ticket).map((v) => v.voteBits);
      const pending = new Set([paid, lowFee]);
      for (let block = 0; pending.size > 0 && block < 300; block++) {
        network.control.generate(1);
        const drawn = network.control.chainState().winners.filter((t) => pending.has(t));
        yield* eventually(
          "the drawn pool tickets are voted",
          Effect.sync(() => drawn.every((t) => votedBits(t).length > 0)),
        );
        for (const t of drawn) pending.delete(t);
      }
      assert.equal(pending.size, 0, "both tickets were drawn within 300 blocks");
      assert.deepEqual(votedBits(paid), [3]);
      assert.deepEqual(votedBits(lowFee), [3]);
      // hcd records a vote before stakepoold has its answer and counts it.
      yield* eventually("both votes are counted", Effect.map(status, (s) => s.votes.voted === 2));
      assert.deepEqual((yield* status).votes, { voted: 2, duplicate: 0, spentElsewhere: 0, failed: 0 });
    })));
