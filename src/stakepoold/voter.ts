// stakepoold's voter (behaviour §6.4; DESIGN "Voting"): on winningtickets every live pool ticket
// among the winners is voted at once — generatevote on the wallet, sendrawtransaction on hcd —
// with the bits `voteBitsFor` decides from its owner's preferences and the wallet's defaults.
// Votes in flight are never interrupted: shutdown waits for them.
import { Clock, Context, Effect, FiberSet, Layer, Metric, MetricBoundaries, Ref, Stream } from "effect";
import type { NetParams } from "../domain/params.ts";
import {
  claimWinners,
  emptyVoteClaims,
  releaseClaim,
  voteBitsFor,
  type VoteClaims,
  voteRefusal,
  type WalletVoteDefaults,
} from "../domain/voting.ts";
import type { WalletInfoResult } from "../rpc/hc_methods.ts";
import type { TicketEventKind } from "../rpc/stakepoold_protocol.ts";
import { Supervisor } from "../runtime/supervisor.ts";
import { clockMillis, HcdFeed, type TicketNotification } from "./hcd_feed.ts";
import { LocalNode } from "./local_node.ts";
import { TicketEvents } from "./ticket_events.ts";
import { TicketKeeper } from "./ticket_keeper.ts";

/**
 * "duplicate": hcd already had this very vote (another node's); "spent-elsewhere": another vote
 * spent the ticket first (e.g. the owner's wallet voting it too) — neither is a failure.
 */
export type VoteOutcome = "voted" | "duplicate" | "spent-elsewhere" | "failed";

export interface VoterOptions {
  readonly net: NetParams;
}

/** A vote hcd took, or already had (another node's): the ticket, its selecting block, when. */
export interface LastVote {
  readonly ticket: string;
  readonly blockHeight: number;
  readonly outcome: "voted" | "duplicate";
  readonly at: Date;
}

export interface VoterApi {
  /** Votes since start by outcome. */
  readonly votes: Effect.Effect<Readonly<Record<VoteOutcome, number>>>;
  /** The last vote since start that hcd took or had; undefined before the first. */
  readonly lastVote: Effect.Effect<LastVote | undefined>;
  /**
   * Asks hcd to announce the tip's winners again, so a winner selected while it could not be
   * voted (hcd or wallet away, its owner not known yet, a low-fee ticket not added yet) is voted
   * now. Asked once hcd has answered the notification registrations of its connection; asks
   * made meanwhile are served by that one.
   */
  readonly announceWinnersAgain: (why: string) => Effect.Effect<void>;
}

export class Voter extends Context.Tag("hcstakepool/Voter")<Voter, VoterApi>() {
  static readonly live = (options: VoterOptions) => Layer.scoped(Voter, makeVoter(options));
}

const votesCounter = Metric.counter("stakepoold_votes_total", { description: "votes by outcome" });
const voteDuration = Metric.histogram(
  "stakepoold_vote_duration_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 14 }),
  "winningtickets notification to sendrawtransaction answer",
);

const EVENT_OF = {
  voted: "voted",
  duplicate: "duplicate",
  // The ticket left the pool by another vote.
  "spent-elsewhere": "spent",
  failed: "vote-failed",
} as const satisfies Record<VoteOutcome, TicketEventKind>;

const defaultsOf = (w: WalletInfoResult): WalletVoteDefaults => ({
  voteBits: w.votebits,
  voteBitsExtended: w.votebitsextended,
  voteVersion: w.voteversion,
});

