// HC addresses (hcutil/address.go; HC-PROTOCOL §2): decode, encode, construct, and pay-to script.
import { Data, Either, Option } from "effect";
import { base58CheckDecode, base58CheckEncode } from "./base58check.ts";
import { concatBytes } from "./bytes.ts";
import { hash160 } from "./hash.ts";
import { type AddrId, NET_NAMES, type NetParams, NETWORKS } from "./params.ts";
import {
  compressSecpPubKey,
  payToPubKeyAltScript,
  payToPubKeyHashAltScript,
  payToPubKeyHashScript,
  payToPubKeyScript,
  payToScriptHashScript,
  SIG_TYPE,
} from "./script.ts";

export type SigType = "secp256k1" | "edwards" | "schnorr" | "bliss";

export type Address =
  | {
    readonly kind: "pubkey";
    readonly net: NetParams;
    readonly sigType: "secp256k1" | "edwards" | "schnorr";
    /** 33-byte compressed point (secp256k1, schnorr); 32 bytes for edwards. */
    readonly pubKey: Uint8Array;
  }
  | {
    readonly kind: "pubkeyhash";
    readonly net: NetParams;
    readonly sigType: SigType;
    readonly hash160: Uint8Array;
  }
  | { readonly kind: "scripthash"; readonly net: NetParams; readonly hash160: Uint8Array };

export class AddressError extends Data.TaggedError("AddressError")<{
  readonly reason:
    | "malformed"
    | "checksum"
    | "unknown-net"
    | "unknown-type"
    | "bliss-unsupported"
    | "wrong-net"
    | "bad-pubkey";
  readonly detail: string;
}> {
  override get message() {
    return `invalid address: ${this.detail}`;
  }
}

const idEquals = (a: Uint8Array, id: AddrId) => a[0] === id[0] && a[1] === id[1];

const pkhId = (net: NetParams, sigType: SigType): AddrId =>
  sigType === "secp256k1"
    ? net.pubKeyHashAddrId
    : sigType === "edwards"
    ? net.pkhEdwardsAddrId
    : sigType === "schnorr"
    ? net.pkhSchnorrAddrId
    : net.pkhBlissAddrId;

const fail = (reason: AddressError["reason"], detail: string) =>
  Either.left(new AddressError({ reason, detail }));

const hashPayload = (payload: Uint8Array, what: string): Either.Either<Uint8Array, AddressError> =>
  payload.length === 20
    ? Either.right(payload)
    : fail("malformed", `${what} payload of ${payload.length} bytes, want 20`);

/** The 33-byte pubkey-address payload: suite type with the odd-Y flag in bit 7, then X. */
const decodePubKeyPayload = (net: NetParams, payload: Uint8Array): Either.Either<Address, AddressError> => {
  if (payload.length !== 33) {
    return fail("malformed", `pubkey address payload of ${payload.length} bytes, want 33`);
  }
  const suite = payload[0] & 0x7f;
  const point = concatBytes(Uint8Array.of(payload[0] & 0x80 ? 0x03 : 0x02), payload.subarray(1));
  if (suite !== SIG_TYPE.secp256k1 && suite !== SIG_TYPE.schnorr) {
    // hcutil hands an edwards payload, type byte included, to the 32-byte key parser; it never decodes.
    return fail("unknown-type", `pubkey address of signature suite ${suite} is not supported`);
  }
  return Option.match(compressSecpPubKey(point), {
    onNone: () => fail("bad-pubkey", "pubkey address holds a point that is not on secp256k1"),
    onSome: (pubKey) =>
      Either.right<Address>({
        kind: "pubkey",
        net,
        sigType: suite === SIG_TYPE.secp256k1 ? "secp256k1" : "schnorr",
        pubKey,
      }),
  });
};

