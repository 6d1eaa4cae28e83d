import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  type Address,
  addressHash160,
  decodeAddress,
  decodeAddressForNet,
  encodeAddress,
  payToAddrScript,
  pubKeyAddress,
  pubKeyHashAddress,
  pubKeyHashAddressOf,
  scriptHashAddress,
  type SigType,
} from "../../src/domain/address.ts";
import { base58CheckEncode } from "../../src/domain/base58check.ts";
import { concatBytes, fromHex, toHex } from "../../src/domain/bytes.ts";
import { hash160 } from "../../src/domain/hash.ts";
import { mainnet, type NetParams, NETWORKS, simnet, testnet2 } from "../../src/domain/params.ts";
import { multisigScript } from "../../src/domain/script.ts";
import addresses from "../vectors/addresses.json" with { type: "json" };
import realworld from "../vectors/realworld.json" with { type: "json" };

const hex = (s: string) => Either.getOrThrow(fromHex(s));
const decoded = (s: string) => Either.getOrThrow(decodeAddress(s));
const VECTOR_NETS: Record<string, NetParams> = { TestNet2Params: testnet2, SimNetParams: simnet };
const hcVectors = addresses.vectors.filter((v) => v.valid && v.net_param && v.net_param in VECTOR_NETS);

/** The compressed form of a 33/65-byte secp256k1 key, computed from its own bytes. */
const compressedOf = (key: Uint8Array) =>
  key.length === 33 ? key : concatBytes(Uint8Array.of(0x02 | (key[64] & 1)), key.subarray(1, 33));

Deno.test("testnet/simnet address vectors decode, re-encode and construct as in hcutil", () => {
  assert.equal(hcVectors.length, 7);
  for (const v of hcVectors) {
    const net = VECTOR_NETS[v.net_param!];
    const input = hex(v.f_input_hex!);
    const a = decoded(v.addr);
    assert.equal(a.net.name, net.name, v.name);
    if (v.result_ctor === "TstAddressPubKeyHash") {
      assert.ok(a.kind === "pubkeyhash" && a.sigType === "secp256k1", v.name);
      assert.equal(toHex(a.hash160), v.payload_hex);
      assert.equal(encodeAddress(pubKeyHashAddress(net, input)), v.encoded);
    } else if (v.result_ctor === "TstAddressScriptHash") {
      assert.ok(a.kind === "scripthash", v.name);
      assert.equal(toHex(a.hash160), v.payload_hex);
      const built = v.f_constructor === "NewAddressScriptHash"
        ? scriptHashAddress(net, input)
        : { kind: "scripthash" as const, net, hash160: input };
      assert.equal(encodeAddress(built), v.encoded);
    } else {
      // Pubkey vectors: the P2PKH form hashes the compressed key; "Tk…" strings are the P2PK form.
      const pk = Either.getOrThrow(pubKeyAddress(net, input));
      assert.equal(encodeAddress(pubKeyHashAddressOf(pk)), v.encoded, v.name);
      if (v.addr.startsWith("Tk")) {
        assert.ok(a.kind === "pubkey" && a.sigType === "secp256k1", v.name);
        assert.equal(toHex(a.pubKey), toHex(compressedOf(input)), v.name);
        assert.equal(encodeAddress(pk), v.addr, v.name);
      } else {
        assert.ok(a.kind === "pubkeyhash", v.name);
        assert.equal(toHex(a.hash160), toHex(hash160(compressedOf(input))), v.name);
      }
    }
    assert.equal(encodeAddress(a), v.addr, v.name);
  }
});

Deno.test("Decred mainnet D… vector strings are rejected by HC decoding", () => {
  const decred = addresses.vectors.filter((v) => v.addr.startsWith("D"));
  assert.ok(decred.length >= 5);
  for (const v of decred) {
    const r = decodeAddress(v.addr);
    assert.ok(Either.isLeft(r) && r.left.reason === "unknown-net", v.name);
  }
});

