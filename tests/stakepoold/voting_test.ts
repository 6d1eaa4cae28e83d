import assert from "node:assert/strict";
import { HashMap } from "effect";
import { encodeAddress } from "../../src/domain/address.ts";
import { toHex } from "../../src/domain/bytes.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { stakePoolTicketFee } from "../../src/domain/poolfee.ts";
import type { StakeDest } from "../../src/domain/script.ts";
import { buildTicket } from "../../src/domain/stake.ts";
import type { TxIn } from "../../src/domain/tx.ts";
import {
  addedReplaced,
  claimWinners,
  classifyTicket,
  emptyTicketSet,
  emptyVoteClaims,
  missedOrExpired,
  type PoolTicket,
  releaseClaim,
  ticketSeen,
  ticketsGone,
  ticketsIn,
  ticketsRescanned,
  ticketState,
  VOTE_CLAIM_DEPTH,
  voteBitsFor,
  voteRefusal,
} from "../../src/domain/voting.ts";

const net = NETWORKS.simnet;
const defaults = { voteBits: 1, voteBitsExtended: "07000000", voteVersion: 7 };
const user = (VoteBits: number, VoteBitsVersion: number) => ({
  UserId: 1,
  MultiSigAddress: "Sc-user",
  VoteBits,
  VoteBitsVersion,
});

Deno.test("voteBitsFor: the owner's valid bits for the wallet's vote version", () => {
  assert.deepEqual(voteBitsFor(user(5, 7), defaults, net), { voteBits: 5, source: "user" });
  assert.deepEqual(voteBitsFor(user(3, 7), defaults, net), { voteBits: 3, source: "user" });
});

Deno.test("voteBitsFor: the wallet default when the version differs, the bits are invalid or no owner is known", () => {
  assert.deepEqual(voteBitsFor(user(5, 6), defaults, net), { voteBits: 1, source: "default" });
  // 0x0007: both agenda choice bits set, not a choice of maxblocksize.
  assert.deepEqual(voteBitsFor(user(7, 7), defaults, net), { voteBits: 1, source: "default" });
  // Block not approved.
  assert.deepEqual(voteBitsFor(user(4, 7), defaults, net), { voteBits: 1, source: "default" });
  assert.deepEqual(voteBitsFor(undefined, defaults, net), { voteBits: 1, source: "default" });
  // The wallet default is whatever walletinfo says, even with bits a user could not pick.
  assert.deepEqual(voteBitsFor(undefined, { ...defaults, voteBits: 0x8001 }, net), {
    voteBits: 0x8001,
    source: "default",
  });
});

// ---- classification against the HC fee rule ----

const feeHash = new Uint8Array(20).fill(0xfe);
const multisigHash = new Uint8Array(20).fill(0x5c);
const multisigAddress = encodeAddress({ kind: "scripthash", net, hash160: multisigHash });
const price = 2_000_000_000n;
const height = 200;
const relayFee = 10_000n;
const input: TxIn = {
  prevHash: new Uint8Array(32).fill(1),
  prevIndex: 0,
  tree: 0,
  sequence: 0xffffffff,
  valueIn: 0n,
  blockHeight: 0,
  blockIndex: 0,
  sigScript: new Uint8Array(),
};
const ticketPaying = (
  feePaid: bigint,
  votingDest: StakeDest = { kind: "scripthash", hash160: multisigHash },
  feeSigType = 0,
) =>
  buildTicket({
    inputs: [input, input],
    votingDest,
    price,
    commitments: [
      { hash160: feeHash, isP2SH: false, sigType: feeSigType, amount: feePaid, feeLimits: 0x5800 },
      {
        hash160: multisigHash,
        isP2SH: true,
        sigType: 0,
        amount: price + relayFee - feePaid,
        feeLimits: 0x5800,
      },
    ],
  });
const feeNeeded = stakePoolTicketFee(net, price, relayFee, height, 5);
const classify = (tx = ticketPaying(feeNeeded), isUserAddress = (a: string) => a === multisigAddress) =>
  classifyTicket({
    net,
    hash: "aa".repeat(32),
    tx,
    height,
    poolFeePercent: 5,
    isFeeAddress: (h) => h === toHex(feeHash),
    isUserAddress,
  });

Deno.test("classifyTicket: a user's ticket paying the pool fee is a pool ticket with its fee paid", () => {
  const c = classify();
  assert.equal(c._tag, "pool");
  assert.ok(c._tag === "pool" && c.ticket.feeOk && c.ticket.address === multisigAddress);
});

