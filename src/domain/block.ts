// HC block header (hcd wire/blockheader.go): Decred's fixed 180-byte layout; the block hash is
// BLAKE-256 of it, displayed byte-reversed.
import { Data, Either } from "effect";
import { concatBytes, reversedHex } from "./bytes.ts";
import { blake256 } from "./hash.ts";
import { i64Bytes, u32Bytes } from "./tx.ts";

export const BLOCK_HEADER_SIZE = 180;

export interface BlockHeader {
  readonly version: number;
  /** 32 bytes each, internal byte order. */
  readonly prevBlock: Uint8Array;
  readonly merkleRoot: Uint8Array;
  readonly stakeRoot: Uint8Array;
  readonly voteBits: number;
  /** 6 bytes: final state of the ticket lottery PRNG. */
  readonly finalState: Uint8Array;
  readonly voters: number;
  readonly freshStake: number;
  readonly revocations: number;
  readonly poolSize: number;
  readonly bits: number;
  readonly sbits: bigint;
  readonly height: number;
  readonly size: number;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly nonce: number;
  /** 32 bytes. */
  readonly extraData: Uint8Array;
  readonly stakeVersion: number;
}

export class BlockHeaderDecodeError extends Data.TaggedError("BlockHeaderDecodeError")<{
  readonly reason: string;
}> {
  override get message() {
    return `malformed block header: ${this.reason}`;
  }
}

const fixed = (b: Uint8Array, n: number) => {
  const out = new Uint8Array(n);
  out.set(b.subarray(0, n));
  return out;
};

export const serializeBlockHeader = (h: BlockHeader): Uint8Array => {
  const small = new Uint8Array(6);
  const v = new DataView(small.buffer);
  v.setUint16(0, h.voters, true);
  v.setUint8(2, h.freshStake);
  v.setUint8(3, h.revocations);
  const voteBits = Uint8Array.of(h.voteBits & 0xff, (h.voteBits >>> 8) & 0xff);
  return concatBytes(
    u32Bytes(h.version),
    fixed(h.prevBlock, 32),
    fixed(h.merkleRoot, 32),
    fixed(h.stakeRoot, 32),
    voteBits,
    fixed(h.finalState, 6),
    small.subarray(0, 4),
    u32Bytes(h.poolSize),
    u32Bytes(h.bits),
    i64Bytes(h.sbits),
    u32Bytes(h.height),
    u32Bytes(h.size),
    u32Bytes(h.timestamp),
    u32Bytes(h.nonce),
    fixed(h.extraData, 32),
    u32Bytes(h.stakeVersion),
  );
};

export const deserializeBlockHeader = (
  bytes: Uint8Array,
): Either.Either<BlockHeader, BlockHeaderDecodeError> => {
  if (bytes.length !== BLOCK_HEADER_SIZE) {
    return Either.left(
      new BlockHeaderDecodeError({ reason: `expected ${BLOCK_HEADER_SIZE} bytes, got ${bytes.length}` }),
    );
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Either.right({
    version: v.getInt32(0, true),
    prevBlock: bytes.slice(4, 36),
    merkleRoot: bytes.slice(36, 68),
    stakeRoot: bytes.slice(68, 100),
    voteBits: v.getUint16(100, true),
    finalState: bytes.slice(102, 108),
    voters: v.getUint16(108, true),
    freshStake: v.getUint8(110),
    revocations: v.getUint8(111),
    poolSize: v.getUint32(112, true),
    bits: v.getUint32(116, true),
    sbits: v.getBigInt64(120, true),
    height: v.getUint32(128, true),
    size: v.getUint32(132, true),
    timestamp: v.getUint32(136, true),
    nonce: v.getUint32(140, true),
    extraData: bytes.slice(144, 176),
    stakeVersion: v.getUint32(176, true),
  });
};

/** Display (byte-reversed) hex of BLAKE-256(header). */
export const blockHash = (h: BlockHeader): string => reversedHex(blake256(serializeBlockHeader(h)));
