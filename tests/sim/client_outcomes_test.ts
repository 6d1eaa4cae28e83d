// The pool's JSON-RPC client meeting what real hcd and hcwallet send when they refuse a caller
// (HC-PROTOCOL §11.2): a 401 with a plain-text body, on both transports, is a transport error that
// says so and never shows the password; an RPC error keeps hcwallet's code and words.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import { makeRpcClient } from "../../src/rpc/jsonrpc_client.ts";
import { callError, clientFor, withNetwork } from "./helpers.ts";

const WRONG_PASSWORD = "not-the-rpc-password-4711";

Deno.test("a 401 with hcd's and hcwallet's plain-text body is a transport error naming the 401, on both transports, without the password", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const node = network.endpoints.nodes[0];
      for (const endpoint of [node.hcd, node.wallet]) {
        const certPem = yield* Effect.promise(() => Deno.readTextFile(endpoint.cert));
        for (const transport of ["post", "ws"] as const) {
          const client = yield* makeRpcClient({
            url: endpoint.url,
            user: endpoint.user,
            password: WRONG_PASSWORD,
            certPem,
            transport,
            timeoutMs: 5000,
            backoff: { initialMs: 20, maxMs: 100 },
          });
          const refused = yield* callError(client.call("getblockcount", []));
          assert.equal(refused._tag, "RpcTransportError", `${endpoint.url} ${transport}`);
          assert.match(refused.message, /401/, `${endpoint.url} ${transport}`);
          assert.equal(refused.message.includes(WRONG_PASSWORD), false);
        }
      }
    })))));

Deno.test("hcwallet's refusals reach the caller with their code and words", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const wallet = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
      const refused = yield* callError(wallet.createMultisig(1, ["zz"]));
      assert.equal(refused._tag, "RpcCallError");
      assert.equal(refused.code, -32700);
      assert.match(refused.message, /^-5: Invalid address "zz": decode failed with /);
    })))));
