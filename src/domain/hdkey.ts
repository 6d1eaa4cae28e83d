// HC extended keys (hcutil/hdkeychain/extendedkey.go; HC-PROTOCOL §3): BIP32 over secp256k1 with
// BLAKE-256 checksums and HC's fingerprint, HC's optional algtype byte, and address derivation.
import { Data, Either } from "effect";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { encodeAddress, pubKeyAddress, pubKeyHashAddress } from "./address.ts";
import { base58CheckDecode, base58CheckEncode } from "./base58check.ts";
import { bytesEqual, concatBytes, toHex } from "./bytes.ts";
import { hash160 } from "./hash.ts";
import { NET_NAMES, type NetParams, NETWORKS } from "./params.ts";

export interface ExtendedKey {
  readonly net: NetParams;
  readonly depth: number;
  readonly parentFingerprint: Uint8Array;
  readonly childNumber: number;
  readonly chainCode: Uint8Array;
  /** 33-byte compressed secp256k1 point. */
  readonly publicKey: Uint8Array;
  /** 32-byte scalar; absent on a public (neutered) key. */
  readonly privateKey?: Uint8Array;
}

export class HdKeyError extends Data.TaggedError("HdKeyError")<{
  readonly reason:
    | "malformed"
    | "checksum"
    | "unknown-version"
    | "wrong-net"
    | "bliss-unsupported"
    | "bad-key"
    | "bad-seed"
    | "bad-index"
    | "hardened-from-public"
    | "invalid-child"
    | "max-depth";
  readonly detail: string;
}> {
  override get message() {
    return this.detail;
  }
}

const fail = (reason: HdKeyError["reason"], detail: string) =>
  Either.left(new HdKeyError({ reason, detail }));

/** Index of the first hardened child (BIP32). */
export const HARDENED_KEY_START = 0x80000000;

const CURVE_ORDER = secp256k1.Point.Fn.ORDER;
const SEED_KEY = new TextEncoder().encode("Bitcoin seed");
// version 4 | depth 1 | parentFP 4 | child 4 | chain code 32 | key 33; HC inserts algtype after depth.
const STANDARD_LEN = 78;
const WITH_ALGTYPE_LEN = 79;
const ALG_BLISS = 1;

const bigFromBytes = (b: Uint8Array): bigint => b.length === 0 ? 0n : BigInt(`0x${toHex(b)}`);
const bytes32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 31, v = n; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};
const ser32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const readU32 = (b: Uint8Array, at: number) =>
  ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

const publicFromPrivate = (k: bigint): Uint8Array => secp256k1.Point.BASE.multiply(k).toBytes(true);

const isValidPoint = (pub: Uint8Array): boolean => {
  try {
    secp256k1.Point.fromBytes(pub);
    return pub.length === 33;
  } catch {
    return false;
  }
};

const netForVersion = (version: Uint8Array) =>
  NET_NAMES.map((n) => NETWORKS[n]).find((p) =>
    bytesEqual(p.hdPublicKeyId, version) || bytesEqual(p.hdPrivateKeyId, version)
  );

/**
 * Parses an extended key (78-byte standard or 79-byte algtype form). With `net`, the version must
 * be that net's; without, the net is found from the version bytes. BLISS keys are refused.
 */
export const parseExtendedKey = (s: string, net?: NetParams): Either.Either<ExtendedKey, HdKeyError> => {
  const decoded = base58CheckDecode(s);
  if (Either.isLeft(decoded)) {
    return decoded.left.reason === "checksum mismatch"
      ? fail("checksum", "extended key checksum mismatch")
      : fail("malformed", `extended key is not base58check: ${decoded.left.reason}`);
  }
  const raw = concatBytes(decoded.right.version, decoded.right.payload);
  if (raw.length > WITH_ALGTYPE_LEN && raw[5] === ALG_BLISS) {
    return fail(
      "bliss-unsupported",
      "BLISS extended keys cannot derive public children and are not supported",
    );
  }
  if (raw.length !== STANDARD_LEN && raw.length !== WITH_ALGTYPE_LEN) {
    return fail("malformed", `extended key of ${raw.length} bytes, want 78 or 79`);
  }
  const at = raw.length - STANDARD_LEN; // 1 when the algtype byte is present
  if (at === 1 && raw[5] !== 0) {
    return raw[5] === ALG_BLISS
      ? fail("bliss-unsupported", "BLISS extended keys cannot derive public children and are not supported")
      : fail("malformed", `unknown extended key algorithm ${raw[5]}`);
  }
  const version = raw.subarray(0, 4);
  const keyNet = netForVersion(version);
  if (net !== undefined && keyNet?.name !== net.name) {
    return fail("wrong-net", "extended public key is for wrong network");
  }
  if (keyNet === undefined) return fail("unknown-version", `unknown extended key version ${toHex(version)}`);
  const keyData = raw.slice(45 + at);
  const isPrivate = keyData[0] === 0x00;
  if (isPrivate !== bytesEqual(version, keyNet.hdPrivateKeyId)) {
    return fail("bad-key", "extended key data does not match its public/private version");
  }
  const common = {
    net: keyNet,
    depth: raw[4],
    parentFingerprint: raw.slice(5 + at, 9 + at),
    childNumber: readU32(raw, 9 + at),
    chainCode: raw.slice(13 + at, 45 + at),
  };
  if (isPrivate) {
    const k = bigFromBytes(keyData.subarray(1));
    if (k === 0n || k >= CURVE_ORDER) return fail("bad-key", "extended private key is out of range");
    return Either.right({ ...common, publicKey: publicFromPrivate(k), privateKey: keyData.slice(1) });
  }
  if (!isValidPoint(keyData)) return fail("bad-key", "extended public key is not a secp256k1 point");
  return Either.right({ ...common, publicKey: keyData });
};

