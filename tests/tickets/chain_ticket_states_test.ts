// The ticket check with hcd: the hash blob exists*tickets take (each hash's bytes in internal
// order, hcjson DecodeConcatenatedHashes) and the bitset they answer (bit i % 8 of byte i / 8); a
// malformed answer is refused, not read as "not live"; the wallet whose chain is furthest along is
// asked, about the tickets mature there only.
import assert from "node:assert/strict";
import { Effect, Either } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import {
  askChainTicketStates,
  bitsetMembers,
  ticketHashBlob,
} from "../../src/tickets/chain_ticket_states.ts";
import { makeVotingWallets, type WalletMethods } from "../../src/wallets/voting_wallets.ts";
import { xpubOf } from "../config/support.ts";

const hash = (n: number) => n.toString(16).padStart(64, "0");

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

Deno.test("the wallet furthest along is asked, about the tickets mature at its best block; missed, expired, spent told apart", async () => {
  const asked: Array<{ wallet: string; method: string; hashes: number }> = [];
  // hcd at the wallet with the highest best block: 1 live, 2 missed, 3 expired (missed too), 4 spent.
  const bitset = (blob: string, member: (n: number) => boolean) => {
    const hashes = (blob.match(/.{64}/g) ?? []).map((h) => parseInt(h.match(/../g)!.reverse().join(""), 16));
    const bits = new Uint8Array(Math.ceil(hashes.length / 8));
    hashes.forEach((n, i) => {
      if (member(n)) bits[i >> 3] |= 1 << (i & 7);
    });
    return [...bits].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  const wallet = (name: string, height: number) => {
    const exists = (method: string, member: (n: number) => boolean) => (blob: string) =>
      Effect.sync(() => {
        asked.push({ wallet: name, method, hashes: blob.length / 64 });
        return bitset(blob, member);
      });
    const used = {
      getMasterPubKey: () => Effect.succeed(xpubOf("simnet")),
      getBestBlock: () => Effect.succeed({ hash: hash(0), height }),
      existsLiveTickets: exists("existslivetickets", (n) => n === 1 || n === 9),
      existsMissedTickets: exists("existsmissedtickets", (n) => n === 2 || n === 3),
      existsExpiredTickets: exists("existsexpiredtickets", (n) => n === 3),
    };
    return { name, host: name, rpc: used as unknown as WalletMethods };
  };
  const answer = await Effect.gen(function* () {
    const vw = yield* makeVotingWallets(
      NETWORKS.simnet,
      [wallet("wallet 1", 100), wallet("wallet 2", 130), wallet("wallet 3", 120)],
      2,
    );
    return yield* askChainTicketStates(vw, [
      { hash: hash(1), matureAt: 0 },
      { hash: hash(2), matureAt: 110 },
      { hash: hash(3), matureAt: 125 },
      { hash: hash(4), matureAt: 130 },
      // Not mature at 130 (immature there, so not live): left out, not taken for spent.
      { hash: hash(9), matureAt: 131 },
      { hash: "not a hash", matureAt: 0 },
    ]);
  }).pipe(Effect.runPromise);
  assert.equal(answer?.height, 130);
  assert.deepEqual(Object.fromEntries(answer!.states), {
    [hash(1)]: "live",
    [hash(2)]: "missed",
    [hash(3)]: "expired",
    [hash(4)]: "spent",
  });
  assert.deepEqual(asked.sort((a, b) => a.method.localeCompare(b.method)), [
    { wallet: "wallet 2", method: "existsexpiredtickets", hashes: 3 },
    { wallet: "wallet 2", method: "existslivetickets", hashes: 4 },
    { wallet: "wallet 2", method: "existsmissedtickets", hashes: 3 },
  ]);
});
