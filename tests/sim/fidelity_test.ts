// hcsim answers as hcd and hcwallet do (HcashOrg/hcd rpcserver.go, rpcwebsocket.go, hcjson;
// HcashOrg/hcwallet rpc/legacyrpc/methods.go): wire shapes, omitted and null members, error codes.
import assert from "node:assert/strict";
import { Effect, Either, Fiber, Stream } from "effect";
import { deserializeBlockHeader, serializeBlockHeader } from "../../src/domain/block.ts";
import { toHex } from "../../src/domain/bytes.ts";
import { nextRequiredStakeDifficulty, type StakeDiffBlock } from "../../src/domain/stakediff.ts";
import { nodeRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import type { RpcNotification } from "../../src/rpc/jsonrpc_client.ts";
import { callError, clientFor, derived, withNetwork } from "./helpers.ts";

type Json = Record<string, unknown>;
const ZERO_HASH = "0".repeat(64);

Deno.test("hcd notifications come in hcd's order, blockconnected carries the block's 180-byte header, winners can be asked for again", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd, "ws"));
      const seen: RpcNotification[] = [];
      const listener = yield* Effect.fork(
        Stream.runForEach(node.client.notifications, (n) => Effect.sync(() => seen.push(n))),
      );
      yield* node.notifyBlocks();
      yield* node.notifyNewTickets();
      yield* node.notifySpentAndMissedTickets();
      yield* node.notifyWinningTickets();
      const [hash] = network.control.generate(1);
      for (let i = 0; i < 200 && seen.length < 4; i++) yield* Effect.sleep(10);
      assert.deepEqual(seen.map((n) => n.method), [
        "spentandmissedtickets",
        "newtickets",
        "blockconnected",
        "winningtickets",
      ]);
      // rebroadcastwinners: the tip's winners announced again, to winningtickets clients only.
      assert.equal(yield* node.client.call("rebroadcastwinners", []), null);
      for (let i = 0; i < 200 && seen.length < 5; i++) yield* Effect.sleep(10);
      assert.deepEqual(seen[4], seen[3]);
      assert.equal(seen[4].params[0], hash);
      const [header, subscribedTxs] = seen[2].params as [string, unknown];
      assert.equal(subscribedTxs, null);
      const block = network.chain.blockByHash(hash)!;
      assert.equal(header, toHex(serializeBlockHeader(block.header)));
      assert.equal(header.length, 360);
      assert.equal(yield* node.client.call("getblockheader", [hash, false]), header);

      // Every verbose field is the header's own, decoded from the notified bytes.
      const decoded = Either.getOrThrow(deserializeBlockHeader(Uint8Array.from(
        header.match(/../g)!.map((b) => parseInt(b, 16)),
      )));
      const verbose = (yield* node.client.call("getblockheader", [hash, true])) as Json;
      const reversed = (b: Uint8Array) => toHex(b.slice().reverse());
      assert.deepEqual(verbose, {
        hash,
        confirmations: 1,
        version: decoded.version,
        previousblockhash: reversed(decoded.prevBlock),
        merkleroot: reversed(decoded.merkleRoot),
        stakeroot: reversed(decoded.stakeRoot),
        votebits: decoded.voteBits,
        finalstate: toHex(decoded.finalState),
        voters: decoded.voters,
        freshstake: decoded.freshStake,
        revocations: decoded.revocations,
        poolsize: decoded.poolSize,
        bits: decoded.bits.toString(16),
        sbits: Number(decoded.sbits) / 1e8,
        height: block.height,
        size: decoded.size,
        time: decoded.timestamp,
        nonce: decoded.nonce,
        stakeversion: decoded.stakeVersion,
        chainwork: "",
        difficulty: 1,
      });
      const full = (yield* node.client.call("getblock", [hash, true, false])) as Json;
      assert.equal(full.extradata, toHex(decoded.extraData));
      assert.deepEqual(full.tx, block.txids, "the regular tree: the block's coinbase");
      assert.equal(block.txids.length, 1);
      assert.deepEqual(full.stx, block.stxids);
      const missing = yield* callError(node.client.call("getblockheader", ["ab".repeat(32)]));
      assert.deepEqual([missing.code, missing.message], [-5, `Block not found: ${"ab".repeat(32)}`]);
      assert.equal((yield* callError(node.client.call("getblock", ["xyz"]))).code, -22);
      yield* Fiber.interrupt(listener);
    })))));

