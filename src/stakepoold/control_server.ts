// stakepoold's control API server (src/rpc/stakepoold_protocol.ts): Hono on Deno.serve over TLS
// with the rpccert/rpckey pair, every request authenticated by the shared secret, bodies and
// answers checked against the operation's Schemas, ticket events on an authenticated websocket.
import { createHash, timingSafeEqual } from "node:crypto";
import {
  Cause,
  Context,
  Data,
  Effect,
  Fiber,
  Layer,
  Option,
  ParseResult,
  Redacted,
  Runtime,
  Schema,
  Stream,
} from "effect";
import { Hono } from "hono";
import { decodeAddressForNet } from "../domain/address.ts";
import type { NetParams } from "../domain/params.ts";
import {
  CONTROL_API_VERSION,
  ControlApi,
  ControlBadRequest,
  ControlFailed,
  type ControlOperation,
  ControlUnauthorized,
  EVENTS_PATH,
  type StakepooldStatus,
  TicketEvent,
} from "../rpc/stakepoold_protocol.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/prometheus.ts";
import { stakepooldMetrics } from "../metrics/stakepoold_metrics.ts";
import type { Supervisor } from "../runtime/supervisor.ts";
import type { LocalNode } from "./local_node.ts";
import { stakepooldStatus } from "./status.ts";
import { TicketEvents } from "./ticket_events.ts";
import { TicketKeeper } from "./ticket_keeper.ts";
import type { Voter } from "./voter.ts";
import { VotingPrefs } from "./voting_prefs.ts";

export interface ControlServerOptions {
  /** Addresses pushed by the web app must be P2SH addresses of this network. */
  readonly net: NetParams;
  /** host:port pairs to listen on (port 0: any free port). */
  readonly listen: ReadonlyArray<string>;
  readonly certPem: string;
  readonly keyPem: string;
  readonly secret: Redacted.Redacted<string>;
}

export class ControlServerError extends Data.TaggedError("ControlServerError")<{ readonly detail: string }> {
  override get message() {
    return this.detail;
  }
}

