// The web app's window on its stakepoolds (besides StakepooldClients' pushes): every stakepoold's
// ticket-event websocket, followed for the life of the app and reconnected with capped backoff,
// merged into one stream for the ticket view; each one's status for /status; their ignored
// low-fee tickets for /admintickets; and the chain tip they saw last.
import {
  Clock,
  Context,
  Data,
  Duration,
  Effect,
  Either,
  Layer,
  Option,
  PubSub,
  type Redacted,
  Ref,
  Schedule,
  Stream,
} from "effect";
import { makeStakepooldControlClient, type StakepooldEndpoint } from "../rpc/stakepoold_client.ts";
import {
  ControlApi,
  type StakepooldStatus,
  type TicketEntry,
  type TicketEvent,
} from "../rpc/stakepoold_protocol.ts";

/** What the merged stream carries: an event, or word that a stream (re)opened and may have missed some. */
export type WatchSignal =
  | { readonly _tag: "event"; readonly host: string; readonly event: TicketEvent }
  | { readonly _tag: "subscribed"; readonly host: string };

export interface VoteSeen {
  readonly ticket: string;
  /** The selecting block. */
  readonly blockHeight: number | undefined;
  readonly outcome: "voted" | "duplicate";
  readonly at: Date;
}

/** One stakepoold's event stream as the web app sees it. */
export interface FeedState {
  readonly host: string;
  readonly connected: boolean;
  /** When it last connected (connected) or went down (not connected). */
  readonly since: Date | undefined;
  readonly lastError: string | undefined;
  readonly lastEventAt: Date | undefined;
  /** The last vote it reported (voted, or duplicate: another node's came first). */
  readonly lastVote: VoteSeen | undefined;
}

export interface StakepooldReport {
  readonly feed: FeedState;
  /** Its control API's status, or why it did not answer. */
  readonly status: Either.Either<StakepooldStatus, string>;
}

export class StakepooldsUnavailable extends Data.TaggedError("StakepooldsUnavailable")<{
  readonly failed: ReadonlyArray<{ readonly host: string; readonly reason: string }>;
}> {
  override get message() {
    return this.failed.length === 0
      ? "no stakepoold is configured (enablestakepoold)"
      : `no stakepoold answered: ${this.failed.map((f) => `${f.host}: ${f.reason}`).join("; ")}`;
  }
}

export interface LowFeeTicketList {
  /** Every ticket of the list any stakepoold that answered reported. */
  readonly tickets: ReadonlyArray<TicketEntry>;
  readonly failed: ReadonlyArray<{ readonly host: string; readonly reason: string }>;
}

export class StakepooldWatch extends Context.Tag("hcstakepool/StakepooldWatch")<StakepooldWatch, {
  readonly hosts: ReadonlyArray<string>;
  /** Events of every stakepoold from the moment the stream is run. */
  readonly signals: Stream.Stream<WatchSignal>;
  readonly reports: Effect.Effect<ReadonlyArray<StakepooldReport>>;
  /** The low-fee tickets the stakepoolds do not vote (the admin may add them). */
  readonly ignoredLowFeeTickets: Effect.Effect<LowFeeTicketList, StakepooldsUnavailable>;
  /** The low-fee tickets the admin added: the stakepoolds vote them. */
  readonly addedLowFeeTickets: Effect.Effect<LowFeeTicketList, StakepooldsUnavailable>;
  /** The highest best block any stakepoold reports now; none when none answers. */
  readonly bestBlockHeight: Effect.Effect<Option.Option<number>>;
}>() {
  /** enablestakepoold=false: nothing to watch. */
  static readonly none = Layer.succeed(StakepooldWatch, {
    hosts: [],
    signals: Stream.never,
    reports: Effect.succeed([]),
    ignoredLowFeeTickets: Effect.fail(new StakepooldsUnavailable({ failed: [] })),
    addedLowFeeTickets: Effect.fail(new StakepooldsUnavailable({ failed: [] })),
    bestBlockHeight: Effect.succeedNone,
  });

  static readonly layer = (options: StakepooldWatchOptions) =>
    Layer.scoped(StakepooldWatch, makeWatch(options));
}

export interface StakepooldWatchOptions {
  readonly endpoints: ReadonlyArray<StakepooldEndpoint>;
  readonly secret: Redacted.Redacted<string>;
  /** Deadline of status and ticket-list calls (default 5 s). */
  readonly timeoutMs?: number;
  /** First reconnect delay, doubled up to `maxRetryDelay` (defaults 1 s and 30 s). */
  readonly retryDelay?: Duration.DurationInput;
  readonly maxRetryDelay?: Duration.DurationInput;
}

/** A stream that stays open this long is taken as subscribed (the client has no "open" signal). */
const SETTLED = Duration.millis(300);

