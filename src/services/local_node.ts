// The hcd + hcwallet pair a stakepoold sits next to (behaviour §5.2): websocket JSON-RPC clients
// with the servers' certificates pinned, reconnecting on their own.
import { Context, Effect, Layer, Redacted } from "effect";
import { makeRpcClient } from "../rpc/jsonrpc_client.ts";
import { type NodeRpc, nodeRpc, type WalletRpc, walletRpc } from "../rpc/hc_methods.ts";

export interface RpcEndpoint {
  /** https://host:port */
  readonly url: string;
  readonly user: string;
  readonly password: Redacted.Redacted<string>;
  /** The server's rpc.cert (PEM). */
  readonly certPem: string;
}

export interface LocalNodeOptions {
  readonly hcd: RpcEndpoint;
  readonly wallet: RpcEndpoint;
  /** Per-call timeout; a vote waits at most this long for each of its two calls. */
  readonly timeoutMs?: number;
}

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
            url: e.url,
            user: e.user,
            password: Redacted.value(e.password),
            certPem: e.certPem,
            timeoutMs: options.timeoutMs ?? 10_000,
            name,
            backoff: { initialMs: 200, maxMs: 5_000 },
          });
        const node = nodeRpc(yield* connect("hcd", options.hcd));
        const wallet = walletRpc(yield* connect("hcwallet", options.wallet));
        return { node, wallet };
      }),
    );
}
