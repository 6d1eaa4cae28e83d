import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  decodeAddress,
  encodeAddress,
  payToAddrScript,
  pubKeyHashAddress,
} from "../../src/domain/address.ts";
import { concatBytes, fromHex, toHex } from "../../src/domain/bytes.ts";
import { simnet, testnet2 } from "../../src/domain/params.ts";
import {
  classifyScript,
  disasmScript,
  multisigScript,
  nullDataScript,
  parseMultisig,
  payToPubKeyHashScript,
  payToPubKeyScript,
  payToScriptHashScript,
  payToSSGen,
  payToSSRtx,
  payToSStx,
  payToSStxChange,
  poolMultisigScript,
  scriptAddresses,
  type StakeDest,
  stakeDestOf,
} from "../../src/domain/script.ts";
import realworld from "../vectors/realworld.json" with { type: "json" };

const hex = (s: string) => Either.getOrThrow(fromHex(s));
const H = hex("00112233445566778899aabbccddeeff00112233");
const h = toHex(H);
const keyOf = (k: bigint) => secp256k1.Point.BASE.multiply(k).toBytes(true);
const POOL = keyOf(11n);
const USER = keyOf(22n);

Deno.test("standard builders emit the HC-PROTOCOL §4 bytes", () => {
  assert.equal(toHex(payToPubKeyHashScript(H)), `76a914${h}88ac`);
  assert.equal(toHex(payToScriptHashScript(H)), `a914${h}87`);
  assert.equal(toHex(payToPubKeyScript(POOL)), `21${toHex(POOL)}ac`);
  assert.equal(toHex(poolMultisigScript(POOL, USER)), `5121${toHex(POOL)}21${toHex(USER)}52ae`);
});

Deno.test("stake builders use HC's alt PKH form (OP_0 / OP_4 + OP_CHECKSIGALT); revocations pay secp PKH with OP_CHECKSIG", () => {
  const secp: StakeDest = { kind: "pubkeyhash", hash160: H };
  const bliss: StakeDest = { ...secp, bliss: true };
  const p2sh: StakeDest = { kind: "scripthash", hash160: H };
  const cases: Array<[(d: StakeDest) => Uint8Array, string]> = [
    [payToSStx, "ba"],
    [payToSStxChange, "bd"],
    [payToSSGen, "bb"],
  ];
  for (const [build, tag] of cases) {
    assert.equal(toHex(build(secp)), `${tag}76a914${h}8800be`);
    assert.equal(toHex(build(bliss)), `${tag}76a914${h}8854be`);
    assert.equal(toHex(build(p2sh)), `${tag}a914${h}87`);
  }
  assert.equal(toHex(payToSSRtx(secp)), `bc76a914${h}88ac`);
  assert.equal(toHex(payToSSRtx(bliss)), `bc76a914${h}8854be`);
  assert.equal(toHex(payToSSRtx(p2sh)), `bca914${h}87`);
});

Deno.test("classifyScript recognises Decred and HC alt forms of stake-tagged outputs", () => {
  const classes: Record<string, string> = {
    ba: "stakesubmission",
    bb: "stakegen",
    bc: "stakerevoke",
    bd: "sstxchange",
  };
  for (const [tag, cls] of Object.entries(classes)) {
    for (const [tail, sigType] of [["ac", 0], ["00be", 0], ["54be", 4]] as const) {
      const info = classifyScript(hex(`${tag}76a914${h}88${tail}`));
      assert.equal(info.class, cls, `${tag} ${tail}`);
      assert.equal(info.sigType, sigType);
      assert.deepEqual(info.hash160, H);
    }
    const sh = classifyScript(hex(`${tag}a914${h}87`));
    assert.equal(sh.class, cls);
    assert.ok(sh.isScriptHash);
    // Only secp256k1 and BLISS hashes may be stake-tagged.
    assert.equal(classifyScript(hex(`${tag}76a914${h}8851be`)).class, "nonstandard");
  }
});

