import assert from "node:assert/strict";
import https from "node:https";
import { Effect, Stream } from "effect";
import { nodeRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import { callError, clientFor, derived, withNetwork } from "./helpers.ts";

Deno.test("every node fault can be switched on and off and a client sees it", () =>
  withNetwork({}, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const { control, endpoints } = network;
      const start = network.chain.height;
      const w0 = walletRpc(yield* clientFor(endpoints.nodes[0].wallet));
      const w1 = walletRpc(yield* clientFor(endpoints.nodes[1].wallet));
      const user = walletRpc(yield* clientFor(endpoints.userWallet));
      const flip = (patch: Parameters<typeof control.setFaults>[1]) =>
        Effect.promise(() => control.setFaults(0, patch));

      // wallet down: connections refused, then served again on the same port
      yield* flip({ walletDown: true });
      assert.equal((yield* callError(w0.walletInfo()))._tag, "RpcTransportError");
      yield* flip({ walletDown: false });
      assert.equal((yield* w0.walletInfo()).unlocked, true);

      // hcd down: its wallet loses it, and (as hcwallet) does not reconnect until it restarts
      const hcd0 = nodeRpc(yield* clientFor(endpoints.nodes[0].hcd));
      yield* flip({ hcdDown: true });
      assert.equal((yield* callError(hcd0.getBestBlock()))._tag, "RpcTransportError");
      assert.equal((yield* w0.walletInfo()).daemonconnected, false);
      yield* flip({ hcdDown: false });
      assert.equal((yield* hcd0.getBestBlock()).height, start);
      assert.equal((yield* w0.walletInfo()).daemonconnected, false, "hcwallet does not reconnect to its hcd");
      yield* flip({ walletDown: true });
      yield* flip({ walletDown: false });
      assert.equal((yield* w0.walletInfo()).daemonconnected, true, "a restarted wallet connects");

      // locked: walletinfo says so; importing a new script needs the keys (hcwallet: -4)
      yield* flip({ locked: true });
      assert.equal((yield* w0.walletInfo()).unlocked, false);
      const locked = yield* callError(w0.importScript("51", false));
      assert.deepEqual([locked.code, locked.message], [-4, "address manager is locked"]);
      assert.equal((yield* callError(w0.walletPassphrase("wrong", 0))).code, -14);
      yield* flip({ locked: false });
      assert.equal((yield* w0.walletInfo()).unlocked, true);
      yield* w0.walletLock();
      yield* w0.walletPassphrase(network.walletPassphrase, 0);
      assert.equal((yield* w0.walletInfo()).unlocked, true);

      // not connected to its hcd: daemonconnected false, chain-backed calls fail
      yield* flip({ daemonDisconnected: true });
      assert.equal((yield* w0.walletInfo()).daemonconnected, false);
      assert.equal((yield* callError(w0.getStakeInfo())).code, -4);
      control.generate(2);
      assert.equal(
        (yield* w0.getBestBlock()).height,
        start,
        "a disconnected wallet does not follow the chain",
      );
      yield* flip({ daemonDisconnected: false });
      assert.equal((yield* w0.walletInfo()).daemonconnected, true);
      assert.equal((yield* w0.getStakeInfo()).blockheight, start + 2);

      // behind: a block it has not processed yet; a rescan from there is hcwallet's -4, then it catches up
      yield* flip({ walletBehind: true });
      control.generate(1);
      assert.equal((yield* w0.getBestBlock()).height, start + 2, "a wallet behind stays on its block");
      assert.equal((yield* w1.getBestBlock()).height, start + 3);
      const ahead = yield* callError(w0.rescanWallet(start + 3));
      assert.deepEqual([ahead.code, ahead.message], [-4, "No main chain block for height"]);
      yield* w0.rescanWallet(start + 2);
      yield* flip({ walletBehind: false });
      assert.equal((yield* w0.getBestBlock()).height, start + 3);

      // slow
      yield* flip({ latencyMs: 300 });
      const started = Date.now();
      yield* w0.walletInfo();
      assert.ok(Date.now() - started >= 300, "answer delayed");
      yield* flip({ latencyMs: 0 });
      const quick = Date.now();
      yield* w0.walletInfo();
      assert.ok(Date.now() - quick < 300);

      // disagreeing answers: another redeem script, a missing script, a missing ticket
      const userKey = (yield* user.validateAddress(yield* user.getNewAddress())).pubkeyaddr!;
      const poolKey = derived(endpoints.votingWalletXpub, 3);
      const multisig = (w: typeof w0) => w.createMultisig(1, [poolKey.pubKeyAddress, userKey]);
      const agreed = yield* multisig(w1);
      assert.deepEqual(yield* multisig(w0), agreed);
      yield* flip({ disagreeRedeemScript: true });
      assert.notEqual((yield* multisig(w0)).redeemScript, agreed.redeemScript);
      yield* flip({ disagreeRedeemScript: false });
      assert.deepEqual(yield* multisig(w0), agreed);

      for (const w of [w0, w1]) yield* w.importScript(agreed.redeemScript, true, 0);
      yield* flip({ missingScript: true });
      assert.equal((yield* w0.listScripts()).scripts.length, 0);
      assert.equal((yield* w1.listScripts()).scripts.length, 1);
      yield* flip({ missingScript: false });
      assert.equal((yield* w0.listScripts()).scripts.length, 1);

      const fee = derived(endpoints.coldWalletXpub, 3).address;
      const [ticket] = yield* user.purchaseTicket(["default", 100, 1, agreed.address, 1, fee, 7.5]);
      control.generate(1);
      assert.deepEqual((yield* w0.getTickets(true)).hashes, [ticket]);
      yield* flip({ missingTicket: true });
      assert.deepEqual((yield* w0.getTickets(true)).hashes, []);
      assert.deepEqual((yield* w1.getTickets(true)).hashes, [ticket]);
      yield* flip({ missingTicket: false });
      assert.deepEqual((yield* w0.getTickets(true)).hashes, [ticket]);

      // errors on chosen methods
      yield* flip({ methodErrors: { getbestblock: { code: -4, message: "injected", server: "wallet" } } });
      const injected = yield* callError(w0.getBestBlock());
      assert.deepEqual([injected.code, injected.message], [-4, "injected"]);
      assert.equal((yield* hcd0.getBestBlock()).height, start + 4, "hcd unaffected");
      yield* flip({ methodErrors: {} });
      assert.equal((yield* w0.getBestBlock()).height, start + 4);

      // dropped websocket: the client sees the drop and reconnects
      const ws = nodeRpc(yield* clientFor(endpoints.nodes[0].hcd, "ws"));
      yield* ws.getBestBlock();
      control.dropWebsockets(0, "hcd");
      const reconnected = yield* Stream.runHead(ws.client.reconnects).pipe(Effect.timeout(3000));
      assert.equal(reconnected._tag, "Some");
      assert.equal((yield* ws.getBestBlock()).height, start + 4);

      yield* Effect.promise(() => control.clearFaults());
      assert.equal(control.faults(0).latencyMs, 0);
    })))));

