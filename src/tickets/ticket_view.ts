// The per-user ticket view behind /tickets (issue 12): a page view never calls a wallet. A user's
// tickets are read from the voting wallets (`stakepooluserinfo`) when first needed, then kept
// current by the stakepoolds' ticket events (user_tickets.ts says how each moves a ticket) and
// confirmed by a wallet read at most once per user per `minRefreshInterval` — after events that
// need the wallet's word (a vote's txid it did not see), after a stakepoold's stream reopened (it
// may have missed events), or when a shown view is older than `maxAge`. Where events may have been
// missed — the view's first read (after a restart too), a reopened stream, a pool without
// stakepoolds — the tickets the wallet calls live are also checked with hcd in one batch
// (chain_ticket_states.ts): the real wallet keeps a missed ticket "live". The chain tip, which
// decides immature or live and the maxvotedage archive, comes from the stakepoolds (or, without
// any, the wallets) every `tipInterval`. Pages subscribe to `changes` to update themselves.
import {
  Clock,
  Context,
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  Layer,
  Option,
  PubSub,
  Ref,
  Schedule,
  Stream,
} from "effect";
import type { StakePoolUserInfoResult } from "../rpc/hc_methods.ts";
import {
  VotingWallets,
  type VotingWalletsApi,
  type WalletCallFailed,
  WalletsUnavailable,
} from "../wallets/voting_wallets.ts";
import { askChainTicketStates } from "./chain_ticket_states.ts";
import { StakepooldWatch } from "./stakepoold_watch.ts";
import {
  applyChainStates,
  applyEvent,
  awaitsWallet,
  type ChainView,
  combineUserInfo,
  emptyUserTickets,
  hasUnsureLowFee,
  listTickets,
  mergeUserInfo,
  type Order,
  type PageOf,
  pageOf,
  type PoolTicket,
  type Section,
  SECTIONS,
  type ShownStatus,
  shownStatus,
  type TicketCounts,
  type TicketListing,
  ticketsToAsk,
  type UserTickets,
  withAddedLowFee,
} from "./user_tickets.ts";

export interface TicketViewOptions extends TicketViewTuning {
  /** Voted tickets whose vote is more than this many blocks old are only counted (maxvotedage). */
  readonly maxVotedAge: number;
}

export interface TicketViewTuning {
  /** Least time between two wallet reads for one user (default 10 s). */
  readonly minRefreshInterval?: Duration.DurationInput;
  /**
   * A view shown, or open at a new block, this long after its last wallet read is read again in the
   * background (default 60 s): tickets bought since then show up as immature.
   */
  readonly maxAge?: Duration.DurationInput;
  /** How often the chain tip is asked for (default 10 s). */
  readonly tipInterval?: Duration.DurationInput;
  /** A view nobody looked at or watched for this long is dropped (default 30 min). */
  readonly idleTtl?: Duration.DurationInput;
}

export interface TicketRow {
  readonly hash: string;
  readonly height: number;
  readonly status: ShownStatus | "invalid";
  readonly spentBy: string | undefined;
  readonly spentByHeight: number;
  /** The block that selected it, while its vote is on the way. */
  readonly selectedAt: number | undefined;
}

export interface TicketPageQuery {
  /** One section, paged; absent: the first rows of every section. */
  readonly section: Section | undefined;
  readonly page: number;
  readonly order: Order;
}

export interface TicketPage {
  /** Changes whenever what the page shows changes (the live script compares it). */
  readonly version: number;
  readonly tip: number;
  readonly maxVotedAge: number;
  /** When the wallets were last read for this user. */
  readonly readAt: Date;
  readonly counts: TicketCounts;
  readonly sections: ReadonlyArray<{ readonly section: Section; readonly page: PageOf<TicketRow> }>;
}

/** Rows per section on the overview, and per page of one section. */
export const PREVIEW_ROWS = 10;
export const PAGE_ROWS = 50;

export type TicketViewError = WalletsUnavailable | WalletCallFailed;

export class TicketView extends Context.Tag("hcstakepool/TicketView")<TicketView, {
  /** The page for the user's ticket address, from the view (read from the wallets only the first time). */
  readonly page: (address: string, query: TicketPageQuery) => Effect.Effect<TicketPage, TicketViewError>;
  /** The view's version each time what the user's page shows changes; ends when the app stops. */
  readonly changes: (address: string) => Stream.Stream<number, TicketViewError>;
}>() {
  static readonly layer = (options: TicketViewOptions) => Layer.scoped(TicketView, makeTicketView(options));
}

