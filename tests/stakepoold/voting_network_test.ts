import assert from "node:assert/strict";
import { Effect } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { StakepooldClients, stakepooldClientsLive } from "../../src/wallets/stakepoolds.ts";
import { clientFor } from "../sim/helpers.ts";
import {
  buyLowFeeTickets,
  buyPoolTickets,
  CONTROL_SECRET,
  eventually,
  registerUsers,
  type RunningStakepoold,
  startStakepoolds,
  withStakepooldSetup,
} from "./support.ts";

const BLOCKS = 200;
const USERS = 100;
/** Preferences cycled over the users, and the bits their tickets must be voted with (version 7). */
const PREFS = [
  { voteBits: 5, voteBitsVersion: 7, expected: 5 },
  { voteBits: 3, voteBitsVersion: 7, expected: 3 },
  { voteBits: 1, voteBitsVersion: 7, expected: 1 },
  { voteBits: 5, voteBitsVersion: 6, expected: 1 }, // chosen for another vote version → default
  { voteBits: 7, voteBitsVersion: 7, expected: 1 }, // not a valid choice → default
];
/** All purchases of the start are mined by then (MaxFreshStakePerBlock is 20 on simnet). */
const LOW_FEE_STEP = 8;
const FAULTY_NODE = 1;
const FAULT_FROM = 120;
const FAULT_UNTIL = 125;

const hashesOf = (spd: RunningStakepoold, op: typeof ControlApi.getLiveTickets) =>
  Effect.map(spd.control.call(op, {}), (r) => new Set(r.tickets.map((t) => t.TicketHash)));

