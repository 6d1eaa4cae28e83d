import assert from "node:assert/strict";
import { Effect, Fiber, Stream } from "effect";
import { type HcNotification, hcNotifications, nodeRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import { callError, clientFor, derived, withNetwork } from "./helpers.ts";

const POOL_FEES = 7.5;

/** The pool's side of address submission: a 1-of-2 [pool, user] script imported into every wallet. */
const registerUser = (network: Parameters<Parameters<typeof withNetwork>[1]>[0], userId: number) =>
  Effect.gen(function* () {
    const user = walletRpc(yield* clientFor(network.endpoints.userWallet));
    const wallets: Array<ReturnType<typeof walletRpc>> = [];
    for (const n of network.endpoints.nodes) wallets.push(walletRpc(yield* clientFor(n.wallet, "ws")));
    const userAddress = yield* user.getNewAddress();
    const userInfo = yield* user.validateAddress(userAddress);
    const poolKey = derived(network.endpoints.votingWalletXpub, userId);
    const scripts: Array<{ address: string; redeemScript: string }> = [];
    for (const w of wallets) {
      yield* w.accountSyncAddressIndex("default", 0, 100);
      const v = yield* w.validateAddress(poolKey.address);
      assert.equal(v.ismine, true);
      assert.equal(v.pubkeyaddr, poolKey.pubKeyAddress);
      scripts.push(yield* w.createMultisig(1, [poolKey.pubKeyAddress, userInfo.pubkeyaddr!]));
    }
    assert.ok(
      scripts.every((s) => s.redeemScript === scripts[0].redeemScript && s.address === scripts[0].address),
    );
    for (const w of wallets) yield* w.importScript(scripts[0].redeemScript, true, 0);
    const feeAddress = derived(network.endpoints.coldWalletXpub, userId).address;
    return { user, wallets, ticketAddress: scripts[0].address, feeAddress };
  });

Deno.test("a pool ticket lives its whole life over HTTPS/WSS: bought, seen, matured, drawn, voted once by two nodes, spent", () =>
  withNetwork({}, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const { user, wallets, ticketAddress, feeAddress } = yield* registerUser(network, 1);
      const hcd = network.endpoints.nodes.map((n) => n);
      const node0 = nodeRpc(yield* clientFor(hcd[0].hcd, "ws"));
      const node1 = nodeRpc(yield* clientFor(hcd[1].hcd, "ws"));
      const seen: HcNotification[] = [];
      const listener = yield* Effect.fork(
        Stream.runForEach(hcNotifications(node0.client), (n) => Effect.sync(() => seen.push(n))),
      );
      yield* node0.notifyNewTickets();
      yield* node0.notifyWinningTickets();
      yield* node0.notifySpentAndMissedTickets();
      yield* node0.notifyBlocks();
      const waitFor = <A>(find: () => A | undefined) =>
        Effect.gen(function* () {
          for (let i = 0; i < 200; i++) {
            const found = find();
            if (found !== undefined) return found;
            yield* Effect.sleep(10);
          }
          return assert.fail("notification did not arrive");
        });

      const [ticket] = yield* user.purchaseTicket([
        "default",
        100,
        1,
        ticketAddress,
        1,
        feeAddress,
        POOL_FEES,
      ]);
      const generate = (n: number) => node0.client.call("generate", [n]);
      yield* generate(1);
      const minedAt = network.chain.height;
      for (const w of wallets) {
        assert.deepEqual((yield* w.getTickets(true)).hashes, [ticket]);
        assert.deepEqual((yield* w.getTickets(false)).hashes, []);
      }

      // hcd's newtickets names a ticket when it matures, TicketMaturity blocks after it was mined.
      yield* generate(network.chain.net.ticketMaturity - 1);
      assert.deepEqual((yield* wallets[0].getTickets(false)).hashes, [], "still immature");
      yield* generate(1);
      const matured = yield* waitFor(() =>
        seen.find((n) => n._tag === "newtickets" && n.tickets.includes(ticket))
      );
      assert.equal(
        matured._tag === "newtickets" && matured.height,
        minedAt + network.chain.net.ticketMaturity,
      );
      assert.deepEqual((yield* wallets[0].getTickets(false)).hashes, [ticket], "live");
      // The block it matured in already draws from it.
      const drawnAt = (height: number) =>
        Effect.map(
          waitFor(() => seen.find((n) => n._tag === "winningtickets" && n.blockHeight === height)),
          (w) => w._tag === "winningtickets" && w.tickets.includes(ticket) ? w : undefined,
        );
      let win = yield* drawnAt(network.chain.height);
      for (let i = 0; i < 200 && win === undefined; i++) {
        yield* generate(1);
        win = yield* drawnAt(network.chain.height);
      }
      assert.ok(win && win._tag === "winningtickets", "the ticket was never drawn");
      assert.deepEqual((yield* wallets[1].getTickets(false)).hashes, [ticket], "live when drawn");

      const info = yield* wallets[0].walletInfo();
      const voteBits = 0x0005; // approve the block, "yes" on maxblocksize
      const votes = [];
      for (const w of wallets) {
        votes.push(
          (yield* w.generateVote(win.blockHash, win.blockHeight, ticket, voteBits, info.votebitsextended))
            .hex,
        );
      }
      assert.equal(votes[0], votes[1], "every node builds the same vote");
      const voteTxid = yield* node0.sendRawTransaction(votes[0]);
      const refused = yield* callError(node1.sendRawTransaction(votes[1]));
      assert.equal(refused.code, -1);
      assert.equal(refused.message, `Rejected transaction ${voteTxid}: already have transaction ${voteTxid}`);

      yield* generate(1);
      const spentHeight = network.chain.height;
      const spent = yield* waitFor(() =>
        seen.find((n) => n._tag === "spentandmissedtickets" && n.height === spentHeight)
      );
      assert.equal(spent._tag === "spentandmissedtickets" && spent.tickets[ticket], "spent");
      const userInfo = yield* wallets[1].stakePoolUserInfo(ticketAddress);
      assert.deepEqual(userInfo.invalid, []);
      assert.deepEqual(userInfo.tickets, [{
        status: "voted",
        ticket,
        ticketheight: minedAt,
        spentby: voteTxid,
        spentbyheight: spentHeight,
      }]);
      const recorded = network.control.votes(ticket);
      assert.deepEqual(recorded.map((v) => [v.node, v.outcome, v.voteBits, v.voteVersion]), [
        [0, "accepted", voteBits, info.voteversion],
        [1, "duplicate", voteBits, info.voteversion],
      ]);
      const raw = yield* node1.getRawTransactionVerbose(voteTxid);
      assert.equal(raw.blockheight, spentHeight);
      yield* Fiber.interrupt(listener);
    })))));

