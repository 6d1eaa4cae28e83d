// HC output scripts (hcd txscript/opcode.go, standard.go; HC-PROTOCOL §4): builders, the standard
// classifier (Decred forms and HC's OP_CHECKSIGALT forms of stake-tagged outputs), address
// extraction and one-line disassembly. Pure and total.
import { Data, Either, Option } from "effect";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Address } from "./address.ts";
import { concatBytes, toHex } from "./bytes.ts";
import type { NetParams } from "./params.ts";

export const OP = {
  OP_0: 0x00,
  OP_DATA_20: 0x14,
  OP_DATA_33: 0x21,
  OP_PUSHDATA1: 0x4c,
  OP_PUSHDATA2: 0x4d,
  OP_PUSHDATA4: 0x4e,
  OP_1NEGATE: 0x4f,
  OP_1: 0x51,
  OP_TRUE: 0x51,
  OP_2: 0x52,
  OP_3: 0x53,
  OP_4: 0x54,
  OP_16: 0x60,
  OP_RETURN: 0x6a,
  OP_DUP: 0x76,
  OP_EQUAL: 0x87,
  OP_EQUALVERIFY: 0x88,
  OP_BLAKE256: 0xa8,
  OP_HASH160: 0xa9,
  OP_CHECKSIG: 0xac,
  OP_CHECKMULTISIG: 0xae,
  OP_SSTX: 0xba,
  OP_SSGEN: 0xbb,
  OP_SSRTX: 0xbc,
  OP_SSTXCHANGE: 0xbd,
  OP_CHECKSIGALT: 0xbe,
  OP_CHECKSIGALTVERIFY: 0xbf,
  OP_SHA256: 0xc0,
} as const;

/** Signature suites as numbered in scripts and pubkey-address type bytes. */
export const SIG_TYPE = { secp256k1: 0, edwards: 1, schnorr: 2, bliss: 4 } as const;

/** txscript MaxDataCarrierSize (HC raised it from Decred's 256). */
export const MAX_DATA_CARRIER_SIZE = 1024;

const BLISS_PUBKEY_LEN = 897;

export type ScriptClass =
  | "nonstandard"
  | "pubkey"
  | "pubkeyalt"
  | "pubkeyhash"
  | "pubkeyhashalt"
  | "scripthash"
  | "multisig"
  | "nulldata"
  | "stakesubmission"
  | "stakegen"
  | "stakerevoke"
  | "sstxchange";

/** Where a stake-tagged output pays: secp256k1 unless `bliss`. */
export interface StakeDest {
  readonly kind: "pubkeyhash" | "scripthash";
  readonly hash160: Uint8Array;
  readonly bliss?: boolean;
}

