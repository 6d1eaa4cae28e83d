// Random tokens for links (email verification, password reset, email change) and a comparison
// whose time does not depend on where two tokens differ.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 16 random bytes as 32 hex characters, the original's token format. */
export const newToken = (): string => randomBytes(16).toString("hex");

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Compares digests, so neither the content nor the length of the expected token leaks. */
export const sameToken = (expected: string, presented: string): boolean =>
  expected !== "" && timingSafeEqual(digest(expected), digest(presented));