Deno.test("protocol errors: unknown method -32601, bad params -32600 (wallet) / -8 (hcd), garbage tx -22, bad login 401", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const w = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
      const hcd = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
      assert.equal((yield* callError(w.client.call("getticket", []))).code, -32601);
      const invalidRequest = yield* callError(w.client.call("gettickets", []));
      assert.deepEqual([invalidRequest.code, invalidRequest.message], [-32600, "Invalid request"]);
      assert.equal((yield* callError(w.client.call("gettickets", ["yes"]))).code, -32600);
      const hcdParams = yield* callError(hcd.client.call("getblockcount", [1]));
      assert.equal(hcdParams.code, -8);
      assert.match(hcdParams.message, /^Parse error: /);
      assert.equal((yield* callError(w.getNewAddress("default", "sometimes"))).code, -8);
      assert.equal((yield* callError(w.accountSyncAddressIndex("default", 0, 2 ** 31))).code, -4);
      const garbage = yield* callError(hcd.sendRawTransaction("00ff"));
      assert.equal(garbage.code, -22);
      assert.match(garbage.message, /^Could not decode Tx: /);
      assert.equal((yield* w.validateAddress("not an address")).isvalid, false);
      const status = yield* Effect.promise(() =>
        Deno.readTextFile(network.endpoints.nodes[0].hcd.cert).then((ca) =>
          new Promise<number>((resolve, reject) => {
            const url = new URL(network.endpoints.nodes[0].hcd.url);
            const req = https.request({
              host: url.hostname,
              port: url.port,
              method: "POST",
              ca,
              auth: "nobody:wrong",
              agent: false,
            }, (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            });
            req.on("error", reject);
            req.end("{}");
          })
        )
      );
      assert.equal(status, 401);
    })))));
