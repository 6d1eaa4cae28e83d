import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { encodeAddress } from "../../src/domain/address.ts";
import { fromHex, toHex } from "../../src/domain/bytes.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import {
  buildRevocation,
  buildTicket,
  buildVote,
  calculateRewards,
  type Commitment,
  commitmentAddress,
  commitmentScript,
  DEFAULT_TICKET_FEE_LIMITS,
  parseCommitment,
  parseRevocation,
  parseTicket,
  parseVote,
  txType,
} from "../../src/domain/stake.ts";
import { deserializeTx, type MsgTx, serializeTx, txid, type TxIn } from "../../src/domain/tx.ts";
import { voteBitsExtended } from "../../src/domain/votebits.ts";

const hex = (s: string) => Either.getOrThrow(fromHex(s));
const h160 = (byte: number) => new Uint8Array(20).fill(byte);

const input = (byte: number, valueIn: bigint): TxIn => ({
  prevHash: new Uint8Array(32).fill(byte),
  prevIndex: 1,
  tree: 0,
  sequence: 0xffffffff,
  valueIn,
  blockHeight: 100,
  blockIndex: 2,
  sigScript: Uint8Array.of(0x51),
});

// A pool ticket as hcwallet makeTicket writes it: pool fee commitment (P2PKH), then the user's (P2SH).
const poolFee: Commitment = {
  hash160: h160(0x11),
  isP2SH: false,
  sigType: 0,
  amount: 1_000_000n,
  feeLimits: 0x5800,
};
const user: Commitment = {
  hash160: h160(0x22),
  isP2SH: true,
  sigType: 0,
  amount: 2_001_000_000n,
  feeLimits: 0x5800,
};
const votingDest = { kind: "scripthash" as const, hash160: h160(0x33) };
const ticketTx = buildTicket({
  inputs: [input(1, poolFee.amount), input(2, user.amount)],
  votingDest,
  price: 2_000_000_000n,
  commitments: [poolFee, user],
  expiry: 500,
});

Deno.test("commitment bytes follow HC's 31-byte layout (§5.2): hash, sigType, amount with P2SH bit, limits", () => {
  const script = commitmentScript({ ...user, amount: 0x0102030405060708n });
  assert.equal(toHex(script), "6a1f" + "22".repeat(20) + "00" + "0807060504030281" + "0058");
  const bliss = commitmentScript({
    hash160: h160(0xaa),
    isP2SH: false,
    sigType: 4,
    amount: 5n,
    feeLimits: 0x5800,
  });
  assert.equal(toHex(bliss), "6a1f" + "aa".repeat(20) + "04" + "0500000000000000" + "0058");
  assert.deepEqual(Either.getOrThrow(parseCommitment(bliss)), {
    hash160: h160(0xaa),
    isP2SH: false,
    sigType: 4,
    amount: 5n,
    feeLimits: 0x5800,
  });
  // Decred's 30-byte commitment (no sigType byte) is not an HC commitment.
  assert.ok(Either.isLeft(parseCommitment(hex("6a1e" + "22".repeat(20) + "0807060504030281" + "0058"))));
  assert.ok(Either.isLeft(parseCommitment(hex("6a"))));
});

Deno.test("commitment address: P2SH when flagged, else secp256k1 P2PKH whatever the sigType", () => {
  const net = NETWORKS.testnet2;
  const p2sh = commitmentAddress(net, user);
  assert.equal(p2sh.kind, "scripthash");
  assert.ok(encodeAddress(p2sh).startsWith("Tc"));
  const bliss = commitmentAddress(net, { ...poolFee, sigType: 4 });
  assert.equal(bliss.kind === "pubkeyhash" && bliss.sigType, "secp256k1");
  assert.ok(encodeAddress(bliss).startsWith("Ts"));
});

