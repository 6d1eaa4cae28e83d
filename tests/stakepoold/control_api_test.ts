import assert from "node:assert/strict";
import { Chunk, Effect, Fiber, Redacted, Stream } from "effect";
import { generateCertPair } from "../../src/rpc/tls_cert.ts";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { makeStakepooldControlClient } from "../../src/services/stakepoold_clients.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";
import { withNetwork } from "../sim/helpers.ts";
import {
  CONTROL_SECRET,
  eventually,
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