Deno.test("an address with a bad checksum is rejected as such", () => {
  const r = decodeAddress("TsmWaPM77WSyA3aiQ2Q1KnwGDVWvEkhip23");
  assert.ok(Either.isLeft(r) && r.left.reason === "checksum");
  const empty = decodeAddress("");
  assert.ok(Either.isLeft(empty) && empty.left.reason === "malformed");
});

Deno.test("realworld: organization redeem scripts hash to their P2SH addresses and pay-to scripts", () => {
  for (const v of realworld.p2sh_from_script) {
    const net = NETWORKS[v.net as "testnet2" | "simnet"];
    const script = hex(v.redeem_script_hex);
    assert.equal(encodeAddress(scriptHashAddress(net, script)), v.address);
    const a = decoded(v.address);
    assert.ok(a.kind === "scripthash" && a.net.name === v.net);
    assert.deepEqual(a.hash160, hash160(script));
  }
  const simnetOrg = realworld.p2sh_from_script.find((v) => v.net === "simnet")!;
  const keys = simnetOrg.pubkey_addresses!.map((s) => {
    const a = decoded(s);
    assert.ok(a.kind === "pubkey" && a.sigType === "secp256k1" && a.net.name === "simnet");
    return a.pubKey;
  });
  assert.equal(toHex(Either.getOrThrow(multisigScript(3, keys))), simnetOrg.redeem_script_hex);
  for (const v of realworld.address_with_pkscript) {
    assert.equal(toHex(payToAddrScript(decoded(v.address))), v.pkscript_hex);
  }
});

Deno.test("realworld: HC ledger and omni addresses decode on their own net and round-trip", () => {
  const ledger = realworld.block_one_ledger;
  const cases: Array<[string, string]> = [
    ...ledger.mainnet.map((e) => ["mainnet", e.address] as [string, string]),
    ...ledger.testnet2.map((e) => ["testnet2", e.address] as [string, string]),
    ...ledger.simnet.map((e) => ["simnet", e.address] as [string, string]),
    ["mainnet", "HsTJckn6hjhP4QYHF7CE87ok3y5TDA2gd6D"],
    ["testnet2", "TsSmoC9HdBhDhq4ut4TqJY7SBjPqJFAPkGK"],
  ];
  for (const [netName, s] of cases) {
    const a = decoded(s);
    assert.ok(a.kind === "pubkeyhash" && a.sigType === "secp256k1" && a.net.name === netName, s);
    assert.equal(encodeAddress(a), s);
    assert.ok(Either.isRight(decodeAddressForNet(s, a.net)));
  }
  const mainOrg = realworld.other.find((o) => o.OrganizationPkScript)!;
  const orgHash = mainOrg.OrganizationPkScript!.slice(6, 46);
  assert.equal(
    toHex(payToAddrScript(pubKeyHashAddress(mainnet, hex(orgHash)))),
    mainOrg.OrganizationPkScript,
  );
});

Deno.test("decodeAddressForNet refuses another net's address", () => {
  const r = decodeAddressForNet("TsSmoC9HdBhDhq4ut4TqJY7SBjPqJFAPkGK", mainnet);
  assert.ok(Either.isLeft(r) && r.left.reason === "wrong-net");
  assert.match(r.left.message, /testnet2/);
});

Deno.test("BLISS pubkey addresses are recognised and refused; BLISS PKH decodes with its sig type", () => {
  for (const net of Object.values(NETWORKS)) {
    const blissPk = base58CheckEncode(
      net.pubKeyBlissAddrId,
      concatBytes(Uint8Array.of(4), new Uint8Array(897).fill(7)),
    );
    assert.equal(blissPk[0], net.addressPrefix);
    const r = decodeAddress(blissPk);
    assert.ok(Either.isLeft(r) && r.left.reason === "bliss-unsupported", net.name);
    const pkh = decoded(base58CheckEncode(net.pkhBlissAddrId, new Uint8Array(20).fill(9)));
    assert.ok(pkh.kind === "pubkeyhash" && pkh.sigType === "bliss");
    assert.deepEqual(
      payToAddrScript(pkh),
      concatBytes(hex("76a914"), new Uint8Array(20).fill(9), hex("8854be")),
    );
  }
});

