// Winners stakepoold could not vote when hcd first announced them: hcd announces the tip's winners
// again (rebroadcastwinners) when stakepoold asks, and each winner is still voted once per block.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { Users } from "../../src/storage/users.ts";
import {
  buyLowFeeTickets,
  buyPoolTickets,
  eventually,
  logLinesInto,
  mineUntilAboutToMature,
  mineUntilSelected,
  registerUsers,
  startStakepoolds,
  withStakepooldSetup,
} from "./support.ts";

Deno.test("a winner selected while stakepoold's hcd websocket is down is voted when it is back, its block still the tip", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const { users: [owner], userWallet } = yield* registerUsers(network, [{
        voteBits: 5,
        voteBitsVersion: 7,
      }]);
      // Rebuilt often: a ticket is known while immature (hcd announces it only at maturity).
      const [spd] = yield* startStakepoolds(network, database, dir, { resyncInterval: "500 millis" });
      const [ticket] = yield* buyPoolTickets(userWallet, owner);
      // Up to the block before it matures, no block can draw it.
      mineUntilAboutToMature(network, ticket);
      yield* eventually("the ticket is live", Effect.map(spd.control.status, (s) => s.liveTickets === 1));

      yield* Effect.promise(() => network.control.setFaults(0, { hcdDown: true }));
      network.control.dropWebsockets(0, "hcd");
      yield* eventually("hcd is seen down", Effect.map(spd.control.status, (s) => !s.hcdConnected));
      const selected = yield* mineUntilSelected(network, ticket);
      yield* Effect.promise(() => network.control.clearFaults(0));
      // Reconnecting may wait out a connection attempt made while hcd refused them.
      yield* eventually(
        "the winner of the block announced while hcd was away is voted",
        Effect.sync(() =>
          network.control.votes(ticket).some((v) => v.blockHash === selected.hash && v.voteBits === 5)
        ),
        30_000,
      );
      yield* eventually("the vote is counted", Effect.map(spd.control.status, (s) => s.votes.voted === 1));
      assert.deepEqual((yield* spd.control.status).votes, {
        voted: 1,
        duplicate: 0,
        spentElsewhere: 0,
        failed: 0,
      });
    })));

Deno.test("a winner whose owner becomes known after the announcement is voted; one announced again is not voted twice", () =>
  // A small background population so that a block soon draws a ticket of each user.
  withStakepooldSetup(
    { network: { nodes: 1, backgroundTickets: 10 } },
    ({ network, database, dir }) =>
      Effect.gen(function* () {
        const { users: [known], userWallet } = yield* registerUsers(network, [{
          voteBits: 5,
          voteBitsVersion: 7,
        }]);
        // Rebuilt often: a ticket is known while immature (hcd announces it only at maturity).
        const [spd] = yield* startStakepoolds(network, database, dir, { resyncInterval: "500 millis" });
        // Registered after stakepoold read the database, and not pushed to it yet.
        const { users: [late] } = yield* registerUsers(network, [{ voteBits: 3, voteBitsVersion: 7 }]);
        const knownTickets = [...yield* buyPoolTickets(userWallet, known, 5)];
        const lateTickets = [...yield* buyPoolTickets(userWallet, late, 5)];
        const undrawn = new Set([...knownTickets, ...lateTickets]);
        network.control.generate(1);
        yield* eventually(
          "the known user's tickets are live",
          Effect.map(spd.control.status, (s) => s.liveTickets === 5),
        );

        // A block drawing a ticket of each: the known user's is voted, the other one's owner is unknown.
        let drawn: { hash: string; known: string; late: string } | undefined;
        for (let block = 0; drawn === undefined && block < 100; block++) {
          // Drawn tickets leave the pool: keep a few of each user's waiting to be drawn.
          for (const [user, tickets] of [[known, knownTickets], [late, lateTickets]] as const) {
            if (!tickets.some((t) => undrawn.has(t))) {
              const more = yield* buyPoolTickets(userWallet, user, 5);
              tickets.push(...more);
              for (const t of more) undrawn.add(t);
            }
          }
          network.control.generate(1);
          const { hash, winners } = network.control.chainState();
          for (const t of winners) undrawn.delete(t);
          const votedKnown = winners.filter((t) => knownTickets.includes(t));
          yield* eventually(
            "the known user's winners are voted",
            Effect.sync(() =>
              votedKnown.every((t) => network.control.votes(t).some((v) => v.blockHash === hash))
            ),
          );
          const lateWinner = winners.find((t) => lateTickets.includes(t));
          if (votedKnown.length > 0 && lateWinner !== undefined) {
            drawn = { hash, known: votedKnown[0], late: lateWinner };
          }
        }
        assert.ok(drawn !== undefined, "a block drew a ticket of each user within 100 blocks");
        assert.deepEqual(network.control.votes(drawn.late), []);

        // The web app pushes the new user: the tip's winners are announced again.
        const userVotingConfig = (yield* (yield* Users).votingConfigs).map((u) => ({
          UserId: u.UserId,
          MultiSigAddress: u.MultiSigAddress,
          VoteBits: u.VoteBits,
          VoteBitsVersion: u.VoteBitsVersion,
        }));
        yield* spd.control.call(ControlApi.setUserVotingPrefs, { userVotingConfig });
        yield* eventually(
          "the late user's winner is voted with its owner's bits",
          Effect.sync(() =>
            network.control.votes(drawn!.late).some((v) => v.blockHash === drawn!.hash && v.voteBits === 3)
          ),
        );
        // Mined after the announcement: every vote it caused has been sent by the time this block's are.
        network.control.generate(1);
        yield* eventually(
          "the next block is seen",
          Effect.map(spd.control.status, (s) => s.bestBlockHeight === network.control.chainState().height),
        );
        const knownVotes = network.control.votes(drawn.known).filter((v) => v.blockHash === drawn!.hash);
        assert.equal(knownVotes.length, 1, JSON.stringify(knownVotes));
      }),
  ));

