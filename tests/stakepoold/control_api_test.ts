import assert from "node:assert/strict";
import { Chunk, Effect, Fiber, Redacted, Stream } from "effect";
import { generateCertPair } from "../../src/rpc/tls_cert.ts";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { makeStakepooldControlClient } from "../../src/services/stakepoold_clients.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";
import { withNetwork } from "../sim/helpers.ts";
import {
  buyPoolTickets,
  CONTROL_SECRET,
  eventually,
  mineUntilSelected,
  POOL_FEES,
  registerUsers,
  startStakepoolds,
  storageLayer,
} from "./support.ts";

Deno.test("control API: the right secret and pinned cert work, a wrong secret or cert is refused, events stream", () =>
  withNetwork({ nodes: 1 }, (network) =>
    withEmbeddedDatabase(async (database) => {
      const dir = await Deno.makeTempDir({ prefix: "stakepoold-test-" });
      try {
        await Effect.runPromise(Effect.scoped(
          Effect.gen(function* () {
            const { users, userWallet } = yield* registerUsers(network, [{
              voteBits: 5,
              voteBitsVersion: 7,
            }]);
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

            // A subscriber sees a purchased pool ticket arrive as new and live.
            const received = yield* Effect.fork(
              spd.control.events.pipe(
                Stream.filter((e) => e.kind === "live"),
                Stream.take(1),
                Stream.runCollect,
              ),
            );
            yield* Effect.sleep(200);
            const [ticket] = yield* userWallet.purchaseTicket([
              "default",
              100,
              1,
              users[0].ticketAddress,
              1,
              users[0].feeAddress,
              POOL_FEES,
            ]);
            network.control.generate(1);
            const [event] = Chunk.toReadonlyArray(yield* Fiber.join(received));
            assert.deepEqual([event.TicketHash, event.TicketAddress], [ticket, users[0].ticketAddress]);
            yield* eventually(
              "the ticket is listed live",
              Effect.map(
                spd.control.call(ControlApi.getLiveTickets, {}),
                (r) => r.tickets.some((t) => t.TicketHash === ticket),
              ),
            );
          }).pipe(Effect.provide(storageLayer(database))),
        ));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })));

Deno.test("control API status: ticket counts, users, votes by outcome, best block, connections, last rebuild", () =>
  withNetwork({ nodes: 2 }, (network) =>
    withEmbeddedDatabase(async (database) => {
      const dir = await Deno.makeTempDir({ prefix: "stakepoold-test-" });
      try {
        await Effect.runPromise(Effect.scoped(
          Effect.gen(function* () {
            const { users, userWallet } = yield* registerUsers(network, [
              { voteBits: 5, voteBitsVersion: 7 },
              { voteBits: 3, voteBitsVersion: 7 },
            ]);
            const startedAt = Date.now();
            const spds = yield* startStakepoolds(network, database, dir);
            const [ticket] = yield* buyPoolTickets(userWallet, users[0]);
            network.control.generate(1);
            const { height } = network.control.chainState();
            for (const spd of spds) {
              yield* eventually(
                "the ticket is live and the block seen",
                Effect.map(spd.control.status, (s) => s.liveTickets === 1 && s.bestBlockHeight === height),
              );
              const status = yield* spd.control.status;
              assert.deepEqual({ ...status, lastResync: undefined }, {
                liveTickets: 1,
                addedLowFeeTickets: 0,
                ignoredLowFeeTickets: 0,
                userVotingConfigs: 2,
                votes: { voted: 0, duplicate: 0, failed: 0 },
                bestBlockHeight: height,
                hcdConnected: true,
                walletConnected: true,
                lastResync: undefined,
              });
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
          }).pipe(Effect.provide(storageLayer(database))),
        ));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })));
