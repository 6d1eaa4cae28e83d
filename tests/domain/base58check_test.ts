import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { base58CheckDecode, base58CheckEncode } from "../../src/domain/base58check.ts";
import vectors from "../vectors/base58check.json" with { type: "json" };

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("base58CheckEncode matches hcutil CheckEncode vectors (double BLAKE-256 checksum)", () => {
  for (const v of vectors.vectors) {
    assert.equal(base58CheckEncode([v.version_int, 0], utf8(v.input_string)), v.encoded, v.input_string);
  }
});

Deno.test("base58CheckDecode recovers version and payload of every vector", () => {
  for (const v of vectors.vectors) {
    const d = Either.getOrThrow(base58CheckDecode(v.encoded));
    assert.deepEqual([...d.version], [v.version_int, 0]);
    assert.deepEqual(d.payload, utf8(v.input_string));
  }
});

Deno.test("base58CheckDecode rejects a bad checksum and too-short input", () => {
  const bad = base58CheckDecode("Axk2WA6M");
  assert.ok(Either.isLeft(bad) && bad.left.reason === "checksum mismatch");
  const short = base58CheckDecode("Axk2W");
  assert.ok(Either.isLeft(short) && /too short/.test(short.left.reason));
  const alphabet = base58CheckDecode("0OIl");
  assert.ok(Either.isLeft(alphabet) && alphabet.left._tag === "Base58Error");
});

Deno.test("base58check round-trips any version and payload", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 2, maxLength: 2 }),
      fc.uint8Array({ maxLength: 100 }),
      (ver, payload) => {
        const d = Either.getOrThrow(base58CheckDecode(base58CheckEncode(ver, payload)));
        assert.deepEqual(d.version, ver);
        assert.deepEqual(d.payload, payload);
      },
    ),
  );
});

Deno.test("base58CheckDecode is total on random strings", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 120 }), (s) => {
      const r = base58CheckDecode(s);
      assert.ok(Either.isRight(r) || r.left._tag === "Base58Error");
    }),
  );
});
