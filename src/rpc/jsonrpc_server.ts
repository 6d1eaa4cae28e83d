// A JSON-RPC 1.0 server shaped like hcd's and hcwallet's (HC-PROTOCOL §8.1, §11.2): TLS, HTTP
// Basic auth, POST and a websocket at /ws that carries requests, responses and notifications.
// With a dialect it reads requests as hcd or hcwallet do (Go's encoding/json into hcjson.Request):
// a body that does not parse, a batch, a GET or a request without an id get exactly their answers.
// Without one it is a plain JSON-RPC server (batches answered). Method semantics live in the
// handler. The fault hooks (stop accepting, latency, dropping websockets) let a simulator play a
// node that goes away and comes back on the same port.
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

/** Whose request handling the server copies: hcd's rpcserver.go or hcwallet's legacyrpc server.go. */
export type RpcDialect = "hcd" | "hcwallet";

export interface RpcServerOptions {
  /** Absent: a plain JSON-RPC server. */
  readonly dialect?: RpcDialect;
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

/** Go's http.Error: a text/plain body of the message and a newline. */
const goHttpError = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "X-Content-Type-Options": "nosniff",
      "Connection": "close",
      ...headers,
    },
  });

/** jsonAuthFail: hcwallet keeps the realm it inherited from btcwallet. */
const unauthorized = (dialect: RpcDialect | undefined) =>
  goHttpError(401, "401 Unauthorized.", {
    "WWW-Authenticate": `Basic realm="${dialect === "hcwallet" ? "btcwallet" : "hcd"} RPC"`,
  });

const jsonResponse = (body: unknown) =>
  new Response(JSON.stringify(body), {
    headers: { "Content-Type": "application/json", "Connection": "close" },
  });

// ---- Go's encoding/json reading an hcjson.Request ----

/** encoding/json quoteChar: how a syntax error shows the offending byte. */
const quoteChar = (c: number): string => {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = {
    7: "a",
    8: "b",
    9: "t",
    10: "n",
    11: "v",
    12: "f",
    13: "r",
    0x5c: "\\",
  };
  if (named[c] !== undefined) return `'\\${named[c]}'`;
  const hex = c.toString(16).padStart(2, "0");
  if (c < 0x20 || c === 0x7f) return `'\\x${hex}'`;
  if ((c >= 0x80 && c < 0xa0) || c === 0xad) return `'\\u00${hex}'`;
  return `'${String.fromCharCode(c)}'`;
};

const isJsonSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** encoding/json's scanner: the SyntaxError text Unmarshal gives for `bytes`, or undefined when valid. */
const goJsonSyntaxError = (bytes: Uint8Array): string | undefined => {
  type Step = (c: number) => Step | string;
  const stack: Array<"key" | "value" | "array"> = [];
  const fail = (c: number, context: string) => `invalid character ${quoteChar(c)} ${context}`;
  let done = false;
  const endTop: Step = (c) => isJsonSpace(c) ? endTop : fail(c, "after top-level value");
  const endValue: Step = (c) => {
    const top = stack[stack.length - 1];
    if (top === undefined) {
      done = true;
      return endTop(c);
    }
    if (isJsonSpace(c)) return endValue;
    if (top === "key") {
      if (c !== 0x3a) return fail(c, "after object key");
      stack[stack.length - 1] = "value";
      return beginValue;
    }
    if (top === "value") {
      if (c === 0x2c) {
        stack[stack.length - 1] = "key";
        return beginString;
      }
      if (c !== 0x7d) return fail(c, "after object key:value pair");
      stack.pop();
      return endValue;
    }
    if (c === 0x2c) return beginValue;
    if (c !== 0x5d) return fail(c, "after array element");
    stack.pop();
    return endValue;
  };
  const literal = (word: string, at: number): Step => (c) => {
    if (c !== word.charCodeAt(at)) return fail(c, `in literal ${word} (expecting '${word[at]}')`);
    return at + 1 === word.length ? endValue : literal(word, at + 1);
  };
  const exponentDigits: Step = (c) => isDigit(c) ? exponentDigits : endValue(c);
  const exponentSign: Step = (c) => isDigit(c) ? exponentDigits : fail(c, "in exponent of numeric literal");
  const exponent: Step = (c) => c === 0x2b || c === 0x2d ? exponentSign : exponentSign(c);
  const fraction: Step = (c) => isDigit(c) ? fraction : c === 0x65 || c === 0x45 ? exponent : endValue(c);
  const dot: Step = (c) => isDigit(c) ? fraction : fail(c, "after decimal point in numeric literal");
  const zero: Step = (c) => c === 0x2e ? dot : c === 0x65 || c === 0x45 ? exponent : endValue(c);
  const digits: Step = (c) => isDigit(c) ? digits : zero(c);
  const negative: Step = (c) =>
    c === 0x30 ? zero : c >= 0x31 && c <= 0x39 ? digits : fail(c, "in numeric literal");
  const unicode = (left: number): Step => (c) =>
    !isHex(c) ? fail(c, "in \\u hexadecimal character escape") : left === 1 ? inString : unicode(left - 1);
  const escape: Step = (c) =>
    'bfnrt\\/"'.includes(String.fromCharCode(c))
      ? inString
      : c === 0x75
      ? unicode(4)
      : fail(c, "in string escape code");
  const inString: Step = (c) =>
    c === 0x22 ? endValue : c === 0x5c ? escape : c < 0x20 ? fail(c, "in string literal") : inString;
  const beginString: Step = (c) =>
    isJsonSpace(c)
      ? beginString
      : c === 0x22
      ? inString
      : fail(c, "looking for beginning of object key string");
  const beginValue: Step = (c) => {
    if (isJsonSpace(c)) return beginValue;
    switch (c) {
      case 0x7b:
        stack.push("key");
        return beginStringOrEmpty;
      case 0x5b:
        stack.push("array");
        return beginValueOrEmpty;
      case 0x22:
        return inString;
      case 0x2d:
        return negative;
      case 0x30:
        return zero;
      case 0x74:
        return literal("true", 1);
      case 0x66:
        return literal("false", 1);
      case 0x6e:
        return literal("null", 1);
    }
    return c >= 0x31 && c <= 0x39 ? digits : fail(c, "looking for beginning of value");
  };
  const beginStringOrEmpty: Step = (c) => {
    if (isJsonSpace(c)) return beginStringOrEmpty;
    if (c === 0x7d) {
      stack.pop();
      return endValue;
    }
    return beginString(c);
  };
  const beginValueOrEmpty: Step = (c) => {
    if (isJsonSpace(c)) return beginValueOrEmpty;
    if (c === 0x5d) {
      stack.pop();
      return endValue;
    }
    return beginValue(c);
  };
  let step: Step | string = beginValue;
  for (const c of bytes) {
    step = (step as Step)(c);
    if (typeof step === "string") return step;
  }
  // A number ends only at the next byte: let a space finish it.
  if (!done) step = (step as Step)(0x20);
  return typeof step === "string" ? step : done ? undefined : "unexpected end of JSON input";
};

const goKind = (v: unknown) =>
  v === null
    ? "null"
    : Array.isArray(v)
    ? "array"
    : typeof v === "object"
    ? "object"
    : typeof v === "boolean"
    ? "bool"
    : typeof v;

/** What json.Unmarshal left in an hcjson.Request: the fields it set, and its first error. */
interface GoRequest {
  readonly method: string;
  readonly params: ReadonlyArray<unknown>;
  /** undefined: Go's nil (absent or null). */
  readonly id: unknown;
  readonly error?: string;
}

const REQUEST_FIELDS: Readonly<
  Record<string, { readonly type: string; readonly ok: (v: unknown) => boolean }>