Deno.test("buildTicket writes hcwallet's layout and parses back with the same fields", () => {
  assert.equal(ticketTx.outputs.length, 5);
  assert.equal(toHex(ticketTx.outputs[0].pkScript), "baa914" + "33".repeat(20) + "87");
  for (const k of [2, 4]) {
    assert.equal(toHex(ticketTx.outputs[k].pkScript), "bd76a914" + "00".repeat(20) + "8800be");
    assert.equal(ticketTx.outputs[k].value, 0n);
  }
  const back = Either.getOrThrow(deserializeTx(serializeTx(ticketTx)));
  assert.equal(txType(back), "ticket");
  const t = Either.getOrThrow(parseTicket(back));
  assert.deepEqual(t.votingDest, votingDest);
  assert.equal(t.price, 2_000_000_000n);
  assert.deepEqual(t.commitments, [poolFee, user]);
  assert.equal(t.changes.length, 2);
  assert.equal(back.expiry, 500);
  assert.equal(DEFAULT_TICKET_FEE_LIMITS, 0x5800);
});

Deno.test("parseTicket refuses wrong output counts, a plain first output and a non-commitment", () => {
  const bad: MsgTx[] = [
    { ...ticketTx, outputs: ticketTx.outputs.slice(0, 3) },
    {
      ...ticketTx,
      outputs: [
        { ...ticketTx.outputs[0], pkScript: hex("a914" + "33".repeat(20) + "87") },
        ...ticketTx.outputs.slice(1),
      ],
    },
    { ...ticketTx, outputs: ticketTx.outputs.map((o, k) => k === 1 ? { ...o, pkScript: hex("6a00") } : o) },
    { ...ticketTx, outputs: ticketTx.outputs.map((o, k) => k === 0 ? { ...o, version: 1 } : o) },
    { ...ticketTx, inputs: [] },
  ];
  for (const tx of bad) {
    const r = parseTicket(tx);
    assert.ok(Either.isLeft(r) && r.left._tag === "StakeError");
    assert.equal(txType(tx), "regular");
  }
});

Deno.test("calculateRewards splits price + subsidy pro rata to the commitments, rounding down", () => {
  // 42.4e6 shared 21:11:10 → 21.2e6 exactly, 11104761.9…, 10095238.09…
  assert.deepEqual(
    calculateRewards([21000000n, 11000000n, 10000000n], 42000000n, 400000n),
    [21200000n, 11104761n, 10095238n],
  );
  assert.deepEqual(calculateRewards([0n], 5n, 0n), [0n]);
});

const blockHash = "000000000000437482b6d47f82f374cde539440ddb108b0a76886f0d87d126b9";

Deno.test("buildVote writes HC's vote layout and parses back with the given bits, version, block and payouts", () => {
  const net = NETWORKS.simnet;
  const subsidy = 38_400_000n;
  const vote = Either.getOrThrow(
    buildVote({
      ticket: ticketTx,
      blockHash,
      blockHeight: 4321,
      voteBits: 0x0005,
      voteBitsExt: voteBitsExtended(7),
      voteSubsidy: subsidy,
      net,
    }),
  );
  assert.equal(toHex(vote.inputs[0].sigScript), "deadbeef");
  assert.equal(vote.inputs[0].valueIn, subsidy);
  assert.equal(
    toHex(vote.outputs[0].pkScript),
    "6a24" + toHex(hex(blockHash).reverse()) + "e1100000",
  );
  assert.equal(toHex(vote.outputs[1].pkScript), "6a06" + "0500" + "07000000");
  const back = Either.getOrThrow(deserializeTx(serializeTx(vote)));
  assert.equal(txType(back), "vote");
  const v = Either.getOrThrow(parseVote(back));
  const expected = calculateRewards([poolFee.amount, user.amount], 2_000_000_000n, subsidy);
  assert.deepEqual(v, {
    ticketHash: txid(ticketTx),
    blockHash,
    blockHeight: 4321,
    voteBits: 5,
    voteVersion: 7,
    extendedBits: Uint8Array.of(7, 0, 0, 0),
    payouts: [
      { dest: { kind: "pubkeyhash", hash160: poolFee.hash160 }, amount: expected[0] },
      { dest: { kind: "scripthash", hash160: user.hash160 }, amount: expected[1] },
    ],
  });
  // The payouts return the price plus the subsidy, less rounding.
  const paid = v.payouts.reduce((a, p) => a + p.amount, 0n);
  assert.ok(paid <= 2_000_000_000n + subsidy && paid >= 2_000_000_000n + subsidy - 2n);
  // Deterministic: the same inputs give the same bytes.
  const again = buildVote({
    ticket: ticketTx,
    blockHash,
    blockHeight: 4321,
    voteBits: 5,
    voteBitsExt: voteBitsExtended(7),
    voteSubsidy: subsidy,
    net,
  });
  assert.deepEqual(serializeTx(Either.getOrThrow(again)), serializeTx(vote));
});

