// The web server as a scoped layer: captures the runtime once (handlers run their use cases on
// it), serves the Hono app with Deno.serve while the scope is open, and shuts the server down
// (in-flight requests finish) when the scope closes.
import { Context, Data, Effect, Layer } from "effect";
import { PoolSettings } from "../accounts/pool_settings.ts";
import { makeApp } from "./app.ts";
import type { WebServices } from "./context.ts";
import type { StaticAssets } from "./static_files.ts";

export class ServerBindFailed extends Data.TaggedError("ServerBindFailed")<{
  readonly listen: string;
  readonly reason: string;
}> {
  override get message() {
    return `cannot listen on ${this.listen}: ${this.reason}`;
  }
}

export interface HttpServerApi {
  /** Where it listens: host:port (the real port when `listen` asked for port 0) or the socket path. */
  readonly address: string;
  /** Resolves when the server stops; before the scope closes, that means it failed. */
  readonly finished: Promise<void>;
}

export class HttpServer extends Context.Tag("hcstakepool/HttpServer")<HttpServer, HttpServerApi>() {
  static readonly layer = (options: { readonly listen: string; readonly assets: StaticAssets }) =>
    Layer.scoped(HttpServer, makeServer(options));
}

/** `listen` as the original reads it: host:port (":8000" = every interface), or a unix socket path. */
export const listenOptions = (
  listen: string,
): { readonly path: string } | { readonly hostname: string; readonly port: number } => {
  if (listen.startsWith(".") || listen.startsWith("/")) return { path: listen };
  const i = listen.lastIndexOf(":");
  const host = (i < 0 ? listen : listen.slice(0, i)).replace(/^\[(.*)\]$/, "$1");
  return { hostname: host === "" ? "0.0.0.0" : host, port: i < 0 ? 8000 : Number(listen.slice(i + 1)) };
};

const makeServer = (options: { readonly listen: string; readonly assets: StaticAssets }) =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<WebServices>();
    const settings = yield* PoolSettings;
    const app = makeApp({ runtime, settings, assets: options.assets });
    const server = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          Deno.serve(
            { ...listenOptions(options.listen), onListen: () => {} },
            (request, info) => app.fetch(request, { remoteAddr: info.remoteAddr }),
          ),
        catch: (e) =>
          new ServerBindFailed({
            listen: options.listen,
            reason: e instanceof Error ? e.message : String(e),
          }),
      }),
      (s) => Effect.promise(() => s.shutdown()),
    );
    const addr = server.addr as Deno.Addr;
    const address = "path" in addr
      ? addr.path
      : "hostname" in addr
      ? `${addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname}:${addr.port}`
      : options.listen;
    yield* Effect.logInfo("web app listening").pipe(
      Effect.annotateLogs({ address, baseurl: settings.config.baseUrl }),
    );
    return { address, finished: server.finished };
  });
