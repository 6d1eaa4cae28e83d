// The pool's ticket set on this node (behaviour §6.2–§6.4; DESIGN "Voting"): every pool ticket
// the wallet holds with its fee verdict, kept in step with hcd's newtickets and
// spentandmissedtickets and rebuilt from the wallet at every resync; the users' voting preferences
// and the admin-added low-fee tickets it is judged against. The decisions are domain/voting.ts's;
// this service only holds the state, changed in one queue so a rebuild and the notifications never
// interleave.
import { Clock, Context, Effect, Either, Layer, Queue, Ref, Stream } from "effect";
import { deserializeBlockHeader } from "../domain/block.ts";
import { fromHex } from "../domain/bytes.ts";
import type { NetParams } from "../domain/params.ts";
import {
  addedReplaced,
  classifyTicket,
  emptyTicketSet,
  missedOrExpired,
  type PoolTicket,
  stateOf,
  type TicketChange,
  ticketOf,
  ticketSeen,
  type TicketSet,
  ticketsGone,
  ticketsIn,
  ticketsRescanned,
  type TicketState,
  type UserVotingPrefs,
} from "../domain/voting.ts";
import type { TicketEntry, UserVotingConfigEntry } from "../rpc/stakepoold_protocol.ts";
import { Supervisor } from "../runtime/supervisor.ts";
import {
  type FetchedTicket,
  HcdFeed,
  type LookupError,
  type ResyncReason,
  type TicketNotification,
} from "./hcd_feed.ts";
import { TicketEvents } from "./ticket_events.ts";

export interface TicketKeeperOptions {
  readonly net: NetParams;
  readonly poolFeePercent: number;
  /** Hash160 (hex) of the pool's fee addresses (coldwalletextpub/0/0…9999). */
  readonly feeAddresses: ReadonlySet<string>;
}

export interface TicketSetStatus {
  readonly liveTickets: number;
  readonly addedLowFeeTickets: number;
  readonly ignoredLowFeeTickets: number;
  readonly userVotingConfigs: number;
  /** Height of the last block hcd announced or the set was rebuilt at; absent before either. */
  readonly bestBlockHeight?: number;
  /** When the set was last rebuilt from the wallet; absent before the first rebuild. */
  readonly lastResync?: Date;
}

export interface TicketKeeperApi {
  readonly liveTickets: Effect.Effect<ReadonlyArray<TicketEntry>>;
  readonly ignoredLowFeeTickets: Effect.Effect<ReadonlyArray<TicketEntry>>;
  readonly addedLowFeeTickets: Effect.Effect<ReadonlyArray<TicketEntry>>;
  /** Every user's voting preferences, in UserId order. */
  readonly users: Effect.Effect<ReadonlyArray<UserVotingConfigEntry>>;
  /** The preferences of the user owning a multisig ticket address. */
  readonly userOf: (multiSigAddress: string) => Effect.Effect<UserVotingPrefs | undefined>;
  /**
   * A selected ticket as the set holds it, or looked up and admitted now (a winner may be
   * announced before its newtickets); undefined when it is no pool ticket.
   */
  readonly poolTicket: (
    hash: string,
  ) => Effect.Effect<{ readonly ticket: PoolTicket; readonly state: TicketState } | undefined, LookupError>;
  /** Replaces the users' voting preferences; returns how many addresses were not known before. */
  readonly setUsers: (
    users: ReadonlyArray<UserVotingConfigEntry>,
  ) => Effect.Effect<{ readonly newUsers: number }>;
  /**
   * Replaces the admin-added low-fee set; applied when the effect completes. Returns how many
   * tickets were not in the set before (one may be a winner of the tip, not voted when drawn).
   */
  readonly setAddedLowFeeTickets: (
    tickets: ReadonlyArray<TicketEntry>,
  ) => Effect.Effect<{ readonly newlyAdded: number }>;
  readonly status: Effect.Effect<TicketSetStatus>;
}

export class TicketKeeper extends Context.Tag("hcstakepool/TicketKeeper")<TicketKeeper, TicketKeeperApi>() {
  static readonly live = (options: TicketKeeperOptions) =>
    Layer.scoped(TicketKeeper, makeTicketKeeper(options));
}

const entryOf = (t: PoolTicket): TicketEntry => ({ TicketAddress: t.address, TicketHash: t.hash });

type Work =
  | Extract<TicketNotification, { _tag: "newtickets" | "spentandmissedtickets" }>
  | ResyncReason
  | "new users";

