// A wallet's whole API flow against hcsim (issue 13): sign up through the pages for a token, submit
// the user wallet's pubkey address, read the purchase information, buy a ticket with exactly what
// it says, set vote bits through the API, and find the pool's vote on chain carrying those bits.
// Every answer's signature is checked with the key the pool publishes (ApiClient).
import assert from "node:assert/strict";
import { Effect } from "effect";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { withWebApp } from "../http/support.ts";
import { clientFor } from "../sim/helpers.ts";
import {
  eventually,
  mineUntilSelected,
  type RunningStakepoold,
  startStakepoolds,
} from "../stakepoold/support.ts";
import { ApiClient, assertContract, signedUpUser, userPubKeyAddress } from "./support.ts";

/** Approve the previous block and vote yes on maxblocksize (simnet vote version 7: mask 0x6, yes 0x4). */
const VOTE_BITS = 5;

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
        const [ticket] = yield* userWallet.purchaseTicket([
          "default",
          1000,
          1,
          TicketAddress,
          1,
          PoolAddress,
          PoolFees,
        ]);
        const height = () => web.sim.control.chainState().height;
        const caughtUp = Effect.map(
          Effect.all(spds.map((s: RunningStakepoold) => s.status)),
          (all) => all.every((s) => s.bestBlockHeight === height()),
        );
        const liveEverywhere = Effect.map(
          Effect.all(spds.map((s) => s.control.call(ControlApi.getLiveTickets, {}))),
          (all) => all.every((r) => r.tickets.some((t) => t.TicketHash === ticket)),
        );
        // Mature the ticket until every stakepoold holds it live (the pool fee it paid checked).
        for (let i = 0; i < 40 && !(yield* liveEverywhere); i++) {
          web.sim.control.generate(1);
          yield* eventually(`stakepoolds at height ${height()}`, caughtUp);
        }
        assert.ok(
          yield* liveEverywhere,
          "the ticket bought with the purchase info is live in every stakepoold",
        );

        const selected = yield* mineUntilSelected(web.sim, ticket, caughtUp);
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
