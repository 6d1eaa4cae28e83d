// The hcd encodings of the ticket check: the hash blob exists*tickets take (each hash's bytes in
// internal order, hcjson DecodeConcatenatedHashes) and the bitset they answer (bit i % 8 of byte
// i / 8); a malformed answer is refused, not read as "not live".
import assert from "node:assert/strict";
import { Either } from "effect";
import { bitsetMembers, ticketHashBlob } from "../../src/tickets/chain_ticket_states.ts";

Deno.test("the hash blob: each display hash byte-reversed, concatenated", () => {
  const one = `${"0".repeat(62)}01`;
  const counting = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, "0")).join("");
  const reversedCounting = Array.from({ length: 32 }, (_, i) => (31 - i).toString(16).padStart(2, "0"))
    .join("");
  assert.equal(ticketHashBlob([one, counting]), `01${"0".repeat(62)}${reversedCounting}`);
  assert.equal(ticketHashBlob([]), "");
});

Deno.test("the bitset: hash i is bit i % 8 of byte i / 8; bad hex or too few bytes is refused", () => {
  assert.deepEqual(bitsetMembers("05", 3), Either.right([true, false, true]));
  assert.deepEqual(
    bitsetMembers("0501", 9),
    Either.right([true, false, true, false, false, false, false, false, true]),
  );
  assert.deepEqual(bitsetMembers("", 0), Either.right([]));
  assert.ok(Either.isLeft(bitsetMembers("zz", 1)));
  assert.ok(Either.isLeft(bitsetMembers("00", 9)));
});
