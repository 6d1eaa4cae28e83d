// A JSON-RPC 1.0 server shaped like hcd's and hcwallet's (HC-PROTOCOL §8.1): TLS, HTTP Basic
// auth, POST (single and batch) and a websocket at /ws that carries requests, responses and
// notifications. Method semantics live in the handler. The fault hooks (stop accepting, latency,
// dropping websockets) let a simulator play a node that goes away and comes back on the same port.
import { createHash, timingSafeEqual } from "node:crypto";
import { Data, Effect, type Scope } from "effect";
import { RpcCode, RpcErrorObject } from "./errors.ts";

export interface RpcRequestContext {
  /** "ws-<n>" for a websocket client, "http-<n>" for a POST request. */
  readonly connectionId: string;
  /** Sends a notification to this connection (a no-op for POST requests). */
  readonly notify: (method: string, params: ReadonlyArray<unknown>) => void;
}

/** Resolves to the result; rejects with an RpcErrorObject to answer with that error (else -32603). */
export type RpcHandler = (
  method: string,
  params: ReadonlyArray<unknown>,
  ctx: RpcRequestContext,
) => Promise<unknown>;

export interface RpcServerOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly user: string;
  readonly password: string;
  readonly handler: RpcHandler;
  /** Default 127.0.0.1. */
  readonly hostname?: string;
  /** Default 0: any free port (see RpcServer.port). */
  readonly port?: number;
  /** Called when a websocket connection ends, so per-connection registrations can be dropped. */
  readonly onDisconnect?: (connectionId: string) => void;
}

export interface RpcServer {
  readonly hostname: string;
  /** The bound port (stable across stopAccepting/resumeAccepting). */
  readonly port: number;
  /** https://hostname:port */
  readonly url: string;
  /** Sends a notification to one websocket connection, or to all of them. */
  readonly notify: (method: string, params: ReadonlyArray<unknown>, connectionId?: string) => void;
  readonly connectionIds: () => ReadonlyArray<string>;
  /** Delay added before every request is handled. */
  readonly setLatency: (ms: number) => void;
  /** Closes every websocket connection now (clients see the connection drop). */
  readonly dropWebsockets: () => void;
  /** Drops websockets and refuses new connections; the port stays reserved. */
  readonly stopAccepting: () => Promise<void>;
  /** Serves again on the same port. */
  readonly resumeAccepting: () => Promise<void>;
  readonly isAccepting: () => boolean;
  readonly close: () => Promise<void>;
}

export class RpcServerError extends Data.TaggedError("RpcServerError")<{ readonly detail: string }> {
  override get message() {
    return `RPC server: ${this.detail}`;
  }
}

interface Response1 {
  readonly result: unknown;
  readonly error: { readonly code: number; readonly message: string } | null;
  readonly id: unknown;
}

const errorObjectOf = (e: unknown): { code: number; message: string } => {
  if (e instanceof RpcErrorObject) return { code: e.code, message: e.message };
  if (
    typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "number" &&
    typeof (e as { message?: unknown }).message === "string"
  ) {
    return { code: (e as { code: number }).code, message: (e as { message: string }).message };
  }
  return { code: RpcCode.internal, message: e instanceof Error ? e.message : String(e) };
};

const sha256 = (s: string) => createHash("sha256").update(s).digest();

const basicAuthHeader = (user: string, password: string): string => {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
};

const unauthorized = () =>
  new Response("401 Unauthorized.\n", {
    status: 401,
    headers: { "WWW-Authenticate": 'Basic realm="hcd RPC"' },
  });

const jsonResponse = (body: unknown) =>
  new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });

/** Binds at once (throws if the port is taken). */
export const startRpcServer = (options: RpcServerOptions): RpcServer => {
  const hostname = options.hostname ?? "127.0.0.1";
  const expectedAuth = sha256(basicAuthHeader(options.user, options.password));
  const sockets = new Map<string, WebSocket>();
  const sleeping = new Map<ReturnType<typeof setTimeout>, () => void>();
  let latencyMs = 0;
  let nextConnection = 0;
  let closed = false;

  const authorized = (req: Request) =>
    timingSafeEqual(sha256(req.headers.get("authorization") ?? ""), expectedAuth);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        sleeping.delete(timer);
        resolve();
      }, ms);
      sleeping.set(timer, resolve);
    });

  const send = (socket: WebSocket, body: unknown) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(body));
  };

  const notify = (method: string, params: ReadonlyArray<unknown>, connectionId?: string) => {
    const body = { jsonrpc: "1.0", method, params, id: null };
    if (connectionId !== undefined) {
      const socket = sockets.get(connectionId);
      if (socket) send(socket, body);
    } else {
      for (const socket of sockets.values()) send(socket, body);
    }
  };

  const answer = async (request: unknown, ctx: RpcRequestContext): Promise<Response1> => {
    const r = request as { method?: unknown; params?: unknown; id?: unknown } | null;
    const id = typeof r === "object" && r !== null && "id" in r ? r.id : null;
    if (typeof r !== "object" || r === null || typeof r.method !== "string") {
      return { result: null, error: { code: RpcCode.invalidRequest, message: "Invalid request" }, id };
    }
    const params = r.params === undefined || r.params === null ? [] : r.params;
    if (!Array.isArray(params)) {
      return { result: null, error: { code: RpcCode.invalidParams, message: "params must be an array" }, id };
    }
    if (latencyMs > 0) await sleep(latencyMs);
    try {
      const result = await options.handler(r.method, params, ctx);
      return { result: result ?? null, error: null, id };
    } catch (e) {
      return { result: null, error: errorObjectOf(e), id };
    }
  };

  const answerText = (text: string, ctx: RpcRequestContext): Promise<unknown> => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return Promise.resolve({
        result: null,
        error: { code: RpcCode.parse, message: "Parse error" },
        id: null,
      });
    }
    return Array.isArray(body) ? Promise.all(body.map((b) => answer(b, ctx))) : answer(body, ctx);
  };

  const openWebsocket = (req: Request): Response => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const connectionId = `ws-${++nextConnection}`;
    const ctx: RpcRequestContext = { connectionId, notify: (m, p) => notify(m, p, connectionId) };
    sockets.set(connectionId, socket);
    socket.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      answerText(ev.data, ctx).then((reply) => send(socket, reply));
    };
    socket.onclose = () => {
      sockets.delete(connectionId);
      options.onDisconnect?.(connectionId);
    };
    return response;
  };

  const serveRequest = async (req: Request): Promise<Response> => {
    if (!authorized(req)) return unauthorized();
    const path = new URL(req.url).pathname;
    if (path === "/ws" && req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return openWebsocket(req);
    }
    if (req.method !== "POST") return new Response("405 Method Not Allowed\n", { status: 405 });
    const ctx: RpcRequestContext = { connectionId: `http-${++nextConnection}`, notify: () => {} };
    return jsonResponse(await answerText(await req.text(), ctx));
  };

  const serve = (port: number) =>
    Deno.serve({
      hostname,
      port,
      cert: options.certPem,
      key: options.keyPem,
      onListen: () => {},
    }, serveRequest);

  let server: Deno.HttpServer<Deno.NetAddr> | undefined = serve(options.port ?? 0);
  const port = server.addr.port;
  let parking: { readonly listener: Deno.Listener; readonly done: Promise<void> } | undefined;

  // While stopped, a plain TCP listener holds the port and closes every connection at once.
  const park = () => {
    const listener = Deno.listen({ hostname, port });
    const done = (async () => {
      try {
        for await (const conn of listener) conn.close();
      } catch {
        // The listener was closed by unpark.
      }
    })();
    parking = { listener, done };
  };

  // The port is free again only once the pending accept has ended.
  const unpark = async () => {
    const p = parking;
    parking = undefined;
    if (p) {
      p.listener.close();
      await p.done;
    }
  };

  const dropWebsockets = () => {
    for (const socket of sockets.values()) socket.close(1001, "server dropped the connection");
  };

  const stopServing = async () => {
    dropWebsockets();
    const s = server;
    server = undefined;
    if (s) await s.shutdown();
  };

  return {
    hostname,
    port,
    url: `https://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`,
    notify,
    connectionIds: () => [...sockets.keys()],
    setLatency: (ms) => {
      latencyMs = ms;
    },
    dropWebsockets,
    isAccepting: () => server !== undefined,
    stopAccepting: async () => {
      if (server === undefined || closed) return;
      await stopServing();
      park();
    },
    resumeAccepting: async () => {
      if (server !== undefined || closed) return;
      await unpark();
      server = serve(port);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const [timer, wake] of sleeping) {
        clearTimeout(timer);
        wake();
      }
      sleeping.clear();
      await unpark();
      await stopServing();
    },
  };
};

/** The server as a scoped resource: closed when the scope closes. */
export const rpcServer = (options: RpcServerOptions): Effect.Effect<RpcServer, RpcServerError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => startRpcServer(options),
      catch: (e) => new RpcServerError({ detail: e instanceof Error ? e.message : String(e) }),
    }),
    (server) => Effect.promise(() => server.close()),
  );