/**
 * stakepooluserinfo on the usable wallets, combined (the reconciler repairs a wallet that lacks
 * tickets), and each wallet's count when they differ.
 */
const readUserInfo = (vw: VotingWalletsApi, address: string) =>
  Effect.gen(function* () {
    const { answers, down } = yield* vw.fanOut("stakepooluserinfo", (rpc) => rpc.stakePoolUserInfo(address));
    if (answers.length === 0) {
      return yield* new WalletsUnavailable({ method: "stakepooluserinfo", available: 0, required: 1, down });
    }
    const size = (a: StakePoolUserInfoResult) => a.tickets.length + a.invalid.length;
    return {
      info: combineUserInfo(answers.map((a) => a.value)),
      differ: answers.some((a) => size(a.value) !== size(answers[0].value))
        ? answers.map((a) => `${a.wallet.name} ${size(a.value)}`).join(", ")
        : undefined,
    };
  }).pipe(Effect.withSpan("TicketView.readUserInfo"));

/**
 * Conditions an operator should hear of once, not at every read or page view: a warning when one
 * begins or changes (another error, other counts), a line at `cleared`'s level once it is over.
 */
const conditionLog = () => {
  const current = new Map<string, string>();
  return {
    warn: (key: string, condition: string, log: Effect.Effect<void>) =>
      Effect.suspend(() => {
        if (current.get(key) === condition) return Effect.void;
        current.set(key, condition);
        return log;
      }),
    cleared: (key: string, log: Effect.Effect<void>) =>
      Effect.suspend(() => (current.delete(key) ? log : Effect.void)),
  };
};

interface Entry {
  readonly address: string;
  state: UserTickets;
  version: number;
  readAtMillis: number;
  lastUsedMillis: number;
  watchers: number;
  listing: { readonly version: number; readonly tip: number; readonly value: TicketListing } | undefined;
  /** The counts the watchers were last told about (a tip move that changes none is not news). */
  notifiedCounts: string;
  /** When the next wallet read is due; undefined: none asked for. */
  readDueAt: number | undefined;
  /** A read loop runs for this entry. */
  reading: boolean;
  /** Reads in a row after which events' news was still unconfirmed. */
  fruitless: number;
  /** Events may have been missed: the next read checks the tickets shown live with hcd. */
  chainCheckDue: boolean;
}

/** Reads in a row that may leave events unconfirmed before the view waits for the next event or maxAge. */
const MAX_FRUITLESS_READS = 6;

/** Wallet reads in flight at once, over all users. */
const CONCURRENT_READS = 4;

/** How often a waiting read loop looks at its due time. */
const WAKE_MILLIS = 250;

const rowOf = (t: PoolTicket, chain: ChainView): TicketRow => ({
  hash: t.hash,
  height: t.height,
  status: shownStatus(t, chain),
  spentBy: t.spentBy,
  spentByHeight: t.spentByHeight,
  selectedAt: t.selectedAt,
});

/** A cheap fingerprint of what the page shows, to tell whether a wallet read changed anything. */
const fingerprint = (state: UserTickets): string => {
  let h = 0x811c9dc5;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  };
  for (const t of state.tickets.values()) {
    mix(
      `${t.hash}${t.height}${t.status}${t.spentBy ?? ""}${t.spentByHeight}${
        t.selectedAt ?? ""
      }${t.listed}${t.poolVerdict}`,
    );
  }
  return `${state.tickets.size}/${h >>> 0}`;
};