const makeWatch = (options: StakepooldWatchOptions) =>
  Effect.gen(function* () {
    const timeoutMs = options.timeoutMs ?? 5_000;
    const hub = yield* Effect.acquireRelease(PubSub.unbounded<WatchSignal>(), PubSub.shutdown);
    const clients = options.endpoints.map((endpoint) =>
      makeStakepooldControlClient({ endpoint, secret: options.secret, timeoutMs })
    );
    const feeds = yield* Ref.make<ReadonlyMap<string, FeedState>>(
      new Map(clients.map((c) => [c.host, {
        host: c.host,
        connected: false,
        since: undefined,
        lastError: undefined,
        lastEventAt: undefined,
        lastVote: undefined,
      }])),
    );
    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms));
    const updateFeed = (host: string, f: (s: FeedState) => FeedState) =>
      Ref.update(feeds, (m) => new Map(m).set(host, f(m.get(host)!)));

    const follow = (client: (typeof clients)[number]) => {
      const host = client.host;
      const onSignal = (signal: WatchSignal) =>
        Effect.gen(function* () {
          const at = yield* now;
          if (signal._tag === "subscribed") {
            yield* updateFeed(host, (s) => ({ ...s, connected: true, since: at, lastError: undefined }));
            yield* Effect.logInfo("following a stakepoold's ticket events").pipe(
              Effect.annotateLogs({ host }),
            );
          } else {
            const { event } = signal;
            yield* updateFeed(host, (s) => ({
              ...s,
              lastEventAt: at,
              lastVote: event.kind === "voted" || event.kind === "duplicate"
                ? { ticket: event.TicketHash, blockHeight: event.blockHeight, outcome: event.kind, at }
                : s.lastVote,
            }));
          }
          yield* PubSub.publish(hub, signal);
        });
      const once = Stream.merge(
        Stream.map(client.events, (event): WatchSignal => ({ _tag: "event", host, event })),
        Stream.fromEffect(Effect.as(Effect.sleep(SETTLED), { _tag: "subscribed", host } as WatchSignal)),
      ).pipe(
        Stream.runForEach(onSignal),
        // The stream only ends by failing; an end without one is a stream that went away all the same.
        Effect.zipRight(Effect.fail(`event stream of ${host} ended`)),
        Effect.catchAll((e) =>
          Effect.gen(function* () {
            const reason = typeof e === "string" ? e : e.message;
            const was = (yield* Ref.get(feeds)).get(host)!;
            const at = yield* now;
            yield* updateFeed(host, (s) => ({
              ...s,
              connected: false,
              since: s.connected ? at : s.since ?? at,
              lastError: reason,
            }));
            // A feed that was up is worth a warning; repeated failures while it is down are not news.
            const log = was.connected || was.lastError === undefined ? Effect.logWarning : Effect.logDebug;
            yield* log("stakepoold ticket events unavailable").pipe(Effect.annotateLogs({ host, reason }));
            return yield* Effect.fail(reason);
          })
        ),
      );
      return once.pipe(
        Effect.retry(
          Schedule.exponential(options.retryDelay ?? Duration.seconds(1)).pipe(
            Schedule.modifyDelay((d) => Duration.min(d, options.maxRetryDelay ?? Duration.seconds(30))),
          ),
        ),
        Effect.ignore,
      );
    };
    for (const client of clients) yield* Effect.forkScoped(follow(client));

    const ask = <A>(client: (typeof clients)[number], call: Effect.Effect<A, { readonly message: string }>) =>
      call.pipe(
        Effect.timeoutFail({
          duration: Duration.millis(timeoutMs),
          onTimeout: () => ({ message: "no answer" }),
        }),
        Effect.mapError((e) => e.message),
        Effect.either,
        Effect.map((answer) => ({ host: client.host, answer })),
      );
    const askAll = <A>(
      call: (client: (typeof clients)[number]) => Effect.Effect<A, { readonly message: string }>,
    ) => Effect.forEach(clients, (client) => ask(client, call(client)), { concurrency: "unbounded" });

    const failures = <A>(answers: ReadonlyArray<{ host: string; answer: Either.Either<A, string> }>) =>
      answers.flatMap((a) => Either.isLeft(a.answer) ? [{ host: a.host, reason: a.answer.left }] : []);

    /** The union of one list over the stakepoolds that answered; none answering fails. */
    const lowFeeTickets = (
      operation: typeof ControlApi.getIgnoredLowFeeTickets | typeof ControlApi.getAddedLowFeeTickets,
    ) =>
      Effect.gen(function* () {
        const answers = yield* askAll((c) => c.call(operation, {}));
        const failed = failures(answers);
        if (failed.length === answers.length) return yield* new StakepooldsUnavailable({ failed });
        const tickets = new Map<string, TicketEntry>();
        for (const a of answers) {
          if (Either.isRight(a.answer)) {
            for (const t of a.answer.right.tickets) tickets.set(t.TicketHash, t);
          }
        }
        return { tickets: [...tickets.values()], failed } satisfies LowFeeTicketList;
      });

    return {
      hosts: clients.map((c) => c.host),
      signals: Stream.fromPubSub(hub),
      reports: Effect.gen(function* () {
        const answers = yield* askAll((c) => c.status);
        const current = yield* Ref.get(feeds);
        return answers.map(({ host, answer }) => ({ feed: current.get(host)!, status: answer }));
      }),
      ignoredLowFeeTickets: lowFeeTickets(ControlApi.getIgnoredLowFeeTickets),
      addedLowFeeTickets: lowFeeTickets(ControlApi.getAddedLowFeeTickets),
      bestBlockHeight: Effect.map(askAll((c) => c.status), (answers) =>
        Option.fromNullable(
          answers.reduce<number | undefined>((best, a) => {
            const h = Either.isRight(a.answer) ? a.answer.right.bestBlockHeight : undefined;
            return h === undefined ? best : Math.max(h, best ?? h);
          }, undefined),
        )),
    };
  });
