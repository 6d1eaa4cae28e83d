import assert from "node:assert/strict";
import { runHcpool as hcpool } from "../support/hcpool.ts";
import { Either } from "effect";
import { toHex } from "../../src/domain/bytes.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { buildTicket, buildVote, type Commitment } from "../../src/domain/stake.ts";
import { txid, txToHex } from "../../src/domain/tx.ts";
import { voteBitsExtended } from "../../src/domain/votebits.ts";
import txVectors from "../vectors/tx.json" with { type: "json" };
import feeVectors from "../vectors/hc-poolfee.json" with { type: "json" };

const json = async (...args: string[]) => {
  const r = await hcpool(...args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

const assertOneLineError = async (args: string[], pattern: RegExp) => {
  const r = await hcpool(...args);
  assert.equal(r.code, 1, args.join(" "));
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
};

const fee: Commitment = {
  hash160: new Uint8Array(20).fill(0x11),
  isP2SH: false,
  sigType: 0,
  amount: 3000n,
  feeLimits: 0x5800,
};
const user: Commitment = {
  hash160: new Uint8Array(20).fill(0x22),
  isP2SH: true,
  sigType: 0,
  amount: 20_000n,
  feeLimits: 0x5800,
};
const ticket = buildTicket({
  inputs: [fee, user].map((c, k) => ({
    prevHash: new Uint8Array(32).fill(k + 1),
    prevIndex: 0,
    tree: 0,
    sequence: 0xffffffff,
    valueIn: c.amount,
    blockHeight: 7,
    blockIndex: 1,
    sigScript: new Uint8Array(),
  })),
  votingDest: { kind: "scripthash", hash160: new Uint8Array(20).fill(0x33) },
  price: 22_000n,
  commitments: [fee, user],
});

Deno.test("hcpool tx: a regular transaction (multiTx vector) with inputs and outputs", async () => {
  const out = await json("tx", txVectors.multiTx_encodings.multiTxEncoded);
  assert.equal(out.type, "regular");
  assert.equal(out.serType, "full");
  assert.equal(out.inputs.length, 1);
  assert.equal(out.inputs[0].prevIndex, 0xffffffff);
  assert.equal(out.inputs[0].sigScript, "0431dc001b0162");
  assert.deepEqual(out.outputs.map((o: { value: number }) => o.value), [5000000000, 100000000]);
  assert.equal(out.ticket, undefined);
});

Deno.test("hcpool tx: a ticket shows its voting destination, price and commitments", async () => {
  const out = await json("tx", txToHex(ticket));
  assert.equal(out.txid, txid(ticket));
  assert.equal(out.type, "ticket");
  assert.equal(out.outputs[0].class, "stakesubmission");
  assert.deepEqual(out.ticket, {
    votingDest: { kind: "scripthash", hash160: "33".repeat(20) },
    price: 22000,
    commitments: [
      { hash160: "11".repeat(20), isP2SH: false, sigType: 0, amount: 3000, feeLimits: 0x5800 },
      { hash160: "22".repeat(20), isP2SH: true, sigType: 0, amount: 20000, feeLimits: 0x5800 },
    ],
  });
});

Deno.test("hcpool tx: a vote shows the block voted on, bits, version and payouts", async () => {
  const blockHash = "00".repeat(31) + "ab";
  const vote = Either.getOrThrow(
    buildVote({
      ticket,
      blockHash,
      blockHeight: 200,
      voteBits: 5,
      voteBitsExt: voteBitsExtended(7),
      voteSubsidy: 1000n,
      net: NETWORKS.simnet,
    }),
  );
  const out = await json("tx", txToHex(vote));
  assert.equal(out.type, "vote");
  assert.equal(out.inputs[0].sigScript, toHex(NETWORKS.simnet.stakeBaseSigScript));
  assert.equal(out.vote.ticketHash, txid(ticket));
  assert.equal(out.vote.blockHash, blockHash);
  assert.equal(out.vote.blockHeight, 200);
  assert.equal(out.vote.voteBits, 5);
  assert.equal(out.vote.voteVersion, 7);
  assert.equal(out.vote.extendedBits, "07000000");
  // Price 22000 + subsidy 1000 = 23000 atoms, shared 3000:20000 as committed.
  assert.deepEqual(out.vote.payouts, [
    { kind: "pubkeyhash", hash160: "11".repeat(20), amount: 3000 },
    { kind: "scripthash", hash160: "22".repeat(20), amount: 20000 },
  ]);
});

Deno.test("hcpool subsidy and poolfee print the hc-poolfee.json values", async () => {
  const s = feeVectors.subsidy.find((v) => v.net === "testnet2" && v.height === 100000)!;
  assert.deepEqual(await json("subsidy", "--net", s.net, String(s.height)), {
    block: s.blockSubsidy,
    stakeVote: s.stakeVoteSubsidy,
  });
  const f = feeVectors.poolfee.find((v) => v.net === "simnet" && v.poolFeePercent === 2.59)!;
  assert.deepEqual(
    await json(
      "poolfee",
      "--net",
      f.net,
      String(f.stakeDiff),
      String(f.relayFee),
      String(f.height),
      String(f.poolFeePercent),
    ),
    { fee: f.fee },
  );
});

Deno.test("hcpool tx/subsidy/poolfee: bad input is one line on stderr and exit 1", async () => {
  await Promise.all([
    assertOneLineError(["tx"], /^hcpool tx: usage/),
    assertOneLineError(["tx", "0102"], /^hcpool tx: malformed transaction/),
    assertOneLineError(["tx", "xyz"], /^hcpool tx: invalid hex/),
    assertOneLineError(["subsidy", "100"], /^hcpool subsidy: usage/),
    assertOneLineError(["subsidy", "--net", "decred", "100"], /unknown network/),
    assertOneLineError(["subsidy", "--net", "simnet", "-5"], /^hcpool subsidy: /),
    assertOneLineError(["subsidy", "--net", "simnet", "12x"], /height must be an integer/),
    assertOneLineError(["poolfee", "--net", "simnet", "1", "2", "3"], /^hcpool poolfee: usage/),
    assertOneLineError(["poolfee", "--net", "simnet", "1", "2", "3", "100.5"], /pool fee must be/),
    assertOneLineError(["poolfee", "--net", "simnet", "1.5", "2", "3", "1"], /stakeDiff must be/),
  ]);
});
