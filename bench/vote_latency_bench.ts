// Vote latency on hcsim (3 nodes, real TLS) with one in-process stakepoold per node: for every pool
// ticket drawn over 50 blocks, the time from mining the block (hcsim sends winningtickets) to each
// stakepoold's sendrawtransaction answer (its voted / duplicate / vote-failed event).
import { Effect, Fiber, Logger, LogLevel, Stream } from "effect";
import { withEmbeddedDatabase } from "../tests/storage/support.ts";
import { withNetwork } from "../tests/sim/helpers.ts";
import {
  eventually,
  POOL_FEES,
  registerUsers,
  startStakepoolds,
  storageLayer,
} from "../tests/stakepoold/support.ts";
import { type Measurement, percentile } from "./measurement.ts";

const USERS = 20;
const TICKETS_PER_USER = 15;
const MEASURED_BLOCKS = 50;
const OUTCOMES = new Set(["voted", "duplicate", "vote-failed"]);

export const voteLatencyBenchmarks = async (): Promise<ReadonlyArray<Measurement>> => {
  const out: Array<Measurement> = [];
  await withNetwork(
    { nodes: 3, backgroundTickets: 8, feeAddressCount: USERS + 10, userFunds: 10n ** 14n },
    (network) =>
      withEmbeddedDatabase(async (database) => {
        const dir = await Deno.makeTempDir({ prefix: "hcs_bench_votes_" });
        try {
          await Effect.gen(function* () {
            const prefs = Array.from({ length: USERS }, () => ({ voteBits: 1, voteBitsVersion: 7 }));
            const { users, userWallet } = yield* registerUsers(network, prefs);
            const pool = new Set<string>();
            for (const u of users) {
              const bought = yield* userWallet.purchaseTicket([
                "default",
                1000,
                1,
                u.ticketAddress,
                TICKETS_PER_USER,
                u.feeAddress,
                POOL_FEES,
              ]);
              for (const t of bought) pool.add(t);
            }
            const spds = yield* startStakepoolds(network, database, dir);
            /** `${stakepoold} ${blockHash} ${ticket}` → when its vote was answered. */
            const answered = new Map<string, number>();
            const listeners = yield* Effect.forEach(spds, (spd) =>
              Effect.fork(Stream.runForEach(spd.events, (e) =>
                Effect.sync(() => {
                  if (OUTCOMES.has(e.kind)) {
                    answered.set(`${spd.index} ${e.blockHash} ${e.TicketHash}`, performance.now());
                  }
                }))));
            yield* Effect.sleep("200 millis"); // the event subscriptions are running

            // Mine every purchase and let it mature, then measure over the following blocks.
            const net = network.chain.net;
            const warmUp = Math.ceil(pool.size / net.maxFreshStakePerBlock) + net.ticketMaturity;
            const latencies: Array<number> = [];
            for (let block = 0; block < warmUp + MEASURED_BLOCKS; block++) {
              const minedAt = performance.now();
              network.control.generate(1);
              const { hash, winners } = network.control.chainState();
              const keys = winners.filter((t) =>
                pool.has(t)
              ).flatMap((t) =>
                spds.map((s) => `${s.index} ${hash} ${t}`)
              );
              yield* eventually(
                `votes of block ${network.chain.height}`,
                Effect.sync(() => keys.every((k) => answered.has(k))),
              );
              if (block >= warmUp) { for (const k of keys) latencies.push(answered.get(k)! - minedAt); }
            }
            for (const l of listeners) yield* Fiber.interrupt(l);
            if (latencies.length === 0) throw new Error("no pool ticket was drawn");
            const name = `votes: winningtickets → sendrawtransaction answer`;
            out.push(
              { name: `${name} p50`, value: percentile(latencies, 50), unit: "ms" },
              { name: `${name} p99`, value: percentile(latencies, 99), unit: "ms" },
              {
                name: `votes: answers measured (3 stakepoolds, ${MEASURED_BLOCKS} blocks)`,
                value: latencies.length,
                unit: "votes",
              },
            );
          }).pipe(
            Effect.scoped,
            Effect.provide(storageLayer(database)),
            Effect.provide(Logger.minimumLogLevel(LogLevel.Warning)),
            Effect.runPromise,
          );
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      }),
  );
  return out;
};
