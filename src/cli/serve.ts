// `hcstakepool serve -C hcstakepool.conf` (and main.ts with no command): the web app. Start-up in
// the original's order (behaviour §5.1), each step failing with the original's exit code and one
// line naming the cause: database (7) → templates/assets (2) → stakepoolds connect (8) → wallets
// (3) → wallet sync (4) → stakepoold update (9) → serve (bind 5, serve 6); a bad option exits 1.
// SIGINT/SIGTERM close every layer: the server finishes its requests, background loops stop.
import {
  Cause,
  Context,
  Data,
  Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  ManagedRuntime,
  Option,
  type Scope,
} from "effect";
import { PoolSettings } from "../accounts/pool_settings.ts";
import { Captcha, type CaptchaOptions } from "../captcha/captcha.ts";
import { loadPoolConfig, type PoolConfig } from "../config/pool.ts";
import { NETWORKS } from "../domain/params.ts";
import { formatSemver, semverCompatible } from "../domain/semver.ts";
import type { WebServices } from "../http/context.ts";
import { RateLimits, type RateRule, type RateRuleName } from "../http/middleware/rate_limit.ts";
import { expiredSessionSweeper } from "../http/middleware/session.ts";
import { HttpServer } from "../http/server.ts";
import { loadStaticAssets } from "../http/static_files.ts";
import { Mailer } from "../mail/mailer.ts";
import { rpcMetricsLayer } from "../metrics/rpc_metrics.ts";
import { makeStakepooldControlClient } from "../rpc/stakepoold_client.ts";
import { CONTROL_API_VERSION, ControlApi } from "../rpc/stakepoold_protocol.ts";
import { layerInSubsystem, loggingLayer, SubsystemsRequested } from "../runtime/logging.ts";
import { AuditLog } from "../storage/audit_log.ts";
import { databaseLayer } from "../storage/database.ts";
import { EmailChanges } from "../storage/email_changes.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { PasswordResets } from "../storage/password_resets.ts";
import { ResponseSigner } from "../signing/response_signer.ts";
import { Sessions } from "../storage/sessions.ts";
import { Users } from "../storage/users.ts";
import { StakepooldWatch } from "../tickets/stakepoold_watch.ts";
import { TicketView, type TicketViewTuning } from "../tickets/ticket_view.ts";
import { AddressRegistration } from "../wallets/address_registration.ts";
import { pendingText, Reconciler, repairsText } from "../wallets/reconciler.ts";
import { UserCounts } from "../pool/user_counts.ts";
import { StakepooldClients, stakepooldClientsLive } from "../wallets/stakepoolds.ts";
import { VotingWallets, votingWalletsConfig } from "../wallets/voting_wallets.ts";
import { type SyncProgress, syncWallets } from "../wallets/wallet_sync.ts";

/** The original's exit codes (runMain). */
export const EXIT = {
  config: 1,
  templates: 2,
  wallets: 3,
  sync: 4,
  bind: 5,
  serve: 6,
  database: 7,
  stakepooldConnect: 8,
  stakepooldUpdate: 9,
} as const;

export class StartupFailed extends Data.TaggedError("StartupFailed")<{
  readonly code: number;
  readonly message: string;
}> {}

/** Knobs tests turn; an operator's run uses the defaults. */
export interface WebAppTuning {
  readonly captcha?: CaptchaOptions;
  readonly rateRules?: Partial<Record<RateRuleName, RateRule>>;
  readonly reconcileInterval?: Duration.DurationInput;
  /** Per wallet call (default 30 s: accountsyncaddressindex derives 10 000 keys). */
  readonly walletTimeoutMs?: number;
  readonly tickets?: TicketViewTuning;
}

export interface RunningWebApp {
  /** host:port (or socket path) the server listens on. */
  readonly address: string;
  /** Resolves when the server stops. */
  readonly finished: Promise<void>;
  /** The services the pages use, for tests that look behind the pages. */
  readonly context: Context.Context<WebServices>;
}

const failWith = (code: number, what: string) => (e: { readonly message: string }) =>
  new StartupFailed({ code, message: `${what}: ${e.message.replace(/\s*\n\s*/g, " ")}` });

