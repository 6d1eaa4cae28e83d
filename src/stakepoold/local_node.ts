// The hcd + hcwallet pair a stakepoold sits next to (behaviour §5.2): websocket JSON-RPC clients
// with the servers' certificates pinned, reconnecting on their own. At start hcd must speak a
// compatible JSON-RPC API (else stakepoold refuses to run); an unexpected wallet API is only
// warned about, as the original did. Both must be on the configured network: the original only
// logged a node on another one, then voted nothing (or, with a shared key, the wrong chain).
import { Context, Data, Duration, Effect, Either, Layer, Ref, Schedule } from "effect";
import { parseExtendedKey } from "../domain/hdkey.ts";
import { type NetParams, NETWORKS } from "../domain/params.ts";
import { formatSemver, requireApiVersion, type Semver } from "../domain/semver.ts";
import type { RpcDecodeError, RpcError } from "../rpc/errors.ts";
import { makeRpcClient } from "../rpc/jsonrpc_client.ts";
import type { RpcEndpoint } from "../rpc/transport.ts";
import { type NodeRpc, nodeRpc, type WalletRpc, walletRpc } from "../rpc/hc_methods.ts";

/** hcd's JSON-RPC API stakepoold is built against. */
export const REQUIRED_HCD_API: Semver = { major: 3, minor: 1, patch: 0 };
/**
 * hcwallet's JSON-RPC API stakepoold is built against. The original compared with Decred's 5.0.0
 * and so warned on every real hcwallet, which reports 4.1.0.
 */
export const EXPECTED_WALLET_API: Semver = { major: 4, minor: 1, patch: 0 };

/** hcd answered `version` with an error or with an API stakepoold cannot use. */
export class IncompatibleNode extends Data.TaggedError("IncompatibleNode")<{
  readonly host: string;
  readonly detail: string;
}> {
  override get message() {
    return `hcd ${this.host} cannot be used: ${this.detail}`;
  }
}

/** hcd or hcwallet is on another network than the configured one, or would not say which. */
export class WrongNetwork extends Data.TaggedError("WrongNetwork")<{
  readonly server: "hcd" | "hcwallet";
  readonly host: string;
  readonly detail: string;
}> {
  override get message() {
    return `${this.server} ${this.host} cannot be used: ${this.detail}`;
  }
}

/** How long to wait before asking a server that could not be used again: doubling from `initial` up to `max`. */
export interface ServerRetry {
  readonly initial: Duration.DurationInput;
  readonly max: Duration.DurationInput;
}

/** A server that cannot be used yet is asked again after 1 s, then 2 s, 4 s… and at most every 30 s. */
export const DEFAULT_SERVER_RETRY: ServerRetry = { initial: Duration.seconds(1), max: Duration.seconds(30) };

export interface LocalNodeOptions {
  /** The configured network; hcd and the wallet must be on it. */
  readonly net: NetParams;
  readonly hcd: RpcEndpoint;
  readonly wallet: RpcEndpoint;
  /** Per-call timeout; a vote waits at most this long for each of its two calls. */
  readonly timeoutMs?: number;
  /** Default DEFAULT_SERVER_RETRY. */
  readonly serverRetry?: ServerRetry;
}

type CallError = RpcError | RpcDecodeError;

export type ServerName = "hcd" | "hcwallet";

export interface LocalNodeApi {
  readonly node: NodeRpc;
  readonly wallet: WalletRpc;
  /**
   * Runs `call` until it succeeds, asking again with a capped backoff while `retryable` holds
   * (default: any failure) — the one way stakepoold waits for hcd or hcwallet. The first failure
   * and each different one after it are a warning, a refused login one error line naming the
   * server, repeats only debug lines; an answer after failures is logged.
   */
  readonly untilAnswered: <A, E extends CallError>(
    server: ServerName,
    what: string,
    call: Effect.Effect<A, E>,
    retryable?: (e: E) => boolean,
  ) => Effect.Effect<A, E>;
}

const unreachable = (e: CallError) => e._tag === "RpcTransportError" || e._tag === "RpcTimeout";

const describe = (e: CallError) =>
  e._tag === "RpcCallError" ? `version failed: ${e.code}: ${e.message}` : e.message;

/** The same problem again reads the same, whichever call met it. */
const problemOf = (e: CallError) =>
  e._tag === "RpcTransportError"
    ? e.detail
    : e._tag === "RpcCallError"
    ? `${e.code}: ${e.message}`
    : e._tag === "RpcTimeout"
    ? "no answer in time"
    : e.message;

/** The server refused stakepoold's user and password (HTTP 401). */
const authenticationFailed = (e: CallError) =>
  e._tag === "RpcTransportError" && e.detail.includes("authentication failed");

const CREDENTIAL_OPTIONS: Record<ServerName, string> = {
  hcd: "hcduser and hcdpassword",
  hcwallet: "walletuser and walletpassword",
};

