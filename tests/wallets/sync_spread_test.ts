// What the sync must not spread (realnodes FINDINGS "Problems" 3): a script no user registered, a
// ticket paying anything but a user's script, a low-fee ticket made valid on a restored wallet, a
// voted ticket turned back to live by addticket when the wallets' ticket lists raced a block.
import assert from "node:assert/strict";
import { Effect, Either } from "effect";
import { encodeAddress, scriptHashAddress } from "../../src/domain/address.ts";
import { toHex } from "../../src/domain/bytes.ts";
import { multisigScript } from "../../src/domain/script.ts";
import type { SimNetwork } from "../../src/sim/network.ts";
import type { SimWallet } from "../../src/sim/wallet.ts";
import type { VotingWallet } from "../../src/wallets/voting_wallets.ts";
import { syncWallets } from "../../src/wallets/wallet_sync.ts";
import { decoratedPoolLayer, poolLayer, registerDriftedUsers, withSimPool } from "./support.ts";

const POOL_FEES = 7.5;

/** Buys one ticket paying `ticketAddress` with the pool's fee to `feeAddress`. */
const buy = (sim: SimNetwork, ticketAddress: string, feeAddress: string) =>
  sim.userWallet.purchaseTicket({
    spendLimit: 1e9,
    ticketAddress,
    numTickets: 1,
    poolAddress: feeAddress,
    poolFees: POOL_FEES,
  })[0];

/** Mines until `ticket` is drawn, then has `wallet` vote it and mines the vote. */
const voteWhenDrawn = (sim: SimNetwork, wallet: SimWallet, ticket: string) => {
  for (let blocks = 0; !sim.chain.tip.winners.includes(ticket); blocks++) {
    assert.ok(blocks < 2_000, `${ticket} drawn`);
    assert.ok(sim.chain.ticket(ticket)?.status !== "missed", `${ticket} not drawn before it could be voted`);
    sim.control.generate(1);
  }
  const tip = sim.chain.tip;
  assert.ok(
    Either.isRight(sim.chain.submit(wallet.generateVote(tip.hash, tip.height, ticket, 1, "07000000"))),
  );
  sim.control.generate(1);
  assert.equal(sim.chain.ticket(ticket)?.status, "voted");
};

/** A wallet's stake pool records of `address`, in a fixed order. */
const records = (wallet: SimWallet, address: string) => {
  const info = wallet.stakePoolUserInfo(address);
  return {
    tickets: [...(info.tickets ?? [])].sort((a, b) => a.ticket.localeCompare(b.ticket)),
    invalid: [...(info.invalid ?? [])].sort(),
  };
};

Deno.test("a script no user registered and the tickets paying it stay in the wallet that holds them: reported, not spread", () =>
  withSimPool({}, async (pool) => {
    const { sim } = pool;
    const [registration] = await registerDriftedUsers(pool, 1, 0);
    const [first, second, third] = sim.nodes.map((n) => n.wallet);
    // The real run's stray script, and a 1-of-2 nobody registered with a ticket paying it.
    first.importScript("00", false, 0);
    const keys = [sim.userWallet.getNewAddress().pubKey, sim.userWallet.getNewAddress().pubKey];
    const stranger = Either.getOrThrow(multisigScript(1, keys));
    first.importScript(toHex(stranger), false, 0);
    const strangerTicket = buy(
      sim,
      encodeAddress(scriptHashAddress(sim.chain.net, stranger)),
      registration.feeAddress,
    );
    const poolTicket = buy(sim, registration.multisigAddress, registration.feeAddress);
    sim.control.generate(1);
    assert.deepEqual(new Set(first.getTickets(true)), new Set([strangerTicket, poolTicket]));

    const summary = await syncWallets({ resetVoteBits: true }).pipe(
      Effect.provide(poolLayer(pool, 2)),
      Effect.runPromise,
    );
    for (const w of [second, third]) {
      assert.deepEqual(w.listScripts().map((s) => s.redeemscript), [registration.redeemScript], w.name);
      assert.deepEqual(w.getTickets(true), [poolTicket], w.name);
      assert.ok(w.storedTx(poolTicket) !== undefined, `${w.name} can vote the pool's ticket`);
    }
    assert.equal(summary.problems.length, 3, summary.problems.join("\n"));
    for (const script of ["00", toHex(stranger)]) {
      assert.ok(
        summary.problems.some((p) => p.includes(`wallet 1 holds script ${script}, no user's script`)),
        `${script} reported`,
      );
    }
    assert.ok(summary.problems.some((p) => p.includes("pay no user's script") && p.includes(strangerTicket)));
  }));

Deno.test("a low-fee ticket stays invalid on a restored wallet, and a voted ticket a stale ticket list still names stays voted everywhere", () =>
  withSimPool({}, async (pool) => {
    const { sim } = pool;
    const registeredAt = sim.chain.height;
    const [registration] = await registerDriftedUsers(pool, 1, 0);
    const [first, second, third] = sim.nodes.map((n) => n.wallet);
    const voted = buy(sim, registration.multisigAddress, registration.feeAddress);
    sim.control.generate(1);
    voteWhenDrawn(sim, first, voted);
    sim.control.underpayPoolFee(true);
    const lowFee = buy(sim, registration.multisigAddress, registration.feeAddress);
    sim.control.underpayPoolFee(false);
    sim.control.generate(1);
    const address = registration.multisigAddress;
    const expected = records(first, address);
    assert.deepEqual(expected.invalid, [lowFee]);
    assert.deepEqual(expected.tickets.map((t) => [t.ticket, t.status]), [[voted, "voted"]]);
    assert.deepEqual(records(second, address), expected);
    // The restored wallet rescans as slowly as a real one (about 3 s from the registration): a
    // rescan asked for meanwhile is dropped.
    third.rescanMsPerBlock = 3000 / (sim.chain.height - registeredAt + 1);

    // Wallet 1 answers gettickets as if just before the vote's block: the voted ticket still listed.
    const staleList = (w: VotingWallet): VotingWallet =>
      w.name !== "wallet 1" ? w : {
        ...w,
        rpc: {
          ...w.rpc,
          getTickets: (immature) =>
            Effect.map(w.rpc.getTickets(immature), (r) => ({ hashes: [...r.hashes, voted] })),
        },
      };
    const summary = await syncWallets({ resetVoteBits: true }).pipe(
      Effect.provide(decoratedPoolLayer(pool, 2, staleList)),
      Effect.runPromise,
    );
    for (const w of [first, second, third]) assert.deepEqual(records(w, address), expected, w.name);
    assert.deepEqual(summary.problems, []);
    assert.deepEqual(
      summary.repaired.map((r) => [r.wallet, r.rescannedFrom === undefined]),
      [["wallet 1", true], ["wallet 2", true], ["wallet 3", false]],
      "wallet 2 holds the voted ticket it did not list: no rescan; the restored wallet 3 rescans",
    );
    assert.deepEqual(third.getTickets(true), [lowFee], "listed: hcwallet keeps an invalid ticket it found");
    assert.ok(third.storedTx(lowFee) !== undefined, "the restored wallet found the low-fee ticket itself");
  }));