/** Checks each configured stakepoold's control API version; one that answers is enough to go on. */
const connectStakepoolds = (config: PoolConfig) =>
  Effect.gen(function* () {
    const secret = config.controlSecret;
    if (secret === undefined) {
      return yield* new StartupFailed({
        code: EXIT.stakepooldConnect,
        message:
          "stakepoold: controlsecret is required with enablestakepoold (the stakepoolds' control API secret)",
      });
    }
    const answers = yield* Effect.forEach(config.stakepoolds, (endpoint) =>
      Effect.either(makeStakepooldControlClient({ endpoint, secret }).call(ControlApi.version, {})).pipe(
        Effect.map((answer) => ({ host: endpoint.host, answer })),
      ), { concurrency: "unbounded" });
    for (const { host, answer } of answers) {
      if (answer._tag === "Left") {
        yield* Effect.logWarning("stakepoold unreachable at start-up").pipe(
          Effect.annotateLogs({ host, reason: answer.left.message }),
        );
      } else if (!semverCompatible(CONTROL_API_VERSION, answer.right)) {
        return yield* new StartupFailed({
          code: EXIT.stakepooldConnect,
          message: `stakepoold ${host}: control API ${answer.right.versionString} is not compatible with ${
            formatSemver(CONTROL_API_VERSION)
          }`,
        });
      }
    }
    if (
      answers.every((a) =>
        a.answer._tag === "Left"
      )
    ) {
      return yield* new StartupFailed({
        code: EXIT.stakepooldConnect,
        message: `stakepoold: none answered (${
          answers.map((a) => a.host).join(", ")
        })`,
      });
    }
    return secret;
  });

const logProgress = (p: SyncProgress) =>
  Effect.logInfo(`wallet sync ${p.phase}: ${p.done}/${p.total} (${p.perSecond}/s)`);

/**
 * The web app with every service it uses, started step by step in the original's order; the
 * server (and every background loop) stops when the scope closes.
 */
export const startWebApp = (
  config: PoolConfig,
  tuning: WebAppTuning = {},
): Effect.Effect<RunningWebApp, StartupFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const net = NETWORKS[config.network];
    const storage = yield* Layer.build(
      Layer.mergeAll(EmailChanges.layer, PasswordResets.layer, ResponseSigner.layer, UserCounts.layer()).pipe(
        Layer.provideMerge(Layer.mergeAll(Users.layer, Sessions.layer, AuditLog.layer, LowFeeTickets.layer)),
        Layer.provideMerge(databaseLayer(config.database)),
      ),
    ).pipe(Effect.mapError(failWith(EXIT.database, "database")));

    const assets = yield* loadStaticAssets().pipe(Effect.mapError(failWith(EXIT.templates, "templates")));

    const stakepooldSecret = config.enableStakepoold
      ? Option.some(yield* connectStakepoolds(config))
      : Option.none();

    const wallets = yield* Layer.build(
      VotingWallets.layer({ ...votingWalletsConfig(config), timeoutMs: tuning.walletTimeoutMs }),
    );
    const ready = yield* Effect.flatMap(VotingWallets, (vw) => vw.ready).pipe(
      Effect.provide(wallets),
      Effect.mapError(failWith(EXIT.wallets, "wallets")),
    );
    yield* Effect.logInfo(`${ready.wallets.length} of ${config.wallets.length} voting wallets ready`);

    const summary = yield* syncWallets({ resetVoteBits: true, onProgress: logProgress }).pipe(
      Effect.provide(Context.merge(storage, wallets)),
      Effect.mapError(failWith(EXIT.sync, "wallet sync")),
    );
    // Wallets skipped or items left unrepaired need the operator: a warning, as the reconciler's.
    const left = summary.skipped.length + summary.problems.length > 0;
    yield* (left ? Effect.logWarning : Effect.logInfo)("wallet sync done").pipe(
      Effect.annotateLogs({
        voteVersion: summary.voteVersion,
        scripts: summary.scripts,
        tickets: summary.tickets,
        repaired: repairsText(summary),
        pending: pendingText(summary),
        skipped: summary.skipped.map((s) => `${s.wallet}: ${s.reason}`).join("; ") || "none",
        problems: summary.problems.join("; ") || "none",
      }),
    );

    const stakepoolds = yield* Layer.build(
      Option.match(stakepooldSecret, {
        onNone: () => StakepooldClients.none,
        onSome: (secret) =>
          stakepooldClientsLive({
            endpoints: config.stakepoolds,
            secret,
            net,
            voteVersion: summary.voteVersion,
          }),
      }),
    ).pipe(Effect.provide(storage));
    if (config.enableStakepoold) {
      const report = yield* Effect.flatMap(StakepooldClients, (s) => s.updateAll("all")).pipe(
        Effect.provide(stakepoolds),
      );
      if (report.ok === 0) {
        return yield* new StartupFailed({
          code: EXIT.stakepooldUpdate,
          message: `stakepoold update: none took it (${
            report.failed.map((f) => `${f.host}: ${f.reason}`).join("; ")
          })`,
        });
      }
      yield* Effect.logInfo(`${report.ok} of ${config.stakepoolds.length} stakepoolds updated`);
    }

    const services = yield* Layer.build(
      Layer.mergeAll(
        Reconciler.layer({ interval: tuning.reconcileInterval }).pipe(layerInSubsystem("WLLT")),
        config.smtpHost === "" ? Mailer.console : Mailer.fromConfig(config),
        config.noCaptcha ? Captcha.disabled : Captcha.layer(tuning.captcha),
        RateLimits.layer(tuning.rateRules),
        expiredSessionSweeper(),
        PoolSettings.layer(config, summary.voteVersion),
        AddressRegistration.layer({
          votingWalletExtPub: config.votingWalletExtPub,
          coldWalletExtPub: config.coldWalletExtPub,
        }),
      ),
    ).pipe(
      Effect.provide(Context.merge(Context.merge(storage, wallets), stakepoolds)),
      Effect.mapError(failWith(EXIT.config, "mail")),
    );
    // The ticket view follows every stakepoold's ticket events for as long as the app runs.
    const tickets = yield* Layer.build(
      TicketView.layer({ maxVotedAge: config.maxVotedAge, ...tuning.tickets }).pipe(
        Layer.provideMerge(Option.match(stakepooldSecret, {
          onNone: () => StakepooldWatch.none,
          onSome: (secret) => StakepooldWatch.layer({ endpoints: config.stakepoolds, secret }),
        })),
      ),
    ).pipe(Effect.provide(wallets));
    const context: Context.Context<WebServices> = Context.merge(
      Context.merge(Context.merge(storage, wallets), stakepoolds),
      Context.merge(services, tickets),
    );
    const server = yield* Layer.build(HttpServer.layer({ listen: config.listen, assets })).pipe(
      Effect.provide(context),
      Effect.mapError(failWith(EXIT.bind, "listen")),
    );
    const { address, finished } = Context.get(server, HttpServer);
    return { address, finished, context };
  });

