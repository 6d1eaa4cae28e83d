// stakepoold's core (behaviour §6.2–§6.4; DESIGN "Voting"): the pool's ticket set kept in step with
// hcd's notifications and rebuilt from the wallet at every resync; on winningtickets every live
// winner is voted at once (generatevote on the wallet, sendrawtransaction on hcd) with the bits
// `voteBitsFor` decides. Votes in flight are never interrupted: shutdown waits for them.
import {
  Clock,
  Context,
  Effect,
  Either,
  FiberSet,
  Layer,
  Metric,
  MetricBoundaries,
  PubSub,
  Queue,
  Ref,
  Schedule,
  Stream,
} from "effect";
import type { Duration } from "effect";
import { deserializeBlockHeader } from "../domain/block.ts";
import { fromHex } from "../domain/bytes.ts";
import type { NetParams } from "../domain/params.ts";
import {
  addedReplaced,
  claimWinners,
  classifyTicket,
  emptyTicketSet,
  emptyVoteClaims,
  missedOrExpired,
  type PoolTicket,
  releaseClaim,
  stateOf,
  type TicketChange,
  ticketSeen,
  type TicketSet,
  ticketsGone,
  ticketsIn,
  ticketsRescanned,
  type UserVotingPrefs,
  voteBitsFor,
  type VoteClaims,
  type WalletVoteDefaults,
} from "../domain/voting.ts";
import {
  CONTROL_API_VERSION,
  type StakepooldStatus,
  type TicketEntry,
  type TicketEvent,
  type UserVotingConfigEntry,
  type VersionResponse,
} from "../rpc/stakepoold_protocol.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { LocalNode } from "./local_node.ts";
import {
  type FetchedTicket,
  type ResyncReason,
  type TicketNotification,
  TicketStream,
} from "./ticket_stream.ts";
import { Users } from "../storage/users.ts";

export type VoteOutcome = "voted" | "duplicate" | "failed";

export interface VoterOptions {
  readonly net: NetParams;
  readonly poolFeePercent: number;
  /** Hash160 (hex) of the pool's fee addresses (coldwalletextpub/0/0…9999). */
  readonly feeAddresses: ReadonlySet<string>;
}

export interface VoterApi {
  readonly version: VersionResponse;
  readonly liveTickets: Effect.Effect<ReadonlyArray<TicketEntry>>;
  readonly addedLowFeeTickets: Effect.Effect<ReadonlyArray<TicketEntry>>;
  readonly ignoredLowFeeTickets: Effect.Effect<ReadonlyArray<TicketEntry>>;
  /** Counts, votes by outcome since start, the chain height seen and the connections. */
  readonly status: Effect.Effect<StakepooldStatus>;
  /** Replaces the admin-added low-fee set; applied when the effect completes. */
  readonly setAddedLowFeeTickets: (tickets: ReadonlyArray<TicketEntry>) => Effect.Effect<void>;
  /** Replaces the users' voting preferences; applied when the effect completes. */
  readonly setUserVotingPrefs: (users: ReadonlyArray<UserVotingConfigEntry>) => Effect.Effect<void>;
  /** Ticket events from the moment the stream is run. */
  readonly events: Stream.Stream<TicketEvent>;
}

export class Voter extends Context.Tag("hcstakepool/Voter")<Voter, VoterApi>() {
  static readonly live = (options: VoterOptions) => Layer.scoped(Voter, makeVoter(options));
}

const votes = Metric.counter("stakepoold_votes_total", { description: "votes by outcome" });
const voteDuration = Metric.histogram(
  "stakepoold_vote_duration_ms",
  MetricBoundaries.exponential({ start: 1, factor: 2, count: 14 }),
  "winningtickets notification to sendrawtransaction answer",
);

const isDuplicate = (e: { readonly _tag: string; readonly message?: string }) =>
  e._tag === "RpcCallError" && (e.message ?? "").includes("already have transaction");

