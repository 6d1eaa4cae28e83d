// Issue 12's journey through the pool's own pages, against hcsim (3 voting nodes, 3 stakepoolds
// voting) on both stores: sign up → address (the ticket address is the one computed locally and
// every wallet holds its script) → the user's wallet buys tickets → the tickets page shows them
// immature, live, then voted with the vote's txid from the chain → a preference saved on /voting
// is in the next vote → an admin adds a low-fee ticket (voted) and removes another (not voted);
// the admin pages, the stopped wallet manager and /stats on the way.
import assert from "node:assert/strict";
import { Effect, Either, Option } from "effect";
import { localRegistration, ONE_ADDRESS_PER_ACCOUNT } from "../../src/wallets/address_registration.ts";
import { decodeAddressForNet, encodeAddress, pubKeyAddress } from "../../src/domain/address.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { Users } from "../../src/storage/users.ts";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import { POOL_FEES } from "../stakepoold/support.ts";
import { mysqlIgnored } from "../support/mysql.ts";
import {
  alertsOf,
  hiddenField,
  signUpAndSignIn,
  type StoreKind,
  unescapeHtml,
  type WebClient,
} from "./support.ts";
import { miner, type TestPool, ticketRows, userWallet, waitForPage, withPool } from "./pool_support.ts";

const userById = (pool: TestPool, id: number) =>
  pool.run(Effect.flatMap(Users, (u) => u.byId(id))).then(Option.getOrThrow);

/** Submits the Address form and returns the flash it leads to (the page it redirects to). */
const submitAddress = async (client: WebClient, value: string) => {
  const posted = await client.submit("/address", { UserPubKeyAddr: value });
  assert.equal(posted.status, 303);
  const landed = await client.follow(posted);
  return { location: posted.location, alerts: alertsOf(landed.text).map(unescapeHtml) };
};