Deno.test("getrawtransaction: a vote's stakebase is an ordinary input, commitments carry address and amount, no blockindex", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
      const user = walletRpc(yield* clientFor(network.endpoints.userWallet));
      const fee = derived(network.endpoints.coldWalletXpub, 3).address;
      const [ticket] = yield* user.purchaseTicket(["default", 100, 1, undefined, 1, fee, 7.5]);
      network.control.generate(2);
      const raw = (yield* node.client.call("getrawtransaction", [ticket, 1])) as Json;
      const vout = raw.vout as Json[];
      const commitment = vout[1].scriptPubKey as Json;
      assert.equal(commitment.type, "sstxcommitment");
      assert.deepEqual(commitment.addresses, [fee]);
      assert.equal(typeof commitment.commitamt, "number");
      assert.equal("reqSigs" in commitment, false);
      assert.equal("blockindex" in raw, false);
      assert.equal(raw.confirmations, 2);

      // The chain's own vote for one of the previous block's winners.
      const voteId = network.chain.tip.stxids.find((id) => network.chain.tx(id)!.type === "vote")!;
      const vote = (yield* node.client.call("getrawtransaction", [voteId, 1])) as Json;
      const stakebase = (vote.vin as Json[])[0];
      assert.equal("stakebase" in stakebase, false);
      assert.equal(stakebase.txid, ZERO_HASH);
      assert.equal(stakebase.vout, 0xffffffff);
      assert.equal(stakebase.tree, 0);
      assert.deepEqual(Object.keys(stakebase).sort(), [
        "amountin",
        "blockheight",
        "blockindex",
        "scriptSig",
        "sequence",
        "tree",
        "txid",
        "vout",
      ]);
      const unknown = yield* callError(node.getRawTransactionHex("cd".repeat(32)));
      assert.deepEqual(
        [unknown.code, unknown.message],
        [-5, `No information available about transaction ${"cd".repeat(32)}`],
      );

      // A mempool rule refusal other than a duplicate is -1 too: a vote by an immature ticket.
      const [mine] = yield* user.purchaseTicket(["default", 100, 1, undefined, 1, fee, 7.5]);
      network.control.generate(1);
      const tip = yield* node.getBestBlock();
      const notDrawn = yield* user.generateVote(tip.hash, tip.height, mine, 1, "07000000");
      const refused = yield* callError(node.sendRawTransaction(notDrawn.hex));
      assert.equal(refused.code, -1);
      assert.match(refused.message, /^Rejected transaction [0-9a-f]{64}: /);
    })))));

