// The N voting wallets as one: every multi-wallet mutation runs alone (one FIFO permit), every
// call goes to all wallets, wallets that do not answer are skipped but at least `minservers` must
// answer, and callers compare the answers. A disagreement or a failed import stops the manager:
// wallet commands are refused (pages show maintenance, /status 500) until a restart or an admin
// resume whose consistency check passes. Voting is not affected: stakepoolds are independent.
// A wallet on another network than the pool's (its getmasterpubkey key names its network) is
// refused: never called, shown in status with the reason, counted as down against minservers.
import { Clock, Context, Data, Duration, Effect, Either, Layer, Option, Ref, type Scope } from "effect";
import type { PoolConfig } from "../config/pool.ts";
import { parseExtendedKey } from "../domain/hdkey.ts";
import { type NetName, type NetParams, NETWORKS } from "../domain/params.ts";
import type { RpcDecodeError, RpcError } from "../rpc/errors.ts";
import { makeRpcClient } from "../rpc/jsonrpc_client.ts";
import { type StakeInfoResult, type WalletInfoResult, type WalletRpc, walletRpc } from "../rpc/hc_methods.ts";
import type { RpcEndpoint } from "../rpc/transport.ts";
import { inSubsystem } from "../runtime/logging.ts";

/** The wallet methods the pool uses. */
export type WalletMethods = Pick<
  WalletRpc,
  | "walletInfo"
  | "validateAddress"
  | "createMultisig"
  | "importScript"
  | "listScripts"
  | "accountSyncAddressIndex"
  | "getTickets"
  | "addTicket"
  | "getRawTransactionHex"
  | "getBestBlock"
  | "getBlockHeader"
  | "getStakeInfo"
  | "getMasterPubKey"
  | "getTransaction"
  | "rescanWallet"
  | "stakePoolUserInfo"
  | "existsLiveTickets"
  | "existsMissedTickets"
  | "existsExpiredTickets"
>;

export interface VotingWallet {
  /** Label for logs and status, e.g. "wallet 1". */
  readonly name: string;
  readonly host: string;
  readonly rpc: WalletMethods;
  /**
   * Changes when the wallet may be another server than before (a reconnect): its network is
   * checked again then. Absent: one connection for the wallet's lifetime.
   */
  readonly connectionNumber?: Effect.Effect<number>;
}

export interface WalletAnswer<A> {
  readonly wallet: VotingWallet;
  readonly value: A;
}

export interface WalletDown {
  readonly wallet: string;
  readonly reason: string;
}

/** The wallets that answered a fan-out call, and why the others were skipped. */
export interface FanOut<A> {
  readonly answers: ReadonlyArray<WalletAnswer<A>>;
  readonly down: ReadonlyArray<WalletDown>;
}

export class WalletsStopped extends Data.TaggedError("WalletsStopped")<{
  readonly reason: string;
  readonly since: Date;
}> {
  override get message() {
    return `Stakepool is currently not processing RPC commands (stopped: ${this.reason})`;
  }
}

export class WalletsUnavailable extends Data.TaggedError("WalletsUnavailable")<{
  readonly method: string;
  readonly available: number;
  readonly required: number;
  readonly down: ReadonlyArray<WalletDown>;
}> {
  override get message() {
    const why = this.down.map((d) => `${d.wallet}: ${d.reason}`).join("; ");
    return `${this.method}: not processing command; ${this.available} servers avail is below min of ${this.required}` +
      (why === "" ? "" : ` (${why})`);
  }
}

/** A wallet answered with an error (or a malformed result). */
export class WalletCallFailed extends Data.TaggedError("WalletCallFailed")<{
  readonly wallet: string;
  readonly method: string;
  /** hcjson error code; undefined for a malformed result. */
  readonly code: number | undefined;
  readonly detail: string;
}> {
  override get message() {
    return `${this.wallet} ${this.method}: ${this.code === undefined ? "" : `${this.code}: `}${this.detail}`;
  }
}

/** Wallets (or a wallet and the pool's own computation) gave different answers. */
export class WalletsDisagree extends Data.TaggedError("WalletsDisagree")<{
  readonly method: string;
  readonly detail: string;
}> {
  override get message() {
    return `${this.method}: wallets disagree: ${this.detail}`;
  }
}

