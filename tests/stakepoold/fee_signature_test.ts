// Issue 9 item 1: a pool ticket whose fee commitment (output 1) names a signature type other than
// secp256k1 would have its vote pay the pool's fee where the pool's key cannot spend it (BLISS) or
// could not be voted at all: such tickets are ignored with the reason, and one of type 0 paying the
// same amounts is voted.
import assert from "node:assert/strict";
import { Chunk, Effect, Queue, Stream } from "effect";
import { toHex } from "../../src/domain/bytes.ts";
import { decodeAddressForNet } from "../../src/domain/address.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { stakePoolTicketFee } from "../../src/domain/poolfee.ts";
import { buildTicket, DEFAULT_TICKET_FEE_LIMITS } from "../../src/domain/stake.ts";
import { serializeTx } from "../../src/domain/tx.ts";
import { nodeRpc } from "../../src/rpc/hc_methods.ts";
import { ControlApi, type TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { syntheticInput } from "../../src/sim/chain.ts";
import { clientFor } from "../sim/helpers.ts";
import {
  eventually,
  logLinesInto,
  POOL_FEES,
  registerUsers,
  startStakepoolds,
  withStakepooldSetup,
} from "./support.ts";

const net = NETWORKS.simnet;
const hash160Of = (address: string) => {
  const decoded = decodeAddressForNet(address, net);
  if (decoded._tag === "Left" || !("hash160" in decoded.right)) {
    throw new Error(`not a hash address: ${address}`);
  }
  return decoded.right.hash160;
};

Deno.test("fee commitments of signature type 4 (BLISS) and 1 are ignored with the reason and not voted; type 0 with the same amounts is voted", () => {
  const logs: string[] = [];
  return withStakepooldSetup(
    { network: { nodes: 1, backgroundTickets: 10 } },
    ({ network, database, dir }) =>
      Effect.gen(function* () {
        const { users: [owner] } = yield* registerUsers(network, [{ voteBits: 5, voteBitsVersion: 7 }]);
        const [spd] = yield* startStakepoolds(network, database, dir, { resyncInterval: "500 millis" });
        const events = yield* Queue.unbounded<TicketEvent>();
        yield* spd.events.pipe(Stream.runForEach((e) => Queue.offer(events, e)), Effect.forkScoped);
        const hcd = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));

        // Three tickets alike but for the fee commitment's signature type, paying twice the fee.
        const price = network.chain.nextStakeDiff;
        const relayFee = 10_000n;
        const poolFee = 2n * stakePoolTicketFee(net, price, relayFee, network.chain.height + 1, POOL_FEES);
        const userAmount = price + relayFee - poolFee;
        const ticketWith = (sigType: number) =>
          buildTicket({
            inputs: [
              syntheticInput(`fee signature ${sigType} pool`, poolFee),
              syntheticInput(`fee signature ${sigType} user`, userAmount),
            ],
            votingDest: { kind: "scripthash", hash160: hash160Of(owner.ticketAddress) },
            price,
            commitments: [
              {
                hash160: hash160Of(owner.feeAddress),
                isP2SH: false,
                sigType,
                amount: poolFee,
                feeLimits: DEFAULT_TICKET_FEE_LIMITS,
              },
              {
                hash160: new Uint8Array(20).fill(0x44),
                isP2SH: false,
                sigType: 0,
                amount: userAmount,
                feeLimits: DEFAULT_TICKET_FEE_LIMITS,
              },
            ],
          });
        const [secp, bliss, edwards] = yield* Effect.forEach(
          [0, 4, 1],
          (sigType) => hcd.sendRawTransaction(toHex(serializeTx(ticketWith(sigType)))),
        );
        network.control.generate(1);

        const listed = (op: typeof ControlApi.getLiveTickets) =>
          Effect.map(spd.control.call(op, {}), (r) => r.tickets.map((t) => t.TicketHash).sort());
        yield* eventually(
          "type 0 is live, types 4 and 1 ignored",
          Effect.zipWith(
            listed(ControlApi.getLiveTickets),
            listed(ControlApi.getIgnoredLowFeeTickets),
            (live, ignored) =>
              JSON.stringify(live) === JSON.stringify([secp]) &&
              JSON.stringify(ignored) === JSON.stringify([bliss, edwards].sort()),
          ),
          30_000,
        );
        const ignoredEvents = Chunk.toReadonlyArray(yield* Queue.takeAll(events)).filter((e) =>
          e.kind === "ignored"
        );
        for (
          const [ticket, detail] of [[bliss, /signature type 4 \(bliss\), not 0 \(secp256k1\)/], [
            edwards,
            /signature type 1 \(edwards\), not 0 \(secp256k1\)/,
          ]] as const
        ) {
          const event = ignoredEvents.find((e) => e.TicketHash === ticket);
          assert.ok(event !== undefined, `an ignored event for ${ticket}`);
          assert.match(event.detail ?? "", detail);
          assert.ok(
            logs.some((l) => l.includes("low-fee ticket ignored") && l.includes(ticket) && detail.test(l)),
            `the log says why ${ticket} is ignored`,
          );
        }
        assert.ok(!ignoredEvents.some((e) => e.TicketHash === secp));

        const selectedNotVoted = (ticket: string) =>
          Effect.sync(() =>
            logs.some((l) => l.includes("selected low-fee ticket not voted") && l.includes(ticket))
          );
        const pending = new Set([secp, bliss, edwards]);
        for (let block = 0; pending.size > 0 && block < 300; block++) {
          network.control.generate(1);
          const drawn = network.control.chainState().winners.filter((t) => pending.has(t));
          for (const ticket of drawn) {
            yield* ticket === secp
              ? eventually(
                "the type 0 ticket is voted",
                Effect.sync(() => network.control.votes(secp).length > 0),
              )
              : eventually(`${ticket} is seen selected and left unvoted`, selectedNotVoted(ticket));
            pending.delete(ticket);
          }
        }
        assert.equal(pending.size, 0, "all three were drawn within 300 blocks");
        assert.deepEqual(network.control.votes(secp).map((v) => v.voteBits), [5]);
        assert.deepEqual(network.control.votes(bliss), []);
        assert.deepEqual(network.control.votes(edwards), []);
      }).pipe(Effect.provide(logLinesInto(logs))),
  );
});
