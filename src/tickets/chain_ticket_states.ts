// hcd's word on tickets the wallets' stakepooluserinfo may report wrongly (user_tickets.ts):
// existslivetickets, then existsexpiredtickets and existsmissedtickets for those not live — each
// one batched call for all of them, never one per ticket — asked through a voting wallet (hcwallet
// passes the chain methods it does not serve to its hcd): the one whose best block is highest, as
// a ticket counts only where the chain has it mature (a lagging hcd does not hold a young ticket
// live yet).
import { Effect, Either } from "effect";
import { fromHex } from "../domain/bytes.ts";
import type { RpcDecodeError, RpcError } from "../rpc/errors.ts";
import { type VotingWalletsApi, WalletCallFailed, type WalletMethods } from "../wallets/voting_wallets.ts";
import type { ChainTicketState, TicketToAsk } from "./user_tickets.ts";

const HASH = /^[0-9a-f]{64}$/;

/** hcjson's concatenated hashes (each of 64 hex digits): each one's bytes in internal order, i.e. reversed. */
export const ticketHashBlob = (hashes: ReadonlyArray<string>): string => {
  // Written as character codes: a user's 50 000 tickets make 3.2 MB of hex, 20 ms this way and
  // half a second by string concatenation.
  const out = new Uint8Array(hashes.length * 64);
  let at = 0;
  for (const h of hashes) {
    for (let i = 62; i >= 0; i -= 2) {
      out[at++] = h.charCodeAt(i);
      out[at++] = h.charCodeAt(i + 1);
    }
  }
  return new TextDecoder().decode(out);
};

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

/** The states at `height` of the tickets mature there, or what was wrong with an answer. */
const askWallet = (rpc: WalletMethods, height: number, tickets: ReadonlyArray<TicketToAsk>) =>
  Effect.gen(function* () {
    const asked = tickets.filter((t) => t.matureAt <= height).map((t) => t.hash);
    const states = new Map<string, ChainTicketState>();
    if (asked.length === 0) return Either.right(states);
    const live = bitsetMembers(yield* rpc.existsLiveTickets(ticketHashBlob(asked)), asked.length);
    if (Either.isLeft(live)) return Either.left(`existslivetickets answered ${live.left}`);
    const notLive = asked.filter((hash, i) => {
      if (live.right[i]) states.set(hash, "live");
      return !live.right[i];
    });
    if (notLive.length === 0) return Either.right(states);
    const blob = ticketHashBlob(notLive);
    const [expired, missed] = yield* Effect.all(
      [rpc.existsExpiredTickets(blob), rpc.existsMissedTickets(blob)],
      { concurrency: 2 },
    ).pipe(Effect.map((bitsets) => bitsets.map((b) => bitsetMembers(b, notLive.length))));
    if (Either.isLeft(expired)) return Either.left(`existsexpiredtickets answered ${expired.left}`);
    if (Either.isLeft(missed)) return Either.left(`existsmissedtickets answered ${missed.left}`);
    // Expired wins: an expired ticket may be in hcd's missed set too (dcrd keeps it there).
    notLive.forEach((hash, i) =>
      states.set(hash, expired.right[i] ? "expired" : missed.right[i] ? "missed" : "spent")
    );
    return Either.right(states);
  });

/** hcd's states of `tickets` (malformed hashes are not asked about); undefined when no wallet answered. */
export const askChainTicketStates = (vw: VotingWalletsApi, tickets: ReadonlyArray<TicketToAsk>) =>
  Effect.gen(function* () {
    const { answers } = yield* vw.fanOut("getbestblock", (rpc) => rpc.getBestBlock());
    if (answers.length === 0) return undefined;
    const { wallet, value: { height } } = answers.reduce((a, b) => (b.value.height > a.value.height ? b : a));
    const failed = (method: string, code: number | undefined, detail: string) =>
      new WalletCallFailed({ wallet: wallet.name, method, code, detail });
    const states = yield* askWallet(wallet.rpc, height, tickets.filter((t) => HASH.test(t.hash))).pipe(
      Effect.mapError((e: RpcError | RpcDecodeError) =>
        failed(e.method, e._tag === "RpcCallError" ? e.code : undefined, e.message)
      ),
    );
    if (Either.isLeft(states)) return yield* failed("existslivetickets", undefined, states.left);
    return { height, states: states.right } satisfies ChainAnswer;
  }).pipe(Effect.withSpan("TicketView.askChainTicketStates"));