const makeVoter = (options: VoterOptions) =>
  Effect.gen(function* () {
    const { net } = options;
    const { node, wallet, untilAnswered } = yield* LocalNode;
    const feed = yield* HcdFeed;
    const keeper = yield* TicketKeeper;
    const events = yield* TicketEvents;
    const supervisor = yield* Supervisor;

    const defaults = yield* untilAnswered("hcwallet", "walletinfo", wallet.walletInfo()).pipe(
      Effect.map(defaultsOf),
      Effect.flatMap(Ref.make),
    );
    const voting = yield* FiberSet.make();
    const outcomes = yield* Ref.make<Readonly<Record<VoteOutcome, number>>>({
      voted: 0,
      duplicate: 0,
      "spent-elsewhere": 0,
      failed: 0,
    });
    const claims = yield* Ref.make<VoteClaims>(emptyVoteClaims);
    const lastVote = yield* Ref.make<LastVote | undefined>(undefined);

    /** Votes one winner if it is live; "skipped" when it is not a live pool ticket. */
    const voteOne = (blockHash: string, blockHeight: number, hash: string, startedAt: number) =>
      Effect.gen(function* () {
        const found = yield* keeper.poolTicket(hash).pipe(
          Effect.catchAll((e) =>
            Effect.as(
              Effect.logError(`selected ticket ${hash} could not be looked up: ${e.message}`),
              undefined,
            )
          ),
        );
        if (found === undefined) return "skipped" as const;
        const { ticket, state } = found;
        const at = { TicketAddress: ticket.address, TicketHash: hash, blockHeight, blockHash };
        if (state === "ignored") {
          yield* Effect.logInfo("selected low-fee ticket not voted").pipe(
            Effect.annotateLogs({ ticket: hash, detail: ticket.feeProblem }),
          );
          return "skipped" as const;
        }
        const d = yield* Ref.get(defaults);
        const { voteBits, source } = voteBitsFor(yield* keeper.userOf(ticket.address), d, net);
        yield* events.publish({ kind: "winning", ...at, voteBits });
        const outcome = yield* wallet.generateVote(blockHash, blockHeight, hash, voteBits, d.voteBitsExtended)
          .pipe(
            Effect.flatMap((v) =>
              node.sendRawTransaction(v.hex, false).pipe(
                Effect.map((voteTxid) => ({ outcome: "voted" as VoteOutcome, detail: "", voteTxid })),
                Effect.catchTag(
                  "RpcCallError",
                  (e) =>
                    Effect.succeed({
                      outcome: voteRefusal(e.message, hash) as VoteOutcome,
                      detail: e.message,
                    }),
                ),
              )
            ),
            Effect.catchAll((e) => Effect.succeed({ outcome: "failed" as VoteOutcome, detail: e.message })),
          );
        const durationMs = Math.round(((yield* clockMillis) - startedAt) * 100) / 100;
        yield* Metric.increment(Metric.tagged(votesCounter, "outcome", outcome.outcome));
        yield* Ref.update(outcomes, (o) => ({ ...o, [outcome.outcome]: o[outcome.outcome] + 1 }));
        const cast = outcome.outcome;
        if (cast === "voted" || cast === "duplicate") {
          const at = new Date(yield* Clock.currentTimeMillis);
          yield* Ref.set(lastVote, { ticket: hash, blockHeight, outcome: cast, at });
        }
        yield* Metric.update(voteDuration, durationMs);
        yield* events.publish({
          kind: EVENT_OF[outcome.outcome],
          ...at,
          voteBits,
          ...("voteTxid" in outcome ? { voteTxid: outcome.voteTxid } : {}),
          ...(outcome.detail ? { detail: outcome.detail } : {}),
        });
        const log = outcome.outcome === "failed" ? Effect.logError : Effect.logInfo;
        yield* log("vote").pipe(
          Effect.annotateLogs({
            ticket: hash,
            blockHeight,
            voteBits,
            source,
            durationMs,
            outcome: outcome.outcome,
            ...(outcome.outcome === "duplicate" || !outcome.detail ? {} : { detail: outcome.detail }),
          }),
        );
        return outcome.outcome;
      });

    // A winner is claimed for its block before it is voted, so an announcement made again
    // (rebroadcastwinners) does not vote it twice; a claim that did not reach hcd is given back
    // for the next announcement to retry.
    const onWinners = (n: Extract<TicketNotification, { _tag: "winningtickets" }>) =>
      Effect.gen(function* () {
        const startedAt = n.receivedAt;
        const claimed = yield* Ref.modify(claims, (c) => {
          const r = claimWinners(c, n.blockHash, n.blockHeight, n.tickets);
          return [r.claimed, r.claims];
        });
        yield* Effect.forEach(claimed, (hash) =>
          voteOne(n.blockHash, n.blockHeight, hash, startedAt).pipe(
            Effect.catchAllCause((cause) =>
              Effect.as(Effect.logError(`voting ticket ${hash} died`, cause), "failed" as const)
            ),
            Effect.flatMap((outcome) =>
              outcome === "failed" || outcome === "skipped"
                ? Ref.update(claims, (c) => releaseClaim(c, n.blockHash, hash))
                : Effect.void
            ),
          ), { concurrency: "unbounded", discard: true });
      }).pipe(Effect.uninterruptible, Effect.withSpan("Voter.voteWinners"));

    // The reasons of the asks waiting for hcd's registrations; one request serves them all.
    const waitingAsks = yield* Ref.make<ReadonlyArray<string>>([]);
    const announceWinnersAgain = (why: string) =>
      Effect.gen(function* () {
        const before = yield* Ref.getAndUpdate(waitingAsks, (reasons) => [...reasons, why]);
        if (before.length > 0) return;
        yield* FiberSet.run(
          voting,
          Effect.gen(function* () {
            yield* feed.registered;
            const reasons = yield* Ref.getAndSet(waitingAsks, []);
            yield* node.rebroadcastWinners().pipe(
              Effect.catchAll((e) =>
                Effect.logWarning(
                  `asking hcd to announce the winners again (${
                    [...new Set(reasons)].join(", ")
                  }): ${e.message}`,
                )
              ),
            );
          }),
        );
      });

    // Votes start at once, each announcement in its own fiber.
    const notifications = yield* feed.subscribe;
    yield* supervisor.supervise(
      "winners",
      Stream.runForEach(
        notifications,
        (n) => n._tag === "winningtickets" ? FiberSet.run(voting, onWinners(n)) : Effect.void,
      ),
    );
    // The wallet's defaults are read again at every rebuild; after a reconnect hcd repeats the
    // tip's winners, one of which may have been missed while away.
    yield* supervisor.supervise(
      "vote defaults",
      Stream.runForEach(feed.resyncs, (reason) =>
        Effect.zipRight(
          reason === "periodic" ? Effect.void : announceWinnersAgain(reason),
          wallet.walletInfo().pipe(
            Effect.flatMap((w) => Ref.set(defaults, defaultsOf(w))),
            Effect.catchAll((e) =>
              Effect.logWarning(`reading the wallet's vote defaults (${reason}): ${e.message}`)
            ),
          ),
        )),
    );

    return { votes: Ref.get(outcomes), lastVote: Ref.get(lastVote), announceWinnersAgain } satisfies VoterApi;
  });