Deno.test(
  "3 nodes, 3 stakepoolds, 200 blocks: every selected pool ticket voted alike with its owner's bits; low-fee, stranger and own tickets not; a node down loses nothing",
  () =>
    withStakepooldSetup(
      { network: { nodes: 3, backgroundTickets: 8, feeAddressCount: 200, userFunds: 10n ** 14n } },
      ({ network, database, dir }) =>
        Effect.gen(function* () {
          const prefs = Array.from({ length: USERS }, (_, i) => PREFS[i % PREFS.length]);
          const { users, userWallet } = yield* registerUsers(network, prefs);
          // A multisig the voting wallets hold but that belongs to no pool user.
          const wallets = [];
          for (const n of network.endpoints.nodes) {
            wallets.push(walletRpc(yield* clientFor(n.wallet, "ws")));
          }
          const strangerKey = (yield* userWallet.validateAddress(yield* userWallet.getNewAddress()))
            .pubkeyaddr!;
          const stranger = yield* wallets[0].createMultisig(1, [strangerKey]);
          for (const w of wallets) yield* w.importScript(stranger.redeemScript, false);

          const spds = yield* startStakepoolds(network, database, dir, { resyncInterval: "2 seconds" });
          const clients = yield* StakepooldClients.pipe(
            Effect.provide(stakepooldClientsLive({
              endpoints: spds.map((s) => ({ host: s.address, certPem: s.certPem })),
              secret: CONTROL_SECRET,
              net: NETWORKS.simnet,
              voteVersion: 7,
            })),
          );
          const lowFeeRows = yield* LowFeeTickets;

          const expectedBits = new Map<string, number>();
          const buy = (u: (typeof users)[number]) =>
            Effect.map(
              buyPoolTickets(userWallet, u),
              ([t]) => {
                expectedBits.set(t, prefs[u.userId - users[0].userId].expected);
                return t;
              },
            );
          const buyAll = Effect.forEach(users, buy, { discard: true });
          yield* buyAll;
          const notPool = new Set<string>([
            ...(yield* userWallet.purchaseTicket(["default", 1000, 1, stranger.address, 2])),
            ...(yield* userWallet.purchaseTicket(["default", 1000, 1, undefined, 2])),
          ]);
          const u0 = users[0];
          const lowFee = yield* buyLowFeeTickets(network, userWallet, u0, 3);
          const [added, neverAdded, removed] = lowFee;

          const allNodes = [0, 1, 2];
          const winnersVotedWhileDown: string[] = [];
          const drawn = new Set<string>();
          for (let block = 1; block <= BLOCKS; block++) {
            const faulty = block >= FAULT_FROM && block < FAULT_UNTIL;
            if (block === FAULT_FROM) {
              network.control.dropWebsockets(FAULTY_NODE, "both");
              yield* Effect.promise(() =>
                network.control.setFaults(FAULTY_NODE, { walletDown: true, hcdDown: true })
              );
            }
            if (block === FAULT_UNTIL) {
              yield* Effect.promise(() => network.control.clearFaults(FAULTY_NODE));
              // Back up, the node's live set is rebuilt and equals the others'.
              yield* eventually(
                "the restored stakepoold's live set equals the others'",
                Effect.map(
                  Effect.all(spds.map((s) => hashesOf(s, ControlApi.getLiveTickets))),
                  ([a, b, c]) =>
                    a.size > 0 && [...a].every((t) => b.has(t) && c.has(t)) && a.size === b.size &&
                    a.size === c.size,
                ),
                20_000,
              );
            }
            if (block === 50 || block === 100) yield* buyAll;
            network.control.generate(1);
            const { hash, winners } = network.control.chainState();
            if (block === LOW_FEE_STEP) {
              // Mined: the three low-fee tickets are ignored everywhere…
              yield* eventually(
                "low-fee tickets listed as ignored",
                Effect.map(
                  Effect.all(spds.map((s) => hashesOf(s, ControlApi.getIgnoredLowFeeTickets))),
                  (sets) => sets.every((s) => lowFee.every((t) => s.has(t))),
                ),
              );
              // …the admin adds two of them, then takes one back.
              const expires = Math.floor(Date.now() / 1000) + 86_400;
              yield* lowFeeRows.add(
                1,
                [added, removed].map((t) => ({
                  TicketHash: t,
                  TicketAddress: u0.ticketAddress,
                  Expires: expires,
                })),
              );
              assert.deepEqual(yield* clients.updateAll("tickets"), { ok: 3, failed: [] });
              for (const s of spds) {
                const live = yield* hashesOf(s, ControlApi.getLiveTickets);
                assert.ok(live.has(added) && live.has(removed) && !live.has(neverAdded));
              }
              yield* lowFeeRows.remove([removed]);
              assert.deepEqual(yield* clients.updateAll("tickets"), { ok: 3, failed: [] });
              for (const s of spds) {
                const ignored = yield* hashesOf(s, ControlApi.getIgnoredLowFeeTickets);
                assert.ok(ignored.has(removed) && ignored.has(neverAdded) && !ignored.has(added));
              }
              expectedBits.set(added, PREFS[0].expected);
            }
            const votable = winners.filter((t) => expectedBits.has(t));
            for (const t of winners) drawn.add(t);
            const voters = faulty ? allNodes.filter((n) => n !== FAULTY_NODE) : allNodes;
            yield* eventually(
              `votes of block ${block}`,
              Effect.sync(() =>
                votable.every((t) => {
                  const nodes = new Set(
                    network.control.votes(t).filter((v) => v.blockHash === hash).map((v) => v.node),
                  );
                  return voters.every((n) => nodes.has(n));
                })
              ),
            );
            if (faulty) winnersVotedWhileDown.push(...votable);
          }

          // Every selected pool ticket was voted, by every node alike, with its owner's bits.
          const selected = [...drawn].filter((t) => expectedBits.has(t));
          assert.ok(selected.length > 300, `only ${selected.length} pool tickets were selected`);
          for (const t of selected) {
            const votes = network.control.votes(t);
            assert.equal(votes.filter((v) => v.outcome === "accepted").length, 1, t);
            assert.equal(
              new Set(votes.map((v) => v.txid)).size,
              1,
              `identical vote transactions for ${t}`,
            );
            assert.ok(votes.every((v) => v.voteBits === expectedBits.get(t)), `bits of ${t}`);
          }
          const bitsUsed = new Set(selected.map((t) => expectedBits.get(t)));
          assert.deepEqual([...bitsUsed].sort(), [1, 3, 5]);
          assert.ok(
            winnersVotedWhileDown.length > 0,
            "a pool ticket was selected while a node was down",
          );
          // Nothing else was voted: not the stranger's or the user's own tickets, not the low-fee ones.
          const votedTickets = new Set(network.control.votes().map((v) => v.ticket));
          for (const t of [...notPool, neverAdded, removed]) assert.ok(!votedTickets.has(t), t);
          for (const t of votedTickets) {
            assert.ok(expectedBits.has(t), `voted a ticket not the pool's: ${t}`);
          }
          assert.ok(
            [neverAdded, removed, ...notPool].some((t) => drawn.has(t)),
            "at least one unvotable ticket was selected",
          );
        }),
    ),
);