const makeTicketView = (tuning: TicketViewOptions) =>
  Effect.gen(function* () {
    const vw = yield* VotingWallets;
    const watch = yield* StakepooldWatch;
    const net = vw.net;
    const scope = yield* Effect.scope;
    const minRefresh = Duration.toMillis(tuning.minRefreshInterval ?? Duration.seconds(10));
    const maxAge = Duration.toMillis(tuning.maxAge ?? Duration.seconds(60));
    const idleTtl = Duration.toMillis(tuning.idleTtl ?? Duration.minutes(30));
    const entries = new Map<string, Entry>();
    const building = new Map<string, Deferred.Deferred<Entry, TicketViewError>>();
    const tip = yield* Ref.make(Option.none<number>());
    const changed = yield* Effect.acquireRelease(PubSub.sliding<string>(1024), PubSub.shutdown);
    // Many views read at once (a stakepoold's stream reopened) queue rather than flood the wallets.
    const readPermits = yield* Effect.makeSemaphore(CONCURRENT_READS);
    const conditions = conditionLog();

    const chainAt = (height: number): ChainView => ({
      tip: height,
      maturity: net.ticketMaturity,
      maxVotedAge: tuning.maxVotedAge,
    });

    const listingOf = (entry: Entry, height: number): TicketListing => {
      const cached = entry.listing;
      if (cached !== undefined && cached.version === entry.version && cached.tip === height) {
        return cached.value;
      }
      const value = listTickets(entry.state, chainAt(height));
      entry.listing = { version: entry.version, tip: height, value };
      return value;
    };

    const announce = (entry: Entry) =>
      Effect.gen(function* () {
        entry.version++;
        entry.notifiedCounts = JSON.stringify(listingOf(entry, yield* tipFor(entry)).counts);
        yield* PubSub.publish(changed, entry.address);
      });

    // ---- the chain tip ----

    const walletTip = vw.fanOut("getbestblock", (rpc) => rpc.getBestBlock()).pipe(
      Effect.map((r) =>
        r.answers.length === 0
          ? Option.none()
          : Option.some(Math.max(...r.answers.map((a) => a.value.height)))
      ),
    );
    const askTip = Effect.gen(function* () {
      const fromStakepoolds = watch.hosts.length > 0 ? yield* watch.bestBlockHeight : Option.none<number>();
      return Option.isSome(fromStakepoolds) ? fromStakepoolds : yield* walletTip;
    });
    const raiseTip = (height: number) =>
      Effect.gen(function* () {
        const before = yield* Ref.getAndUpdate(
          tip,
          (t) => Option.some(Math.max(height, Option.getOrElse(t, () => 0))),
        );
        if (Option.isSome(before) && before.value >= height) return;
        // A new tip can turn immature tickets live or archive old votes: tell who is watching. It
        // may also hold tickets bought since the last read (stakepoolds announce tickets only once
        // they are live): an open page gets a read once its view is maxAge old.
        for (const entry of entries.values()) {
          if (entry.watchers === 0) continue;
          if (JSON.stringify(listingOf(entry, height).counts) !== entry.notifiedCounts) {
            yield* announce(entry);
          }
          yield* scheduleRead(entry, entry.readAtMillis + maxAge);
        }
      });
    /** The tip; before any answer, the highest block the user's tickets name (nothing archived, none immature). */
    const tipFor = (entry: Entry): Effect.Effect<number> =>
      Effect.map(
        Ref.get(tip),
        Option.getOrElse(() => {
          let highest = 0;
          for (const t of entry.state.tickets.values()) {
            highest = Math.max(highest, t.height, t.spentByHeight);
          }
          return highest + net.ticketMaturity;
        }),
      );
    const pollTip = askTip.pipe(
      Effect.flatMap(Option.match({ onNone: () => Effect.void, onSome: raiseTip })),
      Effect.zipRight(conditions.cleared("tip", Effect.logInfo("chain tip known again"))),
      Effect.catchAll((e) =>
        conditions.warn("tip", e.message, Effect.logWarning(`chain tip unknown: ${e.message}`))
      ),
    );

    // ---- wallet reads ----

    /**
     * The tickets shown live checked with hcd (and the wallet's invalid ones with the stakepoolds'
     * list of admin-added tickets); each answer is applied to the entry's state as it is then, so
     * events that came meanwhile stay. False when hcd could not be asked: the next read tries again.
     */
    const checkWithChain = (entry: Entry): Effect.Effect<boolean> =>
      Effect.gen(function* () {
        const annotate = Effect.annotateLogs({ address: entry.address });
        if (watch.hosts.length > 0 && hasUnsureLowFee(entry.state)) {
          const added = yield* Effect.either(watch.addedLowFeeTickets);
          if (Either.isLeft(added)) {
            yield* conditions.warn(
              "added low-fee",
              added.left.message,
              Effect.logWarning(`admin-added low-fee tickets unknown: ${added.left.message}`).pipe(annotate),
            );
          } else {
            yield* conditions.cleared(
              "added low-fee",
              Effect.logInfo("admin-added low-fee tickets known again"),
            );
            const mine = added.right.tickets.filter((t) => t.TicketAddress === entry.address);
            entry.state = withAddedLowFee(entry.state, new Set(mine.map((t) => t.TicketHash)));
          }
        }
        const asked = ticketsToAsk(entry.state, net.ticketMaturity);
        if (asked.length === 0) return true;
        return yield* askChainTicketStates(vw, asked).pipe(
          Effect.flatMap((answer) =>
            Effect.sync(() => {
              if (answer !== undefined) {
                entry.state = applyChainStates(entry.state, answer.states, answer.height).state;
              }
              return true;
            })
          ),
          Effect.tap(() =>
            conditions.cleared(
              "hcd check",
              Effect.logInfo("checking users' live tickets with hcd works again"),
            )
          ),
          Effect.catchAll((e) =>
            Effect.as(
              conditions.warn(
                "hcd check",
                e.message,
                Effect.logWarning(`checking a user's live tickets with hcd failed: ${e.message}`).pipe(
                  annotate,
                ),
              ),
              false,
            )
          ),
        );
      });

    /** One wallet read into the entry, with hcd's check where events may have been missed. */
    const read = (entry: Entry) =>
      readPermits.withPermits(1)(Effect.gen(function* () {
        const { info, differ } = yield* readUserInfo(vw, entry.address);
        yield* conditions.cleared(
          "wallet read",
          Effect.logInfo("reading users' tickets from the wallets works again"),
        );
        // One warning per user while the same wallets lack the same number (until the reconciler
        // repairs them), not one per read.
        const differs = `differ ${entry.address}`;
        yield* (differ === undefined
          ? conditions.cleared(differs, Effect.logInfo("wallets list the same tickets for a user again"))
          : conditions.warn(
            differs,
            differ,
            Effect.logWarning("wallets list different tickets for a user").pipe(
              Effect.annotateLogs({ counts: differ }),
            ),
          )).pipe(Effect.annotateLogs({ address: entry.address }));
        const before = fingerprint(entry.state);
        entry.state = mergeUserInfo(entry.state, info);
        entry.readAtMillis = yield* Clock.currentTimeMillis;
        // Without stakepoolds no event ever tells of a miss.
        if (entry.chainCheckDue || watch.hosts.length === 0) {
          entry.chainCheckDue = !(yield* checkWithChain(entry));
        }
        // An entry being built has nobody to tell yet.
        if (fingerprint(entry.state) !== before && entries.get(entry.address) === entry) {
          yield* announce(entry);
        }
        entry.fruitless = awaitsWallet(entry.state) ? entry.fruitless + 1 : 0;
      }));

    /**
     * Wallet reads for `entry` while one is due — each no sooner than minRefreshInterval after the
     * last, again at once while events' news awaits the wallet's word (at most MAX_FRUITLESS_READS
     * in a row) — as long as the entry is in use. It looks at the due time every WAKE_MILLIS, so
     * an earlier one asked for while it waits is kept.
     */
    const readLoop = (entry: Entry) =>
      Effect.gen(function* () {
        while (entry.readDueAt !== undefined && entries.get(entry.address) === entry) {
          const wait = Math.max(entry.readDueAt, entry.readAtMillis + minRefresh) -
            (yield* Clock.currentTimeMillis);
          if (wait > 0) {
            yield* Effect.sleep(Duration.millis(Math.min(wait, WAKE_MILLIS)));
            continue;
          }
          entry.readDueAt = undefined;
          yield* read(entry).pipe(
            Effect.catchAll((e) =>
              Effect.gen(function* () {
                entry.fruitless++;
                entry.readAtMillis = yield* Clock.currentTimeMillis;
                yield* conditions.warn(
                  "wallet read",
                  e.message,
                  Effect.logWarning(`reading a user's tickets from the wallets failed: ${e.message}`),
                ).pipe(Effect.annotateLogs({ address: entry.address }));
              })
            ),
          );
          if (awaitsWallet(entry.state) && entry.fruitless < MAX_FRUITLESS_READS) {
            entry.readDueAt ??= yield* Clock.currentTimeMillis;
          }
        }
      }).pipe(Effect.ensuring(Effect.sync(() => {
        entry.reading = false;
      })));

    /** A wallet read for `entry` at `at` (default now) or earlier if one is due sooner. */
    const scheduleRead = (entry: Entry, at?: number): Effect.Effect<void> =>
      Effect.gen(function* () {
        const due = at ?? (yield* Clock.currentTimeMillis);
        entry.readDueAt = entry.readDueAt === undefined ? due : Math.min(entry.readDueAt, due);
        if (entry.reading) return;
        entry.reading = true;
        yield* Effect.forkIn(readLoop(entry), scope);
      });

    /** A new entry from its first read: what events said before it is not known, so hcd is asked too. */
    const build = (address: string) =>
      Effect.gen(function* () {
        if (Option.isNone(yield* Ref.get(tip))) yield* pollTip;
        const now = yield* Clock.currentTimeMillis;
        const entry: Entry = {
          address,
          state: emptyUserTickets(address),
          version: 1,
          readAtMillis: now,
          lastUsedMillis: now,
          watchers: 0,
          listing: undefined,
          notifiedCounts: "",
          readDueAt: undefined,
          reading: false,
          fruitless: 0,
          chainCheckDue: true,
        };
        yield* read(entry);
        entry.notifiedCounts = JSON.stringify(listingOf(entry, yield* tipFor(entry)).counts);
        return entry;
      });

    /** The user's entry; the first request builds it (concurrent requests wait for that one read). */
    const entryFor = (address: string): Effect.Effect<Entry, TicketViewError> =>
      Effect.suspend(() => {
        const known = entries.get(address);
        if (known !== undefined) return Effect.succeed(known);
        const pending = building.get(address);
        if (pending !== undefined) return Deferred.await(pending);
        return Effect.gen(function* () {
          const done = yield* Deferred.make<Entry, TicketViewError>();
          building.set(address, done);
          // Built in the view's scope: a request that goes away does not leave the others waiting.
          yield* build(address).pipe(
            Effect.onExit((exit) =>
              Effect.sync(() => {
                building.delete(address);
                if (Exit.isSuccess(exit)) entries.set(address, exit.value);
              }).pipe(Effect.zipRight(Deferred.done(done, exit)))
            ),
            Effect.forkIn(scope),
          );
          return yield* Deferred.await(done);
        });
      });

    // ---- events ----

    const onSignal = Stream.runForEach(watch.signals, (signal) =>
      Effect.gen(function* () {
        if (signal._tag === "subscribed") {
          for (const entry of entries.values()) {
            entry.chainCheckDue = true;
            yield* scheduleRead(entry);
          }
          // Blocks may have come while the stream was down: their heights came with the events
          // missed, and immature tickets would stay immature until the next tip poll.
          yield* pollTip;
          return;
        }
        const { event } = signal;
        const entry = entries.get(event.TicketAddress);
        if (entry !== undefined) {
          const outcome = applyEvent(entry.state, event);
          entry.state = outcome.state;
          if (outcome.changed) yield* announce(entry);
          if (outcome.askWallet) {
            entry.fruitless = 0;
            yield* scheduleRead(entry);
          }
        }
        if (event.blockHeight !== undefined) yield* raiseTip(event.blockHeight);
      }));

    const page = (address: string, query: TicketPageQuery) =>
      Effect.gen(function* () {
        const entry = yield* entryFor(address);
        const now = yield* Clock.currentTimeMillis;
        entry.lastUsedMillis = now;
        if (now - entry.readAtMillis >= maxAge) yield* scheduleRead(entry);
        const height = yield* tipFor(entry);
        const chain = chainAt(height);
        const listing = listingOf(entry, height);
        const sections = (query.section === undefined ? SECTIONS : [query.section]).map((section) => {
          const p = pageOf(
            listing.sections[section],
            query.section === undefined ? 1 : query.page,
            query.section === undefined ? PREVIEW_ROWS : PAGE_ROWS,
            query.order,
          );
          return {
            section,
            page: {
              ...p,
              rows: p.rows.map((t): TicketRow =>
                section === "invalid" ? { ...rowOf(t, chain), status: "invalid" } : rowOf(t, chain)
              ),
            },
          };
        });
        return {
          version: entry.version,
          tip: height,
          maxVotedAge: tuning.maxVotedAge,
          readAt: new Date(entry.readAtMillis),
          counts: listing.counts,
          sections,
        } satisfies TicketPage;
      }).pipe(Effect.withSpan("TicketView.page"));

    const changes = (address: string): Stream.Stream<number, TicketViewError> =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          const entry = yield* entryFor(address);
          yield* Effect.acquireRelease(
            Effect.sync(() => {
              entry.watchers++;
            }),
            () =>
              Effect.flatMap(Clock.currentTimeMillis, (now) =>
                Effect.sync(() => {
                  entry.watchers--;
                  entry.lastUsedMillis = now;
                })),
          );
          const subscription = yield* PubSub.subscribe(changed);
          return Stream.fromQueue(subscription).pipe(
            Stream.filter((a) => a === address),
            Stream.map(() => (entries.get(address) ?? entry).version),
          );
        }),
      );

    // ---- background work, once everything above is defined ----

    yield* pollTip.pipe(
      Effect.repeat(Schedule.spaced(tuning.tipInterval ?? Duration.seconds(10))),
      Effect.forkScoped,
    );
    yield* Effect.forkScoped(onSignal);
    // Views nobody uses are dropped.
    yield* Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      for (const [address, entry] of entries) {
        if (entry.watchers > 0 || now - entry.lastUsedMillis < idleTtl) continue;
        // A read loop still running for it ends after its current read.
        entries.delete(address);
      }
    }).pipe(Effect.repeat(Schedule.spaced(Duration.minutes(1))), Effect.forkScoped);

    return { page, changes };
  });
