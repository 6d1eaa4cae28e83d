// The web app's view of its stakepoolds: after a change in the database (users' voting
// preferences, admin-added low-fee tickets) every stakepoold is told, each independently; a
// stakepoold that is down is reported, never fatal (voting goes on in the others).
import https from "node:https";
import WebSocket from "ws";
import { Context, Data, Effect, Layer, ParseResult, Redacted, Schema, Stream } from "effect";
import type { NetParams } from "../domain/params.ts";
import { isValidVoteBits } from "../domain/votebits.ts";
import {
  ControlApi,
  ControlError,
  type ControlOperation,
  EVENTS_PATH,
  type StakepooldStatus,
  TicketEvent,
} from "../rpc/stakepoold_protocol.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { Users } from "../storage/users.ts";

export type StakepooldUpdate = "users" | "tickets" | "all";

export interface StakepooldUpdateReport {
  readonly ok: number;
  /** Host and reason for each stakepoold that did not take the update. */
  readonly failed: ReadonlyArray<{ readonly host: string; readonly reason: string }>;
}

export class StakepooldClients extends Context.Tag("hcstakepool/StakepooldClients")<StakepooldClients, {
  /** Reads the current rows from the database and pushes them to every stakepoold. */
  readonly updateAll: (kind: StakepooldUpdate) => Effect.Effect<StakepooldUpdateReport>;
}>() {
  /** No stakepoold configured (enablestakepoold=false). */
  static readonly none = Layer.succeed(StakepooldClients, {
    updateAll: () => Effect.succeed({ ok: 0, failed: [] }),
  });
}

// ---- the live layer: each stakepoold's control API over HTTPS, its certificate pinned ----

export class StakepooldCallError extends Data.TaggedError("StakepooldCallError")<{
  readonly host: string;
  readonly operation: string;
  readonly detail: string;
}> {
  override get message() {
    return `stakepoold ${this.host} ${this.operation}: ${this.detail}`;
  }
}

export interface StakepooldEndpoint {
  /** host:port of its control API (rpclisten). */
  readonly host: string;
  /** Its rpc.cert (PEM), trusted as the only CA. */
  readonly certPem: string;
}

export interface StakepooldControlClient {
  readonly host: string;
  readonly call: <Req extends Schema.Schema.AnyNoContext, Res extends Schema.Schema.AnyNoContext>(
    op: ControlOperation<Req, Res>,
    request: Schema.Schema.Type<Req>,
  ) => Effect.Effect<Schema.Schema.Type<Res>, StakepooldCallError>;
  /** The stakepoold's counts, votes and connections (the web app's /status page). */
  readonly status: Effect.Effect<StakepooldStatus, StakepooldCallError>;
  /** Ticket events from the moment the websocket is open; fails when it closes. */
  readonly events: Stream.Stream<TicketEvent, StakepooldCallError>;
}

/**
 * A client of one stakepoold. stakepoold's certificate is hcd-style (CA:TRUE), which Deno's fetch
 * and WebSocket refuse, so the transport is node:https and npm ws with the certificate as `ca`.
 */
export const makeStakepooldControlClient = (options: {
  readonly endpoint: StakepooldEndpoint;
  readonly secret: Redacted.Redacted<string>;
  /** Per call (the original gave each gRPC call 100 ms; a reload of 10 000 users needs more). */
  readonly timeoutMs?: number;
}): StakepooldControlClient => {
  const { host, certPem } = options.endpoint;
  const url = new URL(`https://${host}`);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || 443);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const authorization = () => `Bearer ${Redacted.value(options.secret)}`;
  const failure = (operation: string, detail: string) => new StakepooldCallError({ host, operation, detail });

  const post = (path: string, body: string) =>
    Effect.async<{ status: number; text: string }, StakepooldCallError>((resume) => {
      const req = https.request({
        hostname,
        port,
        path,
        method: "POST",
        ca: certPem,
        agent: false,
        timeout: timeoutMs,
        headers: {
          Authorization: authorization(),
          "Content-Type": "application/json",
          "Content-Length": new TextEncoder().encode(body).length,
        },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, text })));
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", (e) => resume(Effect.fail(failure(path, e.message))));
      req.end(body);
      return Effect.sync(() => req.destroy());
    });

  const call: StakepooldControlClient["call"] = (op, request) =>
    Effect.gen(function* () {
      const body = yield* Schema.encode(op.request)(request).pipe(
        Effect.mapError((e) => failure(op.path, ParseResult.TreeFormatter.formatErrorSync(e))),
      );
      const answer = yield* post(op.path, JSON.stringify(body));
      const json = yield* Effect.try({
        try: () => JSON.parse(answer.text) as unknown,
        catch: () => failure(op.path, `HTTP ${answer.status}: not JSON`),
      });
      if (answer.status !== 200) {
        const error = Schema.decodeUnknownOption(ControlError)(json);
        return yield* failure(
          op.path,
          error._tag === "Some" ? `${error.value._tag}: ${error.value.message}` : `HTTP ${answer.status}`,
        );
      }
      return yield* Schema.decodeUnknown(op.response)(json).pipe(
        Effect.mapError((e) => failure(op.path, ParseResult.TreeFormatter.formatErrorSync(e))),
      );
    }).pipe(Effect.withSpan("StakepooldControlClient.call", { attributes: { host, path: op.path } }));

  const events = Stream.asyncScoped<TicketEvent, StakepooldCallError>((emit) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const ws = new WebSocket(`wss://${host}${EVENTS_PATH}`, {
          ca: certPem,
          headers: { Authorization: authorization() },
          handshakeTimeout: timeoutMs,
          perMessageDeflate: false,
        });
        const decode = Schema.decodeUnknownEither(Schema.parseJson(TicketEvent));
        ws.on("message", (data: Uint8Array) => {
          const event = decode(new TextDecoder().decode(data));
          if (event._tag === "Right") emit.single(event.right);
        });
        ws.on("error", (e) => emit.fail(failure(EVENTS_PATH, e.message)));
        ws.on("close", () => emit.fail(failure(EVENTS_PATH, "event stream closed")));
        return ws;
      }),
      (ws) => Effect.sync(() => ws.terminate()),
    )
  );

  return { host, call, status: call(ControlApi.status, {}), events };
};