const makeTicketKeeper = (options: TicketKeeperOptions) =>
  Effect.gen(function* () {
    const { net } = options;
    const feed = yield* HcdFeed;
    const events = yield* TicketEvents;
    const supervisor = yield* Supervisor;

    const tickets = yield* Ref.make<TicketSet>(emptyTicketSet);
    const users = yield* Ref.make<ReadonlyMap<string, UserVotingPrefs>>(new Map());
    const bestBlockHeight = yield* Ref.make<number | undefined>(undefined);
    const lastResync = yield* Ref.make<Date | undefined>(undefined);

    const publishChanges = (changes: ReadonlyArray<TicketChange>, at?: { blockHeight: number }) =>
      Effect.forEach(changes, (c) =>
        events.publish({
          kind: c.state,
          ...entryOf(c.ticket),
          ...at,
          ...(c.ticket.feeProblem ? { detail: c.ticket.feeProblem } : {}),
        }), { discard: true });

    const logLowFee = (t: PoolTicket) =>
      t.feeOk ? Effect.void : Effect.logInfo("low-fee ticket ignored").pipe(
        Effect.annotateLogs({ ticket: t.hash, address: t.address, detail: t.feeProblem }),
      );

    const classify = (fetched: FetchedTicket, known: ReadonlyMap<string, UserVotingPrefs>) =>
      classifyTicket({
        net,
        hash: fetched.hash,
        tx: fetched.tx,
        height: fetched.height,
        poolFeePercent: options.poolFeePercent,
        isFeeAddress: (h) => options.feeAddresses.has(h),
        isUserAddress: (a) => known.has(a),
      });

    /** Looks a ticket up and adds it to the set if it is a pool ticket; returns it as the set holds it. */
    const admit = (hash: string) =>
      Effect.gen(function* () {
        const fetched = yield* feed.fetchTicket(hash);
        if (fetched === undefined) return undefined;
        const c = classify(fetched, yield* Ref.get(users));
        if (c._tag === "skipped") return undefined;
        const { changes, isNew } = yield* Ref.modify(tickets, (set) => {
          const r = ticketSeen(set, c.ticket);
          return [{ changes: r.changes, isNew: ticketOf(set, hash) === undefined }, r.set];
        });
        if (isNew) {
          yield* events.publish({ kind: "new", ...entryOf(c.ticket), blockHeight: c.ticket.height });
          yield* logLowFee(c.ticket);
        }
        yield* publishChanges(changes, { blockHeight: c.ticket.height });
        return c.ticket;
      });

    const resync = (reason: string) =>
      Effect.gen(function* () {
        const { hashes, height } = yield* feed.walletTickets;
        // A block announced while the list was read may already be newer.
        yield* Ref.update(bestBlockHeight, (h) => Math.max(h ?? 0, height));
        const known = yield* Ref.get(users);
        const looked = yield* Effect.forEach(
          hashes,
          (hash) => Effect.either(feed.fetchTicket(hash)).pipe(Effect.map((r) => ({ hash, r }))),
          { concurrency: 8 },
        );
        const scanned: PoolTicket[] = [];
        const unresolved: string[] = [];
        for (const { hash, r } of looked) {
          if (Either.isLeft(r)) {
            unresolved.push(hash);
            yield* Effect.logWarning(
              `ticket ${hash} could not be looked up; kept as it was: ${r.left.message}`,
            );
          } else if (r.right !== undefined) {
            const c = classify(r.right, known);
            if (c._tag === "pool") scanned.push(c.ticket);
          }
        }
        const r = yield* Ref.modify(tickets, (set) => {
          const r = ticketsRescanned(set, scanned, height, unresolved);
          return [{ ...r, before: set }, r.set];
        });
        for (const c of r.changes) {
          if (ticketOf(r.before, c.ticket.hash) === undefined) {
            yield* events.publish({ kind: "new", ...entryOf(c.ticket) });
            yield* logLowFee(c.ticket);
          }
        }
        yield* publishChanges(r.changes);
        yield* Effect.forEach(
          r.disappeared,
          (t) =>
            events.publish({
              kind: "spent",
              ...entryOf(t),
              detail: "no longer an unspent ticket of the wallet",
            }),
          { discard: true },
        );
        yield* Ref.set(lastResync, new Date(yield* Clock.currentTimeMillis));
        const changed = r.changes.length > 0 || r.disappeared.length > 0;
        yield* (changed ? Effect.logInfo : Effect.logDebug)("ticket set rebuilt from the wallet").pipe(
          Effect.annotateLogs({
            reason,
            height,
            walletTickets: hashes.length,
            unresolved: unresolved.length,
            live: ticketsIn(r.set, "live").length,
            ignored: ticketsIn(r.set, "ignored").length,
          }),
        );
      }).pipe(
        Effect.catchAll((e) =>
          Effect.logWarning(`rebuilding the ticket set (${reason}) failed: ${e.message}`)
        ),
        Effect.withSpan("TicketKeeper.resync"),
      );

    const onNewTickets = (n: Extract<TicketNotification, { _tag: "newtickets" }>) =>
      Effect.forEach(
        n.tickets,
        (hash) =>
          admit(hash).pipe(Effect.catchAll((e) => Effect.logWarning(`new ticket ${hash}: ${e.message}`))),
        { concurrency: 8, discard: true },
      );

    const onSpentAndMissed = (n: Extract<TicketNotification, { _tag: "spentandmissedtickets" }>) =>
      Effect.gen(function* () {
        const { gone, before } = yield* Ref.modify(tickets, (set) => {
          const r = ticketsGone(set, Object.keys(n.tickets));
          return [{ gone: r.gone, before: set }, r.set];
        });
        for (const t of gone) {
          const kind = n.tickets[t.hash] === "spent" ? "spent" : missedOrExpired(net, t, n.height);
          yield* events.publish({ kind, ...entryOf(t), blockHeight: n.height, blockHash: n.blockHash });
          if (kind === "spent") continue;
          // A low-fee ticket the pool does not vote is expected to miss; a live one cost its owner.
          const ignored = stateOf(before, t) === "ignored";
          yield* (ignored ? Effect.logInfo : Effect.logWarning)(
            ignored ? `low-fee ticket ${kind}, not voted by the pool` : `ticket ${kind}`,
          ).pipe(
            Effect.annotateLogs({ ticket: t.hash, height: n.height }),
          );
        }
      });

    const onBlock = (header: string) =>
      Either.match(Either.flatMap(fromHex(header), deserializeBlockHeader), {
        onLeft: (e) => Effect.logError(`blockconnected with an undecodable header: ${e.message}`),
        onRight: (h) => Ref.set(bestBlockHeight, h.height),
      });

    // Everything that changes the set goes through this queue in order. The queue and the
    // subscription outlive a restart of the loops, so a loop that dies loses nothing queued.
    const work = yield* Queue.unbounded<Work>();
    const notifications = yield* feed.subscribe;
    yield* supervisor.supervise(
      "ticket set",
      Stream.fromQueue(work).pipe(
        Stream.runForEach((item) =>
          typeof item === "string"
            ? resync(item)
            : item._tag === "newtickets"
            ? onNewTickets(item)
            : onSpentAndMissed(item)
        ),
      ),
    );
    yield* supervisor.supervise(
      "ticket notifications",
      notifications.pipe(
        Stream.runForEach((n) =>
          n._tag === "blockconnected"
            ? onBlock(n.header)
            : n._tag === "winningtickets"
            ? Effect.void
            : Queue.offer(work, n)
        ),
      ),
    );
    yield* supervisor.supervise(
      "ticket set rebuilds",
      Stream.runForEach(feed.resyncs, (r) => Queue.offer(work, r)),
    );

    const entries = (state: TicketState) =>
      Effect.map(Ref.get(tickets), (set) => ticketsIn(set, state).map(entryOf));

    return {
      liveTickets: entries("live"),
      ignoredLowFeeTickets: entries("ignored"),
      addedLowFeeTickets: Effect.map(
        Ref.get(tickets),
        (set) => [...set.added].map(([hash, address]) => ({ TicketAddress: address, TicketHash: hash })),
      ),
      users: Effect.map(Ref.get(users), (m) => [...m.values()].sort((a, b) => a.UserId - b.UserId)),
      userOf: (address) => Effect.map(Ref.get(users), (m) => m.get(address)),
      poolTicket: (hash) =>
        Effect.gen(function* () {
          const ticket = ticketOf(yield* Ref.get(tickets), hash) ?? (yield* admit(hash));
          return ticket === undefined
            ? undefined
            : { ticket, state: stateOf(yield* Ref.get(tickets), ticket) };
        }),
      setUsers: (entries) =>
        Effect.gen(function* () {
          const next = new Map(entries.map((u) => [u.MultiSigAddress, u]));
          const previous = yield* Ref.getAndSet(users, next);
          const newUsers = [...next.keys()].filter((a) => !previous.has(a)).length;
          yield* Effect.logInfo("user voting preferences replaced").pipe(
            Effect.annotateLogs({ users: next.size, new: newUsers }),
          );
          // Tickets of users we did not know were skipped: find them now.
          if (newUsers > 0) yield* Queue.offer(work, "new users");
          return { newUsers };
        }),
      setAddedLowFeeTickets: (added) =>
        Effect.gen(function* () {
          const { changes, newlyAdded } = yield* Ref.modify(tickets, (set) => {
            const r = addedReplaced(
              set,
              added.map((e) => ({ hash: e.TicketHash, address: e.TicketAddress })),
            );
            const newlyAdded = [...r.set.added.keys()].filter((h) => !set.added.has(h)).length;
            return [{ changes: r.changes, newlyAdded }, r.set];
          });
          yield* publishChanges(changes);
          yield* Effect.logInfo("added low-fee tickets replaced").pipe(
            Effect.annotateLogs({ added: added.length, new: newlyAdded, changed: changes.length }),
          );
          return { newlyAdded };
        }),
      status: Effect.gen(function* () {
        const set = yield* Ref.get(tickets);
        const height = yield* Ref.get(bestBlockHeight);
        const resynced = yield* Ref.get(lastResync);
        return {
          liveTickets: ticketsIn(set, "live").length,
          addedLowFeeTickets: set.added.size,
          ignoredLowFeeTickets: ticketsIn(set, "ignored").length,
          userVotingConfigs: (yield* Ref.get(users)).size,
          ...(height === undefined ? {} : { bestBlockHeight: height }),
          ...(resynced === undefined ? {} : { lastResync: resynced }),
        };
      }),
    } satisfies TicketKeeperApi;
  });
