// Issue 9 item 3: a ticket one voting wallet lacks is repaired by the startup sync so that the
// wallet can vote it. hcsim's wallets keep hcwallet's two records (addticket reaches only the stake
// manager; generatevote answers "not exist" until a rescan), so adding the ticket alone is not
// enough: the node's own stakepoold must get its vote through.
import assert from "node:assert/strict";
import { Effect, Either, Fiber, Layer, Stream } from "effect";
import { toHex } from "../../src/domain/bytes.ts";
import { localRegistration } from "../../src/wallets/address_registration.ts";
import { syncWallets } from "../../src/wallets/wallet_sync.ts";
import { Users } from "../../src/storage/users.ts";
import type { TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import {
  eventually,
  mineUntilSelected,
  partsOf,
  POOL_FEES,
  stakepooldConfigFor,
} from "../stakepoold/support.ts";
import { newUser, poolLayer, type SimPool, withSimPool } from "./support.ts";

/**
 * One registered user with one mined ticket: wallets 1 and 2 held the script when it was mined;
 * wallet 3 imports it afterwards without a rescan, as a wallet restored from its seed: it never
 * saw the ticket.
 */
const ticketMissingFromThirdWallet = async (pool: SimPool) => {
  const { sim } = pool;
  const [first, second, third] = sim.nodes.map((n) => n.wallet);
  const registration = await Effect.gen(function* () {
    const userId = yield* newUser("repair@example.com");
    const local = Either.getOrThrow(
      localRegistration(sim.chain.net, pool.keys, userId, sim.userWallet.getNewAddress().pubKeyAddress),
    );
    yield* Effect.flatMap(Users, (users) =>
      users.setMultisig(userId, {
        MultiSigAddress: local.multisigAddress,
        MultiSigScript: local.redeemScript,
        PoolPubKeyAddr: local.poolPubKeyAddr,
        UserPubKeyAddr: local.userPubKeyAddr,
        UserFeeAddr: local.feeAddress,
        HeightRegistered: sim.chain.height,
      }));
    return local;
  }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);
  for (const w of [first, second]) w.importScript(registration.redeemScript, false, 0);
  const [ticket] = sim.userWallet.purchaseTicket({
    spendLimit: 1e9,
    ticketAddress: registration.multisigAddress,
    numTickets: 1,
    poolAddress: registration.feeAddress,
    poolFees: POOL_FEES,
  });
  sim.control.generate(1);
  third.importScript(registration.redeemScript, false, 0);
  assert.deepEqual(first.getTickets(true), [ticket]);
  assert.deepEqual(third.getTickets(true), []);
  return ticket;
};

/** Runs the stakepoold of voting node `index` (the third: 2) while `body` runs. */
const withStakepoold = <A>(
  pool: SimPool,
  index: number,
  body: (parts: ReturnType<typeof partsOf>) => Effect.Effect<A, unknown>,
) =>
  Deno.makeTempDir({ prefix: "repair_vote_" }).then((dir) =>
    Effect.gen(function* () {
      const context = yield* Layer.build(stakepooldLayer(stakepooldConfigFor(pool.sim, pool.db, dir, index)));
      return yield* body(partsOf(context));
    }).pipe(Effect.scoped, Effect.runPromise).finally(() => Deno.remove(dir, { recursive: true }))
  );

Deno.test("a ticket missing from one wallet of three is repaired by the sync, and that node's stakepoold then votes it", () =>
  withSimPool({}, async (pool) => {
    const { sim } = pool;
    const ticket = await ticketMissingFromThirdWallet(pool);
    const summary = await syncWallets({ resetVoteBits: false }).pipe(
      Effect.provide(poolLayer(pool, 2)),
      Effect.runPromise,
    );
    assert.deepEqual(summary.problems, []);
    assert.deepEqual(summary.repaired.map((r) => r.ticketsAdded), [0, 0, 1]);
    assert.deepEqual(sim.nodes[2].wallet.getTickets(true), [ticket]);

    // Only wallet 3's node votes: its stakepoold must get the vote through on its own.
    await withStakepoold(pool, 2, () =>
      Effect.gen(function* () {
        const selected = yield* mineUntilSelected(sim, ticket);
        yield* eventually(
          `node 3's vote for ${ticket} on block ${selected.height}`,
          Effect.sync(() => sim.control.votes(ticket).some((v) => v.outcome === "accepted")),
        );
        assert.deepEqual(
          sim.control.votes(ticket).map((v) => [v.node, v.outcome, v.blockHash]),
          [[2, "accepted", selected.hash]],
        );
      }));
  }));

Deno.test("a wallet told about a ticket by addticket alone answers generatevote 'not exist': its stakepoold counts the vote failed with that reason and goes on", () =>
  withSimPool({}, async (pool) => {
    const { sim } = pool;
    const ticket = await ticketMissingFromThirdWallet(pool);
    // What a repair without a rescan leaves behind.
    sim.nodes[2].wallet.addTicket(toHex(sim.chain.tx(ticket)!.bytes));
    assert.deepEqual(sim.nodes[2].wallet.getTickets(true), [ticket], "listed: hcd's txindex knows it");

    await withStakepoold(pool, 2, (spd) =>
      Effect.gen(function* () {
        const events: TicketEvent[] = [];
        const listener = yield* Effect.fork(
          Stream.runForEach(spd.events, (e) => Effect.sync(() => events.push(e))),
        );
        yield* Effect.yieldNow();
        const selected = yield* mineUntilSelected(sim, ticket);
        yield* eventually(
          "the failed vote is counted",
          Effect.map(spd.status, (s) => s.votes.failed === 1),
        );
        const failed = events.find((e) => e.kind === "vote-failed" && e.TicketHash === ticket);
        assert.equal(failed?.blockHash, selected.hash);
        assert.match(failed?.detail ?? "", /not exist/);
        assert.deepEqual(sim.control.votes(ticket), [], "nothing reached hcd");
        // It goes on: the next block is seen.
        sim.control.generate(1);
        yield* eventually(
          "the next block is seen",
          Effect.map(spd.status, (s) => s.bestBlockHeight === sim.chain.height),
        );
        yield* Fiber.interrupt(listener);
      }));
  }));
