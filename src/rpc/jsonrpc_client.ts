// JSON-RPC client for hcd and hcwallet (HC-PROTOCOL §8.1) over the pinned-certificate transport
// (./transport.ts): websocket /ws, or one HTTPS POST per call.
//
// Over the websocket: calls, notifications, a ping heartbeat, reconnect with capped exponential backoff; the
// notify* registrations made earlier are sent again after a reconnect, and then `reconnects`
// emits so consumers can re-sync what they may have missed.
import WebSocket from "ws";
import { Clock, Deferred, Duration, Effect, Either, PubSub, Redacted, Ref, type Scope, Stream } from "effect";
import { inSubsystem } from "../runtime/logging.ts";
import { RpcCallError, type RpcError, RpcTimeout, RpcTransportError } from "./errors.ts";
import {
  basicAuthorization,
  connectionEnded,
  describeTransportError,
  openWebSocket,
  postJson,
  type RpcEndpoint,
} from "./transport.ts";

export interface RpcClientOptions extends Omit<RpcEndpoint, "password"> {
  /** Redacted when it comes from a config file; tools and tests may pass the plain string. */
  readonly password: Redacted.Redacted<string> | string;
  /** Deadline of each call; also bounds a connection handshake and the wait for a heartbeat pong. Default 30 s. */
  readonly timeoutMs?: number;
  /** Label for logs, e.g. "wallet 1". Default: the url's host:port. */
  readonly name?: string;
  /** "ws" (default): calls over /ws, with notifications and reconnect. "post": one HTTPS POST per call. */
  readonly transport?: "ws" | "post";
  /** Reconnect delay: starts at initialMs (500), doubles up to maxMs (30 000). */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
}

/** What one call may set for itself. */
export interface CallOptions {
  /** This call's deadline instead of the client's `timeoutMs` (a wallet's rescan runs for minutes). */
  readonly timeoutMs?: number;
}

export interface RpcNotification {
  readonly method: string;
  readonly params: ReadonlyArray<unknown>;
}

export interface RpcClient {
  /** host:port of the server; errors carry it. */
  readonly host: string;
  readonly name: string;
  readonly call: (
    method: string,
    params?: ReadonlyArray<unknown>,
    options?: CallOptions,
  ) => Effect.Effect<unknown, RpcError>;
  /** Notifications pushed by the server from the moment the stream is run. */
  readonly notifications: Stream.Stream<RpcNotification>;
  /** Websocket: the socket is open. POST: the last call reached the server. */
  readonly connected: Effect.Effect<boolean>;
  /** Emits the reconnect count each time the websocket is back and registrations are re-sent. */
  readonly reconnects: Stream.Stream<number>;
  /**
   * Which connection calls go over now: 0 before the first, then counting up with every websocket
   * opened (POST: always 1). What a caller learnt about the server holds while it stays the same.
   */
  readonly connectionNumber: Effect.Effect<number>;
}

interface Answer {
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown } | null;
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
}

interface Pending {
  readonly method: string;
  readonly resume: (effect: Effect.Effect<unknown, RpcError>) => void;
}