Deno.test("classifyTicket: one atom short of the pool fee is a low-fee pool ticket", () => {
  const c = classify(ticketPaying(feeNeeded - 1n));
  assert.ok(c._tag === "pool" && !c.ticket.feeOk && c.ticket.feeProblem.includes("required"));
});

Deno.test("classifyTicket: a BLISS or Edwards fee commitment paying the full fee is a low-fee pool ticket, with the reason", () => {
  for (const sigType of [4, 1]) {
    const c = classify(ticketPaying(feeNeeded * 2n, undefined, sigType));
    assert.ok(c._tag === "pool" && !c.ticket.feeOk, String(sigType));
    assert.match(c.ticket.feeProblem, new RegExp(`signature type ${sigType} .*not 0 \\(secp256k1\\)`));
  }
  const secp = classify(ticketPaying(feeNeeded * 2n, undefined, 0));
  assert.ok(secp._tag === "pool" && secp.ticket.feeOk);
});

Deno.test("classifyTicket: tickets of unknown multisigs and of key addresses are skipped", () => {
  assert.equal(classify(undefined, () => false)._tag, "skipped");
  const keyTicket = ticketPaying(feeNeeded, { kind: "pubkeyhash", hash160: multisigHash });
  assert.equal(classify(keyTicket)._tag, "skipped");
});

// ---- the ticket set ----

const poolTicket = (n: number, feeOk: boolean, h = 100): PoolTicket => ({
  hash: n.toString(16).padStart(64, "0"),
  address: "Sc-owner",
  height: h,
  feeOk,
  feeProblem: feeOk ? "" : "too low",
});
const paid = poolTicket(1, true);
const low = poolTicket(2, false);

Deno.test("ticketSeen: fee paid → live, low fee → ignored (not live, unlike the original)", () => {
  const a = ticketSeen(emptyTicketSet, paid);
  assert.deepEqual(a.changes, [{ ticket: paid, state: "live" }]);
  const b = ticketSeen(a.set, low);
  assert.deepEqual(b.changes, [{ ticket: low, state: "ignored" }]);
  assert.equal(ticketState(b.set, paid.hash), "live");
  assert.equal(ticketState(b.set, low.hash), "ignored");
  assert.equal(ticketState(b.set, "ff".repeat(32)), undefined);
  // Seeing a ticket again changes nothing.
  assert.deepEqual(ticketSeen(b.set, low).changes, []);
});

Deno.test("addedReplaced: an added low-fee ticket becomes live; removed again it is ignored and not voted", () => {
  const seen = ticketSeen(ticketSeen(emptyTicketSet, paid).set, low).set;
  const added = addedReplaced(seen, [{ hash: low.hash, address: low.address }]);
  assert.deepEqual(added.changes, [{ ticket: low, state: "live" }]);
  assert.deepEqual(ticketsIn(added.set, "live").map((t) => t.hash).sort(), [paid.hash, low.hash].sort());
  const removed = addedReplaced(added.set, []);
  assert.deepEqual(removed.changes, [{ ticket: low, state: "ignored" }]);
  assert.equal(ticketState(removed.set, low.hash), "ignored");
  assert.deepEqual(ticketsIn(removed.set, "live"), [paid]);
});

Deno.test("addedReplaced: a ticket added before it is seen is live as soon as it is seen", () => {
  const added = addedReplaced(emptyTicketSet, [{ hash: low.hash, address: low.address }]);
  assert.deepEqual(added.changes, []);
  assert.deepEqual(ticketSeen(added.set, low).changes, [{ ticket: low, state: "live" }]);
});

Deno.test("ticketsGone: spent or missed tickets leave the set; unknown hashes are ignored", () => {
  const set = ticketSeen(ticketSeen(emptyTicketSet, paid).set, low).set;
  const r = ticketsGone(set, [paid.hash, "ee".repeat(32)]);
  assert.deepEqual(r.gone, [paid]);
  assert.equal(ticketState(r.set, paid.hash), undefined);
  assert.equal(ticketState(r.set, low.hash), "ignored");
  assert.equal(ticketsGone(r.set, ["ee".repeat(32)]).set, r.set);
});

Deno.test("ticketsRescanned: the wallet scan is the truth, except tickets of the last block the wallet may lag on", () => {
  const old = poolTicket(3, true, 50);
  const fresh = poolTicket(4, true, 199);
  const set = [paid, old, fresh].reduce((s, t) => ticketSeen(s, t).set, emptyTicketSet);
  const found = poolTicket(5, false, 120);
  const r = ticketsRescanned(set, [paid, found], 200, []);
  assert.deepEqual([...HashMap.keys(r.set.tickets)].sort(), [paid.hash, found.hash, fresh.hash].sort());
  assert.deepEqual(r.disappeared, [old]);
  assert.deepEqual(r.changes, [{ ticket: found, state: "ignored" }]);
});

