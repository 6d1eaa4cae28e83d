// What stakepoold hears from its hcd and hcwallet (behaviour §5.2, §6.3–§6.4; HC-PROTOCOL §8.4):
// hcd's ticket notifications, the moments at which the pool's ticket set is rebuilt from the
// wallet so nothing drifts (start, hcd or wallet reconnected, periodic; dcrstakepool#317), and the
// look-ups a rebuild needs.
import {
  Clock,
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  PubSub,
  type Scope,
  Stream,
  SubscriptionRef,
} from "effect";
import { type MsgTx, txFromHex } from "../domain/tx.ts";
import { RpcCode, RpcDecodeError, type RpcError } from "../rpc/errors.ts";
import { type HcNotification, hcNotifications } from "../rpc/hc_methods.ts";
import { Supervisor } from "../runtime/supervisor.ts";
import { LocalNode } from "./local_node.ts";

type HcdTicketNotification = Extract<
  HcNotification,
  { readonly _tag: "winningtickets" | "newtickets" | "spentandmissedtickets" | "blockconnected" }
>;

/**
 * A notification as the feed hands it on, with the moment it arrived (Clock, fractional ms): a
 * vote's latency is counted from there, not from when the voter got round to it.
 */
export type TicketNotification = HcdTicketNotification & { readonly receivedAt: number };

/** Clock.currentTimeNanos in fractional milliseconds (currentTimeMillis is whole ones). */
export const clockMillis = Effect.map(Clock.currentTimeNanos, (ns) => Number(ns) / 1e6);

export type ResyncReason = "periodic" | "hcd reconnected" | "wallet reconnected";

/** A mined ticket transaction. */
export interface FetchedTicket {
  readonly hash: string;
  readonly tx: MsgTx;
  readonly height: number;
}

export type LookupError = RpcError | RpcDecodeError;

export interface HcdFeedApi {
  /**
   * Subscribes (from now, for the scope's lifetime) to hcd's winningtickets, newtickets,
   * spentandmissedtickets and blockconnected notifications.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<TicketNotification>, never, Scope.Scope>;
  /** Emits at once when run, then after each reconnect and every resync interval. */
  readonly resyncs: Stream.Stream<ResyncReason>;
  /**
   * Completes once hcd has answered the notification registrations on the connection calls go
   * over now. hcd serves a websocket's requests concurrently, so a request sent before those
   * answers (rebroadcastwinners) may be served first and its notifications lost.
   */
  readonly registered: Effect.Effect<void>;
  /** The wallet's unspent tickets (immature included) and the best height they are consistent with. */
  readonly walletTickets: Effect.Effect<
    { readonly hashes: ReadonlyArray<string>; readonly height: number },
    LookupError
  >;
  /**
   * A mined ticket by hash; undefined when neither hcd nor the wallet has a mined transaction by
   * that hash. Any other failure (unreachable, timeout, an unexpected refusal) is an error, never
   * "not found": a rebuild must not drop a ticket it could not look up.
   */
  readonly fetchTicket: (hash: string) => Effect.Effect<FetchedTicket | undefined, LookupError>;
}

export interface HcdFeedOptions {
  /** Rebuild the ticket set this often even without a reconnect. */
  readonly resyncInterval: Duration.DurationInput;
}

/** Block heights by hash, for tickets found only in the wallet; the blocks of a ticket's lifetime. */
const HEIGHT_CACHE_SIZE = 10_000;

/** A map that forgets its oldest entry once it holds `size`, so a long-running daemon does not grow. */
const boundedCache = <V>(size: number) => {
  const entries = new Map<string, V>();
  return {
    get: (key: string) => entries.get(key),
    set: (key: string, value: V) => {
      if (entries.size >= size) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
      return value;
    },
  };
};

/** hcd has no such transaction: -5, or -32603 from an hcd without txindex (HC-PROTOCOL §10). */
const hcdLacks = (e: LookupError) =>
  e._tag === "RpcCallError" && (e.code === RpcCode.invalidAddressOrKey || e.code === RpcCode.internal);
/** hcwallet has no such transaction: -5 ("No information for transaction", "not exist"). */
const walletLacks = (e: LookupError) => e._tag === "RpcCallError" && e.code === RpcCode.invalidAddressOrKey;

const isTicketNotification = (n: HcNotification): n is HcdTicketNotification =>
  n._tag === "winningtickets" || n._tag === "newtickets" || n._tag === "spentandmissedtickets" ||
  n._tag === "blockconnected";

