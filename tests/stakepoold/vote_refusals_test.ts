// Outcomes that are not the pool's failures, met in the run against the real hcd: a vote whose
// ticket another vote got to first (HC-PROTOCOL §8.5) — the identical vote already mined is a
// duplicate, another vote of the ticket already mined leaves it spent elsewhere — and a low-fee
// ticket the pool does not vote missing.
import assert from "node:assert/strict";
import { Effect, LogLevel, Stream } from "effect";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import type { TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { txid } from "../../src/domain/tx.ts";
import { clientFor } from "../sim/helpers.ts";
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

Deno.test("a vote beaten by the identical vote already mined is a duplicate; one beaten by another vote of the ticket is spent elsewhere; neither an error", () =>
  // A small background population so that a block soon draws each ticket.
  withStakepooldSetup({ network: { nodes: 1, backgroundTickets: 10 } }, ({ network, database, dir }) => {
    const lines: string[] = [];
    return Effect.gen(function* () {
      const { users: [owner], userWallet } = yield* registerUsers(network, [{
        voteBits: 5,
        voteBitsVersion: 7,
      }]);
      // Rebuilt often: the tickets are known while immature (hcd announces them only at maturity).
      const startedAt = Date.now();
      const [spd] = yield* startStakepoolds(network, database, dir, { resyncInterval: "500 millis" });
      const events: TicketEvent[] = [];
      yield* Effect.forkScoped(Stream.runForEach(spd.events, (e) => Effect.sync(() => events.push(e))));
      yield* Effect.yieldNow();
      const walletInfo = yield* walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet)).walletInfo();

      const [identical, other] = yield* buyPoolTickets(userWallet, owner, 2);
      mineUntilAboutToMature(network, identical);
      yield* eventually("both tickets are live", Effect.map(spd.control.status, (s) => s.liveTickets === 2));

      // When a block draws one of them, the test votes it itself through the node's own wallet and
      // mines that vote before stakepoold (in this process) can hear of the block: with the
      // owner's bits (the very vote stakepoold will build) or with others.
      const bitsOf = new Map([[identical, 5], [other, 1]]);
      const beatenVotes = new Map<string, string>();
      /** Mines a block; while the new tip drew one of the two, votes it and mines that vote. */
      const mineAndBeat = () => {
        const drawnAll: string[] = [];
        while (true) {
          network.control.generate(1);
          const { hash, height, winners } = network.control.chainState();
          const drawn = winners.filter((t) => bitsOf.has(t) && !beatenVotes.has(t));
          if (drawn.length === 0) return drawnAll;
          for (const ticket of drawn) {
            const vote = network.nodes[0].wallet.generateVote(
              hash,
              height,
              ticket,
              bitsOf.get(ticket)!,
              walletInfo.votebitsextended,
            );
            assert.ok(network.chain.submit(vote)._tag === "Right", `the test's vote of ${ticket}`);
            beatenVotes.set(ticket, txid(vote));
          }
          drawnAll.push(...drawn);
        }
      };
      for (let block = 0; beatenVotes.size < 2 && block < 300; block++) {
        const drawn = mineAndBeat();
        yield* eventually(
          "stakepoold tried the drawn tickets",
          Effect.sync(() => drawn.every((t) => network.control.votes(t).length > 0)),
        );
      }
      assert.equal(beatenVotes.size, 2, "both tickets were drawn within 300 blocks");

      const [tried] = network.control.votes(identical);
      assert.equal(tried.txid, beatenVotes.get(identical), "stakepoold built the identical vote");
      assert.equal(tried.outcome, "duplicate");
      const [triedOther] = network.control.votes(other);
      assert.notEqual(triedOther.txid, beatenVotes.get(other));
      assert.equal(triedOther.voteBits, 5);
      assert.equal(triedOther.outcome, "rejected");

      yield* eventually(
        "both outcomes are published",
        Effect.sync(() =>
          events.some((e) => e.TicketHash === identical && e.kind === "duplicate") &&
          events.some((e) => e.TicketHash === other && e.kind === "spent" && e.detail !== undefined)
        ),
      );
      const duplicate = events.find((e) => e.TicketHash === identical && e.kind === "duplicate")!;
      assert.equal(duplicate.detail, `Rejected transaction ${tried.txid}: transaction already exists`);
      const spent = events.find((e) => e.TicketHash === other && e.kind === "spent" && e.detail)!;
      assert.equal(
        spent.detail,
        `Rejected transaction ${triedOther.txid}: orphan transaction ${triedOther.txid} references ` +
          `outputs of unknown or fully-spent transaction ${other}`,
      );
      assert.ok(!events.some((e) => e.kind === "vote-failed"), JSON.stringify(events));
      const status = yield* spd.control.status;
      assert.deepEqual(status.votes, { voted: 0, duplicate: 1, spentElsewhere: 1, failed: 0 });
      // The refused vote is not a vote cast: the last one is the duplicate, at its selecting block.
      assert.deepEqual(
        { ...status.lastVote, at: undefined },
        { ticket: identical, blockHeight: tried.blockHeight, outcome: "duplicate", at: undefined },
      );
      assert.ok(status.lastVote!.at.getTime() >= startedAt && status.lastVote!.at.getTime() <= Date.now());

      assert.deepEqual(lines.filter((l) => l.startsWith("ERROR")), []);
      const voteLines = lines.filter((l) => l.startsWith("INFO vote "));
      assert.ok(
        voteLines.some((l) => l.includes(`ticket=${identical}`) && l.includes("outcome=duplicate")),
        voteLines.join("\n"),
      );
      assert.ok(
        voteLines.some((l) =>
          l.includes(`ticket=${other}`) && l.includes("outcome=spent-elsewhere") &&
          l.includes(`fully-spent transaction ${other}`)
        ),
        voteLines.join("\n"),
      );
      // The votes the test mined spent the tickets.
      for (const [ticket, vote] of beatenVotes) {
        const state = network.control.tickets().find((t) => t.ticket === ticket);
        assert.equal(state?.status, "voted");
        assert.equal(state?.spentBy, vote);
      }
    }).pipe(Effect.provide(logLinesInto(lines, LogLevel.Info)));
  }));