export class ResumeRefused
  extends Data.TaggedError("ResumeRefused")<{ readonly problems: ReadonlyArray<string> }> {
  override get message() {
    return `not resuming wallet commands: ${this.problems.join("; ")}`;
  }
}

export interface LiveCount {
  readonly wallet: string;
  readonly live: number;
}

/** getstakeinfo answers whose live ticket counts differ: the stats would depend on which wallet answered. */
export class StakeInfoMismatch extends Data.TaggedError("StakeInfoMismatch")<{
  readonly live: ReadonlyArray<LiveCount>;
}> {
  override get message() {
    return `getstakeinfo: live ticket counts differ: ${
      this.live.map((l) => `${l.wallet} ${l.live}`).join(", ")
    }`;
  }
}

export type WalletCommandError = WalletsStopped | WalletsUnavailable | WalletCallFailed | WalletsDisagree;

export interface WalletStatus {
  readonly name: string;
  readonly host: string;
  /** The network its getmasterpubkey key is for; undefined until it answered. */
  readonly network: NetName | undefined;
  /** Why the pool does not use this wallet although it answers (another network). */
  readonly refused: string | undefined;
  /** Answered walletinfo. */
  readonly connected: boolean;
  readonly daemonConnected: boolean;
  readonly unlocked: boolean;
  readonly voting: boolean;
  readonly voteVersion: number | undefined;
  readonly error: string | undefined;
}

/** As the original's /status: every wallet usable "OK", none "Emergency", one "Critical", else "Degraded". */
export type RpcStatus = "OK" | "Degraded" | "Critical" | "Emergency";

export interface VotingWalletsStatus {
  readonly rpcStatus: RpcStatus;
  /** Connected, on the pool's network, daemon connected and unlocked. */
  readonly usable: number;
  readonly total: number;
  readonly minServers: number;
  /** Set while wallet commands are refused; /status answers 500 then. */
  readonly stopped: { readonly reason: string; readonly since: Date } | undefined;
  readonly wallets: ReadonlyArray<WalletStatus>;
  /** Set by a getstakeinfo whose live counts differed; cleared when a later one agrees. */
  readonly lastStakeInfoMismatch: { readonly live: ReadonlyArray<LiveCount>; readonly at: Date } | undefined;
}

/** Wallets able to take commands now (walletinfo: daemon connected and unlocked). */
export interface ReadyWallets {
  readonly wallets: ReadonlyArray<VotingWallet>;
  readonly infos: ReadonlyArray<WalletAnswer<WalletInfoResult>>;
  readonly down: ReadonlyArray<WalletDown>;
}