Deno.test("buildVote refuses a non-ticket, a bad block hash, oversized extended bits and bits beyond 16", () => {
  const base = {
    ticket: ticketTx,
    blockHash,
    blockHeight: 1,
    voteBits: 1,
    voteBitsExt: voteBitsExtended(7),
    voteSubsidy: 1n,
    net: NETWORKS.testnet2,
  };
  for (
    const args of [
      { ...base, ticket: { ...ticketTx, inputs: [] } },
      { ...base, blockHash: "xyz" },
      { ...base, voteBitsExt: new Uint8Array(74) },
      { ...base, voteBits: 0x10000 },
    ]
  ) assert.ok(Either.isLeft(buildVote(args)));
  // A vote without extended bits has version 0 (SSGenVersion).
  const v = Either.getOrThrow(buildVote({ ...base, voteBitsExt: new Uint8Array() }));
  assert.equal(Either.getOrThrow(parseVote(v)).voteVersion, 0);
});

Deno.test("buildRevocation returns the price to the committers and parses back", () => {
  const rev = Either.getOrThrow(buildRevocation(ticketTx));
  assert.equal(toHex(rev.outputs[0].pkScript), "bc76a914" + "11".repeat(20) + "88ac");
  assert.equal(toHex(rev.outputs[1].pkScript), "bca914" + "22".repeat(20) + "87");
  const back = Either.getOrThrow(deserializeTx(serializeTx(rev)));
  assert.equal(txType(back), "revocation");
  const r = Either.getOrThrow(parseRevocation(back));
  assert.equal(r.ticketHash, txid(ticketTx));
  assert.deepEqual(
    r.payouts.map((p) => p.amount),
    calculateRewards([poolFee.amount, user.amount], 2_000_000_000n, 0n),
  );
  assert.ok(Either.isLeft(parseVote(rev)));
  assert.ok(Either.isLeft(parseRevocation(ticketTx)));
});

Deno.test("property: random transactions and mutated stake txs give a StakeError, never an exception", () => {
  const stakeScript = fc.oneof(
    fc.uint8Array({ maxLength: 60 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Uint8Array.of(0x6a, b.length, ...b)),
    fc.constantFrom(
      ...[ticketTx, Either.getOrThrow(buildRevocation(ticketTx))].flatMap((t) =>
        t.outputs.map((o) => o.pkScript)
      ),
    ),
  );
  const txArb = fc.record({
    version: fc.constant(1),
    inputs: fc.array(
      fc.record({
        prevHash: fc.uint8Array({ maxLength: 32 }),
        prevIndex: fc.constantFrom(0, 1, 0xffffffff),
        tree: fc.constantFrom(0, 1),
        sequence: fc.constant(0),
        valueIn: fc.constant(0n),
        blockHeight: fc.constant(0),
        blockIndex: fc.constant(0),
        sigScript: fc.uint8Array({ maxLength: 4 }),
      }),
      { maxLength: 3 },
    ),
    outputs: fc.array(
      fc.record({
        value: fc.bigInt({ min: 0n, max: 10n ** 10n }),
        version: fc.constantFrom(0, 1),
        pkScript: stakeScript,
      }),
      { maxLength: 7 },
    ),
    lockTime: fc.constant(0),
    expiry: fc.constant(0),
  });
  const isStakeError = (r: Either.Either<unknown, { _tag: string }>) =>
    Either.isRight(r) || r.left._tag === "StakeError";
  fc.assert(
    fc.property(txArb, (tx) => {
      assert.ok(isStakeError(parseTicket(tx)));
      assert.ok(isStakeError(parseVote(tx)));
      assert.ok(isStakeError(parseRevocation(tx)));
      txType(tx);
    }),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      assert.ok(isStakeError(parseCommitment(bytes)));
      const tx = deserializeTx(bytes);
      if (Either.isRight(tx)) {
        assert.ok(isStakeError(parseTicket(tx.right)));
        assert.ok(isStakeError(parseVote(tx.right)));
      }
    }),
    { numRuns: 2000 },
  );
});