export class ControlServer extends Context.Tag("hcstakepool/ControlServer")<ControlServer, {
  /** host:port actually bound, one per listen address. */
  readonly addresses: ReadonlyArray<string>;
}>() {
  static readonly live = (options: ControlServerOptions) =>
    Layer.scoped(ControlServer, makeControlServer(options));
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Compares digests so that neither the secret's content nor its length leaks through timing. */
const secretMatches = (expected: Redacted.Redacted<string>, presented: string | undefined) =>
  presented !== undefined && timingSafeEqual(digest(Redacted.value(expected)), digest(presented));

const bearer = (header: string | undefined) => header?.match(/^Bearer (.+)$/)?.[1];

const splitHostPort = (hostPort: string) => {
  const i = hostPort.lastIndexOf(":");
  return { hostname: hostPort.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port: Number(hostPort.slice(i + 1)) };
};

/** Each operation's handler, typed by the operation's request and response Schemas. */
type Handler<Op> = Op extends ControlOperation<infer Req, infer Res>
  ? (req: Schema.Schema.Type<Req>) => Effect.Effect<Schema.Schema.Type<Res>, ControlBadRequest>
  : never;
type Handlers = { readonly [K in keyof typeof ControlApi]: Handler<(typeof ControlApi)[K]> };

/** Every pushed address must be a pool ticket address (P2SH) of this network. */
const requireTicketAddresses = (net: NetParams, field: string, addresses: ReadonlyArray<string>) => {
  const bad = addresses.find((a) => {
    const decoded = decodeAddressForNet(a, net);
    return decoded._tag === "Left" || decoded.right.kind !== "scripthash";
  });
  return bad === undefined ? Effect.void : Effect.fail(
    new ControlBadRequest({ message: `${field}: "${bad}" is not a ${net.name} P2SH ticket address` }),
  );
};

const VERSION = {
  versionString: `${CONTROL_API_VERSION.major}.${CONTROL_API_VERSION.minor}.${CONTROL_API_VERSION.patch}`,
  ...CONTROL_API_VERSION,
  prerelease: "",
  buildMetadata: "",
};

const handlersOf = (
  keeper: Context.Tag.Service<TicketKeeper>,
  prefs: Context.Tag.Service<VotingPrefs>,
  status: Effect.Effect<StakepooldStatus>,
  net: NetParams,
): Handlers => ({
  version: () => Effect.succeed(VERSION),
  ping: () => Effect.succeed({}),
  status: () => status,
  getLiveTickets: () => Effect.map(keeper.liveTickets, (tickets) => ({ tickets })),
  getAddedLowFeeTickets: () => Effect.map(keeper.addedLowFeeTickets, (tickets) => ({ tickets })),
  getIgnoredLowFeeTickets: () => Effect.map(keeper.ignoredLowFeeTickets, (tickets) => ({ tickets })),
  setAddedLowFeeTickets: (req) =>
    requireTicketAddresses(net, "TicketAddress", req.tickets.map((t) => t.TicketAddress)).pipe(
      Effect.zipRight(prefs.pushAddedLowFeeTickets(req.tickets)),
      Effect.as({}),
    ),
  setUserVotingPrefs: (req) =>
    requireTicketAddresses(net, "MultiSigAddress", req.userVotingConfig.map((u) => u.MultiSigAddress)).pipe(
      Effect.zipRight(prefs.pushUsers(req.userVotingConfig)),
      Effect.as({}),
    ),
});

const makeControlServer = (options: ControlServerOptions) =>
  Effect.gen(function* () {
    const keeper = yield* TicketKeeper;
    const prefs = yield* VotingPrefs;
    const events = yield* TicketEvents;
    const statusContext = yield* Effect.context<
      TicketKeeper | Voter | VotingPrefs | LocalNode | Supervisor
    >();
    const runtime = yield* Effect.runtime<never>();
    const run = Runtime.runPromise(runtime);
    const handlers = handlersOf(keeper, prefs, Effect.provide(stakepooldStatus, statusContext), options.net);
    const sockets = new Set<WebSocket>();

    const app = new Hono();
    app.use("*", async (c, next) => {
      if (!secretMatches(options.secret, bearer(c.req.header("authorization")))) {
        await run(
          Effect.logWarning("control API: refused a request without the right secret").pipe(
            Effect.annotateLogs({ path: c.req.path }),
          ),
        );
        return c.json(
          Schema.encodeSync(ControlUnauthorized)(new ControlUnauthorized({ message: "unauthorized" })),
          401,
        );
      }
      await next();
    });

    const route = <Req extends Schema.Schema.AnyNoContext, Res extends Schema.Schema.AnyNoContext>(
      name: string,
      op: ControlOperation<Req, Res>,
      handle: (req: Schema.Schema.Type<Req>) => Effect.Effect<Schema.Schema.Type<Res>, ControlBadRequest>,
    ) =>
      app.post(op.path, async (c) => {
        const body = await c.req.json().catch(() => undefined);
        const decoded = Schema.decodeUnknownEither(op.request)(body ?? {});
        if (decoded._tag === "Left") {
          const message = ParseResult.TreeFormatter.formatErrorSync(decoded.left);
          return c.json(Schema.encodeSync(ControlBadRequest)(new ControlBadRequest({ message })), 400);
        }
        const exit = await run(
          Effect.exit(
            handle(decoded.right).pipe(
              Effect.flatMap(Schema.encode(op.response)),
              Effect.withSpan(`ControlServer.${name}`),
            ),
          ),
        );
        if (exit._tag === "Success") return c.json(exit.value);
        const refused = Cause.failureOption(exit.cause);
        if (Option.isSome(refused) && refused.value instanceof ControlBadRequest) {
          return c.json(Schema.encodeSync(ControlBadRequest)(refused.value), 400);
        }
        await run(Effect.logError(`control API ${name} failed`, exit.cause));
        return c.json(
          Schema.encodeSync(ControlFailed)(new ControlFailed({ message: `${name} failed` })),
          500,
        );
      });
    route("version", ControlApi.version, handlers.version);
    route("ping", ControlApi.ping, handlers.ping);
    route("status", ControlApi.status, handlers.status);
    route("getLiveTickets", ControlApi.getLiveTickets, handlers.getLiveTickets);
    route("getAddedLowFeeTickets", ControlApi.getAddedLowFeeTickets, handlers.getAddedLowFeeTickets);
    route("getIgnoredLowFeeTickets", ControlApi.getIgnoredLowFeeTickets, handlers.getIgnoredLowFeeTickets);
    route("setAddedLowFeeTickets", ControlApi.setAddedLowFeeTickets, handlers.setAddedLowFeeTickets);
    route("setUserVotingPrefs", ControlApi.setUserVotingPrefs, handlers.setUserVotingPrefs);
    // Prometheus text (src/metrics), behind the same secret.
    app.get("/metrics", async (c) =>
      c.body(await run(Effect.provide(stakepooldMetrics, statusContext)), 200, {
        "Content-Type": PROMETHEUS_CONTENT_TYPE,
      }));

    app.get(EVENTS_PATH, (c) => {
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.text("websocket expected", 400);
      const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
      const encode = Schema.encodeSync(TicketEvent);
      let fiber: Fiber.RuntimeFiber<void> | undefined;
      socket.onopen = () => {
        sockets.add(socket);
        fiber = Runtime.runFork(runtime)(
          events.stream.pipe(
            Stream.runForEach((e) =>
              Effect.sync(() => {
                if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(encode(e)));
              })
            ),
          ),
        );
      };
      socket.onclose = () => {
        sockets.delete(socket);
        if (fiber !== undefined) Runtime.runFork(runtime)(Fiber.interrupt(fiber));
      };
      return response;
    });

    const servers = yield* Effect.forEach(options.listen, (hostPort) =>
      Effect.acquireRelease(
        Effect.try({
          try: () => {
            const { hostname, port } = splitHostPort(hostPort);
            return Deno.serve(
              { hostname, port, cert: options.certPem, key: options.keyPem, onListen: () => {} },
              app.fetch,
            );
          },
          catch: (e) => new ControlServerError({ detail: `control API cannot listen on ${hostPort}: ${e}` }),
        }),
        (server) =>
          Effect.promise(async () => {
            for (const s of sockets) s.close(1001, "stakepoold stopping");
            await server.shutdown();
          }),
      ));
    const addresses = servers.map((s) => {
      const addr = s.addr as Deno.NetAddr;
      return `${addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname}:${addr.port}`;
    });
    yield* Effect.logInfo("control API listening").pipe(
      Effect.annotateLogs({ addresses: addresses.join(", ") }),
    );
    return { addresses };
  });