const journey = (store: StoreKind) => async () => {
  // Other stakeholders' 64 live tickets: each of hers is drawn about once in 14 blocks.
  const network = { backgroundTickets: 64 };
  await withPool({ store, network, options: { adminips: "127.0.0.1", adminuserids: "1" } }, async (pool) => {
    const net = NETWORKS[pool.sim.endpoints.net];
    const wallet = userWallet(pool.sim);
    const { votable, generate, mineUntil, mineUntilVoted } = miner(pool);
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
      // A Schnorr key's pubkey address: long enough, of this network, but not secp256k1.
      [encodeAddress({ ...decoded, sigType: "schnorr" }), "Incorrect address type"],
      ["Sk1short", "Address is too short"],
      // A real hcwallet's post-quantum pubkey address is 1 234 characters (it starts "Sk" too).
      ["Sk" + "9".repeat(1232), "Address is too long"],
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
      assert.ok(
        node.wallet.listScripts().some((s) => s.redeemscript === local.redeemScript),
        node.wallet.name,
      );
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
      unescapeHtml(empty.text).includes(
        `purchaseticket "default" 100 1 ${local.multisigAddress} 1 ${local.feeAddress} ${POOL_FEES}`,
      ),
    );
    assert.equal(ticketRows(empty.text).size, 0);

    // Her wallet buys three tickets; mined, they show as immature, then live.
    const bought = await wallet.buyTickets(local.multisigAddress, local.feeAddress, POOL_FEES, 3);
    for (const t of bought) votable.add(t);
    await generate(1);
    await waitForPage(
      alice,
      "/tickets",
      (p) => bought.every((t) => ticketRows(p.text).get(t)?.status === "immature"),
      "three immature tickets",
    );
    await generate(net.ticketMaturity);
    await waitForPage(
      alice,
      "/tickets",
      (p) =>
        bought.every((t) => ["live", "voting", "voted"].includes(ticketRows(p.text).get(t)?.status ?? "")),
      "three live tickets",
    );

    // One is selected and its vote mined: voted, with the txid the chain has.
    const first = await mineUntilVoted(bought);
    const chainVote = pool.sim.control.tickets().find((t) => t.ticket === first)!.spentBy!;
    await waitForPage(
      alice,
      "/tickets",
      (p) => {
        const row = ticketRows(p.text).get(first);
        return row?.status === "voted" && row.spentBy === chainVote;
      },
      "the vote and its txid",
    );

    // Voting: simnet's vote version 7 and its agenda; refused choices store nothing.
    const votingPage = await alice.get("/voting");
    assert.match(votingPage.text, /Voting Preferences \(v7\)/);
    assert.match(votingPage.text, /<select[^>]*name="agenda0"/);
    for (
      const [value, message] of [["x", "invalid agenda choice"], ["6", "generated votebits were invalid"]]
    ) {
      const refused = await alice.submit("/voting", { agenda0: value });
      assert.equal(refused.location, "/voting");
      assert.ok(alertsOf((await alice.follow(refused)).text).includes(message), value);
    }
    assert.equal((await userById(pool, 1)).VoteBits, 1);
    const saved = await alice.submit("/voting", { agenda0: "4" });
    const savedPage = await alice.follow(saved);
    assert.ok(alertsOf(savedPage.text).includes("successfully updated voting preferences"));
    assert.ok(alertsOf(savedPage.text).includes("All 3 voting nodes vote with these choices now."));
    assert.match(savedPage.text, /<option value="4" selected/);
    const prefs = await userById(pool, 1);
    assert.deepEqual([prefs.VoteBits, prefs.VoteBitsVersion], [5, 7]);
    // The next of her tickets selected is voted with those bits, by every node.
    const savedAt = pool.sim.control.chainState().height;
    const more = await wallet.buyTickets(local.multisigAddress, local.feeAddress, POOL_FEES, 2);
    for (const t of more) votable.add(t);
    const next = await mineUntilVoted([...bought, ...more], savedAt);
    const votes = pool.sim.control.votes(next).filter((v) => v.blockHeight > savedAt);
    assert.ok(votes.length > 0);
    assert.deepEqual([...new Set(votes.map((v) => v.voteBits))], [5]);

    // Low-fee tickets: ignored by the stakepoolds, listed for the admin (Alice: user 1 from 127.0.0.1).
    pool.sim.control.underpayPoolFee(true);
    const underpaid = await wallet.buyTickets(local.multisigAddress, local.feeAddress, POOL_FEES, 6);
    pool.sim.control.underpayPoolFee(false);
    await generate(net.ticketMaturity + 1);
    await waitForPage(
      alice,
      "/admintickets",
      (p) => underpaid.every((t) => p.text.includes(t)),
      "the ignored tickets",
    );
    // Two the lottery has not drawn yet (one drawn before the admin acts is missed, rightly).
    const drawn = new Set(pool.sim.control.chainState().winners);
    const low = pool.sim.control.tickets()
      .filter((t) => underpaid.includes(t.ticket) && t.status === "live" && !drawn.has(t.ticket))
      .map((t) => t.ticket).slice(0, 2);
    assert.equal(low.length, 2);
    const adminForm = await alice.get("/admintickets");
    const csrf = hiddenField(adminForm.text, "csrf_token")!;
    const change = (action: string, hashes: ReadonlyArray<string>) =>
      alice.post(
        "/admintickets",
        new URLSearchParams([["csrf_token", csrf], ...hashes.map((h) => ["tickets[]", h]), [
          "action",
          action,
        ]])
          .toString(),
      ).then((r) => alice.follow(r)).then((p) => alertsOf(p.text));
    assert.ok((await change("Add", low)).includes("successfully added 2 ticket(s)"));
    assert.ok((await change("Remove", [low[1]])).includes("successfully removed 1 ticket(s)"));
    assert.ok((await change("Remove", ["not-a-hash"])).some((a) => a.startsWith("NewHashFromStr failed")));
    const added = await pool.run(Effect.flatMap(LowFeeTickets, (t) => t.votable));
    assert.deepEqual(added.map((t) => [t.TicketHash, t.AddedByUid]), [[low[0], 1]]);
    const audit = await pool.run(Effect.flatMap(AuditLog, (a) => a.list({ limit: 20 })));
    for (const action of ["low-fee tickets added", "low-fee tickets removed"]) {
      const entry = audit.find((e) => e.Action === action);
      assert.deepEqual([entry?.ActorUserId, entry?.ActorIp], [1, "127.0.0.1"], action);
    }
    // The added one is voted; the removed one is selected and not voted.
    votable.add(low[0]);
    assert.equal(await mineUntilVoted([low[0]]), low[0]);
    await mineUntil(
      () => pool.sim.control.tickets().some((t) => t.ticket === low[1] && t.status !== "live"),
      "the removed ticket selected (or its end)",
    );
    await generate(1);
    assert.deepEqual(pool.sim.control.votes(low[1]), []);

    // Admin pages: 403 for anyone else; /status answers 500 while wallet commands are stopped.
    const bob = pool.client();
    await signUpAndSignIn(pool, bob, "bob@example.test", "bob password 12");
    for (const path of ["/status", "/admintickets"]) assert.equal((await bob.get(path)).status, 403, path);
    const status = await alice.get("/status");
    assert.equal(status.status, 200);
    for (const s of pool.stakepoolds) assert.ok(status.text.includes(s.address), s.address);
    // A pool wallet beside stakepoold does not vote itself: walletinfo's voting false is normal.
    assert.deepEqual(
      [...status.text.matchAll(/<td data-voting="(\w+)"><span class="([\w-]+)">/g)].map((m) =>
        `${m[1]} ${m[2]}`
      ),
      ["false state-ok", "false state-ok", "false state-ok"],
    );
    // Each stakepoold's votes by outcome, spent elsewhere too, and its last vote: one on chain.
    const votedOnChain = new Set(
      pool.sim.control.tickets().filter((t) => t.status === "voted").map((t) => t.ticket),
    );
    const stakepooldRows = status.text.split("<tr data-stakepoold=").slice(1);
    assert.equal(stakepooldRows.length, pool.stakepoolds.length);
    for (const row of stakepooldRows) {
      const votes = JSON.parse(unescapeHtml(/data-votes="([^"]*)"/.exec(row)![1]));
      assert.deepEqual(Object.keys(votes), ["voted", "duplicate", "spentElsewhere", "failed"]);
      assert.ok(votes.voted + votes.duplicate >= 1, row);
      const lastVote = /data-last-vote="([0-9a-f]{64})"/.exec(row)?.[1];
      assert.ok(lastVote !== undefined && votedOnChain.has(lastVote), row);
    }
    await pool.run(Effect.flatMap(VotingWallets, (vw) => vw.stop("test: a wallet disagreed")));
    const stopped = await alice.get("/status");
    assert.equal(stopped.status, 500);
    assert.match(stopped.text, /test: a wallet disagreed/);
    const maintenance = await bob.submit("/address", { UserPubKeyAddr: await wallet.newPubKeyAddress() });
    assert.equal(maintenance.status, 503);
    assert.equal((await userById(pool, 2)).MultiSigAddress, "");
    assert.equal((await bob.get("/stats")).status, 503);
    const resumeForm = { csrf_token: hiddenField(stopped.text, "csrf_token")!, action: "resume" };
    const resumed = await alice.follow(await alice.post("/status", resumeForm));
    assert.ok(alertsOf(resumed.text).includes("The checks passed: wallet commands are running again."));
    assert.equal((await alice.get("/status")).status, 200);

    // Stats: the wallets' figures, the user counts, the charts.
    const stats = await bob.get("/stats");
    assert.equal(stats.status, 200);
    assert.match(stats.text, /<dt>Users<\/dt><dd>2<\/dd>/);
    assert.match(stats.text, /<dt>Users with a ticket address<\/dt><dd>1<\/dd>/);
    assert.equal((stats.text.match(/<svg /g) ?? []).length, 3);
  });
};

for (const store of ["embedded", "mysql"] as ReadonlyArray<StoreKind>) {
  Deno.test({
    name:
      `pool pages (${store}): address → tickets immature, live, voted → voting prefs in the vote → low-fee admin`,
    ignore: store === "mysql" && mysqlIgnored(),
    fn: journey(store),
  });
}