export class HcdFeed extends Context.Tag("hcstakepool/HcdFeed")<HcdFeed, HcdFeedApi>() {
  static readonly live = (options: HcdFeedOptions) =>
    Layer.scoped(
      HcdFeed,
      Effect.gen(function* () {
        const { node, wallet, untilAnswered } = yield* LocalNode;
        const supervisor = yield* Supervisor;

        // Pumped into a hub before registering, so that no notification precedes the pump.
        const hub = yield* PubSub.unbounded<TicketNotification>();
        yield* supervisor.supervise(
          "hcd notifications",
          hcNotifications(node.client).pipe(
            Stream.filter(isTicketNotification),
            Stream.runForEach((n) =>
              Effect.flatMap(clockMillis, (receivedAt) => PubSub.publish(hub, { ...n, receivedAt }))
            ),
          ),
        );
        yield* Effect.yieldNow();
        const subscribe = Effect.map(PubSub.subscribe(hub), (queue) => Stream.fromQueue(queue));

        // The client registers these again after a reconnect, and then emits `reconnects`; until
        // the first registration succeeds nothing would be announced, so startup waits for it.
        // Which connection's registrations were answered last:
        const registeredOn = yield* SubscriptionRef.make(0);
        yield* supervisor.supervise(
          "hcd registrations",
          Stream.runForEach(
            node.client.reconnects,
            () => Effect.flatMap(node.client.connectionNumber, (n) => SubscriptionRef.set(registeredOn, n)),
          ),
        );
        yield* Effect.yieldNow();
        yield* untilAnswered(
          "hcd",
          "registering for notifications",
          Effect.all([
            node.notifyBlocks(),
            node.notifyWinningTickets(),
            node.notifyNewTickets(),
            node.notifySpentAndMissedTickets(),
          ]),
        );
        yield* Effect.flatMap(node.client.connectionNumber, (n) => SubscriptionRef.set(registeredOn, n));
        const registered = Effect.flatMap(node.client.connectionNumber, (current) =>
          registeredOn.changes.pipe(
            Stream.takeUntil((n) => n >= current),
            Stream.runDrain,
          ));

        // Fetched tickets never change: each is kept while the wallet lists it (every rebuild
        // forgets the others), so a rebuild looks up only the new ones however many the pool
        // holds. A fixed-size cache smaller than the pool misses every ticket of a rebuild.
        const cache = new Map<string, FetchedTicket>();
        const heights = boundedCache<number>(HEIGHT_CACHE_SIZE);
        const remember = (t: FetchedTicket) => {
          cache.set(t.hash, t);
          return t;
        };
        const decodeTx = (host: string, method: string, hash: string, hex: string) =>
          Either.match(txFromHex(hex), {
            onLeft: (e) => Effect.fail(new RpcDecodeError({ host, method, detail: `${hash}: ${e.message}` })),
            onRight: (tx) => Effect.succeed(tx as MsgTx),
          });
        const blockHeight = (blockHash: string) => {
          const known = heights.get(blockHash);
          return known !== undefined
            ? Effect.succeed(known)
            : Effect.map(node.getBlockHeader(blockHash), (h) => heights.set(blockHash, h.height));
        };

        // hcd first (it knows every ticket of a block it just connected); the wallet's own copy
        // covers an hcd without a transaction index.
        const fromNode = (hash: string) =>
          Effect.flatMap(node.getRawTransactionVerbose(hash), (r) =>
            r.blockheight === undefined || r.blockheight <= 0 ? Effect.succeed(undefined) : Effect.map(
              decodeTx(node.client.host, "getrawtransaction", hash, r.hex),
              (tx) =>
                remember({ hash, tx, height: r.blockheight! }),
            ));
        const fromWallet = (hash: string) =>
          Effect.flatMap(wallet.getTransaction(hash), (r) =>
            r.blockhash === undefined || r.blockhash === "" ? Effect.succeed(undefined) : Effect.map(
              Effect.zip(
                decodeTx(wallet.client.host, "gettransaction", hash, r.hex),
                blockHeight(r.blockhash),
              ),
              ([tx, height]) =>
                remember({ hash, tx, height }),
            ));

        const fetchTicket = (hash: string): Effect.Effect<FetchedTicket | undefined, LookupError> => {
          const known = cache.get(hash);
          if (known !== undefined) {
            return Effect.succeed(known);
          }
          const walletCopy = fromWallet(hash).pipe(
            Effect.catchIf(walletLacks, () =>
              Effect.succeed(undefined)),
          );
          return fromNode(hash).pipe(
            Effect.catchIf(hcdLacks, () =>
              walletCopy),
            // An answer of hcd's we cannot read is worth a warning, and the wallet's copy a try.
            Effect.catchTag("RpcDecodeError", (e) =>
              Effect.zipRight(
                Effect.logWarning(`looking up ticket ${hash} on hcd: ${e.message}`),
                walletCopy,
              )),
          );
        };

        // The list and the best block must belong together: retry while blocks arrive meanwhile.
        const walletTickets = Effect.gen(function* () {
          while (true) {
            const before = yield* node.getBestBlock();
            const { hashes } = yield* wallet.getTickets(true);
            const after = yield* node.getBestBlock();
            if (before.hash === after.hash) {
              const listed = new Set(hashes);
              for (const hash of cache.keys()) {
                if (!listed.has(hash)) {
                  cache.delete(hash);
                }
              }
              return { hashes, height: after.height };
            }
          }
        });

        const resyncs: Stream.Stream<ResyncReason> = Stream.mergeAll([
          Stream.tick(options.resyncInterval).pipe(Stream.as("periodic" as const)),
          node.client.reconnects.pipe(Stream.as("hcd reconnected" as const)),
          wallet.client.reconnects.pipe(Stream.as("wallet reconnected" as const)),
        ], { concurrency: "unbounded" });

        return { subscribe, resyncs, registered, walletTickets, fetchTicket } satisfies HcdFeedApi;
      }),
    );
}
