// HC transactions (hcd wire/msgtx.go; HC-PROTOCOL §5.1): the Decred prefix/witness layout for
// every serialization type, and the txid (BLAKE-256 of the prefix serialization).
import { Data, Either } from "effect";
import { concatBytes, fromHex, reversedHex, toHex } from "./bytes.ts";
import { InvalidHex } from "./errors.ts";
import { blake256 } from "./hash.ts";

export interface TxIn {
  /** 32 bytes, internal (not display) byte order. */
  readonly prevHash: Uint8Array;
  readonly prevIndex: number;
  readonly tree: number;
  readonly sequence: number;
  readonly valueIn: bigint;
  readonly blockHeight: number;
  readonly blockIndex: number;
  readonly sigScript: Uint8Array;
}

export interface TxOut {
  readonly value: bigint;
  readonly version: number;
  readonly pkScript: Uint8Array;
}

export interface MsgTx {
  readonly version: number;
  readonly inputs: ReadonlyArray<TxIn>;
  readonly outputs: ReadonlyArray<TxOut>;
  readonly lockTime: number;
  readonly expiry: number;
}

export type SerType = "full" | "noWitness" | "onlyWitness" | "witnessSigning" | "witnessValueSigning";

/** Wire order of the serialization types: the number stored in the version field's high 16 bits. */
const SER_TYPES: ReadonlyArray<SerType> = [
  "full",
  "noWitness",
  "onlyWitness",
  "witnessSigning",
  "witnessValueSigning",
];

export const TX_TREE_REGULAR = 0;
export const TX_TREE_STAKE = 1;
export const TX_VERSION = 1;
/** Witness values of an input whose previous output is not known (wire.NewTxIn). */
export const NULL_VALUE_IN = -1n;
export const NULL_BLOCK_HEIGHT = 0;
export const NULL_BLOCK_INDEX = 0xffffffff;
export const MAX_PREV_OUT_INDEX = 0xffffffff;
export const MAX_TX_IN_SEQUENCE = 0xffffffff;

