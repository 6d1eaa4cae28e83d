// The hcd + hcwallet pair a stakepoold sits next to (behaviour §5.2): websocket JSON-RPC clients
// with the servers' certificates pinned, reconnecting on their own. At start hcd must speak a
// compatible JSON-RPC API (else stakepoold refuses to run); an unexpected wallet API is only
// warned about, as the original did. Both must be on the configured network: the original only
// logged a node on another one, then voted nothing (or, with a shared key, the wrong chain).
import { Context, Data, Effect, Either, Layer, Schedule } from "effect";
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

export interface LocalNodeOptions {
  /** The configured network; hcd and the wallet must be on it. */
  readonly net: NetParams;
  readonly hcd: RpcEndpoint;
  readonly wallet: RpcEndpoint;
  /** Per-call timeout; a vote waits at most this long for each of its two calls. */
  readonly timeoutMs?: number;
}

const unreachable = (e: RpcError | RpcDecodeError) =>
  e._tag === "RpcTransportError" || e._tag === "RpcTimeout";

const describe = (e: RpcError | RpcDecodeError) =>
  e._tag === "RpcCallError" ? `version failed: ${e.code}: ${e.message}` : e.message;

/** A server that is not up yet is waited for; one that answers is judged by its answer. */
const answered = <A>(name: string, call: Effect.Effect<A, RpcError | RpcDecodeError>) =>
  call.pipe(
    Effect.tapError((e) =>
      unreachable(e) ? Effect.logWarning(`waiting for ${name}: ${e.message}`) : Effect.void
    ),
    Effect.retry({ while: unreachable, schedule: Schedule.spaced("1 second") }),
  );

export class LocalNode extends Context.Tag("hcstakepool/LocalNode")<LocalNode, {
  readonly node: NodeRpc;
  readonly wallet: WalletRpc;
}>() {
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

        const hcdVersions = yield* answered("hcd", node.version()).pipe(
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

        const walletApi = yield* answered("hcwallet", wallet.version()).pipe(
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
        const magic = yield* answered("hcd", node.getCurrentNet()).pipe(
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
        const accountKey = yield* answered("hcwallet", wallet.getMasterPubKey("default")).pipe(
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
        return { node, wallet };
      }),
    );
}
