// What stakepoold learns from its hcd and hcwallet (behaviour §5.2, §6.3–§6.4; HC-PROTOCOL §8.4):
// hcd's ticket notifications as a Stream, "resync" moments (start, hcd or wallet reconnected,
// periodic) at which the pool's ticket set is rebuilt from the wallet so nothing drifts
// (dcrstakepool#317), and the lookups a rebuild needs.
import { Context, Duration, Effect, Either, Layer, PubSub, Schedule, type Scope, Stream } from "effect";
import { RpcCallError, RpcDecodeError, type RpcError } from "../rpc/errors.ts";
import { type HcNotification, hcNotifications } from "../rpc/hc_methods.ts";
import { type MsgTx, txFromHex } from "../domain/tx.ts";
import { LocalNode } from "./local_node.ts";

export type TicketNotification = Extract<
  HcNotification,
  { readonly _tag: "winningtickets" | "newtickets" | "spentandmissedtickets" | "blockconnected" }
>;

export type ResyncReason = "periodic" | "hcd reconnected" | "wallet reconnected";

/** A mined ticket transaction. */
export interface FetchedTicket {
  readonly hash: string;
  readonly tx: MsgTx;
  readonly height: number;
}

export type LookupError = RpcError | RpcDecodeError;

export interface TicketStreamApi {
  /**
   * Subscribes (from now, for the scope's lifetime) to hcd's winningtickets, newtickets,
   * spentandmissedtickets and blockconnected notifications.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<TicketNotification>, never, Scope.Scope>;
  /** Emits at once when run, then after each reconnect and every resync interval. */
  readonly resyncs: Stream.Stream<ResyncReason>;
  /** The wallet's unspent tickets (immature included) and the best height they are consistent with. */
  readonly walletTickets: Effect.Effect<
    { readonly hashes: ReadonlyArray<string>; readonly height: number },
    LookupError
  >;
  /** A mined ticket by hash; undefined when neither hcd nor the wallet knows a mined tx by that hash. */
  readonly fetchTicket: (hash: string) => Effect.Effect<FetchedTicket | undefined, LookupError>;
}

export interface TicketStreamOptions {
  /** Rebuild the ticket set this often even without a reconnect. */
  readonly resyncInterval: Duration.DurationInput;
}

/** Fetched tickets never change; remember this many (a pool's live set is far smaller). */
const TICKET_CACHE_SIZE = 50_000;
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

const notFound = (e: LookupError): boolean => e._tag === "RpcCallError" || e._tag === "RpcDecodeError";

export class TicketStream extends Context.Tag("hcstakepool/TicketStream")<TicketStream, TicketStreamApi>() {
  static readonly live = (options: TicketStreamOptions) =>
    Layer.scoped(
      TicketStream,
      Effect.gen(function* () {
        const { node, wallet } = yield* LocalNode;

        // Pumped into a hub before registering, so that no notification precedes the pump.
        const hub = yield* PubSub.unbounded<TicketNotification>();
        yield* hcNotifications(node.client).pipe(
          Stream.filter((n): n is TicketNotification =>
            n._tag === "winningtickets" || n._tag === "newtickets" || n._tag === "spentandmissedtickets" ||
            n._tag === "blockconnected"
          ),
          Stream.runForEach((n) => PubSub.publish(hub, n)),
          Effect.forkScoped,
        );
        yield* Effect.yieldNow();
        const subscribe = Effect.map(PubSub.subscribe(hub), (queue) => Stream.fromQueue(queue));

        // hcd re-sends these after a reconnect by itself (the client remembers them); until the
        // first registration succeeds nothing would be announced, so startup waits for it.
        yield* Effect.all([
          node.notifyBlocks(),
          node.notifyWinningTickets(),
          node.notifyNewTickets(),
          node.notifySpentAndMissedTickets(),
        ]).pipe(
          Effect.tapError((e) => Effect.logWarning(`registering for hcd notifications: ${e.message}`)),
          Effect.retry(Schedule.spaced(Duration.seconds(1))),
        );

        const cache = boundedCache<FetchedTicket>(TICKET_CACHE_SIZE);
        const heights = boundedCache<number>(HEIGHT_CACHE_SIZE);
        const remember = (t: FetchedTicket) => cache.set(t.hash, t);
        const decodeTx = (hash: string, hex: string) =>
          Either.match(txFromHex(hex), {
            onLeft: (e) =>
              Effect.fail(
                new RpcDecodeError({
                  host: "hcd",
                  method: "getrawtransaction",
                  detail: `${hash}: ${e.message}`,
                }),
              ),
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
            r.blockheight === undefined || r.blockheight <= 0
              ? Effect.succeed(undefined)
              : Effect.map(decodeTx(hash, r.hex), (tx) =>
                remember({ hash, tx, height: r.blockheight! })));
        const fromWallet = (hash: string) =>
          Effect.flatMap(wallet.getTransaction(hash), (r) =>
            r.blockhash === undefined || r.blockhash === "" ? Effect.succeed(undefined) : Effect.flatMap(
              Effect.zip(decodeTx(hash, r.hex), blockHeight(r.blockhash)),
              ([tx, height]) =>
                Effect.succeed(remember({ hash, tx, height })),
            ));

        const fetchTicket = (hash: string): Effect.Effect<FetchedTicket | undefined, LookupError> => {
          const known = cache.get(hash);
          return known !== undefined ? Effect.succeed(known) : fromNode(hash).pipe(
            Effect.catchIf(notFound, () =>
              fromWallet(hash)),
            Effect.catchIf((e): e is RpcCallError =>
              e instanceof RpcCallError, () =>
              Effect.succeed(undefined)),
          );
        };

        // The list and the best block must belong together: retry while blocks arrive meanwhile.
        const walletTickets = Effect.gen(function* () {
          while (true) {
            const before = yield* node.getBestBlock();
            const { hashes } = yield* wallet.getTickets(true);
            const after = yield* node.getBestBlock();
            if (before.hash === after.hash) {
              return { hashes, height: after.height };
            }
          }
        });

        const resyncs: Stream.Stream<ResyncReason> = Stream.mergeAll([
          Stream.tick(options.resyncInterval).pipe(Stream.as("periodic" as const)),
          node.client.reconnects.pipe(Stream.as("hcd reconnected" as const)),
          wallet.client.reconnects.pipe(Stream.as("wallet reconnected" as const)),
        ], { concurrency: "unbounded" });

        return { subscribe, resyncs, walletTickets, fetchTicket } satisfies TicketStreamApi;
      }),
    );
}