Deno.test("hcwallet answers: version maps, -4 for wallet errors, stakepooluserinfo nulls and zero spentby, gettransaction members", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const w = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
      const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
      const user = walletRpc(yield* clientFor(network.endpoints.userWallet));
      const api = (major: number, minor: number) => ({
        versionstring: `${major}.${minor}.0`,
        major,
        minor,
        patch: 0,
        prerelease: "",
        buildmetadata: "",
      });
      assert.deepEqual(yield* node.version(), { hcdjsonrpcapi: api(3, 1) });
      assert.deepEqual(yield* w.version(), { hcdjsonrpcapi: api(3, 1), hcwalletjsonrpcapi: api(4, 1) });

      const code = <A, E extends { readonly _tag: string }>(e: Effect.Effect<A, E>) =>
        Effect.map(callError(e), (x) => [x.code, x.message]);
      assert.deepEqual((yield* code(w.importScript("zz")))[0], -4);
      assert.deepEqual(yield* code(w.importScript("")), [-4, "passed empty script"]);
      assert.deepEqual((yield* code(w.addTicket("00")))[0], -4);
      assert.deepEqual(
        yield* code(w.generateVote(ZERO_HASH, 1, "ef".repeat(32), 1, "07000000")),
        [-4, "not exist"],
      );
      assert.deepEqual((yield* code(w.generateVote(ZERO_HASH, 1, ZERO_HASH, 1, "xx")))[0], -4);
      assert.deepEqual((yield* code(w.generateVote(ZERO_HASH, 1, ZERO_HASH, 0x10000, "")))[0], -32600);
      assert.deepEqual((yield* code(w.stakePoolUserInfo("nonsense")))[0], -4);
      assert.deepEqual(
        yield* code(w.getTransaction("not a hash")),
        [-22, "Transaction hash string decode failed: encoding/hex: invalid byte: U+006E 'n'"],
      );

      // A registered user: a 1-of-2 script imported, a ticket bought paying it.
      yield* w.accountSyncAddressIndex("default", 0, 10);
      const pool = derived(network.endpoints.votingWalletXpub, 4);
      const userKey = yield* user.validateAddress(yield* user.getNewAddress());
      const script = yield* w.createMultisig(1, [pool.pubKeyAddress, userKey.pubkeyaddr!]);
      assert.deepEqual(yield* w.stakePoolUserInfo(script.address), { tickets: [], invalid: [] });
      assert.deepEqual(
        yield* w.client.call("stakepooluserinfo", [script.address]),
        { tickets: null, invalid: null },
        "Go marshals the user's empty lists as null",
      );
      yield* w.importScript(script.redeemScript, true, 0);
      yield* w.walletLock();
      yield* w.importScript(script.redeemScript, true, 0); // already there: no keys needed
      const fee = derived(network.endpoints.coldWalletXpub, 4).address;
      const [ticket] = yield* user.purchaseTicket(["default", 100, 1, script.address, 1, fee, 7.5]);
      const locked = yield* code(w.generateVote(ZERO_HASH, 1, ticket, 1, "07000000"));
      assert.equal(locked[0], -4, "the ticket is not the wallet's before it is mined");
      const [blockHash] = network.control.generate(1);
      const minedAt = network.chain.height;
      assert.deepEqual(
        yield* code(w.generateVote(blockHash, minedAt, ticket, 1, "07000000")),
        [-4, "address manager is locked"],
      );
      yield* w.walletPassphrase(network.walletPassphrase, 0);
      assert.deepEqual(yield* w.stakePoolUserInfo(script.address), {
        tickets: [{ status: "live", ticket, ticketheight: minedAt, spentby: ZERO_HASH, spentbyheight: 0 }],
        invalid: [],
      });
      const tx = (yield* w.client.call("gettransaction", [ticket])) as Json;
      const price = Number(network.chain.blockAt(minedAt)!.header.sbits) / 1e8;
      assert.deepEqual({ ...tx, time: 0, timereceived: 0, hex: "" }, {
        amount: price,
        confirmations: 1,
        blockhash: blockHash,
        blockindex: 0,
        blocktime: network.chain.blockAt(minedAt)!.header.timestamp,
        txid: ticket,
        walletconflicts: [],
        time: 0,
        timereceived: 0,
        details: [{
          account: "imported",
          address: script.address,
          amount: price,
          category: "receive",
          vout: 0,
        }],
        hex: "",
      });
    })))));

Deno.test("hcsim prices tickets with hcd's stake difficulty: every header's sbits follows from the blocks before it", () =>
  withNetwork(
    { nodes: 1, backgroundTickets: 400, startHeight: 0 },
    (network) =>
      Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
        const last = 80;
        network.control.generate(last);
        const headers: StakeDiffBlock[] = [];
        for (let h = 0; h <= last; h++) {
          const v = yield* node.getBlockHeader(network.chain.blockAt(h)!.hash);
          headers.push({
            sbits: BigInt(Math.round(v.sbits * 1e8)),
            poolSize: v.poolsize,
            freshStake: v.freshstake,
          });
        }
        for (let h = 1; h <= last; h++) {
          assert.equal(
            headers[h].sbits,
            nextRequiredStakeDifficulty(network.chain.net, h - 1, (k) => headers[k]),
            `block ${h}`,
          );
        }
        assert.ok(
          headers.some((b, h) => h > 0 && b.sbits > headers[h - 1].sbits),
          "a pool (live + immature) above its target raises the price at a retarget",
        );
        const sdiff = yield* node.getStakeDifficulty();
        assert.equal(
          BigInt(Math.round(sdiff.next * 1e8)),
          nextRequiredStakeDifficulty(network.chain.net, last, (k) => headers[k]),
        );
      }))),
  ));
