// A wallet's whole API flow against hcsim (issue 13): sign up through the pages for a token, submit
// the user wallet's pubkey address, read the purchase information, buy a ticket with exactly what
// it says, set vote bits through the API, and find the pool's vote on chain carrying those bits.
// Every answer's signature is checked with the key the pool publishes (ApiClient).
import assert from "node:assert/strict";
import { Effect } from "effect";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import { withWebApp } from "../http/support.ts";
import { clientFor } from "../sim/helpers.ts";
import { eventually, type RunningStakepoold, startStakepoolds } from "../stakepoold/support.ts";
import { ApiClient, assertContract, signedUpUser, userPubKeyAddress } from "./support.ts";

/** Approve the previous block and vote yes on maxblocksize (simnet vote version 7: mask 0x6, yes 0x4). */
const VOTE_BITS = 5;
const TICKETS = 10;
/** Simnet tickets expire after 384 blocks. */
const MAX_BLOCKS = 380;

Deno.test("API client flow: purchase info → ticket bought with it → vote bits set via the API → the vote on chain carries them", async () => {
  await withWebApp({}, async (web) => {
    const api = await ApiClient.connect(web.url);
    const { token } = await signedUpUser(web, "wallet-owner@example.test");
    const pubKeyAddr = await userPubKeyAddress(web);

    assertContract(
      await api.call("POST", "/api/v1/address", { token, form: { UserPubKeyAddr: pubKeyAddr } }),
      "address",
      "success",
    );
    const info = await api.call("GET", "/api/v1/getpurchaseinfo", { token });
    assertContract(info, "getpurchaseinfo", "success");
    const { TicketAddress, PoolAddress, PoolFees } = info.body.data;
    assertContract(
      await api.call("POST", "/api/v2/voting", { token, form: { VoteBits: String(VOTE_BITS) } }),
      "voting",
      "success",
    );
    const prefs = await api.call("GET", "/api/v2/voting", { token });
    assert.equal(prefs.body.data.VoteBits, VOTE_BITS);

    const dir = await Deno.makeTempDir({ prefix: "api_flow_" });
    try {
      await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        // The voting nodes' stakepoolds read the users (and their bits) from the pool's database.
        const spds = yield* startStakepoolds(web.sim, web.database, dir);
        const userWallet = walletRpc(yield* clientFor(web.sim.endpoints.userWallet, "ws"));
        // Several tickets: hcsim's background buyers grow the pool, so one ticket alone may go unselected.
        const tickets = yield* userWallet.purchaseTicket([
          "default",
          1000,
          1,
          TicketAddress,
          TICKETS,
          PoolAddress,
          PoolFees,
        ]);
        assert.equal(tickets.length, TICKETS);
        const height = () => web.sim.control.chainState().height;
        const caughtUp = Effect.map(
          Effect.all(spds.map((s: RunningStakepoold) => s.status)),
          (all) => all.every((s) => s.bestBlockHeight === height()),
        );
        let selected: { readonly ticket: string; readonly hash: string } | undefined;
        for (let i = 0; i < MAX_BLOCKS && selected === undefined; i++) {
          web.sim.control.generate(1);
          const { hash, winners } = web.sim.control.chainState();
          yield* eventually(`stakepoolds at height ${height()}`, caughtUp);
          const winner = tickets.find((t) => winners.includes(t));
          if (winner !== undefined) selected = { ticket: winner, hash };
        }
        assert.ok(selected, `one of ${TICKETS} tickets selected within ${MAX_BLOCKS} blocks`);
        const ticket = selected.ticket;
        yield* eventually(
          "the pool's vote reached hcd",
          Effect.sync(() =>
            web.sim.control.votes(ticket).some((v) =>
              v.blockHash === selected.hash && v.outcome === "accepted"
            )
          ),
        );
        web.sim.control.generate(1);
        const voted = web.sim.control.tickets().find((t) => t.ticket === ticket);
        assert.equal(voted?.status, "voted", "the vote was mined");
        const onChain = web.sim.control.votes(ticket).find((v) => v.txid === voted!.spentBy);
        assert.ok(onChain, "the mined vote is one the pool's stakepoolds sent");
        assert.equal(onChain.voteBits, VOTE_BITS, "the vote carries the bits set through the API");
        assert.equal(onChain.voteVersion, 7);
      })));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    assert.ok(api.answers.length >= 5);
  });
});