Deno.test("classifyScript: plain standard classes", () => {
  assert.equal(classifyScript(hex(`76a914${h}88ac`)).class, "pubkeyhash");
  const alt = classifyScript(hex(`76a914${h}8852be`));
  assert.equal(alt.class, "pubkeyhashalt");
  assert.equal(alt.sigType, 2);
  assert.equal(classifyScript(hex(`a914${h}87`)).class, "scripthash");
  assert.equal(classifyScript(payToPubKeyScript(POOL)).class, "pubkey");
  assert.equal(classifyScript(hex(`20${"11".repeat(32)}51be`)).class, "pubkeyalt");
  assert.equal(classifyScript(hex("6a")).class, "nulldata");
  assert.equal(classifyScript(hex(`76a914${h}88`)).class, "nonstandard");
  assert.equal(classifyScript(new Uint8Array()).class, "nonstandard");
});

Deno.test("null data carries at most 1024 bytes (HC MaxDataCarrierSize)", () => {
  const max = Either.getOrThrow(nullDataScript(new Uint8Array(1024)));
  assert.equal(toHex(max.subarray(0, 4)), "6a4d0004");
  assert.equal(classifyScript(max).class, "nulldata");
  const r = nullDataScript(new Uint8Array(1025));
  assert.ok(Either.isLeft(r) && r.left.reason === "too-large");
  assert.equal(classifyScript(concatBytes(hex("6a4d0104"), new Uint8Array(1025))).class, "nonstandard");
  assert.equal(toHex(Either.getOrThrow(nullDataScript(hex("0102")))), "6a020102");
});

Deno.test("multisig: build, parse, BLISS keys as PUSHDATA2, and refusals", () => {
  const s = Either.getOrThrow(multisigScript(1, [POOL, USER]));
  assert.deepEqual(s, poolMultisigScript(POOL, USER));
  const parsed = Either.getOrThrow(parseMultisig(s));
  assert.equal(parsed.m, 1);
  assert.deepEqual(parsed.pubKeys, [POOL, USER]);
  const blissKey = new Uint8Array(897).fill(3);
  const withBliss = Either.getOrThrow(multisigScript(1, [POOL, blissKey]));
  assert.equal(toHex(withBliss.subarray(35, 38)), "4d8103");
  assert.equal(classifyScript(withBliss).class, "multisig");
  for (const [m, keys] of [[0, [POOL]], [3, [POOL, USER]], [1, new Array(17).fill(POOL)]] as const) {
    const r = multisigScript(m, keys);
    assert.ok(Either.isLeft(r) && r.left.reason === "bad-multisig");
  }
  const badKey = multisigScript(1, [new Uint8Array(32)]);
  assert.ok(Either.isLeft(badKey) && badKey.left.reason === "bad-pubkey");
  assert.ok(Either.isLeft(parseMultisig(payToPubKeyHashScript(H))));
});

Deno.test("realworld organization scripts classify and extract their addresses", () => {
  const testnetOrg = realworld.p2sh_from_script.find((v) => v.net === "testnet2")!;
  const ms = scriptAddresses(hex(testnetOrg.redeem_script_hex), testnet2);
  assert.equal(ms.class, "multisig");
  assert.equal(ms.reqSigs, 2);
  assert.equal(ms.addresses.length, 2);
  assert.ok(ms.addresses.every((a) => a.kind === "pubkey" && a.sigType === "secp256k1"));
  const simnetOrg = realworld.p2sh_from_script.find((v) => v.net === "simnet")!;
  const sim = scriptAddresses(hex(simnetOrg.redeem_script_hex), simnet);
  assert.deepEqual(sim.addresses.map(encodeAddress), simnetOrg.pubkey_addresses);
  const sh = realworld.address_with_pkscript[0];
  assert.deepEqual(scriptAddresses(hex(sh.pkscript_hex), simnet).addresses.map(encodeAddress), [sh.address]);
});