export class ScriptError extends Data.TaggedError("ScriptError")<{
  readonly reason: "malformed" | "bad-pubkey" | "bad-multisig" | "too-large" | "unsupported-address";
  readonly detail: string;
}> {
  override get message() {
    return `script: ${this.detail}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface ParsedOp {
  readonly op: number;
  /** Pushed bytes for data-push opcodes (OP_DATA_n, OP_PUSHDATAn). */
  readonly data?: Uint8Array;
}

/** Splits a script into opcodes; `ok` is false when a push runs past the end (txscript parseScript). */
const parseOps = (script: Uint8Array): { ops: ParsedOp[]; ok: boolean } => {
  const ops: ParsedOp[] = [];
  let i = 0;
  while (i < script.length) {
    const op = script[i];
    if (op >= 0x01 && op <= 0x4b) {
      if (i + 1 + op > script.length) return { ops, ok: false };
      ops.push({ op, data: script.subarray(i + 1, i + 1 + op) });
      i += 1 + op;
    } else if (op >= OP.OP_PUSHDATA1 && op <= OP.OP_PUSHDATA4) {
      const width = op === OP.OP_PUSHDATA1 ? 1 : op === OP.OP_PUSHDATA2 ? 2 : 4;
      if (i + 1 + width > script.length) return { ops, ok: false };
      let len = 0;
      for (let k = width - 1; k >= 0; k--) len = len * 256 + script[i + 1 + k];
      const start = i + 1 + width;
      if (len > script.length - start) return { ops, ok: false };
      ops.push({ op, data: script.subarray(start, start + len) });
      i = start + len;
    } else {
      ops.push({ op });
      i += 1;
    }
  }
  return { ops, ok: true };
};

const isSmallInt = (op: number) => op === OP.OP_0 || (op >= OP.OP_1 && op <= OP.OP_16);
const smallIntValue = (op: number) => (op === OP.OP_0 ? 0 : op - (OP.OP_1 - 1));

/** The value of a one-byte push (OP_0..OP_16 or OP_DATA_1), as txscript isOneByteMaxDataPush. */
const oneBytePushValue = (p: ParsedOp): number | undefined =>
  isSmallInt(p.op) ? smallIntValue(p.op) : p.op === 0x01 && p.data ? p.data[0] : undefined;

const dataLen = (p: ParsedOp) => p.data?.length ?? 0;

// ---------------------------------------------------------------------------------------------
// Building

/** Canonical push of `data` (txscript ScriptBuilder.AddData): small ints as OP_n. */
const pushData = (data: Uint8Array): Uint8Array => {
  const n = data.length;
  if (n === 0 || (n === 1 && data[0] === 0)) return Uint8Array.of(OP.OP_0);
  if (n === 1 && data[0] >= 1 && data[0] <= 16) return Uint8Array.of(OP.OP_1 - 1 + data[0]);
  if (n === 1 && data[0] === 0x81) return Uint8Array.of(OP.OP_1NEGATE);
  if (n <= 0x4b) return concatBytes(Uint8Array.of(n), data);
  if (n <= 0xff) return concatBytes(Uint8Array.of(OP.OP_PUSHDATA1, n), data);
  if (n <= 0xffff) return concatBytes(Uint8Array.of(OP.OP_PUSHDATA2, n & 0xff, n >> 8), data);
  return concatBytes(
    Uint8Array.of(OP.OP_PUSHDATA4, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24),
    data,
  );
};

const smallIntOp = (n: number) => (n === 0 ? OP.OP_0 : OP.OP_1 - 1 + n);

export const payToPubKeyHashScript = (h160: Uint8Array): Uint8Array =>
  concatBytes(
    Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, OP.OP_DATA_20),
    h160,
    Uint8Array.of(OP.OP_EQUALVERIFY, OP.OP_CHECKSIG),
  );

/** P2PKH for a non-secp256k1 suite: `... OP_EQUALVERIFY <sigType> OP_CHECKSIGALT`. */
export const payToPubKeyHashAltScript = (h160: Uint8Array, sigType: number): Uint8Array =>
  concatBytes(
    Uint8Array.of(OP.OP_DUP, OP.OP_HASH160, OP.OP_DATA_20),
    h160,
    Uint8Array.of(OP.OP_EQUALVERIFY, smallIntOp(sigType), OP.OP_CHECKSIGALT),
  );

export const payToScriptHashScript = (h160: Uint8Array): Uint8Array =>
  concatBytes(Uint8Array.of(OP.OP_HASH160, OP.OP_DATA_20), h160, Uint8Array.of(OP.OP_EQUAL));

export const payToPubKeyScript = (pubKey33: Uint8Array): Uint8Array =>
  concatBytes(Uint8Array.of(OP.OP_DATA_33), pubKey33, Uint8Array.of(OP.OP_CHECKSIG));

/** P2PK for edwards/schnorr keys: `<pubkey> <sigType> OP_CHECKSIGALT`. */
export const payToPubKeyAltScript = (pubKey: Uint8Array, sigType: number): Uint8Array =>
  concatBytes(pushData(pubKey), Uint8Array.of(smallIntOp(sigType), OP.OP_CHECKSIGALT));

// HC's stake builders write PKH destinations in the alt form, sig type OP_0 (secp) or OP_4 (BLISS).
const taggedAlt = (tag: number, dest: StakeDest): Uint8Array =>
  dest.kind === "scripthash"
    ? concatBytes(Uint8Array.of(tag), payToScriptHashScript(dest.hash160))
    : concatBytes(
      Uint8Array.of(tag),
      payToPubKeyHashAltScript(dest.hash160, dest.bliss ? SIG_TYPE.bliss : SIG_TYPE.secp256k1),
    );

/** Ticket voting output (txscript PayToSStx). */
export const payToSStx = (dest: StakeDest): Uint8Array => taggedAlt(OP.OP_SSTX, dest);
/** Ticket change output (txscript PayToSStxChange). */
export const payToSStxChange = (dest: StakeDest): Uint8Array => taggedAlt(OP.OP_SSTXCHANGE, dest);
/** Vote payout (txscript PayToSSGen). */
export const payToSSGen = (dest: StakeDest): Uint8Array => taggedAlt(OP.OP_SSGEN, dest);
/**
 * Revocation payout. A secp256k1 PKH uses OP_CHECKSIG (txscript PayToSSRtx); PayToSSRtx refuses a
 * BLISS PKH, so a BLISS destination gets the alt form PayToSSRtxPKHDirect writes.
 */
export const payToSSRtx = (dest: StakeDest): Uint8Array =>
  dest.kind === "pubkeyhash" && !dest.bliss
    ? concatBytes(Uint8Array.of(OP.OP_SSRTX), payToPubKeyHashScript(dest.hash160))
    : taggedAlt(OP.OP_SSRTX, dest);

export const nullDataScript = (data: Uint8Array): Either.Either<Uint8Array, ScriptError> =>
  data.length > MAX_DATA_CARRIER_SIZE
    ? Either.left(
      new ScriptError({
        reason: "too-large",
        detail: `null data of ${data.length} bytes exceeds ${MAX_DATA_CARRIER_SIZE}`,
      }),
    )
    : Either.right(concatBytes(Uint8Array.of(OP.OP_RETURN), pushData(data)));

const isMultisigKeyLength = (n: number) => n === 33 || n === 65 || n === BLISS_PUBKEY_LEN;

/** m-of-n CHECKMULTISIG script over raw public keys (33/65-byte secp256k1 or 897-byte BLISS). */
export const multisigScript = (
  m: number,
  pubKeys: ReadonlyArray<Uint8Array>,
): Either.Either<Uint8Array, ScriptError> => {
  const n = pubKeys.length;
  if (!Number.isInteger(m) || m < 1 || n < 1 || m > n || n > 16) {
    return Either.left(
      new ScriptError({ reason: "bad-multisig", detail: `cannot build a ${m}-of-${n} multisig script` }),
    );
  }
  const bad = pubKeys.find((k) => !isMultisigKeyLength(k.length));
  if (bad) {
    return Either.left(
      new ScriptError({ reason: "bad-pubkey", detail: `multisig public key of ${bad.length} bytes` }),
    );
  }
  return Either.right(
    concatBytes(
      Uint8Array.of(smallIntOp(m)),
      ...pubKeys.map(pushData),
      Uint8Array.of(smallIntOp(n), OP.OP_CHECKMULTISIG),
    ),
  );
};

/** The pool's ticket redeem script: 1-of-2 over [pool voting key, user key], both 33-byte secp256k1. */
export const poolMultisigScript = (poolPubKey: Uint8Array, userPubKey: Uint8Array): Uint8Array =>
  concatBytes(
    Uint8Array.of(OP.OP_1, OP.OP_DATA_33),
    poolPubKey,
    Uint8Array.of(OP.OP_DATA_33),
    userPubKey,
    Uint8Array.of(OP.OP_2, OP.OP_CHECKMULTISIG),
  );

// ---------------------------------------------------------------------------------------------
// Classification

export interface ScriptInfo {
  readonly class: ScriptClass;
  /** PKH/P2SH hash, also of stake-tagged outputs. */
  readonly hash160?: Uint8Array;
  readonly isScriptHash?: boolean;
  /** Signature suite of a pubkey/PKH output (0 for the Decred forms). */
  readonly sigType?: number;
  readonly pubKeys?: Uint8Array[];
  readonly sigsRequired?: number;
}

const STAKE_TAGS: ReadonlyMap<number, ScriptClass> = new Map<number, ScriptClass>([
  [OP.OP_SSTX, "stakesubmission"],
  [OP.OP_SSGEN, "stakegen"],
  [OP.OP_SSRTX, "stakerevoke"],
  [OP.OP_SSTXCHANGE, "sstxchange"],
]);

const isPkhPrefix = (ops: ReadonlyArray<ParsedOp>, at: number) =>
  ops[at].op === OP.OP_DUP && ops[at + 1].op === OP.OP_HASH160 && ops[at + 2].op === OP.OP_DATA_20 &&
  ops[at + 3].op === OP.OP_EQUALVERIFY;

const isP2shOps = (ops: ReadonlyArray<ParsedOp>, at: number) =>
  ops.length === at + 3 && ops[at].op === OP.OP_HASH160 && ops[at + 1].op === OP.OP_DATA_20 &&
  ops[at + 2].op === OP.OP_EQUAL;

const classifyOps = (ops: ReadonlyArray<ParsedOp>): ScriptInfo => {
  const n = ops.length;
  if (n === 2 && (dataLen(ops[0]) === 33 || dataLen(ops[0]) === 65) && ops[1].op === OP.OP_CHECKSIG) {
    return { class: "pubkey", sigType: SIG_TYPE.secp256k1, pubKeys: [ops[0].data!] };
  }
  if (n === 3 && dataLen(ops[0]) < 512 && ops[2].op === OP.OP_CHECKSIGALT) {
    const sigType = oneBytePushValue(ops[1]);
    if (sigType !== undefined) {
      return { class: "pubkeyalt", sigType, pubKeys: [ops[0].data ?? new Uint8Array()] };
    }
  }
  if (n === 5 && isPkhPrefix(ops, 0) && ops[4].op === OP.OP_CHECKSIG) {
    return { class: "pubkeyhash", hash160: ops[2].data!, sigType: SIG_TYPE.secp256k1 };
  }
  if (n === 6 && isPkhPrefix(ops, 0) && ops[5].op === OP.OP_CHECKSIGALT) {
    const sigType = oneBytePushValue(ops[4]);
    if (sigType !== undefined) return { class: "pubkeyhashalt", hash160: ops[2].data!, sigType };
  }
  if (isP2shOps(ops, 0)) return { class: "scripthash", hash160: ops[1].data!, isScriptHash: true };
  if (n >= 4 && isSmallInt(ops[0].op) && isSmallInt(ops[n - 2].op) && ops[n - 1].op === OP.OP_CHECKMULTISIG) {
    const keys = ops.slice(1, n - 2);
    if (
      smallIntValue(ops[n - 2].op) === keys.length && keys.every((k) => isMultisigKeyLength(dataLen(k)))
    ) {
      return {
        class: "multisig",
        sigsRequired: smallIntValue(ops[0].op),
        pubKeys: keys.map((k) => k.data!),
      };
    }
  }
  if (ops[0]?.op === OP.OP_RETURN) {
    if (n === 1) return { class: "nulldata" };
    if (
      n === 2 && (isSmallInt(ops[1].op) || ops[1].op <= OP.OP_PUSHDATA4) &&
      dataLen(ops[1]) <= MAX_DATA_CARRIER_SIZE
    ) return { class: "nulldata" };
  }
  const tagged = n > 0 ? STAKE_TAGS.get(ops[0].op) : undefined;
  if (tagged) {
    if (n === 6 && isPkhPrefix(ops, 1) && ops[5].op === OP.OP_CHECKSIG) {
      return { class: tagged, hash160: ops[3].data!, sigType: SIG_TYPE.secp256k1 };
    }
    if (
      n === 7 && isPkhPrefix(ops, 1) && (ops[5].op === OP.OP_0 || ops[5].op === OP.OP_4) &&
      ops[6].op === OP.OP_CHECKSIGALT
    ) return { class: tagged, hash160: ops[3].data!, sigType: smallIntValue(ops[5].op) };
    if (isP2shOps(ops, 1)) return { class: tagged, hash160: ops[2].data!, isScriptHash: true };
  }
  return { class: "nonstandard" };
};

/** Standard class of an output script (txscript GetScriptClass); unparseable scripts are nonstandard. */
export const classifyScript = (script: Uint8Array): ScriptInfo => {
  const { ops, ok } = parseOps(script);
  return ok ? classifyOps(ops) : { class: "nonstandard" };
};

export const parseMultisig = (
  script: Uint8Array,
): Either.Either<{ m: number; pubKeys: Uint8Array[] }, ScriptError> => {
  const info = classifyScript(script);
  return info.class === "multisig"
    ? Either.right({ m: info.sigsRequired!, pubKeys: info.pubKeys! })
    : Either.left(
      new ScriptError({ reason: "bad-multisig", detail: `not a multisig script (${info.class})` }),
    );
};

/**
 * Destination of a stake-tagged output or of a plain P2PKH/P2SH output. Stake outputs may only pay
 * secp256k1 or BLISS key hashes; edwards/schnorr are refused as txscript does.
 */
export const stakeDestOf = (script: Uint8Array): Either.Either<StakeDest, ScriptError> => {
  const info = classifyScript(script);
  // Every class that carries a hash160 is a stake-tagged, P2PKH or P2SH output.
  if (info.hash160 === undefined) {
    return Either.left(
      new ScriptError({
        reason: "unsupported-address",
        detail: `no stake destination in a ${info.class} script`,
      }),
    );
  }
  if (info.isScriptHash) return Either.right({ kind: "scripthash", hash160: info.hash160 });
  if (info.sigType === SIG_TYPE.secp256k1) return Either.right({ kind: "pubkeyhash", hash160: info.hash160 });
  if (info.sigType === SIG_TYPE.bliss) {
    return Either.right({ kind: "pubkeyhash", hash160: info.hash160, bliss: true });
  }
  return Either.left(
    new ScriptError({
      reason: "unsupported-address",
      detail: `stake output for signature type ${info.sigType}`,
    }),
  );
};

// ---------------------------------------------------------------------------------------------
// Keys and addresses

/**
 * A secp256k1 public key (33-byte compressed, 65-byte uncompressed, or hybrid 06/07 with matching
 * Y parity, as btcec accepts) re-serialized compressed; None when it is not a point on the curve.
 */
export const compressSecpPubKey = (pubKey: Uint8Array): Option.Option<Uint8Array> => {
  let bytes = pubKey;
  if (pubKey.length === 65 && (pubKey[0] === 0x06 || pubKey[0] === 0x07)) {
    if ((pubKey[0] & 1) !== (pubKey[64] & 1)) return Option.none();
    bytes = concatBytes(Uint8Array.of(0x04), pubKey.subarray(1));
  }
  try {
    return Option.some(secp256k1.Point.fromBytes(bytes).toBytes(true));
  } catch {
    return Option.none();
  }
};

const isEdwardsPubKey = (pubKey: Uint8Array): boolean => {
  try {
    ed25519.Point.fromBytes(pubKey);
    return pubKey.length === 32;
  } catch {
    return false;
  }
};

const SIG_TYPE_NAMES = ["secp256k1", "edwards", "schnorr", undefined, "bliss"] as const;

/** Addresses an output pays, its class and required signatures (txscript ExtractPkScriptAddrs). */
export const scriptAddresses = (
  script: Uint8Array,
  net: NetParams,
): { class: ScriptClass; addresses: Address[]; reqSigs: number } => {
  const info = classifyScript(script);
  const pkh = (sigType: number | undefined): Address[] => {
    const name = sigType === undefined ? undefined : SIG_TYPE_NAMES[sigType];
    return name ? [{ kind: "pubkeyhash", net, sigType: name, hash160: info.hash160! }] : [];
  };
  const secpPubKey = (k: Uint8Array): Address[] =>
    Option.match(compressSecpPubKey(k), {
      onNone: () => [],
      onSome: (pubKey) => [{ kind: "pubkey", net, sigType: "secp256k1", pubKey }],
    });
  switch (info.class) {
    case "pubkeyhash":
    case "pubkeyhashalt":
      return { class: info.class, addresses: pkh(info.sigType), reqSigs: 1 };
    case "scripthash":
      return {
        class: info.class,
        addresses: [{ kind: "scripthash", net, hash160: info.hash160! }],
        reqSigs: 1,
      };
    case "pubkey":
      return { class: info.class, addresses: secpPubKey(info.pubKeys![0]), reqSigs: 1 };
    case "pubkeyalt": {
      const key = info.pubKeys![0];
      const addresses: Address[] = info.sigType === SIG_TYPE.schnorr
        ? secpPubKey(key).map((a) => ({ ...a, sigType: "schnorr" } as Address))
        : info.sigType === SIG_TYPE.edwards && isEdwardsPubKey(key)
        ? [{ kind: "pubkey", net, sigType: "edwards", pubKey: key }]
        : []; // BLISS P2PK has no Address form here (HC-PROTOCOL §9)
      return { class: info.class, addresses, reqSigs: 1 };
    }
    case "multisig":
      return {
        class: info.class,
        addresses: info.pubKeys!.filter((k) => k.length !== BLISS_PUBKEY_LEN).flatMap(secpPubKey),
        reqSigs: info.sigsRequired!,
      };
    case "stakesubmission":
    case "stakegen":
    case "stakerevoke":
    case "sstxchange":
      return {
        class: info.class,
        addresses: info.isScriptHash
          ? [{ kind: "scripthash", net, hash160: info.hash160! }]
          : pkh(info.sigType),
        reqSigs: 1,
      };
    default:
      return { class: info.class, addresses: [], reqSigs: 0 };
  }
};

// ---------------------------------------------------------------------------------------------
// Disassembly

const OPCODE_NAMES: ReadonlyArray<string> = (() => {
  const names: string[] = new Array(256);
  names[0] = "0";
  names[0x4f] = "-1";
  names[0x50] = "OP_RESERVED";
  for (let i = 1; i <= 16; i++) names[0x50 + i] = String(i);
  const named = (
    "NOP VER IF NOTIF VERIF VERNOTIF ELSE ENDIF VERIFY RETURN TOALTSTACK FROMALTSTACK 2DROP 2DUP 3DUP " +
    "2OVER 2ROT 2SWAP IFDUP DEPTH DROP DUP NIP OVER PICK ROLL ROT SWAP TUCK CAT SUBSTR LEFT RIGHT SIZE " +
    "INVERT AND OR XOR EQUAL EQUALVERIFY ROTR ROTL 1ADD 1SUB 2MUL 2DIV NEGATE ABS NOT 0NOTEQUAL ADD SUB " +
    "MUL DIV MOD LSHIFT RSHIFT BOOLAND BOOLOR NUMEQUAL NUMEQUALVERIFY NUMNOTEQUAL LESSTHAN GREATERTHAN " +
    "LESSTHANOREQUAL GREATERTHANOREQUAL MIN MAX WITHIN RIPEMD160 SHA1 BLAKE256 HASH160 HASH256 " +
    "CODESEPARATOR CHECKSIG CHECKSIGVERIFY CHECKMULTISIG CHECKMULTISIGVERIFY NOP1 CHECKLOCKTIMEVERIFY " +
    "CHECKSEQUENCEVERIFY NOP4 NOP5 NOP6 NOP7 NOP8 NOP9 NOP10 SSTX SSGEN SSRTX SSTXCHANGE CHECKSIGALT " +
    "CHECKSIGALTVERIFY SHA256"
  ).split(" ");
  named.forEach((name, i) => (names[0x61 + i] = `OP_${name}`));
  for (let op = 0xc1; op <= 0xff; op++) names[op] = `OP_UNKNOWN${op}`;
  names[0xf9] = "OP_SMALLDATA";
  names[0xfa] = "OP_SMALLINTEGER";
  names[0xfb] = "OP_PUBKEYS";
  names[0xfd] = "OP_PUBKEYHASH";
  names[0xfe] = "OP_PUBKEY";
  names[0xff] = "OP_INVALIDOPCODE";
  return names;
})();

/** One-line disassembly as txscript DisasmString: pushes as hex, small ints as numbers. */
export const disasmScript = (script: Uint8Array): string => {
  const { ops, ok } = parseOps(script);
  const text = ops.map((p) => (p.data !== undefined ? toHex(p.data) : OPCODE_NAMES[p.op])).join(" ");
  return ok ? text : `${text}[error]`;
};
