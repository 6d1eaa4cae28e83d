import assert from "node:assert/strict";
import { runHcpool as hcpool } from "../support/hcpool.ts";
import { Either } from "effect";
import { decodeAddress, encodeAddress, scriptHashAddress } from "../../src/domain/address.ts";
import { fromHex } from "../../src/domain/bytes.ts";
import { deriveAddress, parseExtendedKey } from "../../src/domain/hdkey.ts";
import vectors from "../vectors/hdkeychain.json" with { type: "json" };
import realworld from "../vectors/realworld.json" with { type: "json" };

const assertOneLineError = (r: { code: number; stdout: string; stderr: string }, pattern: RegExp) => {
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
};

const simnetOrg = realworld.p2sh_from_script.find((v) => v.net === "simnet")!;
const [pk1, pk2] = simnetOrg.pubkey_addresses!;
const tpub = vectors.vectors.find((v) => v.net === "TestNet2Params" && v.path.length === 0)!.wantPub!;

Deno.test("hcpool address: pubkey, P2SH and invalid addresses", async () => {
  const [pubkey, p2sh, decred, bad] = await Promise.all([
    hcpool("address", pk1),
    hcpool("address", simnetOrg.address),
    hcpool("address", "DsUZxxoHJSty8DCfwfartwTYbuhmVct7tJu"),
    hcpool("address", "TsmWaPM77WSyA3aiQ2Q1KnwGDVWvEkhip23"),
  ]);
  assert.equal(pubkey.code, 0, pubkey.stderr);
  const pk = Either.getOrThrow(decodeAddress(pk1));
  assert.ok(pk.kind === "pubkey");
  const pkJson = JSON.parse(pubkey.stdout);
  assert.deepEqual(Object.keys(pkJson), ["valid", "net", "type", "sigType", "hash160", "pubkey"]);
  assert.deepEqual(
    [pkJson.valid, pkJson.net, pkJson.type, pkJson.sigType],
    [true, "simnet", "pubkey", "secp256k1"],
  );
  assert.equal(pkJson.pubkey.length, 66);
  assert.equal(pkJson.hash160.length, 40);
  assert.ok(simnetOrg.redeem_script_hex.includes(pkJson.pubkey));
  assert.deepEqual(JSON.parse(p2sh.stdout), {
    valid: true,
    net: "simnet",
    type: "scripthash",
    hash160: "cbb08d6ca783b533b2c7d24a51fbca92d937bf99",
  });
  assertOneLineError(decred, /^hcpool address: .*prefix "D"/);
  assertOneLineError(bad, /checksum/);
});

Deno.test("hcpool derive: <xpub>/<branch>/<index> and bad input", async () => {
  const [def, branch1, badIndex, hardened, wrongArgs, badKey] = await Promise.all([
    hcpool("derive", tpub, "7"),
    hcpool("derive", tpub, "7", "--branch", "1"),
    hcpool("derive", tpub, "x"),
    hcpool("derive", tpub, String(2 ** 31)),
    hcpool("derive", tpub),
    hcpool("derive", tpub.slice(0, -1) + (tpub.endsWith("a") ? "b" : "a"), "0"),
  ]);
  const key = Either.getOrThrow(parseExtendedKey(tpub));
  for (const [r, b] of [[def, 0], [branch1, 1]] as const) {
    assert.equal(r.code, 0, r.stderr);
    const want = Either.getOrThrow(deriveAddress(key, b, 7));
    assert.deepEqual(JSON.parse(r.stdout), {
      address: want.address,
      pubKey: want.pubKey,
      pubKeyAddress: want.pubKeyAddress,
    });
    assert.ok(want.address.startsWith("Ts") && want.pubKeyAddress.startsWith("Tk"));
  }
  assert.notEqual(JSON.parse(def.stdout).address, JSON.parse(branch1.stdout).address);
  assertOneLineError(badIndex, /index must be an integer/);
  assertOneLineError(hardened, /index must be an integer/);
  assertOneLineError(wrongArgs, /usage: derive/);
  assertOneLineError(badKey, /checksum/);
});

Deno.test("hcpool multisig: 1-of-2 [pool, user] script and P2SH; refuses other address kinds and mixed nets", async () => {
  const [ok, pkh, mixed] = await Promise.all([
    hcpool("multisig", pk1, pk2),
    hcpool("multisig", pk1, "SsaQrdkhTeXe4qtPSLR5ov3158wyMj8PQGw"),
    hcpool("multisig", pk1, "TkQ5Ax2ieEZpBDA963VDH4y27KMpXtP8qyeykzwBNFocDc8ZKqTGz"),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  const out = JSON.parse(ok.stdout);
  const script = Either.getOrThrow(fromHex(out.redeemScript));
  // The org script lists its keys in the order of pubkey_addresses.
  const keys = simnetOrg.redeem_script_hex.match(/21(0[23][0-9a-f]{64})/g)!.map((k) => k.slice(2));
  assert.equal(out.redeemScript, `5121${keys[0]}21${keys[1]}52ae`);
  assert.equal(
    out.address,
    encodeAddress(scriptHashAddress(Either.getOrThrow(decodeAddress(pk1)).net, script)),
  );
  assert.ok(out.address.startsWith("Sc"));
  assertOneLineError(pkh, /user address must be a secp256k1 pubkey address/);
  assertOneLineError(mixed, /simnet .* testnet2/);
});
