// A client of one stakepoold's control API (./stakepoold_protocol.ts) over the pinned-certificate
// transport (./transport.ts): each operation one HTTPS POST under one deadline, ticket events on
// a websocket watched by a heartbeat.
import { Data, Effect, ParseResult, type Redacted, Runtime, Schema, Stream } from "effect";
import {
  ControlApi,
  ControlError,
  type ControlOperation,
  EVENTS_PATH,
  type StakepooldStatus,
  TicketEvent,
} from "./stakepoold_protocol.ts";
import { inSubsystem } from "../runtime/logging.ts";
import { bearerAuthorization, connectionEnded, openWebSocket, postJson } from "./transport.ts";

export class StakepooldCallError extends Data.TaggedError("StakepooldCallError")<{
  readonly host: string;
  readonly operation: string;
  readonly detail: string;
}> {
  override get message() {
    return `stakepoold ${this.host} ${this.operation}: ${this.detail}`;
  }
}

/** A stakepoold's control API as configured (stakepooldhosts, stakepooldcerts). */
export const StakepooldEndpoint = Schema.Struct({
  /** host:port of its control API (rpclisten). */
  host: Schema.String,
  /** Its rpc.cert (PEM), trusted as the only CA. */
  certPem: Schema.String,
});
export type StakepooldEndpoint = typeof StakepooldEndpoint.Type;

export interface StakepooldControlClient {
  readonly host: string;
  readonly call: <Req extends Schema.Schema.AnyNoContext, Res extends Schema.Schema.AnyNoContext>(
    op: ControlOperation<Req, Res>,
    request: Schema.Schema.Type<Req>,
  ) => Effect.Effect<Schema.Schema.Type<Res>, StakepooldCallError>;
  /** The stakepoold's counts, votes and connections (the web app's /status page). */
  readonly status: Effect.Effect<StakepooldStatus, StakepooldCallError>;
  /** Ticket events from the moment the websocket is open; fails when it closes or goes silent. */
  readonly events: Stream.Stream<TicketEvent, StakepooldCallError>;
}

export const makeStakepooldControlClient = (options: {
  readonly endpoint: StakepooldEndpoint;
  readonly secret: Redacted.Redacted<string>;
  /** Deadline of each call (the original gave each gRPC call 100 ms; a reload of 10 000 users needs more). */
  readonly timeoutMs?: number;
}): StakepooldControlClient => {
  const { host, certPem } = options.endpoint;
  const target = { url: `https://${host}`, certPem };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const authorization = bearerAuthorization(options.secret);
  const failure = (operation: string, detail: string) => new StakepooldCallError({ host, operation, detail });
  const schemaFailure = (operation: string) => (e: ParseResult.ParseError) =>
    failure(operation, ParseResult.TreeFormatter.formatErrorSync(e));

  const call: StakepooldControlClient["call"] = (op, request) =>
    Effect.gen(function* () {
      const body = yield* Schema.encode(op.request)(request).pipe(Effect.mapError(schemaFailure(op.path)));
      const answer = yield* postJson(target, {
        path: op.path,
        body: JSON.stringify(body),
        authorization,
        timeoutMs,
      })
        .pipe(Effect.mapError((e) => failure(op.path, e.message)));
      const json = yield* Effect.try({
        try: () => JSON.parse(answer.body) as unknown,
        catch: () => failure(op.path, `HTTP ${answer.status}: not JSON`),
      });
      if (answer.status !== 200) {
        const error = Schema.decodeUnknownOption(ControlError)(json);
        return yield* failure(
          op.path,
          error._tag === "Some" ? `${error.value._tag}: ${error.value.message}` : `HTTP ${answer.status}`,
        );
      }
      return yield* Schema.decodeUnknown(op.response)(json).pipe(Effect.mapError(schemaFailure(op.path)));
    }).pipe(Effect.withSpan("StakepooldControlClient.call", { attributes: { host, path: op.path } }));

  const decodeEvent = Schema.decodeUnknownEither(Schema.parseJson(TicketEvent));
  const events = Stream.asyncScoped<TicketEvent, StakepooldCallError>((emit) =>
    Effect.gen(function* () {
      // An event this client cannot read is reported, not dropped in silence, and the stream goes on.
      const runtime = yield* Effect.runtime<never>();
      const ws = yield* Effect.acquireRelease(
        openWebSocket(target, {
          path: EVENTS_PATH,
          authorization,
          timeoutMs,
          onMessage: (text) => {
            const event = decodeEvent(text);
            if (event._tag === "Right") emit.single(event.right);
            else {
              Runtime.runFork(runtime)(
                Effect.logWarning(`stakepoold ${host} sent an event this client cannot read`).pipe(
                  Effect.annotateLogs({ problem: ParseResult.TreeFormatter.formatErrorSync(event.left) }),
                  inSubsystem("SPDC"),
                ),
              );
            }
          },
        }).pipe(Effect.mapError((e) => failure(EVENTS_PATH, e.detail))),
        (ws) => Effect.sync(() => ws.terminate()),
      );
      yield* Effect.forkScoped(
        Effect.flatMap(connectionEnded(ws, timeoutMs), (reason) =>
          Effect.promise(() => emit.fail(failure(EVENTS_PATH, `event stream ended: ${reason}`)))),
      );
    })
  );

  return { host, call, status: call(ControlApi.status, {}), events };
};
