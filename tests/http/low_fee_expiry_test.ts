// An admin-added low-fee ticket stays in the stakepoolds' added list (LowFeeTicket.Expires) as long
// as the chain lets it vote: the real run's simnet made a block every ~3.7 s against a 1 s
// target, and the original's now + TicketExpiry × target × 1.05 (404 s) would have stopped
// voting such a ticket about 20 minutes early (realnodes FINDINGS web 6). The pace is read from the
// blocks' own times, which on a simnet need not be today's (hcsim stamps from the genesis time):
// measured against the wall clock it came out decades long.
import assert from "node:assert/strict";
import { Effect, Option } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { Users } from "../../src/storage/users.ts";
import { POOL_FEES } from "../stakepoold/support.ts";
import { miner, userWallet, waitForPage, withPool } from "./pool_support.ts";
import { alertsOf, hiddenField, signUpAndSignIn } from "./support.ts";

/** Seconds between the header times of the blocks the test mines: slower than simnet's 1 s target. */
const SPACING = 4;

Deno.test("an admin-added low-fee ticket is kept as long as the chain, at its real pace, lets it vote", async () => {
  // hcsim stamps blocks with this clock, years back as its own clock is: the blocks mined before
  // the pool starts 5 000 s before the test's own, which are SPACING apart.
  const lastStamp = 1_556_000_000;
  let chainNow = lastStamp - 5_000;
  await withPool({
    store: "embedded",
    network: { clock: () => chainNow },
    options: { adminips: "127.0.0.1", adminuserids: "1" },
  }, async (pool) => {
    const net = NETWORKS[pool.sim.endpoints.net];
    const { generate } = miner(pool);
    const wallet = userWallet(pool.sim);
    const admin = pool.client();
    await signUpAndSignIn(pool, admin, "admin@example.test", "admin password 1");
    const registered = await admin.submit("/address", { UserPubKeyAddr: await wallet.newPubKeyAddress() });
    assert.equal(registered.location, "/tickets");
    const user = await pool.run(Effect.flatMap(Users, (u) => u.byId(1))).then(Option.getOrThrow);

    pool.sim.control.underpayPoolFee(true);
    // Several: the few live tickets of a new chain make a drawn (then missed) one likely.
    const underpaid = await wallet.buyTickets(user.MultiSigAddress, user.UserFeeAddr, POOL_FEES, 6);
    pool.sim.control.underpayPoolFee(false);
    const blocks = 1 + net.ticketMaturity + 1;
    for (let i = blocks - 1; i >= 0; i--) {
      chainNow = lastStamp - i * SPACING;
      await generate(1);
    }
    const stillLive = () =>
      pool.sim.control.tickets().filter((t) => underpaid.includes(t.ticket) && t.status === "live");
    await waitForPage(
      admin,
      "/admintickets",
      (p) => stillLive().every((t) => p.text.includes(t.ticket)),
      "the ignored low-fee tickets",
    );
    const drawn = new Set(pool.sim.control.chainState().winners);
    const ticket = stillLive().find((t) => !drawn.has(t.ticket))!;
    assert.ok(ticket !== undefined, "a live low-fee ticket the lottery has not drawn");

    const form = await admin.get("/admintickets");
    const bestHeight = pool.sim.control.chainState().height;
    const added = await admin.post(
      "/admintickets",
      new URLSearchParams([
        ["csrf_token", hiddenField(form.text, "csrf_token")!],
        ["tickets[]", ticket.ticket],
        ["action", "Add"],
      ]).toString(),
    );
    assert.ok(alertsOf((await admin.follow(added)).text).includes("successfully added 1 ticket(s)"));

    const [row] = await pool.run(Effect.flatMap(LowFeeTickets, (t) => t.votable));
    assert.equal(row.TicketHash, ticket.ticket);
    const blocksLeft = ticket.height + net.ticketMaturity + net.ticketExpiry - bestHeight;
    const kept = row.Expires - row.Created;
    assert.ok(kept >= blocksLeft * SPACING, `kept ${kept} s; the chain needs ${blocksLeft * SPACING} s`);
    assert.ok(kept < 24 * 3600, `kept ${kept} s: not an estimate of this chain`);
  });
});
