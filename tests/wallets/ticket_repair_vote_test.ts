// Issue 9 item 3: a ticket one voting wallet lacks is repaired by the startup sync so that the
// wallet can vote it. hcsim's wallets keep hcwallet's two records (addticket reaches only the stake
// manager; generatevote answers "not exist" until a rescan), so adding the ticket alone is not
// enough: the node's own stakepoold must get its vote through.
import assert from "node:assert/strict";
import { Effect, Either, Layer } from "effect";
import { localRegistration } from "../../src/wallets/address_registration.ts";
import { syncWallets } from "../../src/wallets/wallet_sync.ts";
import { Users } from "../../src/storage/users.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import { eventually, mineUntilSelected, POOL_FEES, stakepooldConfigFor } from "../stakepoold/support.ts";
import { newUser, poolLayer, withSimPool } from "./support.ts";

Deno.test("a ticket missing from one wallet of three is repaired by the sync, and that node's stakepoold then votes it", () =>
  withSimPool({}, async (pool) => {
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

    // Wallets 1 and 2 hold the script when the ticket is mined; wallet 3 imports it afterwards
    // without a rescan, as a wallet restored from its seed does: it never saw the ticket.
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

    const summary = await syncWallets({ resetVoteBits: false }).pipe(
      Effect.provide(poolLayer(pool, 2)),
      Effect.runPromise,
    );
    assert.deepEqual(summary.problems, []);
    assert.deepEqual(summary.repaired.map((r) => r.ticketsAdded), [0, 0, 1]);
    assert.deepEqual(third.getTickets(true), [ticket]);

    // Only wallet 3's node votes: its stakepoold must get the vote through on its own.
    const dir = await Deno.makeTempDir({ prefix: "repair_vote_" });
    try {
      await Effect.gen(function* () {
        yield* Layer.build(stakepooldLayer(stakepooldConfigFor(sim, pool.db, dir, 2)));
        const selected = yield* mineUntilSelected(sim, ticket);
        yield* eventually(
          `node 3's vote for ${ticket} on block ${selected.height}`,
          Effect.sync(() => sim.control.votes(ticket).some((v) => v.outcome === "accepted")),
        );
        const votes = sim.control.votes(ticket);
        assert.deepEqual(votes.map((v) => [v.node, v.outcome, v.blockHash]), [[
          2,
          "accepted",
          selected.hash,
        ]]);
      }).pipe(Effect.scoped, Effect.runPromise);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }));
