import assert from "node:assert/strict";
import { Chunk, Effect, Queue, Redacted, Stream } from "effect";
import { generateCertPair } from "../../src/rpc/tls_cert.ts";
import { ControlApi, type TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { makeStakepooldControlClient } from "../../src/rpc/stakepoold_client.ts";
import {
  buyPoolTickets,
  CONTROL_SECRET,
  eventually,
  mineUntilMature,
  mineUntilSelected,
  registerUsers,
  startStakepoolds,
  withStakepooldSetup,
} from "./support.ts";

Deno.test("control API: the right secret and pinned cert work, a wrong secret or cert is refused, events stream", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const { users, userWallet } = yield* registerUsers(network, [{ voteBits: 5, voteBitsVersion: 7 }]);
      const [spd] = yield* startStakepoolds(network, database, dir);

      const version = yield* spd.control.call(ControlApi.version, {});
      assert.equal(version.major, 4);

      const wrongSecret = makeStakepooldControlClient({
        endpoint: { host: spd.address, certPem: spd.certPem },
        secret: Redacted.make("not-the-secret"),
      });
      const refused = yield* Effect.flip(wrongSecret.call(ControlApi.ping, {}));
      assert.match(refused.detail, /ControlUnauthorized/);
      const refusedEvents = yield* Effect.flip(Stream.runDrain(wrongSecret.events));
      assert.match(refusedEvents.detail, /401/);

      const otherCert = generateCertPair({ organization: "someone else", hosts: [], ips: [] }).certPem;
      const wrongCert = makeStakepooldControlClient({
        endpoint: { host: spd.address, certPem: otherCert },
        secret: CONTROL_SECRET,
      });
      const untrusted = yield* Effect.flip(wrongCert.call(ControlApi.ping, {}));
      assert.match(untrusted.detail, /certificate/);

      const badRequest = yield* Effect.flip(
        spd.control.call(ControlApi.setAddedLowFeeTickets, {
          tickets: [{ TicketAddress: "x", TicketHash: "not-a-hash" }],
        }),
      );
      assert.match(badRequest.detail, /TicketHash|pattern|Expected/);

      // Addresses must be this network's P2SH ticket addresses: a testnet2 one is refused on simnet.
      const otherNet = yield* Effect.flip(
        spd.control.call(ControlApi.setAddedLowFeeTickets, {
          tickets: [{ TicketAddress: "TcYvmPS6xs41gJExBaeUzT55epgwtHzjMAC", TicketHash: "ab".repeat(32) }],
        }),
      );
      assert.match(
        otherNet.detail,
        /ControlBadRequest: TicketAddress: .* is not a simnet P2SH ticket address/,
      );
      const notAnAddress = yield* Effect.flip(
        spd.control.call(ControlApi.setUserVotingPrefs, {
          userVotingConfig: [{ UserId: 1, MultiSigAddress: "x", VoteBits: 1, VoteBitsVersion: 7 }],
        }),
      );
      assert.match(notAnAddress.detail, /ControlBadRequest: MultiSigAddress: "x" is not a simnet P2SH/);
      assert.deepEqual((yield* spd.control.call(ControlApi.getAddedLowFeeTickets, {})).tickets, []);

      // A subscriber sees a purchased pool ticket go live. Its subscription starts once the server
      // has the socket open: a ticket that went live before that is missed, so another is bought.
      const received = yield* Queue.unbounded<TicketEvent>();
      yield* spd.control.events.pipe(Stream.runForEach((e) => Queue.offer(received, e)), Effect.forkScoped);
      const bought: string[] = [];
      const live = Effect.map(
        spd.control.call(ControlApi.getLiveTickets, {}),
        (r) => new Set(r.tickets.map((t) => t.TicketHash)),
      );
      yield* eventually(
        "a subscriber sees a purchased pool ticket go live",
        Effect.gen(function* () {
          const events = Chunk.toReadonlyArray(yield* Queue.takeAll(received));
          const seen = events.find((e) => e.kind === "live" && bought.includes(e.TicketHash));
          if (seen !== undefined) {
            assert.equal(seen.TicketAddress, users[0].ticketAddress);
            return true;
          }
          if (bought.length === 0 || (yield* live).has(bought.at(-1)!)) {
            bought.push(...(yield* buyPoolTickets(userWallet, users[0])));
            mineUntilMature(network);
          }
          return false;
        }),
      );
    })));

Deno.test("control API status: ticket counts, users, votes by outcome, best block, connections, last rebuild, preferences source, loops", () =>
  withStakepooldSetup({ network: { nodes: 2 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const { users, userWallet } = yield* registerUsers(network, [
        { voteBits: 5, voteBitsVersion: 7 },
        { voteBits: 3, voteBitsVersion: 7 },
      ]);
      const startedAt = Date.now();
      // Rebuilt often: the ticket is known while immature, before any block can draw it.
      const spds = yield* startStakepoolds(network, database, dir, { resyncInterval: "500 millis" });
      const [ticket] = yield* buyPoolTickets(userWallet, users[0]);
      network.control.generate(1);
      const { height } = network.control.chainState();
      for (const spd of spds) {
        yield* eventually(
          "the ticket is live and the block seen",
          Effect.map(spd.control.status, (s) => s.liveTickets === 1 && s.bestBlockHeight === height),
        );
        const status = yield* spd.control.status;
        assert.deepEqual({ ...status, lastResync: undefined, loops: undefined }, {
          liveTickets: 1,
          addedLowFeeTickets: 0,
          ignoredLowFeeTickets: 0,
          userVotingConfigs: 2,
          votes: { voted: 0, duplicate: 0, spentElsewhere: 0, failed: 0 },
          bestBlockHeight: height,
          hcdConnected: true,
          walletConnected: true,
          lastResync: undefined,
          prefsSource: "database",
          database: "answering",
          loops: undefined,
        });
        assert.deepEqual(
          status.loops.map((l) => `${l.name} ${l.state} ${l.restarts}`).sort(),
          [
            "database running 0",
            "hcd notifications running 0",
            "hcd registrations running 0",
            "ticket notifications running 0",
            "ticket set rebuilds running 0",
            "ticket set running 0",
            "vote defaults running 0",
            "winners running 0",
          ],
        );
        assert.ok(status.lastResync instanceof Date && status.lastResync.getTime() >= startedAt);
      }

      // Both nodes vote the same transaction: one is accepted, the other finds it there.
      const totalVotes = Effect.map(
        Effect.all(spds.map((s) => s.control.status)),
        (all) => all.map((s) => s.votes),
      );
      yield* mineUntilSelected(network, ticket);
      yield* eventually(
        "both stakepoolds voted",
        Effect.map(totalVotes, (v) => v.every((o) => o.voted + o.duplicate + o.failed === 1)),
      );
      const outcomes = yield* totalVotes;
      assert.deepEqual(
        outcomes.map((o) => o.voted + o.duplicate * 10 + o.failed * 100).sort(),
        [1, 10],
      );

      network.control.dropWebsockets(1, "wallet");
      yield* Effect.promise(() => network.control.setFaults(1, { walletDown: true }));
      yield* eventually(
        "node 1's wallet is reported disconnected",
        Effect.map(spds[1].control.status, (s) => !s.walletConnected && s.hcdConnected),
      );
      assert.equal((yield* spds[0].control.status).walletConnected, true);
    })));