export const makeRpcClient = (options: RpcClientOptions): Effect.Effect<RpcClient, never, Scope.Scope> =>
  Effect.gen(function* () {
    const target = { url: options.url, certPem: options.certPem };
    const host = new URL(options.url).host;
    const name = options.name ?? host;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const initialDelay = options.backoff?.initialMs ?? 500;
    const maxDelay = options.backoff?.maxMs ?? 30_000;
    const authorization = basicAuthorization(
      options.user,
      Redacted.isRedacted(options.password) ? options.password : Redacted.make(options.password),
    );

    const notificationsHub = yield* PubSub.unbounded<RpcNotification>();
    const reconnectsHub = yield* PubSub.unbounded<number>();
    const connected = yield* Ref.make(false);
    const pending = new Map<number, Pending>();
    const registrations = new Map<string, ReadonlyArray<unknown>>();
    let socket: WebSocket | undefined;
    let lastError = "";
    let nextId = 0;
    let connectionNumber = 0;

    const transportError = (method: string, detail: string) =>
      new RpcTransportError({ host, method, detail });
    const settle = (method: string, answer: Answer): Effect.Effect<unknown, RpcError> => {
      const err = answer.error;
      if (err !== null && err !== undefined) {
        return Effect.fail(
          new RpcCallError({
            host,
            method,
            code: typeof err.code === "number" ? err.code : 0,
            message: typeof err.message === "string" ? err.message : JSON.stringify(err),
          }),
        );
      }
      return Effect.succeed(answer.result ?? null);
    };
    const requestBody = (method: string, params: ReadonlyArray<unknown>, id: number) =>
      JSON.stringify({ jsonrpc: "1.0", method, params, id });

    const onMessage = (text: string) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return;
      }
      for (const answer of (Array.isArray(body) ? body : [body]) as Answer[]) {
        const waiting = typeof answer.id === "number" ? pending.get(answer.id) : undefined;
        if (waiting) {
          pending.delete(answer.id as number);
          waiting.resume(settle(waiting.method, answer));
        } else if ((answer.id === null || answer.id === undefined) && typeof answer.method === "string") {
          notificationsHub.unsafeOffer({
            method: answer.method,
            params: Array.isArray(answer.params) ? answer.params : [],
          });
        }
      }
    };

    const failPending = (detail: string) => {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resume(Effect.fail(transportError(p.method, detail)));
      }
    };

    /** Sends over an open socket without checking `connected` (used for re-registration too). */
    const sendOver = (
      ws: WebSocket,
      method: string,
      params: ReadonlyArray<unknown>,
      deadlineMs = timeoutMs,
    ) =>
      Effect.async<unknown, RpcError>((resume) => {
        const id = ++nextId;
        pending.set(id, { method, resume });
        ws.send(requestBody(method, params, id), (err) => {
          if (err && pending.delete(id)) {
            resume(Effect.fail(transportError(method, describeTransportError(err))));
          }
        });
        return Effect.sync(() => pending.delete(id));
      }).pipe(
        Effect.timeoutFail({
          duration: Duration.millis(deadlineMs),
          onTimeout: () => new RpcTimeout({ host, method, ms: deadlineMs }),
        }),
      );

    const remember = (method: string, params: ReadonlyArray<unknown>) => {
      if (method.startsWith("notify")) registrations.set(method, params);
      else if (method.startsWith("stopnotify")) registrations.delete(method.slice(4));
    };

    const callWs = (method: string, params: ReadonlyArray<unknown>, deadlineMs: number) =>
      Effect.suspend(() => {
        const ws = socket;
        if (ws === undefined || ws.readyState !== WebSocket.OPEN) {
          return Effect.fail(transportError(method, `not connected${lastError ? ` (${lastError})` : ""}`));
        }
        return sendOver(ws, method, params, deadlineMs).pipe(Effect.tap(() => remember(method, params)));
      });

    const callPost = (method: string, params: ReadonlyArray<unknown>, deadlineMs: number) =>
      postJson(target, {
        path: "/",
        body: requestBody(method, params, ++nextId),
        authorization,
        timeoutMs: deadlineMs,
      })
        .pipe(
          Effect.mapError((e) =>
            e._tag === "TransportTimeout"
              ? new RpcTimeout({ host, method, ms: e.ms })
              : transportError(method, e.detail)
          ),
          Effect.flatMap((answer): Effect.Effect<unknown, RpcError> => {
            if (answer.status === 401) {
              return Effect.fail(transportError(method, "authentication failed (HTTP 401)"));
            }
            try {
              return settle(method, JSON.parse(answer.body));
            } catch {
              return Effect.fail(transportError(method, `HTTP ${answer.status}: not a JSON-RPC answer`));
            }
          }),
          Effect.tapBoth({
            onFailure: (e) => Ref.set(connected, e._tag === "RpcCallError"),
            onSuccess: () => Ref.set(connected, true),
          }),
        );

    const firstAttempt = yield* Deferred.make<void>();

    const connectionLoop = Effect.gen(function* () {
      let delay = initialDelay;
      let reconnectCount = 0;
      let everConnected = false;
      const backOff = Effect.suspend(() => {
        const wait = delay;
        delay = Math.min(delay * 2, maxDelay);
        return Effect.sleep(Duration.millis(wait));
      });
      while (true) {
        const attempt = yield* Effect.either(
          openWebSocket(target, { path: "/ws", authorization, timeoutMs, onMessage }),
        );
        if (Either.isLeft(attempt)) {
          lastError = attempt.left.detail;
          yield* Deferred.succeed(firstAttempt, undefined);
          yield* Effect.logDebug(`cannot connect: ${lastError}; retrying in ${delay} ms`);
          yield* backOff;
          continue;
        }
        const ws = attempt.right;
        const openedAt = yield* Clock.currentTimeMillis;
        lastError = "";
        socket = ws;
        connectionNumber++;
        if (everConnected) {
          for (const [method, params] of registrations) {
            yield* sendOver(ws, method, params).pipe(
              Effect.catchAll((e) => Effect.logWarning(`re-registering ${method} failed: ${e.message}`)),
            );
          }
        }
        yield* Ref.set(connected, true);
        yield* Effect.logInfo("connected");
        if (everConnected) yield* PubSub.publish(reconnectsHub, ++reconnectCount);
        everConnected = true;
        yield* Deferred.succeed(firstAttempt, undefined);
        lastError = yield* connectionEnded(ws, timeoutMs);
        socket = undefined;
        yield* Ref.set(connected, false);
        failPending(lastError);
        // Only a connection that held for a while resets the backoff: a server that accepts and
        // closes at once (hcd past rpcmaxwebsockets) is retried ever more slowly, not in a loop.
        if ((yield* Clock.currentTimeMillis) - openedAt >= maxDelay) delay = initialDelay;
        yield* Effect.logWarning(`disconnected: ${lastError}; reconnecting in ${delay} ms`);
        yield* backOff;
      }
    }).pipe(Effect.annotateLogs({ rpc: name }), inSubsystem("RPCC"));

    const useWs = (options.transport ?? "ws") === "ws";
    if (useWs) {
      yield* Effect.addFinalizer(() => Effect.sync(() => failPending("client closed")));
      yield* Effect.forkScoped(connectionLoop);
      yield* Deferred.await(firstAttempt);
    }

    return {
      host,
      name,
      call: (method, params = [], call = {}) =>
        (useWs ? callWs : callPost)(method, params, call.timeoutMs ?? timeoutMs).pipe(
          Effect.withSpan("RpcClient.call", { attributes: { rpc: name, method } }),
        ),
      notifications: Stream.fromPubSub(notificationsHub),
      connected: Ref.get(connected),
      reconnects: Stream.fromPubSub(reconnectsHub),
      connectionNumber: Effect.sync(() => useWs ? connectionNumber : 1),
    } satisfies RpcClient;
  });