/** Decodes any HC address; the net comes from the first character, then the 2-byte ID picks the kind. */
export const decodeAddress = (s: string): Either.Either<Address, AddressError> => {
  const decoded = base58CheckDecode(s);
  if (Either.isLeft(decoded)) {
    return decoded.left.reason === "checksum mismatch"
      ? fail("checksum", "checksum mismatch")
      : fail("malformed", `not base58check: ${decoded.left.reason}`);
  }
  const net = NET_NAMES.map((n) => NETWORKS[n]).find((p) => p.addressPrefix === s[0]);
  if (!net) {
    return fail("unknown-net", `unknown address prefix "${s[0]}" (HC addresses start with H, T or S)`);
  }
  const { version, payload } = decoded.right;
  if (idEquals(version, net.pubKeyAddrId)) return decodePubKeyPayload(net, payload);
  if (idEquals(version, net.pubKeyBlissAddrId)) {
    return fail("bliss-unsupported", "BLISS pubkey addresses are not supported");
  }
  const pkhTypes: ReadonlyArray<SigType> = ["secp256k1", "edwards", "schnorr", "bliss"];
  const sigType = pkhTypes.find((t) => idEquals(version, pkhId(net, t)));
  if (sigType) {
    return Either.map(
      hashPayload(payload, "pubkey hash"),
      (h): Address => ({ kind: "pubkeyhash", net, sigType, hash160: h }),
    );
  }
  if (idEquals(version, net.scriptHashAddrId)) {
    return Either.map(
      hashPayload(payload, "script hash"),
      (h): Address => ({ kind: "scripthash", net, hash160: h }),
    );
  }
  return fail("unknown-type", `unknown address type for ${net.name}`);
};

export const decodeAddressForNet = (s: string, net: NetParams): Either.Either<Address, AddressError> =>
  Either.flatMap(
    decodeAddress(s),
    (a) =>
      a.net.name === net.name
        ? Either.right(a)
        : fail("wrong-net", `address is for ${a.net.name}, not ${net.name}`),
  );

export const encodeAddress = (a: Address): string => {
  switch (a.kind) {
    case "pubkey": {
      const suite = SIG_TYPE[a.sigType];
      // Edwards keys have no Y-parity prefix; secp256k1/schnorr carry it in bit 7.
      const payload = a.pubKey.length === 32
        ? concatBytes(Uint8Array.of(suite), a.pubKey)
        : concatBytes(Uint8Array.of(suite | (a.pubKey[0] === 0x03 ? 0x80 : 0)), a.pubKey.subarray(1));
      return base58CheckEncode(a.net.pubKeyAddrId, payload);
    }
    case "pubkeyhash":
      return base58CheckEncode(pkhId(a.net, a.sigType), a.hash160);
    case "scripthash":
      return base58CheckEncode(a.net.scriptHashAddrId, a.hash160);
  }
};

/** secp256k1 pubkey address from a 33- or 65-byte key; always held (and encoded) compressed. */
export const pubKeyAddress = (net: NetParams, pubKey: Uint8Array): Either.Either<Address, AddressError> =>
  Option.match(compressSecpPubKey(pubKey), {
    onNone: () => fail("bad-pubkey", `not a secp256k1 public key (${pubKey.length} bytes)`),
    onSome: (compressed) =>
      Either.right<Address>({ kind: "pubkey", net, sigType: "secp256k1", pubKey: compressed }),
  });

export const pubKeyHashAddress = (
  net: NetParams,
  h160: Uint8Array,
  sigType: SigType = "secp256k1",
): Address => ({
  kind: "pubkeyhash",
  net,
  sigType,
  hash160: h160,
});

export const scriptHashAddress = (net: NetParams, redeemScript: Uint8Array): Address => ({
  kind: "scripthash",
  net,
  hash160: hash160(redeemScript),
});

/** Hash160 an address commits to; for a pubkey address, of its compressed key (AddressSecpPubKey.Hash160). */
export const addressHash160 = (a: Address): Uint8Array => a.kind === "pubkey" ? hash160(a.pubKey) : a.hash160;

/** The output script paying `a` (txscript PayToAddrScript). */
export const payToAddrScript = (a: Address): Uint8Array => {
  switch (a.kind) {
    case "pubkeyhash":
      return a.sigType === "secp256k1"
        ? payToPubKeyHashScript(a.hash160)
        : payToPubKeyHashAltScript(a.hash160, SIG_TYPE[a.sigType]);
    case "scripthash":
      return payToScriptHashScript(a.hash160);
    case "pubkey":
      return a.sigType === "secp256k1"
        ? payToPubKeyScript(a.pubKey)
        : payToPubKeyAltScript(a.pubKey, SIG_TYPE[a.sigType]);
  }
};

/** The P2PKH form a pubkey address stands for (hcutil EncodeAddress of a pubkey address). */
export const pubKeyHashAddressOf = (a: Address): Address =>
  a.kind === "pubkey" ? pubKeyHashAddress(a.net, hash160(a.pubKey), a.sigType) : a;
