// base58check with HC's 2-byte version and double BLAKE-256 checksum (hcutil/base58/base58check.go).
import { Data, Either } from "effect";
import { base58 } from "@scure/base";
import { bytesEqual, concatBytes } from "./bytes.ts";
import { doubleBlake256 } from "./hash.ts";

export class Base58Error extends Data.TaggedError("Base58Error")<{ readonly reason: string }> {
  override get message() {
    return `base58check: ${this.reason}`;
  }
}

const checksum = (data: Uint8Array) => doubleBlake256(data).subarray(0, 4);

export const base58CheckEncode = (
  version: Uint8Array | readonly [number, number],
  payload: Uint8Array,
): string => {
  const body = concatBytes(Uint8Array.from(version), payload);
  return base58.encode(concatBytes(body, checksum(body)));
};

export const base58CheckDecode = (
  s: string,
): Either.Either<{ version: Uint8Array; payload: Uint8Array }, Base58Error> => {
  let decoded: Uint8Array;
  try {
    decoded = base58.decode(s);
  } catch {
    return Either.left(new Base58Error({ reason: "invalid base58 character" }));
  }
  // Version (2) + checksum (4) at least, as CheckDecode's ErrInvalidFormat.
  if (decoded.length < 6) return Either.left(new Base58Error({ reason: "invalid format: too short" }));
  const body = decoded.subarray(0, decoded.length - 4);
  if (!bytesEqual(checksum(body), decoded.subarray(decoded.length - 4))) {
    return Either.left(new Base58Error({ reason: "checksum mismatch" }));
  }
  return Either.right({ version: body.slice(0, 2), payload: body.slice(2) });
};