Deno.test("ticketsRescanned: a ticket the wallet listed but that could not be looked up stays, it is not spent", () => {
  const old = poolTicket(3, true, 50);
  const set = [paid, old].reduce((s, t) => ticketSeen(s, t).set, emptyTicketSet);
  const r = ticketsRescanned(set, [paid], 200, [old.hash, "ee".repeat(32)]);
  assert.deepEqual([...HashMap.keys(r.set.tickets)].sort(), [paid.hash, old.hash].sort());
  assert.deepEqual(r.disappeared, []);
  assert.deepEqual(r.changes, []);
});

Deno.test("missedOrExpired: a ticket leaving after TicketExpiry blocks expired, earlier it missed", () => {
  assert.equal(missedOrExpired(net, poolTicket(1, true, 100), 100 + net.ticketExpiry), "expired");
  assert.equal(missedOrExpired(net, poolTicket(1, true, 100), 100 + net.ticketExpiry - 1), "missed");
});

// ---- one vote per ticket and block ----

Deno.test("claimWinners: a block's winners announced again are not claimed twice; a released claim can be taken again", () => {
  const first = claimWinners(emptyVoteClaims, "b100", 100, ["t1", "t2", "t1"]);
  assert.deepEqual(first.claimed, ["t1", "t2"]);
  const again = claimWinners(first.claims, "b100", 100, ["t1", "t2", "t3"]);
  assert.deepEqual(again.claimed, ["t3"]);
  // The same tickets drawn by a sibling block (a reorganization) vote on that block too.
  assert.deepEqual(claimWinners(again.claims, "b100'", 100, ["t1"]).claimed, ["t1"]);
  const released = releaseClaim(again.claims, "b100", "t2");
  assert.deepEqual(claimWinners(released, "b100", 100, ["t1", "t2"]).claimed, ["t2"]);
  assert.equal(releaseClaim(released, "b999", "t2"), released);
});

Deno.test("claimWinners: blocks VOTE_CLAIM_DEPTH below the newest are forgotten, and their late announcements not voted", () => {
  let claims = emptyVoteClaims;
  for (let h = 100; h < 100 + 2 * VOTE_CLAIM_DEPTH; h++) {
    claims = claimWinners(claims, `b${h}`, h, ["t"]).claims;
  }
  const newest = 100 + 2 * VOTE_CLAIM_DEPTH - 1;
  assert.deepEqual(
    [...claims.keys()],
    Array.from({ length: VOTE_CLAIM_DEPTH }, (_, i) => `b${newest - VOTE_CLAIM_DEPTH + 1 + i}`),
  );
  assert.deepEqual(claimWinners(claims, "b100", 100, ["u"]).claimed, []);
});

// ---- hcd's refusals of a vote ----

Deno.test("voteRefusal: the real hcd's texts — identical vote in the mempool or mined: duplicate; ticket spent by another vote: spent-elsewhere", () => {
  // As the real hcd 27c7ab1 answered stakepoold's votes on simnet (stakepoold logs of that run).
  const vote = "c49b05a42a0efb0e4054c652af54a5d30ab2bc7eee1e596211fb8d3b852fd41b";
  const ticket = "20d6ec2eb2100edc00f1b7188045187389dea0e22cf36059fb06481d66f76d4d";
  assert.equal(
    voteRefusal(`Rejected transaction ${vote}: already have transaction ${vote}`, ticket),
    "duplicate",
  );
  assert.equal(voteRefusal(`Rejected transaction ${vote}: transaction already exists`, ticket), "duplicate");
  const orphan = `Rejected transaction ${vote}: orphan transaction ${vote} references outputs of unknown ` +
    `or fully-spent transaction ${ticket}`;
  assert.equal(voteRefusal(orphan, ticket), "spent-elsewhere");
  // An orphan of another transaction than the ticket is not explained by a vote spending it.
  assert.equal(voteRefusal(orphan, "ab".repeat(32)), "failed");
  assert.equal(voteRefusal("not exist", ticket), "failed");
  assert.equal(
    voteRefusal(
      `Rejected transaction ${vote}: transaction ${vote} votes on old block height of 100 which is before the current cutoff height of 102`,
      ticket,
    ),
    "failed",
  );
});
