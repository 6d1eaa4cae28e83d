import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { fromHex, toHex } from "../../src/domain/bytes.ts";
import {
  deserializeTx,
  hashFromDisplayHex,
  type MsgTx,
  serializeTx,
  type SerType,
  txFromHex,
  txHash,
  txid,
  txToHex,
} from "../../src/domain/tx.ts";
import vectors from "../vectors/tx.json" with { type: "json" };

const hex = (s: string) => Either.getOrThrow(fromHex(s));

Deno.test("TestTxHash: txid is BLAKE-256 of the prefix serialization, displayed reversed", () => {
  const v = vectors.TestTxHash.tx;
  const tx: MsgTx = {
    version: v.version,
    lockTime: v.locktime,
    expiry: v.expiry,
    inputs: v.txin.map((i) => ({
      prevHash: hex(i.prev_hash),
      prevIndex: i.prev_index,
      tree: i.tree,
      sequence: i.sequence,
      valueIn: BigInt(i.valuein),
      blockHeight: Number(i.blockheight),
      blockIndex: Number(i.blockindex),
      sigScript: hex(i.sigscript_hex),
    })),
    outputs: v.txout.map((o) => ({
      value: BigInt(o.value),
      version: Number(o.version),
      pkScript: hex(o.pkscript_hex),
    })),
  };
  assert.equal(txid(tx), vectors.TestTxHash.expected_txhash);
  assert.deepEqual(
    txHash(tx),
    Either.getOrThrow(hashFromDisplayHex(vectors.TestTxHash.expected_txhash)),
  );
  // The witness does not change the txid.
  const other = { ...tx, inputs: tx.inputs.map((i) => ({ ...i, sigScript: new Uint8Array(), valueIn: 1n })) };
  assert.equal(txid(other), vectors.TestTxHash.expected_txhash);
});

const encodings: ReadonlyArray<[SerType, string]> = [
  ["full", vectors.multiTx_encodings.multiTxEncoded],
  ["noWitness", vectors.multiTx_encodings.multiTxPrefixEncoded],
  ["onlyWitness", vectors.multiTx_encodings.multiTxWitnessEncoded],
  ["witnessSigning", vectors.multiTx_encodings.multiTxWitnessSigningEncoded],
  ["witnessValueSigning", vectors.multiTx_encodings.multiTxWitnessValueSigningEncoded],
];

for (const [ser, encoded] of encodings) {
  Deno.test(`multiTx ${ser} encoding decodes and re-encodes byte for byte`, () => {
    const tx = Either.getOrThrow(txFromHex(encoded));
    assert.equal(tx.serType, ser);
    assert.equal(toHex(serializeTx(tx, ser)), encoded);
  });
}

Deno.test("multiTx full decode carries prefix and witness fields", () => {
  const tx = Either.getOrThrow(txFromHex(vectors.multiTx_encodings.multiTxEncoded));
  assert.equal(tx.version, 1);
  assert.equal(tx.inputs.length, 1);
  assert.equal(tx.inputs[0].prevIndex, 0xffffffff);
  assert.equal(tx.inputs[0].valueIn, 0x1212121212121212n);
  assert.equal(tx.inputs[0].blockHeight, 0x15151515);
  assert.equal(tx.inputs[0].blockIndex, 0x34343434);
  assert.deepEqual(tx.outputs.map((o) => [o.value, o.version]), [[0x12a05f200n, 0xabab], [
    0x5f5e100n,
    0xbcbc,
  ]]);
  // Every serialization type derives from the full one.
  for (const [ser, encoded] of encodings) assert.equal(toHex(serializeTx(tx, ser)), encoded);
  assert.equal(txToHex(tx), vectors.multiTx_encodings.multiTxEncoded);
});

Deno.test("decoder refuses truncation, trailing bytes, unknown ser type, non-canonical varints", () => {
  const full = vectors.multiTx_encodings.multiTxEncoded;
  const bad = [
    full.slice(0, -2),
    full + "00",
    "01000500" + full.slice(8),
    "01000100fd010000000000000000",
    "",
  ];
  for (const h of bad) {
    const r = txFromHex(h);
    assert.ok(Either.isLeft(r), h);
    assert.equal(r.left._tag, "TxDecodeError");
  }
  assert.ok(Either.isLeft(hashFromDisplayHex("00")));
  assert.ok(Either.isLeft(hashFromDisplayHex("zz".repeat(32))));
});

const bytesArb = (max: number) => fc.uint8Array({ maxLength: max });
const txInArb = fc.record({
  prevHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  prevIndex: fc.nat({ max: 0xffffffff }),
  tree: fc.integer({ min: 0, max: 255 }),
  sequence: fc.nat({ max: 0xffffffff }),
  valueIn: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  blockHeight: fc.nat({ max: 0xffffffff }),
  blockIndex: fc.nat({ max: 0xffffffff }),
  sigScript: bytesArb(300),
});
const txOutArb = fc.record({
  value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  version: fc.nat({ max: 0xffff }),
  pkScript: bytesArb(300),
});
const msgTxArb: fc.Arbitrary<MsgTx> = fc.record({
  version: fc.nat({ max: 0xffff }),
  inputs: fc.array(txInArb, { maxLength: 5 }),
  outputs: fc.array(txOutArb, { maxLength: 300 }),
  lockTime: fc.nat({ max: 0xffffffff }),
  expiry: fc.nat({ max: 0xffffffff }),
});

Deno.test("property: deserialize ∘ serialize is the identity for full serializations", () => {
  fc.assert(
    fc.property(msgTxArb, (tx) => {
      const back = Either.getOrThrow(deserializeTx(serializeTx(tx)));
      const { serType, ...rest } = back;
      assert.equal(serType, "full");
      assert.deepEqual(rest, tx);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: every serialization type re-encodes to the same bytes", () => {
  fc.assert(
    fc.property(msgTxArb, fc.constantFrom(...encodings.map(([s]) => s)), (tx, ser) => {
      const bytes = serializeTx(tx, ser);
      const back = Either.getOrThrow(deserializeTx(bytes));
      assert.equal(back.serType, ser);
      assert.deepEqual(serializeTx(back, ser), bytes);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: random bytes give a TxDecodeError or a tx, never an exception", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const r = deserializeTx(bytes);
      if (Either.isLeft(r)) assert.equal(r.left._tag, "TxDecodeError");
    }),
    { numRuns: 2000 },
  );
  // Mutations of a valid tx probe deeper paths than purely random bytes.
  const valid = serializeTx(Either.getOrThrow(txFromHex(vectors.multiTx_encodings.multiTxEncoded)));
  fc.assert(
    fc.property(
      fc.nat({ max: valid.length - 1 }),
      fc.integer({ min: 0, max: 255 }),
      fc.nat({ max: valid.length }),
      (at, b, cut) => {
        const m = valid.slice(0, cut);
        if (at < m.length) m[at] = b;
        const r = deserializeTx(m);
        if (Either.isLeft(r)) assert.equal(r.left._tag, "TxDecodeError");
      },
    ),
    { numRuns: 2000 },
  );
});
