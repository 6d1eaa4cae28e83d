// The texts hcd and hcwallet (Go) answer with when they cannot read an argument: encoding/hex,
// chainhash.NewHashFromStr, hcutil.DecodeAddress, hcwallet's decodeAddress and wire's reader, and
// Go's %q / %#q quoting they are formatted with (HC-PROTOCOL §11.2). hcsim answers with them so a
// client matching on a message sees what the real programs send.
import { Either } from "effect";
import { type Address, type AddressError, decodeAddress, pubKeyAddress } from "../domain/address.ts";
import type { NetParams } from "../domain/params.ts";
import type { TxDecodeError } from "../domain/tx.ts";
import { RpcCode } from "../rpc/errors.ts";

const isHexDigit = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Go's %#U of a byte: U+007A 'z' (the character only when printable). */
const goRune = (b: number) => {
  const code = `U+${b.toString(16).toUpperCase().padStart(4, "0")}`;
  const printable = (b >= 0x20 && b < 0x7f) || b >= 0xa1;
  return printable ? `${code} '${String.fromCharCode(b)}'` : code;
};

/** encoding/hex.DecodeString's error for `s`, or undefined when it decodes. */
export const goHexError = (s: string): string | undefined => {
  const bytes = new TextEncoder().encode(s);
  const pairs = bytes.length - (bytes.length % 2);
  for (let i = 0; i < pairs; i++) {
    if (!isHexDigit(bytes[i])) return `encoding/hex: invalid byte: ${goRune(bytes[i])}`;
  }
  if (bytes.length % 2 === 1) {
    const last = bytes[bytes.length - 1];
    return isHexDigit(last)
      ? "encoding/hex: odd length hex string"
      : `encoding/hex: invalid byte: ${goRune(last)}`;
  }
  return undefined;
};

/** chainhash.NewHashFromStr's error for `s` (odd lengths get a leading 0), or undefined. */
export const goHashError = (s: string): string | undefined =>
  s.length > 64 ? "max hash string length is 64 bytes" : goHexError(s.length % 2 === 0 ? s : `0${s}`);

/** Go's %q: a double-quoted string with Go escapes (JSON's are the same for what we quote). */
export const goQuote = (s: string): string => JSON.stringify(s);

/** strconv.CanBackquote: no backquote, no control character but tab, no BOM. */
const canBackquote = (s: string) =>
  [...s].every((ch) => {
    const c = ch.codePointAt(0)!;
    return ch !== "`" && c !== 0xfeff && c !== 0x7f && (c >= 0x20 || c === 0x09);
  });

/** Go's %#q: backquoted when strconv.CanBackquote, else %q. */
export const goBackquote = (s: string): string => canBackquote(s) ? `\`${s}\`` : goQuote(s);

/** hcutil.DecodeAddress's error text for a domain AddressError (none for wrong-net: it decodes any net). */
export const hcutilAddressError = (e: AddressError): string => {
  switch (e.reason) {
    case "malformed":
      // base58.Decode refuses a bad character with no bytes, so it is as short as a short string.
      if (e.detail.startsWith("not base58check")) {
        return "decoded address is of unknown format: invalid format: version and/or checksum bytes missing";
      }
      if (e.detail.startsWith("pubkey hash")) return "pkHash must be 20 bytes";
      if (e.detail.startsWith("script hash")) return "scriptHash must be 20 bytes";
      return "unknown address type";
    case "checksum":
      return "checksum mismatch";
    case "unknown-net":
    case "unknown-type":
      return "unknown address type";
    default:
      return e.detail;
  }
};

/** hcutil.DecodeAddress: any net's address; the error is its text. */
export const hcutilDecode = (s: string): Either.Either<Address, string> =>
  Either.mapLeft(decodeAddress(s), hcutilAddressError);

/** An address as hcwallet's decodeAddress reads it, with the bytes a multisig script pushes for it. */
export interface WalletAddress {
  readonly address: Address;
  /** A hex pubkey's own serialization (uncompressed stays uncompressed); else the compressed key. */
  readonly scriptKey?: Uint8Array;
}

export interface WalletDecodeError {
  /** An RPC error hcwallet returns as is (-5), or a plain Go error (undefined code). */
  readonly code: number | undefined;
  readonly message: string;
}

/**
 * hcwallet legacyrpc decodeAddress: a 66- or 130-digit hex secp256k1 pubkey, or an address of this
 * net. Failures: Go's hex error, or -5 "Invalid address …" as hcwallet words it.
 */
export const walletDecodeAddress = (
  s: string,
  net: NetParams,
): Either.Either<WalletAddress, WalletDecodeError> => {
  if (s.length === 66 || s.length === 130) {
    const hexError = goHexError(s);
    if (hexError !== undefined) return Either.left({ code: undefined, message: hexError });
    const bytes = Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
    return Either.match(pubKeyAddress(net, bytes), {
      onLeft: (e) => Either.left({ code: undefined, message: e.detail }),
      onRight: (address) => Either.right({ address, scriptKey: bytes }),
    });
  }
  const decoded = decodeAddress(s);
  if (Either.isLeft(decoded)) {
    return Either.left({
      code: RpcCode.invalidAddressOrKey,
      message: `Invalid address ${goQuote(s)}: decode failed with ${
        goBackquote(hcutilAddressError(decoded.left))
      }`,
    });
  }
  if (decoded.right.net.name !== net.name) {
    return Either.left({
      code: RpcCode.invalidAddressOrKey,
      message: `Invalid address ${goQuote(s)}: not intended for use on ${net.name}`,
    });
  }
  const address = decoded.right;
  return Either.right({ address, ...(address.kind === "pubkey" ? { scriptKey: address.pubKey } : {}) });
};

/** An RPC error's text as Go's RPCError.Error() prints it when it is wrapped: "-5: …". */
export const rpcErrorText = (e: WalletDecodeError): string =>
  e.code === undefined ? e.message : `${e.code}: ${e.message}`;

/**
 * wire's reader error for a transaction that ends too early: io.EOF when it ends exactly where a
 * field starts, io.ErrUnexpectedEOF inside a field; other decode failures keep the domain's words.
 */
export const goTxDecodeError = (e: TxDecodeError): string => {
  const short = /need \d+ bytes, (\d+) left|cannot fit/.exec(e.reason);
  if (short === null) return e.reason;
  return short[1] === "0" ? "EOF" : "unexpected EOF";
};