> = {
  jsonrpc: { type: "string", ok: (v) => v === null || typeof v === "string" },
  method: { type: "string", ok: (v) => v === null || typeof v === "string" },
  params: { type: "[]json.RawMessage", ok: (v) => v === null || Array.isArray(v) },
  id: { type: "interface {}", ok: () => true },
};

/** json.Unmarshal(text, &hcjson.Request{}): type errors keep the fields decoded around them. */
const goDecodeRequest = (text: string): GoRequest => {
  const syntax = goJsonSyntaxError(new TextEncoder().encode(text));
  if (syntax !== undefined) return { method: "", params: [], id: undefined, error: syntax };
  const body: unknown = JSON.parse(text);
  if (body === null) return { method: "", params: [], id: undefined };
  if (typeof body !== "object" || Array.isArray(body)) {
    return {
      method: "",
      params: [],
      id: undefined,
      error: `json: cannot unmarshal ${goKind(body)} into Go value of type hcjson.Request`,
    };
  }
  const fields: Record<string, unknown> = {};
  let error: string | undefined;
  for (const [key, value] of Object.entries(body)) {
    // Go matches a key to a field exactly or, failing that, case-insensitively.
    const name = key in REQUEST_FIELDS
      ? key
      : Object.keys(REQUEST_FIELDS).find((f) => f === key.toLowerCase());
    if (name === undefined) continue;
    if (REQUEST_FIELDS[name].ok(value)) fields[name] = value;
    else {
      error ??= `json: cannot unmarshal ${goKind(value)} into Go struct field Request.${name} of type ${
        REQUEST_FIELDS[name].type
      }`;
    }
  }
  return {
    method: typeof fields.method === "string" ? fields.method : "",
    params: Array.isArray(fields.params) ? fields.params : [],
    id: fields.id === null ? undefined : fields.id,
    ...(error === undefined ? {} : { error }),
  };
};

/** hcjson.IsValidIDType: what a reply can carry as its id (numbers, strings, nil). */
const isValidId = (id: unknown) => id === undefined || typeof id === "number" || typeof id === "string";