const entryOf = (t: PoolTicket): TicketEntry => ({ TicketAddress: t.address, TicketHash: t.hash });

const makeVoter = (options: VoterOptions) =>
  Effect.gen(function* () {
    const { net } = options;
    const { node, wallet } = yield* LocalNode;
    const stream = yield* TicketStream;

    const defaults = yield* wallet.walletInfo().pipe(
      Effect.map((w): WalletVoteDefaults => ({
        voteBits: w.votebits,
        voteBitsExtended: w.votebitsextended,
        voteVersion: w.voteversion,
      })),
      Effect.tapError((e) => Effect.logWarning(`reading the wallet's vote defaults: ${e.message}`)),
      Effect.retry(Schedule.spaced("1 second")),
      Effect.flatMap(Ref.make),
    );
    const tickets = yield* Ref.make<TicketSet>(emptyTicketSet);
    const users = yield* Ref.make<ReadonlyMap<string, UserVotingPrefs>>(new Map());
    const hub = yield* PubSub.sliding<TicketEvent>(4096);
    const voting = yield* FiberSet.make();
    const outcomes = yield* Ref.make<Readonly<Record<VoteOutcome, number>>>({
      voted: 0,
      duplicate: 0,
      failed: 0,
    });
    const claims = yield* Ref.make<VoteClaims>(emptyVoteClaims);
    const bestBlockHeight = yield* Ref.make<number | undefined>(undefined);
    const lastResync = yield* Ref.make<Date | undefined>(undefined);

    const publish = (event: TicketEvent) => PubSub.publish(hub, event);
    const publishChanges = (changes: ReadonlyArray<TicketChange>, at?: { blockHeight: number }) =>
      Effect.forEach(changes, (c) =>
        publish({ kind: c.state, ...entryOf(c.ticket), ...at, detail: c.ticket.feeProblem || undefined }), {
        discard: true,
      });

    const classify = (fetched: FetchedTicket, known: ReadonlyMap<string, UserVotingPrefs>) =>
      classifyTicket({
        net,
        hash: fetched.hash,
        tx: fetched.tx,
        height: fetched.height,
        poolFeePercent: options.poolFeePercent,
        isFeeAddress: (h) =>
          options.feeAddresses.has(h),
        isUserAddress: (a) =>
          known.has(a),
      });

    /** Looks a ticket up and adds it to the set if it is a pool ticket; returns it as the set holds it. */
    const admit = (hash: string) =>
      Effect.gen(function* () {
        const fetched = yield* stream.fetchTicket(hash);
        if (fetched === undefined) {
          return undefined;
        }
        const known = yield* Ref.get(users);
        const c = classify(fetched, known);
        if (c._tag === "skipped") {
          return undefined;
        }
        const { changes, isNew } = yield* Ref.modify(tickets, (set) => {
          const r = ticketSeen(set, c.ticket);
          return [{ changes: r.changes, isNew: !set.tickets.has(hash) }, r.set];
        });
        if (isNew) {
          yield* publish({ kind: "new", ...entryOf(c.ticket), blockHeight: c.ticket.height });
        }
        yield* publishChanges(changes, { blockHeight: c.ticket.height });
        if (!c.ticket.feeOk) {
          yield* Effect.logInfo("low-fee ticket").pipe(
            Effect.annotateLogs({ ticket: hash, address: c.ticket.address, detail: c.ticket.feeProblem }),
          );
        }
        return c.ticket;
      });

    const resync = (reason: string) =>
      Effect.gen(function* () {
        const info = yield* wallet.walletInfo();
        yield* Ref.set(defaults, {
          voteBits: info.votebits,
          voteBitsExtended: info.votebitsextended,
          voteVersion: info.voteversion,
        });
        const { hashes, height } = yield* stream.walletTickets;
        // A block announced while the list was read may already be newer.
        yield* Ref.update(bestBlockHeight, (h) =>
          Math.max(h ?? 0, height));
        const known = yield* Ref.get(users);
        const fetched = yield* Effect.forEach(hashes, stream.fetchTicket, { concurrency: 8 });
        const scanned = fetched.flatMap((f) => {
          if (f === undefined) {
            return [];
          }
          const c = classify(f, known);
          return c._tag === "pool" ? [c.ticket] : [];
        });
        const r = yield* Ref.modify(tickets, (set) => {
          const r = ticketsRescanned(set, scanned, height);
          return [{ ...r, before: set }, r.set];
        });
        for (const c of r.changes) {
          if (!r.before.tickets.has(c.ticket.hash)) {
            yield* publish({ kind: "new", ...entryOf(c.ticket) });
          }
        }
        yield* publishChanges(r.changes);
        yield* Effect.forEach(
          r.disappeared,
          (t) =>
            publish({ kind: "spent", ...entryOf(t), detail: "no longer an unspent ticket of the wallet" }),
          {
            discard: true,
          },
        );
        yield* Ref.set(lastResync, new Date(yield* Clock.currentTimeMillis));
        const after = r.set;
        const changed = r.changes.length > 0 || r.disappeared.length > 0;
        yield* (changed ? Effect.logInfo : Effect.logDebug)("ticket set rebuilt from the wallet").pipe(
          Effect.annotateLogs({
            reason,
            height,
            walletTickets: hashes.length,
            live: ticketsIn(after, "live").length,
            ignored: ticketsIn(after, "ignored").length,
          }),
        );
      }).pipe(
        Effect.catchAll((e) =>
          Effect.logWarning(`rebuilding the ticket set (${reason}) failed: ${e.message}`)
        ),
        Effect.withSpan("Voter.resync"),
      );

    /** Votes one winner if it is live; "skipped" when it is not a live pool ticket. */
    const voteOne = (blockHash: string, blockHeight: number, hash: string, startedAt: number) =>
      Effect.gen(function* () {
        const ticket = (yield* Ref.get(tickets)).tickets.get(hash) ??
          (yield* admit(hash).pipe(
            Effect.catchAll((e) =>
              Effect.as(
                Effect.logWarning(`selected ticket ${hash} could not be looked up: ${e.message}`),
                undefined,
              )
            ),
          ));
        if (ticket === undefined) return "skipped" as const;
        const at = { ...entryOf(ticket), blockHeight, blockHash };
        if (stateOf(yield* Ref.get(tickets), ticket) === "ignored") {
          yield* Effect.logInfo("selected low-fee ticket not voted").pipe(
            Effect.annotateLogs({ ticket: hash }),
          );
          return "skipped" as const;
        }
        const d = yield* Ref.get(defaults);
        const { voteBits, source } = voteBitsFor((yield* Ref.get(users)).get(ticket.address), d, net);
        yield* publish({ kind: "winning", ...at, voteBits });
        const outcome = yield* wallet.generateVote(blockHash, blockHeight, hash, voteBits, d.voteBitsExtended)
          .pipe(
            Effect.flatMap((v) => node.sendRawTransaction(v.hex, false)),
            Effect.as({ outcome: "voted" as VoteOutcome, detail: "" }),
            Effect.catchAll((e) =>
              Effect.succeed({
                outcome: (isDuplicate(e) ? "duplicate" : "failed") as VoteOutcome,
                detail: e.message ?? String(e),
              })
            ),
          );
        const durationMs = (yield* Clock.currentTimeMillis) - startedAt;
        yield* Metric.increment(Metric.tagged(votes, "outcome", outcome.outcome));
        yield* Ref.update(outcomes, (o) => ({ ...o, [outcome.outcome]: o[outcome.outcome] + 1 }));
        yield* Metric.update(voteDuration, durationMs);
        yield* publish({
          kind: outcome.outcome === "failed" ? "vote-failed" : outcome.outcome,
          ...at,
          voteBits,
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
            ...(outcome.detail && outcome.outcome === "failed" ? { detail: outcome.detail } : {}),
          }),
        );
        return outcome.outcome;
      });

    // A winner is claimed for its block before it is voted, so an announcement made again
    // (rebroadcastwinners) does not vote it twice; a claim that did not reach hcd is given back
    // for the next announcement to retry.
    const onWinners = (n: Extract<TicketNotification, { _tag: "winningtickets" }>) =>
      Effect.gen(function* () {
        const startedAt = yield* Clock.currentTimeMillis;
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
              outcome === "voted" || outcome === "duplicate"
                ? Effect.void
                : Ref.update(claims, (c) => releaseClaim(c, n.blockHash, hash))
            ),
          ), { concurrency: "unbounded", discard: true });
      }).pipe(Effect.uninterruptible, Effect.withSpan("Voter.voteWinners"));

    /** hcd announces the tip's winners again: one selected while we could not vote it is voted now. */
    const announceWinnersAgain = (why: string) =>
      FiberSet.run(
        voting,
        node.rebroadcastWinners().pipe(
          Effect.catchAll((e) =>
            Effect.logWarning(`asking hcd to announce the winners again (${why}): ${e.message}`)
          ),
        ),
      );

    const onNewTickets = (n: Extract<TicketNotification, { _tag: "newtickets" }>) =>
      Effect.forEach(
        n.tickets,
        (hash) =>
          admit(hash).pipe(
            Effect.catchAll((e) => Effect.logWarning(`new ticket ${hash}: ${e.message}`)),
          ),
        { concurrency: 8, discard: true },
      );

    const onSpentAndMissed = (n: Extract<TicketNotification, { _tag: "spentandmissedtickets" }>) =>
      Effect.gen(function* () {
        const { gone } = yield* Ref.modify(tickets, (set) => {
          const r = ticketsGone(set, Object.keys(n.tickets));
          return [r, r.set];
        });
        for (const t of gone) {
          const kind = n.tickets[t.hash] === "spent" ? "spent" : missedOrExpired(net, t, n.height);
          yield* publish({ kind, ...entryOf(t), blockHeight: n.height, blockHash: n.blockHash });
          if (kind !== "spent") {
            yield* Effect.logWarning(`ticket ${kind}`).pipe(
              Effect.annotateLogs({ ticket: t.hash, height: n.height }),
            );
          }
        }
      });

    // Votes start at once in their own fibers; everything that changes the ticket set goes
    // through one queue in order, so a rebuild and the notifications never interleave.
    const work = yield* Queue.unbounded<TicketNotification | ResyncReason | "new users">();
    const notifications = yield* stream.subscribe;
    const onBlock = (header: string) =>
      Either.match(Either.flatMap(fromHex(header), deserializeBlockHeader), {
        onLeft: (e) => Effect.logWarning(`blockconnected with an undecodable header: ${e.message}`),
        onRight: (h) => Ref.set(bestBlockHeight, h.height),
      });
    yield* notifications.pipe(
      Stream.runForEach((n) => {
        switch (n._tag) {
          case "winningtickets":
            return Effect.asVoid(FiberSet.run(voting, onWinners(n)));
          case "blockconnected":
            return onBlock(n.header);
          default:
            return Queue.offer(work, n);
        }
      }),
      Effect.forkScoped,
    );
    yield* stream.resyncs.pipe(
      Stream.runForEach((r) =>
        Effect.zipRight(r === "periodic" ? Effect.void : announceWinnersAgain(r), Queue.offer(work, r))
      ),
      Effect.forkScoped,
    );
    yield* Stream.fromQueue(work).pipe(
      Stream.runForEach((item) => {
        const handled = typeof item === "string"
          ? resync(item)
          : item._tag === "newtickets"
          ? onNewTickets(item)
          : item._tag === "spentandmissedtickets"
          ? onSpentAndMissed(item)
          : Effect.void;
        // One item that dies must not stop the ticket set from being kept.
        return Effect.catchAllCause(handled, (cause) => Effect.logError("keeping the ticket set", cause));
      }),
      Effect.forkScoped,
    );

    const entries = (state: "live" | "ignored") =>
      Effect.map(Ref.get(tickets), (set) => ticketsIn(set, state).map(entryOf));

    return {
      version: {
        versionString:
          `${CONTROL_API_VERSION.major}.${CONTROL_API_VERSION.minor}.${CONTROL_API_VERSION.patch}`,
        ...CONTROL_API_VERSION,
        prerelease: "",
        buildMetadata: "",
      },
      liveTickets: entries("live"),
      ignoredLowFeeTickets: entries("ignored"),
      status: Effect.gen(function* () {
        const set = yield* Ref.get(tickets);
        const height = yield* Ref.get(bestBlockHeight);
        const resynced = yield* Ref.get(lastResync);
        return {
          liveTickets: ticketsIn(set, "live").length,
          addedLowFeeTickets: set.added.size,
          ignoredLowFeeTickets: ticketsIn(set, "ignored").length,
          userVotingConfigs: (yield* Ref.get(users)).size,
          votes: yield* Ref.get(outcomes),
          ...(height === undefined ? {} : { bestBlockHeight: height }),
          hcdConnected: yield* node.client.connected,
          walletConnected: yield* wallet.client.connected,
          ...(resynced === undefined ? {} : { lastResync: resynced }),
        };
      }),
      addedLowFeeTickets: Effect.map(
        Ref.get(tickets),
        (set) => [...set.added].map(([hash, address]) => ({ TicketAddress: address, TicketHash: hash })),
      ),
      setAddedLowFeeTickets: (added) =>
        Effect.gen(function* () {
          const changes = yield* Ref.modify(tickets, (set) => {
            const r = addedReplaced(
              set,
              added.map((e) => ({ hash: e.TicketHash, address: e.TicketAddress })),
            );
            return [r.changes, r.set];
          });
          yield* publishChanges(changes);
          yield* Effect.logInfo("added low-fee tickets replaced").pipe(
            Effect.annotateLogs({ added: added.length, changed: changes.length }),
          );
        }),
      setUserVotingPrefs: (entries) =>
        Effect.gen(function* () {
          const next = new Map(entries.map((u) => [u.MultiSigAddress, u]));
          const previous = yield* Ref.getAndSet(users, next);
          yield* Effect.logInfo("user voting preferences replaced").pipe(
            Effect.annotateLogs({ users: next.size }),
          );
          // Tickets of users we did not know were skipped; find them now, a winner of the tip included.
          if ([...next.keys()].some((a) => !previous.has(a))) {
            yield* Queue.offer(work, "new users");
            yield* announceWinnersAgain("new users");
          }
        }),
      events: Stream.fromPubSub(hub),
    } satisfies VoterApi;
  });

/** Reads users' preferences and the admin-added low-fee tickets from the database into the Voter. */
export const loadPrefsFromDatabase = Effect.gen(function* () {
  const voter = yield* Voter;
  const users = yield* Users;
  const lowFee = yield* LowFeeTickets;
  const configs = yield* users.votingConfigs;
  const added = yield* lowFee.votable;
  yield* voter.setUserVotingPrefs(configs);
  yield* voter.setAddedLowFeeTickets(
    added.map((t) => ({ TicketAddress: t.TicketAddress, TicketHash: t.TicketHash })),
  );
}).pipe(Effect.withSpan("Voter.loadPrefsFromDatabase"));

/**
 * Loads the preferences from the database once at start and, with `every` (norpclisten: no
 * control API to push them), again at that interval. Failures are logged; voting goes on.
 */
export const databasePrefsLayer = (every: Duration.DurationInput | undefined) => {
  const load = loadPrefsFromDatabase.pipe(
    Effect.catchAll((e) => Effect.logWarning(`loading voting preferences from the database: ${e.message}`)),
  );
  return Layer.scopedDiscard(
    Effect.zipRight(
      load,
      every === undefined ? Effect.void : Effect.forkScoped(Effect.forever(Effect.delay(load, every))),
    ),
  );
};
