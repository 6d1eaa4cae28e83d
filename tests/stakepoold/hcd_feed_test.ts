// Issue 10 item 5, nothing fails silently on stakepoold's input: a notification that does not
// decode is logged at error level with its method (a winningtickets among them is a missed vote),
// and a look-up that fails is an error, never "this ticket does not exist".
import assert from "node:assert/strict";
import { Chunk, Context, Effect, Either, Layer, LogLevel, Queue, Stream } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import { RpcCode } from "../../src/rpc/errors.ts";
import type { TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { Supervisor } from "../../src/runtime/supervisor.ts";
import { HcdFeed } from "../../src/stakepoold/hcd_feed.ts";
import { LocalNode } from "../../src/stakepoold/local_node.ts";
import {
  buyPoolTickets,
  eventually,
  logLinesInto,
  registerUsers,
  stakepooldConfigFor,
  startStakepoolds,
  withStakepooldSetup,
} from "./support.ts";

Deno.test("a winningtickets notification that does not decode is logged at error level with its method", () => {
  const logs: string[] = [];
  return withStakepooldSetup(
    { network: { nodes: 1 } },
    ({ network, database, dir }) =>
      Effect.gen(function* () {
        yield* startStakepoolds(network, database, dir);
        // The block height is not a number: hcd's notification as a broken peer might send it.
        network.nodes[0].hcdServer!.notify("winningtickets", ["00".repeat(32), "150", {
          "0": "ab".repeat(32),
        }]);
        yield* eventually(
          "the undecodable notification is logged",
          Effect.sync(() =>
            logs.some((l) => l.includes("notification winningtickets from hcd does not decode"))
          ),
        );
        const line = logs.find((l) => l.includes("notification winningtickets"))!;
        assert.match(line, /^ERROR /);
        assert.match(line, /method=winningtickets/);
        assert.match(line, /detail=params\[1\]: Expected number, actual "150"/);
      }).pipe(Effect.provide(logLinesInto(logs, LogLevel.Error))),
  );
});

/** hcd has no such transaction: as an hcd without txindex answers for a ticket not in its mempool. */
const hcdLacksTransactions = {
  getrawtransaction: {
    code: RpcCode.invalidAddressOrKey,
    message: "No information available about transaction",
    server: "hcd" as const,
  },
};

Deno.test("fetchTicket: a wallet look-up that fails is an error; only 'no information' from both is not found", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const { users: [owner], userWallet } = yield* registerUsers(network, [{
        voteBits: 5,
        voteBitsVersion: 7,
      }]);
      const [ticket] = yield* buyPoolTickets(userWallet, owner);
      network.control.generate(1);
      const config = stakepooldConfigFor(network, database, dir, 0);
      const feed = yield* Layer.build(
        HcdFeed.live({ resyncInterval: "1 hour" }).pipe(
          Layer.provide(Layer.merge(
            LocalNode.live({ net: NETWORKS[config.network], hcd: config.hcd, wallet: config.wallet }),
            Supervisor.layer(),
          )),
        ),
      ).pipe(Effect.map((context) => Context.get(context, HcdFeed)));

      yield* Effect.promise(() =>
        network.control.setFaults(0, {
          methodErrors: {
            ...hcdLacksTransactions,
            gettransaction: { code: RpcCode.misc, message: "database is busy", server: "wallet" },
          },
        })
      );
      const failed = yield* Effect.either(feed.fetchTicket(ticket));
      assert.ok(Either.isLeft(failed), "a failing wallet is not 'not found'");
      assert.equal(failed.left._tag, "RpcCallError");
      assert.match(failed.left.message, /database is busy/);

      yield* Effect.promise(() =>
        network.control.setFaults(0, {
          methodErrors: {
            ...hcdLacksTransactions,
            gettransaction: {
              code: RpcCode.invalidAddressOrKey,
              message: "No information for transaction",
              server: "wallet",
            },
          },
        })
      );
      assert.equal(yield* feed.fetchTicket(ticket), undefined);

      yield* Effect.promise(() => network.control.clearFaults(0));
      const found = yield* feed.fetchTicket(ticket);
      assert.equal(found?.hash, ticket);
      assert.equal(found?.height, network.control.chainState().height);
    })));

Deno.test("a ticket whose look-up fails at a rebuild is logged and kept out, never published as spent; it is live once the look-up works", () => {
  const logs: string[] = [];
  return withStakepooldSetup(
    { network: { nodes: 1 } },
    ({ network, database, dir }) =>
      Effect.gen(function* () {
        const { users: [owner], userWallet } = yield* registerUsers(network, [{
          voteBits: 5,
          voteBitsVersion: 7,
        }]);
        const [ticket] = yield* buyPoolTickets(userWallet, owner);
        network.control.generate(1);
        yield* Effect.promise(() =>
          network.control.setFaults(0, {
            methodErrors: {
              ...hcdLacksTransactions,
              gettransaction: { code: RpcCode.misc, message: "database is busy", server: "wallet" },
            },
          })
        );
        const [spd] = yield* startStakepoolds(network, database, dir, { resyncInterval: "300 millis" });
        const events = yield* Queue.unbounded<TicketEvent>();
        yield* spd.events.pipe(Stream.runForEach((e) => Queue.offer(events, e)), Effect.forkScoped);
        yield* eventually(
          "the failed look-up is logged",
          Effect.sync(() =>
            logs.some((l) => l.includes(`ticket ${ticket} could not be looked up; kept as it was`))
          ),
        );
        assert.equal((yield* spd.status).liveTickets, 0);

        yield* Effect.promise(() => network.control.clearFaults(0));
        yield* eventually("the ticket is live", Effect.map(spd.status, (s) => s.liveTickets === 1));
        const seen = Chunk.toReadonlyArray(yield* Queue.takeAll(events)).filter((e) =>
          e.TicketHash === ticket
        );
        assert.ok(seen.some((e) => e.kind === "live"));
        assert.ok(!seen.some((e) => e.kind === "spent" || e.kind === "missed"), JSON.stringify(seen));
      }).pipe(Effect.provide(logLinesInto(logs, LogLevel.Warning))),
  );
});