/** Binds at once (throws if the port is taken). */
export const startRpcServer = (options: RpcServerOptions): RpcServer => {
  const hostname = options.hostname ?? "127.0.0.1";
  const { dialect } = options;
  const expectedAuth = sha256(basicAuthHeader(options.user, options.password));
  const sockets = new Map<string, WebSocket>();
  const sleeping = new Map<ReturnType<typeof setTimeout>, () => void>();
  let latencyMs = 0;
  let nextConnection = 0;
  let closed = false;

  const authorized = (header: string | null) => timingSafeEqual(sha256(header ?? ""), expectedAuth);

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

  /** Runs one request; the reply's id is Go's nil (null) when absent. */
  const run = async (method: string, params: ReadonlyArray<unknown>, id: unknown, ctx: RpcRequestContext) => {
    if (latencyMs > 0) await sleep(latencyMs);
    try {
      const result = await options.handler(method, params, ctx);
      return { result: result ?? null, error: null, id: id ?? null } satisfies Response1;
    } catch (e) {
      return { result: null, error: errorObjectOf(e), id: id ?? null } satisfies Response1;
    }
  };

  const failed = (code: number, message: string, id: unknown = null): Response1 => ({
    result: null,
    error: { code, message },
    id: id ?? null,
  });

  /** The plain server: any JSON-RPC request object, batches answered in order. */
  const answerPlain = (text: string, ctx: RpcRequestContext): Promise<unknown> => {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return Promise.resolve(failed(RpcCode.parse, "Parse error"));
    }
    const one = (request: unknown): Promise<Response1> => {
      const r = request as { method?: unknown; params?: unknown; id?: unknown } | null;
      const id = typeof r === "object" && r !== null && "id" in r ? r.id : null;
      if (typeof r !== "object" || r === null || typeof r.method !== "string") {
        return Promise.resolve(failed(RpcCode.invalidRequest, "Invalid request", id));
      }
      const params = r.params === undefined || r.params === null ? [] : r.params;
      if (!Array.isArray(params)) {
        return Promise.resolve(failed(RpcCode.invalidParams, "params must be an array", id));
      }
      return run(r.method, params, id, ctx);
    };
    return Array.isArray(body) ? Promise.all(body.map(one)) : one(body);
  };

  /**
   * A request as the dialect reads it: the reply, or undefined for none (hcd: a request without
   * an id, or one whose id cannot be marshalled back).
   */
  const answerGo = async (text: string, ctx: RpcRequestContext): Promise<Response1 | undefined> => {
    const request = goDecodeRequest(text);
    if (request.error !== undefined) {
      return dialect === "hcd"
        ? failed(RpcCode.parse, `Failed to parse request: ${request.error}`)
        : failed(RpcCode.invalidRequest, "Invalid request", isValidId(request.id) ? request.id : null);
    }
    if (dialect === "hcd" && request.id === undefined) return undefined;
    const reply = await run(request.method, request.params, request.id, ctx);
    return dialect === "hcd" && !isValidId(request.id) ? undefined : reply;
  };

  const openWebsocket = (req: Request, authenticated: boolean): Response => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const connectionId = `ws-${++nextConnection}`;
    const ctx: RpcRequestContext = { connectionId, notify: (m, p) => notify(m, p, connectionId) };
    let loggedIn = authenticated;
    sockets.set(connectionId, socket);
    socket.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      const text = ev.data;
      if (!loggedIn && dialect !== undefined) {
        // Without Basic auth the first message must be `authenticate user pass`; else hang up.
        const r = goDecodeRequest(text);
        const [user, pass] = r.params;
        if (r.method !== "authenticate" || !authorized(basicAuthHeader(String(user), String(pass)))) {
          socket.close();
          return;
        }
        loggedIn = true;
        send(socket, { result: null, error: null, id: r.id ?? null });
        return;
      }
      (dialect === undefined ? answerPlain(text, ctx) : answerGo(text, ctx)).then((reply) => {
        if (reply !== undefined) send(socket, reply);
      });
    };
    socket.onclose = () => {
      sockets.delete(connectionId);
      options.onDisconnect?.(connectionId);
    };
    return response;
  };

  const serveRequest = async (req: Request): Promise<Response> => {
    const auth = req.headers.get("authorization");
    const path = new URL(req.url).pathname;
    if (path === "/ws" && dialect !== undefined) {
      // Go's servers let a websocket in without credentials (it must authenticate first), not with wrong ones.
      if (auth !== null && !authorized(auth)) return unauthorized(dialect);
      if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return dialect === "hcd" ? goHttpError(400, "400 Bad Request.") : goHttpError(400, "Bad Request");
      }
      return openWebsocket(req, auth !== null);
    }
    if (!authorized(auth)) return unauthorized(dialect);
    if (path === "/ws" && req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      return openWebsocket(req, true);
    }
    const ctx: RpcRequestContext = { connectionId: `http-${++nextConnection}`, notify: () => {} };
    if (dialect === undefined) {
      if (req.method !== "POST") return new Response("405 Method Not Allowed\n", { status: 405 });
      return jsonResponse(await answerPlain(await req.text(), ctx));
    }
    // hcd and hcwallet read any method's body (a GET's is empty) as a request.
    const reply = await answerGo(await req.text(), ctx);
    // hcwallet cannot marshal an id of another type than number or string.
    if (dialect === "hcwallet" && !isValidId(reply?.id ?? undefined)) {
      return goHttpError(500, "500 Internal Server Error");
    }
    if (reply !== undefined) return jsonResponse(reply);
    // hcd hangs up without an answer. Deno.serve cannot drop a request unanswered, so the answer's
    // head goes out and the connection closes before the body it announces.
    return new Response(new ReadableStream({ start: (c) => c.close() }), {
      headers: { "Content-Type": "application/json", "Content-Length": "1" },
    });
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
