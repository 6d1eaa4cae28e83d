// The tickets page against hcsim with 3 stakepoolds, where the wallets' stakepooluserinfo answers
// as the real hcwallet's does (realnodes FINDINGS 5): a missed pool ticket stays "live" and a
// low-fee ticket the admin added and the pool voted stays "invalid". The page shows the miss and
// the vote (with the txid the chain has) all the same, and so does a view built afresh — a web app
// restarted after the events — from hcd's answers through the wallets.
import assert from "node:assert/strict";
import { Effect, Layer, Option } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import { Users } from "../../src/storage/users.ts";
import { TicketView } from "../../src/tickets/ticket_view.ts";
import { POOL_FEES } from "../stakepoold/support.ts";
import { hiddenField, signUpAndSignIn } from "../http/support.ts";
import { miner, type TestPool, ticketRows, userWallet, waitForPage, withPool } from "../http/pool_support.ts";

/** What every voting wallet's stakepooluserinfo says of `ticket`: its status, "invalid", or absent. */
const walletsSay = (pool: TestPool, address: string, ticket: string) =>
  pool.sim.nodes.map((node) => {
    const info = node.wallet.stakePoolUserInfo(address);
    if ((info.invalid ?? []).includes(ticket)) return "invalid";
    return (info.tickets ?? []).find((t) => t.ticket === ticket)?.status ?? "absent";
  });

/** Counts the stakepooluserinfo calls the voting wallets answer from now on. */
const countUserInfoCalls = (pool: TestPool) => {
  const calls = { count: 0 };
  for (const { wallet } of pool.sim.nodes) {
    const answer = wallet.stakePoolUserInfo.bind(wallet);
    wallet.stakePoolUserInfo = (user) => {
      calls.count++;
      return answer(user);
    };
  }
  return calls;
};

const chainTicket = (pool: TestPool, ticket: string) =>
  pool.sim.control.tickets().find((t) => t.ticket === ticket)!;