/** What main.ts runs for `serve` (or no command): the exit code of the run. */
export const runServe = async (argv: ReadonlyArray<string>): Promise<number> => {
  const loaded = await Effect.runPromiseExit(loadPoolConfig(argv));
  if (Exit.isFailure(loaded)) {
    const failure = Cause.failureOption(loaded.cause);
    if (Option.isSome(failure) && failure.value instanceof SubsystemsRequested) {
      console.log(failure.value.message);
      return 0;
    }
    console.error(
      `hcstakepool: ${Option.isSome(failure) ? failure.value.message : Cause.pretty(loaded.cause)}`,
    );
    return EXIT.config;
  }
  const config = loaded.value;
  // Every line through the configured logger; RPC calls timed for /metrics.
  const logging = ManagedRuntime.make(Layer.merge(loggingLayer(config.log), rpcMetricsLayer));
  const logReady = await Effect.runPromiseExit(logging.runtimeEffect);
  if (Exit.isFailure(logReady)) {
    console.error(`hcstakepool: ${Cause.squash(logReady.cause)}`);
    return EXIT.config;
  }
  const fiber = logging.runFork(
    Effect.scoped(
      Effect.gen(function* () {
        yield* Effect.logInfo("hcstakepool starting").pipe(
          Effect.annotateLogs({ network: config.network, listen: config.listen, baseurl: config.baseUrl }),
        );
        const app = yield* startWebApp(config);
        yield* Effect.promise(() => app.finished);
        return yield* new StartupFailed({
          code: EXIT.serve,
          message: "serve: the web server stopped on its own",
        });
      }),
    ),
  );
  const stop = (signal: Deno.Signal) => () => {
    logging.runFork(
      Effect.logInfo("hcstakepool stopping").pipe(
        Effect.annotateLogs({ signal }),
        Effect.zipRight(Fiber.interrupt(fiber)),
      ),
    );
  };
  Deno.addSignalListener("SIGINT", stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", stop("SIGTERM"));
  const exit = await Effect.runPromise(Fiber.await(fiber));
  let code = 0;
  if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
    const failure = Cause.failureOption(exit.cause);
    code = Option.isSome(failure) && failure.value instanceof StartupFailed ? failure.value.code : EXIT.serve;
    const line = Option.isSome(failure) ? failure.value.message : Cause.pretty(exit.cause).split("\n")[0];
    await logging.runPromise(Effect.logError(`hcstakepool stopped: ${line}`));
    console.error(`hcstakepool: ${line}`);
  }
  await logging.dispose();
  return code;
};
