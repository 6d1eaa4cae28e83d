import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { fromHex, reversedHex, toHex } from "../../src/domain/bytes.ts";
import {
  BLOCK_HEADER_SIZE,
  blockHash,
  deserializeBlockHeader,
  serializeBlockHeader,
} from "../../src/domain/block.ts";

const hex = (s: string) => Either.getOrThrow(fromHex(s));

// hcd wire/blockheader_test.go TestBlockHeaderHashing: header bytes and their hash in internal order.
const HASHING_HEADER = "0000000049e0b48ade043f729d60095ed92642d96096fe6aba42f2eda" +
  "632d461591a152267dc840ff27602ce1968a81eb30a43423517207617a0150b56c4f72" +
  "b803e497f00000000000000000000000000000000000000000000000000000000000000" +
  "00010000000000000000000000b7000000ffff7f20204e0000000000005800000060010" +
  "0008b990956000000000000000000000000000000000000000000000000000000000000" +
  "0000000000000000ABCD";
const HASHING_HASH_INTERNAL = "0d40d58703482d81d711be0ffc1b313788d3c3937e1617e4876661d33a8c4c41";

// hcd wire/blockheader_test.go TestBlockHeaderWire: baseBlockHdr and its encoding.
const WIRE_ENCODED = "01000000" +
  "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000" +
  "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a" +
  "3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a" +
  "0000" + "000000000000" + "0000" + "00" + "00" + "00000000" + "ffff001d" + "0000000000000000" +
  "00000000" + "00000000" + "29ab5f49" + "f3e00100" + "00".repeat(32) + "10a1db0d";

Deno.test("TestBlockHeaderHashing: block hash is BLAKE-256 of the 180-byte header", () => {
  const h = Either.getOrThrow(deserializeBlockHeader(hex(HASHING_HEADER)));
  assert.equal(blockHash(h), reversedHex(hex(HASHING_HASH_INTERNAL)));
  assert.equal(toHex(serializeBlockHeader(h)), HASHING_HEADER.toLowerCase());
});

Deno.test("TestBlockHeaderWire: fields decode at their documented offsets and re-encode", () => {
  const h = Either.getOrThrow(deserializeBlockHeader(hex(WIRE_ENCODED)));
  assert.equal(h.version, 1);
  assert.equal(toHex(h.prevBlock), "6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000");
  assert.deepEqual(h.merkleRoot, h.stakeRoot);
  assert.equal(h.bits, 0x1d00ffff);
  assert.equal(h.sbits, 0n);
  assert.equal(h.timestamp, 0x495fab29);
  assert.equal(h.nonce, 123123);
  assert.equal(h.stakeVersion, 0x0ddba110);
  assert.equal(toHex(serializeBlockHeader(h)), WIRE_ENCODED);
});

Deno.test("header with every small field set round trips", () => {
  const h = Either.getOrThrow(deserializeBlockHeader(hex(WIRE_ENCODED)));
  const changed = {
    ...h,
    version: -2,
    voteBits: 0x0105,
    finalState: Uint8Array.of(1, 2, 3, 4, 5, 6),
    voters: 5,
    freshStake: 20,
    revocations: 3,
    poolSize: 8192,
    sbits: 2n ** 62n,
    height: 123456,
    size: 9999,
    extraData: new Uint8Array(32).fill(7),
  };
  assert.deepEqual(Either.getOrThrow(deserializeBlockHeader(serializeBlockHeader(changed))), changed);
});

Deno.test("property: random bytes give a BlockHeaderDecodeError or a header, never an exception", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const r = deserializeBlockHeader(bytes);
      if (Either.isLeft(r)) assert.equal(r.left._tag, "BlockHeaderDecodeError");
      else assert.equal(bytes.length, BLOCK_HEADER_SIZE);
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 180, maxLength: 180 }), (bytes) => {
      const h = Either.getOrThrow(deserializeBlockHeader(bytes));
      assert.deepEqual(serializeBlockHeader(h), bytes);
    }),
    { numRuns: 300 },
  );
});