Deno.test("scriptAddresses of stake outputs gives the committed address with its signature type", () => {
  const secp = scriptAddresses(payToSStx({ kind: "pubkeyhash", hash160: H }), testnet2);
  assert.equal(secp.class, "stakesubmission");
  assert.deepEqual(secp.addresses.map(encodeAddress), [encodeAddress(pubKeyHashAddress(testnet2, H))]);
  const bliss = scriptAddresses(payToSSGen({ kind: "pubkeyhash", hash160: H, bliss: true }), testnet2);
  assert.deepEqual(bliss.addresses.map(encodeAddress), [
    encodeAddress(pubKeyHashAddress(testnet2, H, "bliss")),
  ]);
  const none = scriptAddresses(hex("6a"), testnet2);
  assert.deepEqual([none.class, none.addresses.length, none.reqSigs], ["nulldata", 0, 0]);
});

Deno.test("stakeDestOf reads stake-tagged and plain PKH/P2SH destinations, refusing edwards/schnorr", () => {
  const dests = [
    { kind: "pubkeyhash" as const, hash160: H },
    { kind: "pubkeyhash" as const, hash160: H, bliss: true },
    { kind: "scripthash" as const, hash160: H },
  ];
  for (const d of dests) {
    for (const build of [payToSStx, payToSStxChange, payToSSGen, payToSSRtx]) {
      assert.deepEqual(Either.getOrThrow(stakeDestOf(build(d))), d);
    }
  }
  assert.deepEqual(Either.getOrThrow(stakeDestOf(payToPubKeyHashScript(H))), dests[0]);
  assert.deepEqual(Either.getOrThrow(stakeDestOf(payToScriptHashScript(H))), dests[2]);
  const schnorr = stakeDestOf(hex(`76a914${h}8852be`));
  assert.ok(Either.isLeft(schnorr) && schnorr.left.reason === "unsupported-address");
  assert.ok(Either.isLeft(stakeDestOf(hex("6a"))));
});

Deno.test("payToAddrScript of a decoded address classifies back to the same hash", () => {
  for (const s of ["TsSmoC9HdBhDhq4ut4TqJY7SBjPqJFAPkGK", "ScuQxvveKGfpG1ypt6u27F99Anf7EW3cqhq"]) {
    const a = Either.getOrThrow(decodeAddress(s));
    assert.deepEqual(scriptAddresses(payToAddrScript(a), a.net).addresses.map(encodeAddress), [s]);
  }
});

Deno.test("disasmScript prints the one-line asm form", () => {
  assert.equal(disasmScript(payToPubKeyHashScript(H)), `OP_DUP OP_HASH160 ${h} OP_EQUALVERIFY OP_CHECKSIG`);
  assert.equal(
    disasmScript(payToSStx({ kind: "pubkeyhash", hash160: H })),
    `OP_SSTX OP_DUP OP_HASH160 ${h} OP_EQUALVERIFY 0 OP_CHECKSIGALT`,
  );
  assert.equal(
    disasmScript(poolMultisigScript(POOL, USER)),
    `1 ${toHex(POOL)} ${toHex(USER)} 2 OP_CHECKMULTISIG`,
  );
  assert.equal(disasmScript(hex("6a0401020304")), "OP_RETURN 01020304");
  // DisasmString drops the trailing space before appending "[error]".
  assert.equal(disasmScript(hex("76a91401")), "OP_DUP OP_HASH160[error]");
  assert.equal(disasmScript(hex("c1ff")), "OP_UNKNOWN193 OP_INVALIDOPCODE");
});

Deno.test("script decoders never throw on random bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const info = classifyScript(bytes);
      assert.equal(typeof info.class, "string");
      const ms = parseMultisig(bytes);
      assert.ok(Either.isRight(ms) || ms.left._tag === "ScriptError");
      const dest = stakeDestOf(bytes);
      assert.ok(Either.isRight(dest) || dest.left._tag === "ScriptError");
      assert.equal(scriptAddresses(bytes, testnet2).class, info.class);
      assert.equal(typeof disasmScript(bytes), "string");
    }),
    { numRuns: 2000 },
  );
});