export class TxDecodeError extends Data.TaggedError("TxDecodeError")<{
  readonly reason: string;
  readonly offset: number;
}> {
  override get message() {
    return `malformed transaction at byte ${this.offset}: ${this.reason}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Bitcoin/Decred compact size: the shortest of 1, 3, 5 or 9 bytes. */
export const varIntBytes = (n: number): Uint8Array => {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  if (n <= 0xffffffff) {
    const out = new Uint8Array(5);
    out[0] = 0xfe;
    new DataView(out.buffer).setUint32(1, n, true);
    return out;
  }
  const out = new Uint8Array(9);
  out[0] = 0xff;
  new DataView(out.buffer).setBigUint64(1, BigInt(n), true);
  return out;
};

const u8 = (n: number) => Uint8Array.of(n & 0xff);
const u16 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff);
export const u32Bytes = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
};
export const i64Bytes = (n: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, n), true);
  return out;
};
const varBytes = (b: Uint8Array) => concatBytes(varIntBytes(b.length), b);

const prefixBytes = (tx: MsgTx): Uint8Array =>
  concatBytes(
    varIntBytes(tx.inputs.length),
    ...tx.inputs.flatMap((i) => [i.prevHash, u32Bytes(i.prevIndex), u8(i.tree), u32Bytes(i.sequence)]),
    varIntBytes(tx.outputs.length),
    ...tx.outputs.flatMap((o) => [i64Bytes(o.value), u16(o.version), varBytes(o.pkScript)]),
    u32Bytes(tx.lockTime),
    u32Bytes(tx.expiry),
  );

const witnessInputBytes = (i: TxIn, ser: SerType): ReadonlyArray<Uint8Array> => {
  switch (ser) {
    case "witnessSigning":
      return [varBytes(i.sigScript)];
    case "witnessValueSigning":
      return [i64Bytes(i.valueIn), varBytes(i.sigScript)];
    default:
      return [i64Bytes(i.valueIn), u32Bytes(i.blockHeight), u32Bytes(i.blockIndex), varBytes(i.sigScript)];
  }
};

const witnessBytes = (tx: MsgTx, ser: SerType): Uint8Array =>
  concatBytes(varIntBytes(tx.inputs.length), ...tx.inputs.flatMap((i) => witnessInputBytes(i, ser)));

export const serializeTx = (tx: MsgTx, ser: SerType = "full"): Uint8Array => {
  const versionField = u32Bytes((tx.version & 0xffff) | (SER_TYPES.indexOf(ser) << 16));
  switch (ser) {
    case "full":
      return concatBytes(versionField, prefixBytes(tx), witnessBytes(tx, ser));
    case "noWitness":
      return concatBytes(versionField, prefixBytes(tx));
    default:
      return concatBytes(versionField, witnessBytes(tx, ser));
  }
};

/** Internal byte order; display with `reversedHex` or use `txid`. */
export const txHash = (tx: MsgTx): Uint8Array => blake256(serializeTx(tx, "noWitness"));
export const txid = (tx: MsgTx): string => reversedHex(txHash(tx));
export const txToHex = (tx: MsgTx): string => toHex(serializeTx(tx));

// ---------------------------------------------------------------------------------------------
// Reading (bounds-checked; every failure is a TxDecodeError with the offset it happened at)

type Read<A> = Either.Either<A, TxDecodeError>;

/** Sequential little-endian reader over a byte array. */
class ByteReader {
  offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  fail(reason: string): Read<never> {
    return Either.left(new TxDecodeError({ reason, offset: this.offset }));
  }
  private take<A>(n: number, what: string, read: (at: number) => A): Read<A> {
    if (this.remaining < n) return this.fail(`${what}: need ${n} bytes, ${this.remaining} left`);
    const at = this.offset;
    this.offset += n;
    return Either.right(read(at));
  }
  u8(what: string): Read<number> {
    return this.take(1, what, (at) => this.view.getUint8(at));
  }
  u16(what: string): Read<number> {
    return this.take(2, what, (at) => this.view.getUint16(at, true));
  }
  u32(what: string): Read<number> {
    return this.take(4, what, (at) => this.view.getUint32(at, true));
  }
  i64(what: string): Read<bigint> {
    return this.take(8, what, (at) => this.view.getBigInt64(at, true));
  }
  raw(n: number, what: string): Read<Uint8Array> {
    return this.take(n, what, (at) => this.bytes.slice(at, at + n));
  }
  /** Compact size; non-canonical (longer than needed) encodings are refused as in dcrd. */
  varInt(what: string): Read<number> {
    const start = this.offset;
    return Either.flatMap(this.u8(what), (tag): Read<number> => {
      if (tag < 0xfd) return Either.right(tag);
      const [read, min] = tag === 0xfd
        ? [this.u16(what), 0xfd]
        : tag === 0xfe
        ? [this.u32(what), 0x10000]
        : [Either.map(this.take(8, what, (at) => this.view.getBigUint64(at, true)), Number), 0x100000000];
      return Either.flatMap(read, (n) => {
        if (n >= min) return Either.right(n);
        this.offset = start;
        return this.fail(`${what}: non-canonical varint`);
      });
    });
  }
  /** A count of items each at least `minItemSize` bytes long, so a bogus count cannot run away. */
  count(what: string, minItemSize: number): Read<number> {
    const start = this.offset;
    return Either.flatMap(this.varInt(what), (n) => {
      if (n * minItemSize <= this.remaining) return Either.right(n);
      this.offset = start;
      return this.fail(`${what}: ${n} items cannot fit in ${this.remaining} bytes`);
    });
  }
  varBytes(what: string): Read<Uint8Array> {
    return Either.flatMap(this.count(what, 1), (n) => this.raw(n, what));
  }
}

const ZERO_HASH = new Uint8Array(32);

/** An input with only its witness fields known (prefix fields zero, as wire leaves them). */
const witnessOnlyInput = (
  valueIn: bigint,
  blockHeight: number,
  blockIndex: number,
  sigScript: Uint8Array,
) => ({
  prevHash: ZERO_HASH,
  prevIndex: 0,
  tree: 0,
  sequence: 0,
  valueIn,
  blockHeight,
  blockIndex,
  sigScript,
});

interface Prefix {
  readonly inputs: ReadonlyArray<TxIn>;
  readonly outputs: ReadonlyArray<TxOut>;
  readonly lockTime: number;
  readonly expiry: number;
}

const readPrefix = (r: ByteReader): Read<Prefix> =>
  Either.gen(function* () {
    const inputs: TxIn[] = [];
    const nIn = yield* r.count("input count", 41);
    for (let k = 0; k < nIn; k++) {
      const prevHash = yield* r.raw(32, "input prev hash");
      const prevIndex = yield* r.u32("input prev index");
      const tree = yield* r.u8("input tree");
      const sequence = yield* r.u32("input sequence");
      inputs.push({ ...witnessOnlyInput(0n, 0, 0, new Uint8Array()), prevHash, prevIndex, tree, sequence });
    }
    const outputs: TxOut[] = [];
    const nOut = yield* r.count("output count", 11);
    for (let k = 0; k < nOut; k++) {
      const value = yield* r.i64("output value");
      const version = yield* r.u16("output script version");
      const pkScript = yield* r.varBytes("output script");
      outputs.push({ value, version, pkScript });
    }
    const lockTime = yield* r.u32("lock time");
    const expiry = yield* r.u32("expiry");
    return { inputs, outputs, lockTime, expiry };
  });

const readWitness = (r: ByteReader, ser: SerType): Read<ReadonlyArray<TxIn>> =>
  Either.gen(function* () {
    const minSize = ser === "witnessSigning" ? 1 : ser === "witnessValueSigning" ? 9 : 17;
    const n = yield* r.count("witness count", minSize);
    const inputs: TxIn[] = [];
    for (let k = 0; k < n; k++) {
      const valueIn = ser === "witnessSigning" ? 0n : yield* r.i64("witness value in");
      const full = ser === "full" || ser === "onlyWitness";
      const blockHeight = full ? yield* r.u32("witness block height") : 0;
      const blockIndex = full ? yield* r.u32("witness block index") : 0;
      const sigScript = yield* r.varBytes("witness signature script");
      inputs.push(witnessOnlyInput(valueIn, blockHeight, blockIndex, sigScript));
    }
    return inputs;
  });

export type DecodedTx = MsgTx & { readonly serType: SerType };

export const deserializeTx = (bytes: Uint8Array): Either.Either<DecodedTx, TxDecodeError> =>
  Either.gen(function* () {
    const r = new ByteReader(bytes);
    const versionField = yield* r.u32("version");
    const version = versionField & 0xffff;
    const serType = SER_TYPES[versionField >>> 16];
    if (serType === undefined) {
      return yield* Either.left(
        new TxDecodeError({ reason: `unknown serialization type ${versionField >>> 16}`, offset: 2 }),
      );
    }
    let tx: MsgTx;
    if (serType === "full" || serType === "noWitness") {
      const prefix = yield* readPrefix(r);
      let inputs = prefix.inputs;
      if (serType === "full") {
        const at = r.offset;
        const witness = yield* readWitness(r, serType);
        if (witness.length !== inputs.length) {
          return yield* Either.left(
            new TxDecodeError({
              reason: `${witness.length} witnesses for ${inputs.length} inputs`,
              offset: at,
            }),
          );
        }
        inputs = inputs.map((i, k) => ({
          ...i,
          valueIn: witness[k].valueIn,
          blockHeight: witness[k].blockHeight,
          blockIndex: witness[k].blockIndex,
          sigScript: witness[k].sigScript,
        }));
      }
      tx = { version, ...prefix, inputs };
    } else {
      tx = { version, inputs: yield* readWitness(r, serType), outputs: [], lockTime: 0, expiry: 0 };
    }
    if (r.remaining !== 0) yield* r.fail(`${r.remaining} trailing bytes`);
    return { ...tx, serType };
  });

export const txFromHex = (hex: string): Either.Either<DecodedTx, InvalidHex | TxDecodeError> =>
  Either.flatMap(fromHex(hex), deserializeTx);

/** A 64-hex-digit hash as displayed (byte-reversed) → internal byte order. */
export const hashFromDisplayHex = (s: string): Either.Either<Uint8Array, InvalidHex> =>
  s.length === 64
    ? Either.map(fromHex(s), (b) => b.reverse())
    : Either.left(new InvalidHex({ input: s.length > 80 ? `${s.slice(0, 80)}…` : s }));