Deno.test("pubkey addresses: off-curve points and unknown suites are refused", () => {
  const offCurve = base58CheckEncode(
    testnet2.pubKeyAddrId,
    concatBytes(Uint8Array.of(0), new Uint8Array(32).fill(0xff)),
  );
  const r1 = decodeAddress(offCurve);
  assert.ok(Either.isLeft(r1) && r1.left.reason === "bad-pubkey");
  const g = secp256k1.Point.BASE.toBytes(true);
  const suite5 = base58CheckEncode(testnet2.pubKeyAddrId, concatBytes(Uint8Array.of(5), g.subarray(1)));
  const r2 = decodeAddress(suite5);
  assert.ok(Either.isLeft(r2) && r2.left.reason === "unknown-type");
  const r3 = pubKeyAddress(testnet2, new Uint8Array(33));
  assert.ok(Either.isLeft(r3) && r3.left.reason === "bad-pubkey");
});

Deno.test("a pubkey address commits to Hash160 of its compressed key and pays P2PK", () => {
  const a = decoded("SkQmxbeuEFDByPoTj41TtXat8tWySVuYUQpd4fuNNyUx51tF1csSs");
  assert.ok(a.kind === "pubkey");
  assert.deepEqual(addressHash160(a), hash160(a.pubKey));
  assert.deepEqual(payToAddrScript(a), concatBytes(Uint8Array.of(0x21), a.pubKey, Uint8Array.of(0xac)));
});

const netArb = fc.constantFrom(mainnet, testnet2, simnet);
const pointArb = fc.bigInt({ min: 1n, max: secp256k1.Point.Fn.ORDER - 1n }).map((k) =>
  secp256k1.Point.BASE.multiply(k)
);
const addressArb: fc.Arbitrary<Address> = fc.oneof(
  fc.tuple(netArb, pointArb, fc.constantFrom("secp256k1" as const, "schnorr" as const)).map((
    [net, p, sigType],
  ): Address => ({ kind: "pubkey", net, sigType, pubKey: p.toBytes(true) })),
  fc.tuple(
    netArb,
    fc.uint8Array({ minLength: 20, maxLength: 20 }),
    fc.constantFrom<SigType>("secp256k1", "edwards", "schnorr", "bliss"),
  )
    .map(([net, h, sigType]) => pubKeyHashAddress(net, h, sigType)),
  fc.tuple(netArb, fc.uint8Array({ minLength: 20, maxLength: 20 })).map((
    [net, h],
  ): Address => ({ kind: "scripthash", net, hash160: h })),
);

Deno.test("encode∘decode is the identity for every address kind and net", () => {
  fc.assert(
    fc.property(addressArb, (a) => {
      const s = encodeAddress(a);
      assert.equal(s[0], a.net.addressPrefix);
      const back = Either.getOrThrow(decodeAddressForNet(s, a.net));
      assert.deepEqual({ ...back, net: back.net.name }, { ...a, net: a.net.name });
    }),
    { numRuns: 300 },
  );
});

Deno.test("decodeAddress never throws on random strings or random base58check bytes", () => {
  const isTagged = (r: Either.Either<Address, { _tag: string }>) =>
    Either.isRight(r) || r.left._tag === "AddressError";
  fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => assert.ok(isTagged(decodeAddress(s)))), {
    numRuns: 500,
  });
  fc.assert(
    fc.property(
      fc.constantFrom(mainnet, testnet2, simnet),
      fc.uint8Array({ maxLength: 40 }),
      (net, payload) => {
        const ids = [net.pubKeyAddrId, net.pubKeyHashAddrId, net.scriptHashAddrId, net.pubKeyBlissAddrId];
        for (const id of ids) assert.ok(isTagged(decodeAddress(base58CheckEncode(id, payload))));
      },
    ),
    { numRuns: 300 },
  );
});