Deno.test("missed and admin-added voted tickets the wallets call live and invalid show missed and voted, also in a view built afresh", async () => {
  // Other stakeholders' 64 live tickets: each of hers is drawn about once in 14 blocks.
  await withPool({
    network: { backgroundTickets: 64 },
    options: { adminips: "127.0.0.1", adminuserids: "1" },
  }, async (pool) => {
    const net = NETWORKS[pool.sim.endpoints.net];
    const { votable, generate, mineUntil, mineUntilVoted } = miner(pool);
    const alice = pool.client();
    await signUpAndSignIn(pool, alice, "alice@example.test", "alice password 1");
    const wallet = userWallet(pool.sim);
    const posted = await alice.submit("/address", { UserPubKeyAddr: await wallet.newPubKeyAddress() });
    assert.equal(posted.location, "/tickets");
    const user = Option.getOrThrow(await pool.run(Effect.flatMap(Users, (u) => u.byId(1))));
    const address = user.MultiSigAddress;

    const paid = await wallet.buyTickets(address, user.UserFeeAddr, POOL_FEES, 3);
    const buyLowFee = async (count: number) => {
      pool.sim.control.underpayPoolFee(true);
      const bought = await wallet.buyTickets(address, user.UserFeeAddr, POOL_FEES, count);
      pool.sim.control.underpayPoolFee(false);
      return bought;
    };
    const low = [...await buyLowFee(2)];
    await generate(net.ticketMaturity + 1);
    await waitForPage(
      alice,
      "/tickets",
      (p) => low.every((t) => ticketRows(p.text).get(t)?.status === "invalid"),
      "the low-fee tickets invalid",
    );

    // Every node's vote fails: the first of her tickets drawn is missed.
    for (const node of pool.sim.nodes.keys()) {
      await pool.sim.control.setFaults(node, {
        methodErrors: { generatevote: { code: -4, message: "test: no votes", server: "wallet" } },
      });
    }
    const missedOne = () => paid.find((t) => chainTicket(pool, t).status === "missed");
    await mineUntil(() => missedOne() !== undefined, "one of her tickets missed");
    const missed = missedOne()!;
    await pool.sim.control.clearFaults();
    for (const t of paid) if (t !== missed) votable.add(t);
    await waitForPage(
      alice,
      "/tickets",
      (p) => ticketRows(p.text).get(missed)?.status === "missed",
      "the missed ticket",
    );
    // As the real wallets do: no revocation, so still "live" to them.
    assert.deepEqual(walletsSay(pool, address, missed), ["live", "live", "live"]);

    // The admin adds one low-fee ticket not drawn already (that one is missed, rightly). The
    // lottery may have drawn both while mining for the miss (about one run in ten): then one more
    // is bought and mined to maturity, until one is left to add.
    const undrawnLowFee = () => {
      const drawn = new Set(pool.sim.control.chainState().winners);
      return low.find((t) => chainTicket(pool, t).status === "live" && !drawn.has(t));
    };
    for (let more = 0; undrawnLowFee() === undefined; more++) {
      assert.ok(more < 5, `no low-fee ticket left undrawn: ${low.map((t) => chainTicket(pool, t).status)}`);
      low.push(...await buyLowFee(1));
      await generate(net.ticketMaturity + 1);
    }
    const added = undrawnLowFee()!;
    const adminPage = await waitForPage(
      alice,
      "/admintickets",
      (p) => p.text.includes(added),
      "the ignored list",
    );
    const change = await alice.post(
      "/admintickets",
      new URLSearchParams([
        ["csrf_token", hiddenField(adminPage.text, "csrf_token")!],
        ["tickets[]", added],
        ["action", "Add"],
      ]).toString(),
    );
    assert.equal(change.status, 303);
    votable.add(added);
    assert.equal(await mineUntilVoted([added]), added);
    const vote = chainTicket(pool, added).spentBy!;
    await waitForPage(
      alice,
      "/tickets",
      (p) => {
        const row = ticketRows(p.text).get(added);
        return row?.status === "voted" && row.spentBy === vote;
      },
      "the added ticket voted, with the chain's txid",
    );
    assert.deepEqual(walletsSay(pool, address, added), ["invalid", "invalid", "invalid"]);
    // The wallets' next reads (a page shown a second after the last read asks for one) undo
    // neither: two more reads by the view (each asks the 3 wallets), the first one merged for sure.
    const reads = countUserInfoCalls(pool);
    await waitForPage(alice, "/tickets", () => reads.count >= 6, "two more wallet reads");
    const later = await alice.get("/tickets");
    assert.equal(ticketRows(later.text).get(missed)?.status, "missed");
    assert.deepEqual(ticketRows(later.text).get(added), { status: "voted", spentBy: vote });

    // A restart: a view that saw none of the events, on the same wallets and stakepoolds.
    const fresh = await pool.run(
      Effect.scoped(Effect.gen(function* () {
        const context = yield* Layer.build(TicketView.layer({ maxVotedAge: 1000 }));
        return yield* Effect.flatMap(
          TicketView,
          (view) => view.page(address, { section: undefined, page: 1, order: "newest" }),
        ).pipe(Effect.provide(context));
      })),
    );
    const rows = new Map(fresh.sections.flatMap((s) => s.page.rows).map((r) => [r.hash, r]));
    assert.equal(rows.get(missed)?.status, "missed");
    assert.equal(rows.get(added)?.status, "voted");
    for (const t of paid) {
      const onChain = chainTicket(pool, t);
      const expected = onChain.status === "live" ? ["live", "voting"] : [onChain.status];
      assert.ok(
        expected.includes(rows.get(t)?.status ?? ""),
        `${t}: ${rows.get(t)?.status} (${onChain.status})`,
      );
      if (onChain.status === "voted") assert.equal(rows.get(t)?.spentBy, onChain.spentBy);
    }
  });
});
