// The one TLS transport of the pool's clients (HC-PROTOCOL §8.1): HTTPS POST and websockets with
// the server's certificate file pinned as the only CA. hcd, hcwallet and stakepoold certificates
// are CA:TRUE, which Deno's fetch, WebSocket and connectTls refuse, so this is node:https and npm ws.
// Used by the JSON-RPC client (hcd, hcwallet: Basic auth) and the stakepoold control client (Bearer).
import https from "node:https";
import WebSocket from "ws";
import { Data, Duration, Effect, Redacted, Schema } from "effect";
import { concatBytes } from "../domain/bytes.ts";

/** A JSON-RPC server as configured: where it is, its credentials and its certificate. */
export const RpcEndpoint = Schema.Struct({
  /** https://host:port */
  url: Schema.String,
  user: Schema.String,
  password: Schema.Redacted(Schema.String),
  /** The server's rpc.cert (PEM), trusted as the only CA. */
  certPem: Schema.String,
});
export type RpcEndpoint = typeof RpcEndpoint.Type;

/** A TLS server to talk to: https://host:port and its pinned certificate. */
export interface TlsTarget {
  readonly url: string;
  readonly certPem: string;
}

/** The request did not get a whole answer: unreachable, TLS refused, connection lost. */
export class TransportError extends Data.TaggedError("TransportError")<{ readonly detail: string }> {
  override get message() {
    return this.detail;
  }
}

/** The whole request (connect, send, the complete answer) took longer than its deadline. */
export class TransportTimeout extends Data.TaggedError("TransportTimeout")<{ readonly ms: number }> {
  override get message() {
    return `no answer within ${this.ms} ms`;
  }
}

export const basicAuthorization = (user: string, password: Redacted.Redacted<string>) =>
  Redacted.make(
    `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${Redacted.value(password)}`)))}`,
  );

export const bearerAuthorization = (token: Redacted.Redacted<string>) =>
  Redacted.make(`Bearer ${Redacted.value(token)}`);

/** A node/ws error as one line; a refused websocket upgrade with 401 says so plainly. */
export const describeTransportError = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e);
  const status = /Unexpected server response: (\d+)/.exec(e.message);
  if (status?.[1] === "401") return "authentication failed (HTTP 401)";
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
};

const endpointOf = (target: TlsTarget) => {
  const url = new URL(target.url);
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: Number(url.port || 443),
    host: url.host,
  };
};

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

export interface PostOptions {
  readonly path: string;
  readonly body: string;
  readonly authorization: Redacted.Redacted<string>;
  /** The deadline of the whole request. */
  readonly timeoutMs: number;
}

/**
 * One HTTPS POST of a JSON body. The whole request is bounded by `timeoutMs`; a connection that
 * closes before the whole answer fails at once; interrupting the effect destroys the request.
 */
export const postJson = (
  target: TlsTarget,
  options: PostOptions,
): Effect.Effect<HttpsAnswer, TransportError | TransportTimeout> =>
  Effect.async<HttpsAnswer, TransportError>((resume) => {
    const { hostname, port } = endpointOf(target);
    let settled = false;
    const settle = (effect: Effect.Effect<HttpsAnswer, TransportError>) => {
      if (!settled) {
        settled = true;
        resume(effect);
      }
    };
    const failWith = (detail: string) => settle(Effect.fail(new TransportError({ detail })));
    const req = https.request({
      hostname,
      port,
      path: options.path,
      method: "POST",
      ca: target.certPem,
      agent: false,
      headers: {
        Authorization: Redacted.value(options.authorization),
        "Content-Type": "application/json",
        "Content-Length": new TextEncoder().encode(options.body).length,
      },
    }, (res) => {
      const chunks: Uint8Array[] = [];
      res.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      res.on("error", (e) => failWith(describeTransportError(e)));
      // A connection lost mid-answer ends the response without "end": fail now, not at the deadline.
      res.on("close", () => {
        if (!res.complete) failWith("connection closed before the whole answer");
      });
      res.on("end", () =>
        settle(Effect.succeed({
          status: res.statusCode ?? 0,
          body: new TextDecoder().decode(concatBytes(...chunks)),
        })));
    });
    req.on("error", (e) => failWith(describeTransportError(e)));
    req.end(options.body);
    return Effect.sync(() => req.destroy());
  }).pipe(
    Effect.timeoutFail({
      duration: Duration.millis(options.timeoutMs),
      onTimeout: () => new TransportTimeout({ ms: options.timeoutMs }),
    }),
  );

export interface WebSocketOptions {
  readonly path: string;
  readonly authorization: Redacted.Redacted<string>;
  /** Bounds the handshake. */
  readonly timeoutMs: number;
  /** Registered before the socket opens, so no message is missed. */
  readonly onMessage: (text: string) => void;
}

/** A websocket the caller owns: terminate it (or let `connectionEnded` be interrupted) when done. */
export const openWebSocket = (
  target: TlsTarget,
  options: WebSocketOptions,
): Effect.Effect<WebSocket, TransportError> =>
  Effect.async<WebSocket, TransportError>((resume) => {
    const ws = new WebSocket(`wss://${endpointOf(target).host}${options.path}`, {
      ca: target.certPem,
      headers: { Authorization: Redacted.value(options.authorization) },
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
    });
    ws.on("message", (data: Uint8Array) => options.onMessage(new TextDecoder().decode(data)));
    const onOpen = () => {
      ws.off("error", onError);
      resume(Effect.succeed(ws));
    };
    const onError = (e: Error) => {
      ws.off("open", onOpen);
      ws.terminate();
      resume(Effect.fail(new TransportError({ detail: describeTransportError(e) })));
    };
    ws.once("open", onOpen);
    ws.once("error", onError);
    return Effect.sync(() => ws.terminate());
  });

/**
 * Waits until an open websocket is gone and says why. A peer that vanishes without closing (power
 * loss, a dropped route) leaves a socket that looks open and brings nothing: without a pong (or
 * any message) within `heartbeatMs` of a ping, the socket is terminated. Interrupting terminates
 * the socket.
 */
export const connectionEnded = (ws: WebSocket, heartbeatMs: number): Effect.Effect<string> => {
  let lastError = "";
  ws.on("error", (e) => {
    lastError = describeTransportError(e);
  });
  const closed = Effect.async<string>((resume) => {
    const reason = () => `connection closed${lastError ? ` (${lastError})` : ""}`;
    if (ws.readyState === WebSocket.CLOSED) resume(Effect.sync(reason));
    else ws.once("close", () => resume(Effect.sync(reason)));
    return Effect.sync(() => ws.terminate());
  });
  const silent = Effect.gen(function* () {
    let heard = true;
    const onHeard = () => {
      heard = true;
    };
    ws.on("pong", onHeard);
    ws.on("message", onHeard);
    while (heard) {
      heard = false;
      ws.ping(undefined, undefined, () => {});
      yield* Effect.sleep(Duration.millis(heartbeatMs));
    }
    ws.terminate();
    return `no answer to a ping within ${heartbeatMs} ms`;
  });
  return Effect.raceFirst(closed, silent);
};