export interface StakepooldClientsOptions {
  readonly endpoints: ReadonlyArray<StakepooldEndpoint>;
  readonly secret: Redacted.Redacted<string>;
  readonly net: NetParams;
  /** The voting wallets' vote version: users' bits that do not fit it are reset before a push. */
  readonly voteVersion: number;
  readonly timeoutMs?: number;
}

/**
 * updateAll for real stakepoolds (behaviour §6.1 StakepooldUpdateAll): users → reset bits that no
 * longer fit the vote version, then SetUserVotingPrefs with every user that has a multisig;
 * tickets → SetAddedLowFeeTickets with the votable LowFeeTicket rows. Each stakepoold is told
 * independently and concurrently.
 */
export const stakepooldClientsLive = (options: StakepooldClientsOptions) =>
  Layer.effect(
    StakepooldClients,
    Effect.gen(function* () {
      const users = yield* Users;
      const lowFee = yield* LowFeeTickets;
      const clients = options.endpoints.map((endpoint) =>
        makeStakepooldControlClient({ endpoint, secret: options.secret, timeoutMs: options.timeoutMs })
      );
      const userPrefs = Effect.gen(function* () {
        yield* users.resetVoteBits(
          options.voteVersion,
          (bits) => isValidVoteBits(options.net, options.voteVersion, bits),
        );
        return (yield* users.votingConfigs).map((u) => ({
          UserId: u.UserId,
          MultiSigAddress: u.MultiSigAddress,
          VoteBits: u.VoteBits,
          VoteBitsVersion: u.VoteBitsVersion,
        }));
      });
      const addedTickets = Effect.map(
        lowFee.votable,
        (rows) => rows.map((t) => ({ TicketAddress: t.TicketAddress, TicketHash: t.TicketHash })),
      );
      return {
        updateAll: (kind) =>
          Effect.gen(function* () {
            const pushUsers = kind !== "tickets";
            const pushTickets = kind !== "users";
            const userVotingConfig = pushUsers ? yield* userPrefs : [];
            const tickets = pushTickets ? yield* addedTickets : [];
            const results = yield* Effect.forEach(clients, (client) =>
              Effect.all([
                pushUsers ? client.call(ControlApi.setUserVotingPrefs, { userVotingConfig }) : Effect.void,
                pushTickets ? client.call(ControlApi.setAddedLowFeeTickets, { tickets }) : Effect.void,
              ]).pipe(
                Effect.as(undefined),
                Effect.catchAll((e) => Effect.succeed({ host: client.host, reason: e.message })),
              ), { concurrency: "unbounded" });
            const failed = results.filter((r) => r !== undefined);
            for (const f of failed) {
              yield* Effect.logWarning("stakepoold did not take the update").pipe(
                Effect.annotateLogs({ host: f.host, kind, reason: f.reason }),
              );
            }
            if (clients.length > 0 && failed.length === clients.length) {
              yield* Effect.logWarning("no stakepoold connections alive/working?");
            }
            return { ok: clients.length - failed.length, failed };
          }).pipe(
            Effect.catchAll((e) =>
              Effect.succeed({
                ok: 0,
                failed: clients.map((c) => ({ host: c.host, reason: `reading the database: ${e.message}` })),
              })
            ),
            Effect.withSpan("StakepooldClients.updateAll", { attributes: { kind } }),
          ),
      };
    }),
  );
