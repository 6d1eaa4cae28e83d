import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { decodeAddress, encodeAddress, pubKeyHashAddress } from "../../src/domain/address.ts";
import { base58CheckDecode, base58CheckEncode } from "../../src/domain/base58check.ts";
import { concatBytes, fromHex, toHex } from "../../src/domain/bytes.ts";
import { hash160 } from "../../src/domain/hash.ts";
import {
  deriveAddress,
  deriveChild,
  type ExtendedKey,
  HARDENED_KEY_START,
  masterFromSeed,
  neuter,
  parseExtendedKey,
  serializeExtendedKey,
} from "../../src/domain/hdkey.ts";
import { mainnet, type NetParams, simnet, testnet2 } from "../../src/domain/params.ts";
import vectors from "../vectors/hdkeychain.json" with { type: "json" };

const VECTOR_NETS: Record<string, NetParams> = { MainNetParams: mainnet, TestNet2Params: testnet2 };
const get = <A, E>(e: Either.Either<A, E>) => Either.getOrThrow(e);
const derivePath = (k: ExtendedKey, path: ReadonlyArray<number>) =>
  path.reduce(
    (acc, i) => Either.flatMap(acc, (x) => deriveChild(x, i)),
    Either.right(k) as Either.Either<ExtendedKey, unknown>,
  );

/** Re-encodes a 78-byte extended key in HC's 79-byte form with the given algtype byte after depth. */
const withAlgType = (s: string, algType: number) => {
  const d = get(base58CheckDecode(s));
  const raw = concatBytes(d.version, d.payload);
  const body = concatBytes(raw.subarray(0, 5), Uint8Array.of(algType), raw.subarray(5));
  return base58CheckEncode(body.subarray(0, 2), body.subarray(2));
};

Deno.test("BIP32 vectors from seed: private and public keys at every path (HC fingerprint, BLAKE checksum)", () => {
  const fromSeed = vectors.vectors.filter((v) => v.test === "TestBIP0032Vectors");
  assert.equal(fromSeed.length, 18);
  for (const v of fromSeed) {
    const master = get(masterFromSeed(get(fromHex(v.master)), VECTOR_NETS[v.net!]));
    const key = get(derivePath(master, v.path));
    assert.equal(serializeExtendedKey(key), v.wantPriv, v.name);
    assert.equal(serializeExtendedKey(neuter(key)), v.wantPub, v.name);
  }
});

Deno.test("private and public derivation vectors from serialized keys", () => {
  const fromKey = vectors.vectors.filter((v) => v.test !== "TestBIP0032Vectors");
  assert.equal(fromKey.length, 25);
  for (const v of fromKey) {
    const key = get(derivePath(get(parseExtendedKey(v.master)), v.path));
    if (v.test === "TestPublicDerivation") {
      assert.equal(key.privateKey, undefined);
      assert.equal(serializeExtendedKey(key), v.wantPub, v.name);
    } else {
      assert.equal(serializeExtendedKey(key), v.wantPriv, v.name);
    }
  }
});

Deno.test("every vector key parses and serializes back unchanged, on the net its version names", () => {
  for (const v of vectors.vectors) {
    for (const s of [v.wantPub, v.wantPriv].filter((x): x is string => x !== undefined)) {
      const k = get(parseExtendedKey(s));
      assert.equal(serializeExtendedKey(k), s);
      assert.equal(k.net.name, s.startsWith("t") ? "testnet2" : "mainnet");
      assert.equal(k.privateKey !== undefined, s.slice(1, 4) === "prv");
    }
  }
});

Deno.test("HC's 79-byte algtype form parses (EC) and serializes to the standard form; BLISS is refused", () => {
  const pub = vectors.vectors[0].wantPub!;
  const long = withAlgType(pub, 0);
  assert.notEqual(long, pub);
  assert.equal(serializeExtendedKey(get(parseExtendedKey(long, mainnet))), pub);
  const bliss = parseExtendedKey(withAlgType(pub, 1));
  assert.ok(Either.isLeft(bliss) && bliss.left.reason === "bliss-unsupported");
  assert.match(bliss.left.message, /BLISS/);
});

Deno.test("an extended key of another net is refused with hcstakepool's message", () => {
  const tpub = vectors.vectors.find((v) => v.net === "TestNet2Params")!.wantPub!;
  const r = parseExtendedKey(tpub, mainnet);
  assert.ok(Either.isLeft(r) && r.left.reason === "wrong-net");
  assert.equal(r.left.message, "extended public key is for wrong network");
  assert.ok(Either.isRight(parseExtendedKey(tpub, testnet2)));
});