Deno.test("a low-fee ticket the pool leaves alone misses without a warning", () =>
  withStakepooldSetup({ network: { nodes: 1, backgroundTickets: 10 } }, ({ network, database, dir }) => {
    const lines: string[] = [];
    return Effect.gen(function* () {
      const { users: [owner], userWallet } = yield* registerUsers(network, [{
        voteBits: 5,
        voteBitsVersion: 7,
      }]);
      const [spd] = yield* startStakepoolds(network, database, dir, { resyncInterval: "500 millis" });
      const [ticket] = yield* buyLowFeeTickets(network, userWallet, owner);
      mineUntilAboutToMature(network, ticket);
      yield* eventually(
        "the ticket is ignored",
        Effect.map(spd.control.status, (s) => s.ignoredLowFeeTickets === 1),
      );
      yield* mineUntilSelected(network, ticket);
      // The next block has no vote of it: hcd reports it missed.
      network.control.generate(1);
      yield* eventually(
        "the miss is logged",
        Effect.sync(() => lines.some((l) => l.includes("missed") && l.includes(ticket))),
      );
      assert.deepEqual(network.control.votes(ticket), []);
      assert.deepEqual(lines.filter((l) => l.includes(ticket) && !l.startsWith("INFO")), []);
      assert.ok(
        lines.some((l) =>
          l.startsWith("INFO low-fee ticket missed, not voted by the pool") && l.includes(ticket)
        ),
        lines.join("\n"),
      );
    }).pipe(Effect.provide(logLinesInto(lines, LogLevel.Info)));
  }));