const untilAnsweredWith = (retry: ServerRetry, hosts: Record<ServerName, string>) =>
<A, E extends CallError>(
  server: ServerName,
  what: string,
  call: Effect.Effect<A, E>,
  retryable: (e: E) => boolean = () => true,
): Effect.Effect<A, E> =>
  Effect.gen(function* () {
    const name = `${server} ${hosts[server]}`;
    const lastProblem = yield* Ref.make<string | undefined>(undefined);
    const report = (e: E) =>
      Effect.gen(function* () {
        const problem = problemOf(e);
        if ((yield* Ref.getAndSet(lastProblem, problem)) === problem) {
          return yield* Effect.logDebug(`still waiting for ${name} (${what}): ${problem}`);
        }
        if (authenticationFailed(e)) {
          return yield* Effect.logError(
            `${name} refused stakepoold's login: authentication failed (HTTP 401); check ${
              CREDENTIAL_OPTIONS[server]
            } in stakepoold.conf. Asking again with backoff.`,
          );
        }
        yield* Effect.logWarning(`waiting for ${name} (${what}): ${problem}`);
      });
    const backoff = Schedule.exponential(retry.initial).pipe(
      Schedule.either(Schedule.spaced(retry.max)),
    );
    const result = yield* call.pipe(
      Effect.tapError((e) => retryable(e) ? report(e) : Effect.void),
      Effect.retry({ while: retryable, schedule: backoff }),
    );
    if ((yield* Ref.get(lastProblem)) !== undefined) yield* Effect.logInfo(`${name} answers (${what})`);
    return result;
  });

export class LocalNode extends Context.Tag("hcstakepool/LocalNode")<LocalNode, LocalNodeApi>() {
  static readonly live = (options: LocalNodeOptions) =>
    Layer.scoped(
      LocalNode,
      Effect.gen(function* () {
        const connect = (name: string, e: RpcEndpoint) =>
          makeRpcClient({
            ...e,
            timeoutMs: options.timeoutMs ?? 10_000,
            name,
            backoff: { initialMs: 200, maxMs: 5_000 },
          });
        const node = nodeRpc(yield* connect("hcd", options.hcd));
        const wallet = walletRpc(yield* connect("hcwallet", options.wallet));
        const untilAnswered = untilAnsweredWith(options.serverRetry ?? DEFAULT_SERVER_RETRY, {
          hcd: node.client.host,
          hcwallet: wallet.client.host,
        });
        // A server that is not up yet is waited for; one that answers is judged by its answer.
        const answered = <A>(server: ServerName, what: string, call: Effect.Effect<A, CallError>) =>
          untilAnswered(server, what, call, unreachable);

        const hcdVersions = yield* answered("hcd", "version", node.version()).pipe(
          Effect.mapError((e) =>
            new IncompatibleNode({
              host: node.client.host,
              detail: `${describe(e)}; hcdjsonrpcapi compatible with ${
                formatSemver(REQUIRED_HCD_API)
              } is required`,
            })
          ),
        );
        const hcdApi = yield* Either.mapLeft(
          requireApiVersion(hcdVersions, "hcdjsonrpcapi", REQUIRED_HCD_API),
          (e) => new IncompatibleNode({ host: node.client.host, detail: e.message }),
        );
        yield* Effect.logInfo("hcd JSON-RPC API").pipe(
          Effect.annotateLogs({ version: formatSemver(hcdApi) }),
        );

        const walletApi = yield* answered("hcwallet", "version", wallet.version()).pipe(
          Effect.mapError(describe),
          Effect.flatMap((versions) =>
            Either.mapLeft(
              requireApiVersion(versions, "hcwalletjsonrpcapi", EXPECTED_WALLET_API),
              (e) => e.message,
            )
          ),
          Effect.either,
        );
        yield* Either.match(walletApi, {
          onLeft: (problem) =>
            Effect.logWarning(`hcwallet ${wallet.client.host} may not work as expected: ${problem}`),
          onRight: (v) =>
            Effect.logInfo("hcwallet JSON-RPC API").pipe(Effect.annotateLogs({ version: formatSemver(v) })),
        });

        const { net } = options;
        const hcdRefused = (detail: string) =>
          new WrongNetwork({ server: "hcd", host: node.client.host, detail });
        const magic = yield* answered("hcd", "getcurrentnet", node.getCurrentNet()).pipe(
          Effect.mapError((e) => hcdRefused(`getcurrentnet failed (${describe(e)}), its network is unknown`)),
        );
        if (magic !== net.wireMagic) {
          const named = Object.values(NETWORKS).find((n) => n.wireMagic === magic)?.name ??
            "an unknown network";
          return yield* Effect.fail(
            hcdRefused(
              `it is on ${named} (wire magic 0x${
                magic.toString(16)
              }), stakepoold is configured for ${net.name}`,
            ),
          );
        }
        // The wallet's network shows in its account key's version bytes (spub, tpub, dpub).
        const walletRefused = (detail: string) =>
          new WrongNetwork({ server: "hcwallet", host: wallet.client.host, detail });
        const accountKey = yield* answered("hcwallet", "getmasterpubkey", wallet.getMasterPubKey("default"))
          .pipe(
            Effect.mapError((e) =>
              walletRefused(`getmasterpubkey failed (${describe(e)}), its network is unknown`)
            ),
          );
        const walletNet = Either.match(parseExtendedKey(accountKey), {
          onLeft: () => "no HC network",
          onRight: (key) => key.net.name,
        });
        if (walletNet !== net.name) {
          return yield* Effect.fail(
            walletRefused(
              `its default account key is for ${walletNet}, stakepoold is configured for ${net.name}`,
            ),
          );
        }
        yield* Effect.logInfo("hcd and hcwallet are on the configured network").pipe(
          Effect.annotateLogs({ network: net.name }),
        );
        return { node, wallet, untilAnswered } satisfies LocalNodeApi;
      }),
    );
}
