// hcd's word on tickets the wallets' stakepooluserinfo may report wrongly (user_tickets.ts):
// existslivetickets, then existsexpiredtickets and existsmissedtickets for those not live — each
// one batched call for all of them, never one per ticket — asked through the voting wallets
// (hcwallet passes the chain methods it does not serve to its hcd). Each wallet first tells its
// best block: a ticket counts only where that chain has it mature (a lagging hcd does not hold a
// young ticket live yet), and the answer of the wallet furthest along is used.
import { Effect, Either } from "effect";
import { fromHex } from "../domain/bytes.ts";
import { type VotingWalletsApi, WalletCallFailed, type WalletMethods } from "../wallets/voting_wallets.ts";
import type { ChainTicketState, TicketToAsk } from "./user_tickets.ts";

const HASH = /^[0-9a-f]{64}$/;

/** hcjson's concatenated hashes: each hash's 32 bytes in internal order (its hex reversed bytewise). */
export const ticketHashBlob = (hashes: ReadonlyArray<string>): string =>
  hashes.map((h) =>
    Array.from({ length: h.length / 2 }, (_, i) => h.slice(h.length - 2 * i - 2, h.length - 2 * i)).join("")
  )
    .join("");

/** Whether hash i is in an exists*tickets answer (hcd's bitset: bit i % 8 of byte i / 8), for `count` hashes. */
export const bitsetMembers = (bitset: string, count: number): Either.Either<ReadonlyArray<boolean>, string> =>
  Either.flatMap(
    Either.mapLeft(fromHex(bitset), (e) => e.message),
    (bytes) =>
      bytes.length < Math.ceil(count / 8)
        ? Either.left(`a bitset of ${bytes.length} bytes for ${count} tickets`)
        : Either.right(Array.from({ length: count }, (_, i) => (bytes[i >> 3] & (1 << (i & 7))) !== 0)),
  );

export interface ChainAnswer {
  /** The best block of the wallet whose answer this is. */
  readonly height: number;
  /** The tickets that are mature at that block, each with its state there. */
  readonly states: ReadonlyMap<string, ChainTicketState>;
}

/** One wallet's answer, or what was wrong with it. */
const askWallet = (rpc: WalletMethods, tickets: ReadonlyArray<TicketToAsk>) =>
  Effect.gen(function* () {
    const { height } = yield* rpc.getBestBlock();
    const asked = tickets.filter((t) => t.matureAt <= height).map((t) => t.hash);
    const states = new Map<string, ChainTicketState>();
    const answer = Either.right<ChainAnswer>({ height, states });
    if (asked.length === 0) return answer;
    const live = bitsetMembers(yield* rpc.existsLiveTickets(ticketHashBlob(asked)), asked.length);
    if (Either.isLeft(live)) return Either.left(`existslivetickets answered ${live.left}`);
    const notLive = asked.filter((hash, i) => {
      if (live.right[i]) states.set(hash, "live");
      return !live.right[i];
    });
    if (notLive.length === 0) return answer;
    const blob = ticketHashBlob(notLive);
    const [expired, missed] = yield* Effect.all(
      [rpc.existsExpiredTickets(blob), rpc.existsMissedTickets(blob)],
      { concurrency: 2 },
    ).pipe(Effect.map((bitsets) => bitsets.map((b) => bitsetMembers(b, notLive.length))));
    if (Either.isLeft(expired)) return Either.left(`existsexpiredtickets answered ${expired.left}`);
    if (Either.isLeft(missed)) return Either.left(`existsmissedtickets answered ${missed.left}`);
    // hcd keeps an expired ticket among the missed ones too; neither is a ticket a vote spent.
    notLive.forEach((hash, i) =>
      states.set(hash, expired.right[i] ? "expired" : missed.right[i] ? "missed" : "spent")
    );
    return answer;
  });

/** hcd's states of `tickets` (malformed hashes are not asked about); undefined when no wallet answered. */
export const askChainTicketStates = (vw: VotingWalletsApi, tickets: ReadonlyArray<TicketToAsk>) =>
  Effect.gen(function* () {
    const wellFormed = tickets.filter((t) => HASH.test(t.hash));
    const { answers } = yield* vw.fanOut("existslivetickets", (rpc) => askWallet(rpc, wellFormed));
    let best: ChainAnswer | undefined;
    for (const { wallet, value } of answers) {
      if (Either.isLeft(value)) {
        return yield* new WalletCallFailed({
          wallet: wallet.name,
          method: "existslivetickets",
          code: undefined,
          detail: value.left,
        });
      }
      if (best === undefined || value.right.height > best.height) best = value.right;
    }
    return best;
  }).pipe(Effect.withSpan("TicketView.askChainTicketStates"));
