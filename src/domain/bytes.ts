// Byte helpers shared by every domain module. Pure and total.
import { Either } from "effect";
import { InvalidHex } from "./errors.ts";

const HEX = "0123456789abcdef";

export const toHex = (bytes: Uint8Array): string => {
  let out = "";
  for (const b of bytes) out += HEX[b >> 4] + HEX[b & 15];
  return out;
};

export const fromHex = (hex: string): Either.Either<Uint8Array, InvalidHex> => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    return Either.left(new InvalidHex({ input: hex.length > 80 ? `${hex.slice(0, 80)}…` : hex }));
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return Either.right(out);
};

export const concatBytes = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Hashes are displayed byte-reversed (chainhash String). */
export const reversedHex = (bytes: Uint8Array): string => toHex(bytes.slice().reverse());