for (const how of ["pushed by the web app", "read at a database reload"] as const) {
  Deno.test(`a low-fee ticket drawn before the admin added it is voted for the tip once the addition is ${how}`, () =>
    withStakepooldSetup({ network: { nodes: 1, backgroundTickets: 10 } }, ({ network, database, dir }) => {
      const lines: string[] = [];
      return Effect.gen(function* () {
        const { users: [owner], userWallet } = yield* registerUsers(network, [{
          voteBits: 5,
          voteBitsVersion: 7,
        }]);
        const [spd] = yield* startStakepoolds(network, database, dir, {
          // Rebuilt often: a ticket is known while immature (hcd announces it only at maturity).
          resyncInterval: "500 millis",
          ...(how === "read at a database reload" ? { databaseReloadInterval: "300 millis" } : {}),
        });
        const [ticket] = yield* buyLowFeeTickets(network, userWallet, owner);
        mineUntilAboutToMature(network, ticket);
        yield* eventually(
          "the ticket is ignored",
          Effect.map(spd.control.status, (s) => s.ignoredLowFeeTickets === 1),
        );

        const selected = yield* mineUntilSelected(network, ticket);
        yield* eventually(
          "stakepoold passed over the drawn low-fee ticket",
          Effect.sync(() =>
            lines.some((l) => l.startsWith("INFO selected low-fee ticket not voted") && l.includes(ticket))
          ),
        );
        assert.deepEqual(network.control.votes(ticket), []);

        // What /admintickets does: the row, then (unless stakepoold is left to its reload) a push.
        const added = { TicketHash: ticket, TicketAddress: owner.ticketAddress };
        yield* (yield* LowFeeTickets).add(1, [{ ...added, Expires: Math.floor(Date.now() / 1000) + 86_400 }]);
        if (how === "pushed by the web app") {
          yield* spd.control.call(ControlApi.setAddedLowFeeTickets, { tickets: [added] });
        }
        yield* eventually(
          "the added ticket is voted for the block that drew it, with its owner's bits",
          Effect.sync(() =>
            network.control.votes(ticket).some((v) =>
              v.blockHash === selected.hash && v.voteBits === 5 && v.outcome === "accepted"
            )
          ),
        );
        assert.equal(network.control.chainState().hash, selected.hash, "no block was mined meanwhile");
      }).pipe(Effect.provide(logLinesInto(lines)));
    }));
}

Deno.test("a rebroadcastwinners asked for while hcd's registrations are in flight waits for their answers (hcd serves a websocket's requests concurrently)", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      yield* registerUsers(network, [{ voteBits: 5, voteBitsVersion: 7 }]);
      const [spd] = yield* startStakepoolds(network, database, dir);
      const hcd = network.nodes[0];
      yield* eventually(
        "the start-up's announcement (users loaded) was asked for",
        Effect.sync(() => hcd.winnerRequests.length > 0),
      );

      // hcd answers each registration of the next connection half a second late.
      yield* Effect.promise(() => network.control.setFaults(0, { registrationDelayMs: 500 }));
      const before = hcd.winnerRequests.length;
      network.control.dropWebsockets(0, "hcd");
      yield* eventually(
        "stakepoold's client is registering again on a new connection",
        Effect.sync(() => hcd.pendingRegistrations > 0),
      );
      // Meanwhile the web app pushes a user stakepoold did not know: it asks for the winners again.
      const { users: [late] } = yield* registerUsers(network, [{ voteBits: 3, voteBitsVersion: 7 }]);
      const userVotingConfig = (yield* (yield* Users).votingConfigs).map((u) => ({
        UserId: u.UserId,
        MultiSigAddress: u.MultiSigAddress,
        VoteBits: u.VoteBits,
        VoteBitsVersion: u.VoteBitsVersion,
      }));
      assert.ok(userVotingConfig.some((u) => u.MultiSigAddress === late.ticketAddress));
      yield* spd.control.call(ControlApi.setUserVotingPrefs, { userVotingConfig });
      yield* eventually(
        "hcd is back with its registrations answered and the winners asked for again",
        Effect.zipWith(
          spd.control.status,
          Effect.sync(() => hcd.winnerRequests.length),
          (s, requests) => s.hcdConnected && hcd.pendingRegistrations === 0 && requests > before,
        ),
        15_000,
      );
      const asked = hcd.winnerRequests.slice(before);
      assert.ok(asked.every((r) => r.registered), JSON.stringify(asked));
    })));