/** Standard 78-byte serialization (HC writes the algtype byte only for BLISS keys). */
export const serializeExtendedKey = (k: ExtendedKey): string => {
  const version = k.privateKey ? k.net.hdPrivateKeyId : k.net.hdPublicKeyId;
  const key = k.privateKey ? concatBytes(Uint8Array.of(0), k.privateKey) : k.publicKey;
  const body = concatBytes(
    version.subarray(2),
    Uint8Array.of(k.depth),
    k.parentFingerprint,
    ser32(k.childNumber),
    k.chainCode,
    key,
  );
  return base58CheckEncode(version.subarray(0, 2), body);
};

/** Master key from a 16..64-byte seed: HMAC-SHA512("Bitcoin seed", seed). */
export const masterFromSeed = (seed: Uint8Array, net: NetParams): Either.Either<ExtendedKey, HdKeyError> => {
  if (seed.length < 16 || seed.length > 64) {
    return fail("bad-seed", `seed of ${seed.length} bytes, want 16 to 64`);
  }
  const i = hmac(sha512, SEED_KEY, seed);
  const k = bigFromBytes(i.subarray(0, 32));
  if (k === 0n || k >= CURVE_ORDER) return fail("bad-seed", "unusable seed");
  return Either.right({
    net,
    depth: 0,
    parentFingerprint: new Uint8Array(4),
    childNumber: 0,
    chainCode: i.slice(32),
    publicKey: publicFromPrivate(k),
    privateKey: i.slice(0, 32),
  });
};

/**
 * What every child of one parent shares (its fingerprint and decoded point), remembered per parent
 * key: the pool derives 10 000 children of one branch key at start, and recomputing these per child
 * doubled the cost. Keyed weakly by the key bytes, so it never outlives the parent.
 */
const parents = new WeakMap<
  Uint8Array,
  { fingerprint: Uint8Array; point: () => typeof secp256k1.Point.BASE }
>();
const parentOf = (publicKey: Uint8Array) => {
  let known = parents.get(publicKey);
  if (known === undefined) {
    let point: typeof secp256k1.Point.BASE | undefined;
    known = {
      fingerprint: hash160(publicKey).slice(0, 4),
      point: () => (point ??= secp256k1.Point.fromBytes(publicKey)),
    };
    parents.set(publicKey, known);
  }
  return known;
};

/** BIP32 child key derivation (private or public); the fingerprint is Hash160(parent pubkey)[0:4]. */
export const deriveChild = (k: ExtendedKey, index: number): Either.Either<ExtendedKey, HdKeyError> => {
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) {
    return fail("bad-index", `child index ${index} is not a 32-bit unsigned integer`);
  }
  if (k.depth >= 255) return fail("max-depth", "cannot derive beyond depth 255");
  const hardened = index >= HARDENED_KEY_START;
  if (hardened && !k.privateKey) {
    return fail("hardened-from-public", "cannot derive a hardened child from a public key");
  }
  const data = hardened
    ? concatBytes(Uint8Array.of(0), k.privateKey!, ser32(index))
    : concatBytes(k.publicKey, ser32(index));
  const i = hmac(sha512, k.chainCode, data);
  const il = bigFromBytes(i.subarray(0, 32));
  // Built only when needed: a tagged error captures a stack, which would dominate a batch derivation.
  const invalid = () => fail("invalid-child", `child ${index} is invalid; use the next index`);
  if (il >= CURVE_ORDER) return invalid();
  const child = {
    net: k.net,
    depth: k.depth + 1,
    parentFingerprint: parentOf(k.publicKey).fingerprint,
    childNumber: index,
    chainCode: i.slice(32),
  };
  if (k.privateKey) {
    const childKey = (il + bigFromBytes(k.privateKey)) % CURVE_ORDER;
    if (childKey === 0n) return invalid();
    return Either.right({ ...child, publicKey: publicFromPrivate(childKey), privateKey: bytes32(childKey) });
  }
  try {
    const point = parentOf(k.publicKey).point();
    const sum = il === 0n ? point : secp256k1.Point.BASE.multiply(il).add(point);
    if (sum.is0()) return invalid();
    return Either.right({ ...child, publicKey: sum.toBytes(true) });
  } catch {
    return fail("bad-key", "extended public key is not a secp256k1 point");
  }
};

/** The public half of a key. */
export const neuter = (k: ExtendedKey): ExtendedKey => {
  const { privateKey: _, ...pub } = k;
  return pub;
};

/**
 * Key `branch/index` under an account key, as the pool derives fee and voting addresses
 * (`<xpub>/0/<userId>`): its secp256k1 P2PKH address, compressed pubkey and pubkey address.
 */
export const deriveAddress = (
  xpub: ExtendedKey,
  branch: number,
  index: number,
): Either.Either<
  { address: string; pubKey: string; pubKeyAddress: string; hash160: Uint8Array },
  HdKeyError
> =>
  Either.gen(function* () {
    const child = yield* Either.flatMap(deriveChild(neuter(xpub), branch), (b) => deriveChild(b, index));
    const h160 = hash160(child.publicKey);
    const pkAddress = yield* Either.mapLeft(
      pubKeyAddress(child.net, child.publicKey),
      (e) => new HdKeyError({ reason: "bad-key", detail: e.detail }),
    );
    return {
      address: encodeAddress(pubKeyHashAddress(child.net, h160)),
      pubKey: toHex(child.publicKey),
      pubKeyAddress: encodeAddress(pkAddress),
      hash160: h160,
    };
  });