export interface VotingWalletsApi {
  readonly net: NetParams;
  readonly minServers: number;
  readonly wallets: ReadonlyArray<VotingWallet>;
  /**
   * Runs a multi-wallet command sequence alone (one FIFO permit); refused while stopped. Every
   * mutation of the wallets' scripts and tickets runs inside it.
   */
  readonly exclusive: <A, E, R>(
    self: Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E | WalletsStopped, R>;
  /**
   * Calls `f` on each wallet of `among` (default all) concurrently. Wallets that cannot be reached
   * are skipped; an error answer fails the whole call; fewer than minservers answers is
   * WalletsUnavailable.
   */
  readonly fanOut: <A>(
    method: string,
    f: (rpc: WalletMethods) => Effect.Effect<A, RpcError | RpcDecodeError>,
    among?: ReadonlyArray<VotingWallet>,
  ) => Effect.Effect<FanOut<A>, WalletsUnavailable | WalletCallFailed>;
  /** walletinfo on every wallet; at least minservers must be daemon connected and unlocked. */
  readonly ready: Effect.Effect<ReadyWallets, WalletsUnavailable | WalletCallFailed>;
  /**
   * Stops wallet commands. `recheck` is run by `resume` (besides the general consistency check)
   * to show that whatever caused the stop is gone.
   */
  readonly stop: (reason: string, recheck?: Effect.Effect<void, string>) => Effect.Effect<void>;
  readonly stopped: Effect.Effect<Option.Option<WalletsStopped>>;
  /** Every wallet's walletinfo and the overall state, for pages and /status. */
  readonly status: Effect.Effect<VotingWalletsStatus>;
  /**
   * The consistency check: at least minservers usable, one vote version, and the same scripts
   * on every usable wallet. Returns the problems found (empty: consistent).
   */
  readonly checkConsistency: Effect.Effect<ReadonlyArray<string>>;
  /** Admin resume: runs checkConsistency and the stop's recheck; clears the stop only if both pass. */
  readonly resume: Effect.Effect<void, ResumeRefused>;
  /**
   * getstakeinfo of the usable wallets (for the stats page and API), whose live counts must agree.
   * An agreed answer is reused for 5 minutes; errors are not. A disagreement does not stop wallet
   * commands (nothing was changed) but shows in `status`. Refused while stopped, as in the original.
   */
  readonly stakeInfo: Effect.Effect<
    StakeInfoResult,
    WalletsStopped | WalletsUnavailable | WalletCallFailed | StakeInfoMismatch
  >;
}

export interface VotingWalletsConfig {
  readonly net: NetParams;
  readonly wallets: ReadonlyArray<RpcEndpoint>;
  readonly minServers: number;
  /** Per-call timeout (default 30 s). */
  readonly timeoutMs?: number;
}

/** The wallets of hcstakepool.conf (wallethosts, walletusers, walletpasswords, walletcerts, minservers). */
export const votingWalletsConfig = (pool: PoolConfig): VotingWalletsConfig => ({
  net: NETWORKS[pool.network],
  wallets: pool.wallets,
  minServers: pool.minServers,
});

/** One RPC client per configured wallet (websocket, reconnecting), closed with the scope. */
export const connectWallets = (
  config: VotingWalletsConfig,
): Effect.Effect<ReadonlyArray<VotingWallet>, never, Scope.Scope> =>
  Effect.forEach(
    config.wallets,
    (w, i) =>
      makeRpcClient({ ...w, name: `wallet ${i + 1}`, timeoutMs: config.timeoutMs }).pipe(
        Effect.map((client): VotingWallet => ({
          name: client.name,
          host: client.host,
          rpc: walletRpc(client),
          connectionNumber: client.connectionNumber,
        })),
      ),
    { concurrency: "unbounded" },
  );

export class VotingWallets
  extends Context.Tag("hcstakepool/VotingWallets")<VotingWallets, VotingWalletsApi>() {
  /** Over the configured wallets (see connectWallets). */
  static readonly layer = (config: VotingWalletsConfig) =>
    Layer.scoped(
      VotingWallets,
      Effect.flatMap(connectWallets(config), (wallets) =>
        makeVotingWallets(config.net, wallets, config.minServers)),
    );

  /** Over wallets the test supplies (in-memory fakes or clients it built). */
  static readonly fromWallets = (net: NetParams, wallets: ReadonlyArray<VotingWallet>, minServers: number) =>
    Layer.effect(VotingWallets, makeVotingWallets(net, wallets, minServers));
}

const isUnreachable = (e: RpcError | RpcDecodeError) =>
  e._tag === "RpcTransportError" || e._tag === "RpcTimeout";

const callFailed = (wallet: string, method: string, e: RpcError | RpcDecodeError) =>
  new WalletCallFailed({
    wallet,
    method,
    code: e._tag === "RpcCallError" ? e.code : undefined,
    detail: e.message,
  });

/** One wallet's part of a fan-out: skipped (unreachable, refused) or its answer. */
type CallOutcome<A> =
  | { readonly wallet: VotingWallet; readonly skipped: string }
  | { readonly wallet: VotingWallet; readonly result: Either.Either<A, RpcError | RpcDecodeError> };

/** Why a wallet whose network could not be learnt is not used this time. */
const usabilityProblem = (e: RpcError | RpcDecodeError) =>
  isUnreachable(e) ? e.message : `cannot learn its network: ${e.message}`;

const notReadyReason = (info: WalletInfoResult): string | undefined =>
  !info.daemonconnected
    ? "wallet is not connected to its hcd"
    : !info.unlocked
    ? "wallet is locked"
    : undefined;

const rpcStatusOf = (usable: number, total: number): RpcStatus =>
  usable === total ? "OK" : usable === 0 ? "Emergency" : usable === 1 ? "Critical" : "Degraded";

const STATUS_TIMEOUT = Duration.seconds(10);
const STAKE_INFO_TTL = Duration.minutes(5);

/** What the pool knows of a wallet's network; `refused` says why it is not used. */
interface NetworkVerdict {
  readonly network: NetName | undefined;
  readonly refused: string | undefined;
}

const WALLETS_SUBSYSTEM = "WLLT";

interface StopState {
  readonly error: WalletsStopped;
  readonly recheck: Option.Option<Effect.Effect<void, string>>;
}

export const makeVotingWallets = (
  net: NetParams,
  wallets: ReadonlyArray<VotingWallet>,
  minServers: number,
): Effect.Effect<VotingWalletsApi> =>
  Effect.gen(function* () {
    const permit = yield* Effect.makeSemaphore(1);
    const stopState = yield* Ref.make(Option.none<StopState>());
    const stakeInfoCache = yield* Ref.make(
      Option.none<{ readonly value: StakeInfoResult; readonly atMillis: number }>(),
    );
    const stakeInfoMismatch = yield* Ref.make<VotingWalletsStatus["lastStakeInfoMismatch"]>(undefined);
    const verdicts = new Map<string, { readonly connection: number; readonly verdict: NetworkVerdict }>();

    /**
     * The wallet's network, asked once per connection (the original only logged a mismatch): the
     * version bytes of its account key (getmasterpubkey: dpub/tpub/spub) name the network it runs on.
     */
    const networkVerdict = (wallet: VotingWallet): Effect.Effect<NetworkVerdict, RpcError | RpcDecodeError> =>
      Effect.gen(function* () {
        const connection = wallet.connectionNumber === undefined ? 0 : yield* wallet.connectionNumber;
        const known = verdicts.get(wallet.name);
        if (known?.connection === connection) return known.verdict;
        const verdict = Either.match(parseExtendedKey(yield* wallet.rpc.getMasterPubKey()), {
          onLeft: (e): NetworkVerdict => ({
            network: undefined,
            refused: `its getmasterpubkey key names no network this pool knows (${e.message})`,
          }),
          onRight: (key): NetworkVerdict => ({
            network: key.net.name,
            refused: key.net.name === net.name
              ? undefined
              : `wallet is on ${key.net.name}, the pool on ${net.name}`,
          }),
        });
        verdicts.set(wallet.name, { connection, verdict });
        if (verdict.refused !== undefined && verdict.refused !== known?.verdict.refused) {
          yield* Effect.logError("wallet refused: it is not on the pool's network").pipe(
            Effect.annotateLogs({ wallet: wallet.name, host: wallet.host, reason: verdict.refused }),
            inSubsystem(WALLETS_SUBSYSTEM),
          );
        }
        return verdict;
      });

    const refuseIfStopped = Effect.flatMap(
      Ref.get(stopState),
      Option.match({ onNone: () => Effect.void, onSome: (s) => Effect.fail(s.error) }),
    );

    const collect = <A>(
      method: string,
      f: (rpc: WalletMethods) => Effect.Effect<A, RpcError | RpcDecodeError>,
      among: ReadonlyArray<VotingWallet>,
    ) =>
      Effect.gen(function* () {
        // A wallet is called only once its network is known to be the pool's.
        const results = yield* Effect.forEach(among, (wallet) =>
          Effect.either(networkVerdict(wallet)).pipe(
            Effect.flatMap((verdict): Effect.Effect<CallOutcome<A>> =>
              Either.isLeft(verdict)
                ? Effect.succeed({ wallet, skipped: usabilityProblem(verdict.left) })
                : verdict.right.refused !== undefined
                ? Effect.succeed({ wallet, skipped: verdict.right.refused })
                : Effect.map(Effect.either(f(wallet.rpc)), (result) => ({ wallet, result }))
            ),
          ), { concurrency: "unbounded" });
        const answers: Array<WalletAnswer<A>> = [];
        const down: Array<WalletDown> = [];
        for (const outcome of results) {
          const { wallet } = outcome;
          if ("skipped" in outcome) {
            down.push({ wallet: wallet.name, reason: outcome.skipped });
            continue;
          }
          const { result } = outcome;
          if (Either.isRight(result)) answers.push({ wallet, value: result.right });
          else if (isUnreachable(result.left)) {
            down.push({ wallet: wallet.name, reason: result.left.message });
          } else return yield* callFailed(wallet.name, method, result.left);
        }
        return { answers, down } satisfies FanOut<A>;
      });

    const quorum = <A extends { readonly down: ReadonlyArray<WalletDown> }>(
      method: string,
      available: number,
      value: A,
    ) =>
      available >= minServers
        ? Effect.succeed(value)
        : Effect.fail(new WalletsUnavailable({ method, available, required: minServers, down: value.down }));

    const fanOut: VotingWalletsApi["fanOut"] = (method, f, among = wallets) =>
      Effect.flatMap(collect(method, f, among), (r) => quorum(method, r.answers.length, r)).pipe(
        Effect.withSpan("VotingWallets.fanOut", { attributes: { method } }),
      );

    const ready: VotingWalletsApi["ready"] = Effect.gen(function* () {
      const { answers, down } = yield* collect("walletinfo", (rpc) => rpc.walletInfo(), wallets);
      const infos = answers.filter((a) => notReadyReason(a.value) === undefined);
      const notReady = answers.flatMap((a) => {
        const reason = notReadyReason(a.value);
        return reason === undefined ? [] : [{ wallet: a.wallet.name, reason }];
      });
      return yield* quorum("walletinfo", infos.length, {
        wallets: infos.map((a) => a.wallet),
        infos,
        down: [...down, ...notReady],
      });
    });

    const stop: VotingWalletsApi["stop"] = (reason, recheck) =>
      Effect.gen(function* () {
        const error = new WalletsStopped({ reason, since: new Date(yield* Clock.currentTimeMillis) });
        const first = yield* Ref.modify(stopState, (s) =>
          Option.isSome(s)
            ? [false, s]
            : [true, Option.some({ error, recheck: Option.fromNullable(recheck) })]);
        if (first) {
          yield* Effect.logError("wallet commands stopped").pipe(
            Effect.annotateLogs({ reason }),
            inSubsystem(WALLETS_SUBSYSTEM),
          );
        }
      });

    const walletStatus = (wallet: VotingWallet): Effect.Effect<WalletStatus> =>
      Effect.all([
        networkVerdict(wallet).pipe(
          Effect.timeout(STATUS_TIMEOUT),
          Effect.match({
            // Unreachable or slow: walletinfo tells that; only an error answer is a reason of its own.
            onFailure: (e): NetworkVerdict => ({
              network: undefined,
              refused: e._tag === "RpcCallError" || e._tag === "RpcDecodeError"
                ? usabilityProblem(e)
                : undefined,
            }),
            onSuccess: (v) => v,
          }),
        ),
        walletInfoStatus(wallet),
      ], { concurrency: "unbounded" }).pipe(Effect.map(([verdict, info]) => ({ ...verdict, ...info })));

    const walletInfoStatus = (wallet: VotingWallet) =>
      wallet.rpc.walletInfo().pipe(
        Effect.timeoutFail({ duration: STATUS_TIMEOUT, onTimeout: () => "no answer" }),
        Effect.match({
          onFailure: (e) => ({
            name: wallet.name,
            host: wallet.host,
            connected: false,
            daemonConnected: false,
            unlocked: false,
            voting: false,
            voteVersion: undefined,
            error: typeof e === "string" ? e : e.message,
          }),
          onSuccess: (info) => ({
            name: wallet.name,
            host: wallet.host,
            connected: true,
            daemonConnected: info.daemonconnected,
            unlocked: info.unlocked,
            voting: info.voting,
            voteVersion: info.voteversion,
            error: undefined,
          }),
        }),
      );

    const status: VotingWalletsApi["status"] = Effect.gen(function* () {
      const statuses = yield* Effect.forEach(wallets, walletStatus, { concurrency: "unbounded" });
      const usable = statuses.filter((s) =>
        s.connected && s.daemonConnected && s.unlocked && s.network === net.name && s.refused === undefined
      ).length;
      const stopped = yield* Ref.get(stopState);
      return {
        rpcStatus: rpcStatusOf(usable, wallets.length),
        usable,
        total: wallets.length,
        minServers,
        stopped: Option.match(stopped, {
          onNone: () =>
            undefined,
          onSome: (s) => ({ reason: s.error.reason, since: s.error.since }),
        }),
        wallets: statuses,
        lastStakeInfoMismatch: yield* Ref.get(stakeInfoMismatch),
      };
    });

    const checkConsistency: VotingWalletsApi["checkConsistency"] = Effect.gen(function* () {
      const readiness = yield* Effect.either(ready);
      if (Either.isLeft(readiness)) return [readiness.left.message];
      // Wallets that are down or locked degrade the pool; they do not make it inconsistent.
      const { infos } = readiness.right;
      const problems: Array<string> = [];
      const versions = new Set(infos.map((i) => i.value.voteversion));
      if (versions.size > 1) {
        problems.push(
          `vote versions differ: ${infos.map((i) => `${i.wallet.name} ${i.value.voteversion}`).join(", ")}`,
        );
      }
      const scripts = yield* Effect.either(
        fanOut("listscripts", (rpc) => rpc.listScripts(), readiness.right.wallets),
      );
      if (Either.isLeft(scripts)) return [...problems, scripts.left.message];
      const sets = scripts.right.answers.map((a) => ({
        wallet: a.wallet.name,
        scripts: new Set(a.value.scripts.map((s) => s.redeemscript)),
      }));
      const all = new Set(sets.flatMap((s) => [...s.scripts]));
      for (const s of sets) {
        const missing = [...all].filter((x) => !s.scripts.has(x)).length;
        if (missing > 0) problems.push(`${s.wallet}: ${missing} scripts missing`);
      }
      return problems;
    }).pipe(Effect.withSpan("VotingWallets.checkConsistency"));

    const resume: VotingWalletsApi["resume"] = permit.withPermits(1)(
      Effect.gen(function* () {
        const current = yield* Ref.get(stopState);
        if (Option.isNone(current)) return;
        const problems = [...yield* checkConsistency];
        if (Option.isSome(current.value.recheck)) {
          const recheck = yield* Effect.either(current.value.recheck.value);
          if (Either.isLeft(recheck)) problems.push(recheck.left);
        }
        if (problems.length > 0) return yield* new ResumeRefused({ problems });
        yield* Ref.set(stopState, Option.none());
        yield* Effect.logWarning("wallet commands resumed by an admin").pipe(
          Effect.annotateLogs({ stoppedFor: current.value.error.reason }),
          inSubsystem(WALLETS_SUBSYSTEM),
        );
      }),
    ).pipe(Effect.withSpan("VotingWallets.resume"));

    // The span covers the wallets' round, not the cached answer every /stats view gets: there a
    // span's bookkeeping (some 7 µs) cost more than the lookup itself (issue 15).
    const compareStakeInfo = Effect.gen(function* () {
      const usable = yield* ready;
      const { answers, down } = yield* fanOut("getstakeinfo", (rpc) => rpc.getStakeInfo(), usable.wallets);
      if (answers.length === 0) {
        return yield* new WalletsUnavailable({ method: "getstakeinfo", available: 0, required: 1, down });
      }
      const live = answers.map((a): LiveCount => ({ wallet: a.wallet.name, live: a.value.live }));
      if (live.some((l) => l.live !== live[0].live)) {
        const error = new StakeInfoMismatch({ live });
        yield* Ref.set(stakeInfoMismatch, { live, at: new Date(yield* Clock.currentTimeMillis) });
        yield* Effect.logWarning(error.message).pipe(inSubsystem(WALLETS_SUBSYSTEM));
        return yield* error;
      }
      yield* Ref.set(stakeInfoMismatch, undefined);
      return answers[0].value;
    }).pipe(Effect.withSpan("VotingWallets.stakeInfo"));

    const stakeInfo: VotingWalletsApi["stakeInfo"] = Effect.gen(function* () {
      yield* refuseIfStopped;
      const now = yield* Clock.currentTimeMillis;
      const cached = yield* Ref.get(stakeInfoCache);
      if (Option.isSome(cached) && now - cached.value.atMillis < Duration.toMillis(STAKE_INFO_TTL)) {
        return cached.value.value;
      }
      const value = yield* compareStakeInfo;
      yield* Ref.set(stakeInfoCache, Option.some({ value, atMillis: now }));
      return value;
    });

    return {
      net,
      minServers,
      wallets,
      exclusive: (self) =>
        Effect.zipRight(refuseIfStopped, permit.withPermits(1)(Effect.zipRight(refuseIfStopped, self))),
      fanOut,
      ready,
      stop,
      stopped: Effect.map(Ref.get(stopState), Option.map((s) => s.error)),
      status,
      checkConsistency,
      resume,
      stakeInfo,
    } satisfies VotingWalletsApi;
  });