Deno.test("a corrupted extended key fails its checksum; hardened public derivation is refused", () => {
  const pub = vectors.vectors[0].wantPub!;
  const corrupt = pub.slice(0, 50) + (pub[50] === "a" ? "b" : "a") + pub.slice(51);
  const r = parseExtendedKey(corrupt);
  assert.ok(Either.isLeft(r) && r.left.reason === "checksum");
  const h = deriveChild(get(parseExtendedKey(pub)), HARDENED_KEY_START);
  assert.ok(Either.isLeft(h) && h.left.reason === "hardened-from-public");
  const badIndex = deriveChild(get(parseExtendedKey(pub)), 2 ** 32);
  assert.ok(Either.isLeft(badIndex) && badIndex.left.reason === "bad-index");
});

Deno.test("masterFromSeed accepts 16..64-byte seeds only", () => {
  for (const n of [0, 15, 65]) {
    const r = masterFromSeed(new Uint8Array(n), simnet);
    assert.ok(Either.isLeft(r) && r.left.reason === "bad-seed", String(n));
  }
  assert.ok(Either.isRight(masterFromSeed(new Uint8Array(16), simnet)));
  assert.ok(Either.isRight(masterFromSeed(new Uint8Array(64), simnet)));
});

const seedArb = fc.uint8Array({ minLength: 16, maxLength: 64 });
const indexArb = fc.integer({ min: 0, max: HARDENED_KEY_START - 1 });
const netArb = fc.constantFrom(mainnet, testnet2, simnet);

Deno.test("children derived from an xpub equal the neutered private children", () => {
  fc.assert(
    fc.property(
      seedArb,
      netArb,
      fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      indexArb,
      indexArb,
      (seed, net, acct, a, b) => {
        const account = get(derivePath(get(masterFromSeed(seed, net)), [acct]));
        const viaPrivate = neuter(get(derivePath(account, [a, b])));
        const viaPublic = get(derivePath(neuter(account), [a, b]));
        assert.equal(serializeExtendedKey(viaPublic), serializeExtendedKey(viaPrivate));
        assert.deepEqual(
          viaPublic.parentFingerprint,
          hash160(get(derivePath(neuter(account), [a])).publicKey).slice(0, 4),
        );
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("deriveAddress gives xpub/branch/index's P2PKH address, pubkey and pubkey address", () => {
  fc.assert(
    fc.property(seedArb, netArb, indexArb, (seed, net, index) => {
      const account = get(masterFromSeed(seed, net));
      const child = get(derivePath(account, [0, index]));
      const d = get(deriveAddress(neuter(account), 0, index));
      assert.equal(d.pubKey, toHex(child.publicKey));
      assert.deepEqual(d.hash160, hash160(child.publicKey));
      assert.equal(d.address, encodeAddress(pubKeyHashAddress(net, hash160(child.publicKey))));
      const pk = get(decodeAddress(d.pubKeyAddress));
      assert.ok(pk.kind === "pubkey" && pk.sigType === "secp256k1" && pk.net.name === net.name);
      assert.equal(toHex(pk.pubKey), d.pubKey);
    }),
    { numRuns: 40 },
  );
});

Deno.test("parseExtendedKey never throws on random strings or random 78/79/other-length payloads", () => {
  const tagged = (r: Either.Either<ExtendedKey, { _tag: string }>) =>
    Either.isRight(r) || r.left._tag === "HdKeyError";
  fc.assert(fc.property(fc.string({ maxLength: 140 }), (s) => assert.ok(tagged(parseExtendedKey(s)))), {
    numRuns: 300,
  });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ minLength: 78, maxLength: 79 }),
        fc.uint8Array({ minLength: 2, maxLength: 120 }),
        fc.uint8Array({ minLength: 76, maxLength: 77 }).map((b) =>
          concatBytes(mainnet.hdPublicKeyId.subarray(0, 2), b)
        ),
      ),
      fc.option(netArb, { nil: undefined }),
      (raw, net) =>
        assert.ok(tagged(parseExtendedKey(base58CheckEncode(raw.subarray(0, 2), raw.subarray(2)), net))),
    ),
    { numRuns: 500 },
  );
});
