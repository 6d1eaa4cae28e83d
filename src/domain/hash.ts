// HC hashing: BLAKE-256 everywhere Bitcoin uses SHA-256, Hash160 = RIPEMD160(BLAKE256(x)).
import { blake256 as nobleBlake256 } from "@noble/hashes/blake1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";

export const blake256 = (data: Uint8Array): Uint8Array => nobleBlake256(data);
export const doubleBlake256 = (data: Uint8Array): Uint8Array => nobleBlake256(nobleBlake256(data));
export const hash160 = (data: Uint8Array): Uint8Array => ripemd160(nobleBlake256(data));