Deno.test("a ticket paying too little pool fee is listed as invalid by stakepooluserinfo", () =>
  withNetwork({}, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const { user, wallets, ticketAddress, feeAddress } = yield* registerUser(network, 2);
      const [good] = yield* user.purchaseTicket(["default", 100, 1, ticketAddress, 1, feeAddress, POOL_FEES]);
      network.control.underpayPoolFee(true);
      const [low] = yield* user.purchaseTicket(["default", 100, 1, ticketAddress, 1, feeAddress, POOL_FEES]);
      network.control.generate(1);
      for (const w of wallets) {
        const info = yield* w.stakePoolUserInfo(ticketAddress);
        assert.deepEqual(info.invalid, [low]);
        assert.deepEqual(info.tickets.map((t) => [t.ticket, t.status]), [[good, "live"]]);
      }
    })))));

Deno.test("an injected depth-1 reorg replaces the tip and is announced to notifyblocks subscribers", () =>
  withNetwork({}, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd, "ws"));
      const seen: HcNotification[] = [];
      const listener = yield* Effect.fork(
        Stream.runForEach(hcNotifications(node.client), (n) => Effect.sync(() => seen.push(n))),
      );
      yield* node.notifyBlocks();
      const [oldHash] = network.control.generate(1);
      const height = network.chain.height;
      const newHash = network.control.reorg();
      for (let i = 0; i < 200 && seen.length < 4; i++) yield* Effect.sleep(10);
      assert.notEqual(newHash, oldHash);
      assert.deepEqual(seen.map((n) => n._tag), [
        "blockconnected",
        "reorganization",
        "blockdisconnected",
        "blockconnected",
      ]);
      assert.deepEqual(seen[1], {
        _tag: "reorganization",
        oldHash,
        oldHeight: height,
        newHash,
        newHeight: height,
      });
      assert.deepEqual(yield* node.getBestBlock(), { hash: newHash, height });
      yield* Fiber.interrupt(listener);
    })))));
