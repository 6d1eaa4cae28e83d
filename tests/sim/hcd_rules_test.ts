// hcsim keeps the hcd and hcwallet rules a pool meets (HC-PROTOCOL §10; issue 9 item 4), each
// observed over the wire: when newtickets and winningtickets are sent, what rebroadcastwinners
// announces, what a vote on a block it did not win does, getrawtransaction without txindex,
// accountsyncaddressindex, generatevote for a ticket only addticket knows, hcwallet's rescans
// (wallet/rescan.go: run after importscript answers, dropped while another runs), and each net's magic.
import assert from "node:assert/strict";
import { Effect, Either, Fiber, Stream } from "effect";
import { type HcNotification, hcNotifications, nodeRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import type { RpcClient } from "../../src/rpc/jsonrpc_client.ts";
import { localRegistration } from "../../src/wallets/address_registration.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { toHex } from "../../src/domain/bytes.ts";
import type { SimNetwork } from "../../src/sim/network.ts";
import { callError, clientFor, derived, withNetwork } from "./helpers.ts";

const POOL_FEES = 7.5;

type Winners = Extract<HcNotification, { _tag: "winningtickets" }>;
type NewTickets = Extract<HcNotification, { _tag: "newtickets" }>;

/** Every hcd notification of `client` from now on, and a wait for the first that matches. */
const watch = (client: RpcClient) =>
  Effect.gen(function* () {
    const seen: HcNotification[] = [];
    const arrived = yield* Effect.makeSemaphore(0);
    const listener = yield* Effect.forkScoped(
      Stream.runForEach(
        hcNotifications(client),
        (n) => Effect.zipRight(Effect.sync(() => seen.push(n)), arrived.release(1)),
      ),
    );
    yield* Effect.addFinalizer(() => Fiber.interrupt(listener));
    const waitFor = <A extends HcNotification>(find: (n: HcNotification) => n is A) =>
      Effect.gen(function* () {
        while (true) {
          const found = seen.find(find);
          if (found !== undefined) return found;
          yield* arrived.take(1);
        }
      }).pipe(
        Effect.timeoutFail({
          duration: "5 seconds",
          onTimeout: () => new Error("notification did not arrive"),
        }),
      );
    return { seen, waitFor };
  });

const winnersOf = (height: number) => (n: HcNotification): n is Winners =>
  n._tag === "winningtickets" && n.blockHeight === height;

/** A 1-of-2 pool script for user `userId`, imported (no rescan) into the given voting wallets. */
const poolScript = (network: SimNetwork, userId: number, importInto: ReadonlyArray<number>) => {
  const net = NETWORKS[network.endpoints.net];
  const keys = {
    votingWalletExtPub: Either.getOrThrow(parseExtendedKey(network.endpoints.votingWalletXpub, net)),
    coldWalletExtPub: Either.getOrThrow(parseExtendedKey(network.endpoints.coldWalletXpub, net)),
  };
  const local = Either.getOrThrow(
    localRegistration(net, keys, userId, network.userWallet.getNewAddress().pubKeyAddress),
  );
  for (const i of importInto) network.nodes[i].wallet.importScript(local.redeemScript, false, 0);
  return local;
};

const buyTicket = (network: SimNetwork, script: ReturnType<typeof poolScript>) =>
  network.userWallet.purchaseTicket({
    spendLimit: 1e9,
    ticketAddress: script.multisigAddress,
    numTickets: 1,
    poolAddress: script.feeAddress,
    poolFees: POOL_FEES,
  })[0];

Deno.test("newtickets names a ticket at the height it matures (mined TicketMaturity blocks before), not where it was mined", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd, "ws"));
      const { seen, waitFor } = yield* watch(node.client);
      yield* node.notifyNewTickets();
      const ticket = buyTicket(network, poolScript(network, 1, [0]));
      network.control.generate(1);
      const minedAt = network.chain.height;
      const atMined = yield* waitFor((n): n is NewTickets => n._tag === "newtickets" && n.height === minedAt);
      assert.ok(!atMined.tickets.includes(ticket), "not new where it was mined");
      network.control.generate(network.chain.net.ticketMaturity);
      const matured = yield* waitFor((n): n is NewTickets =>
        n._tag === "newtickets" && n.tickets.includes(ticket)
      );
      assert.equal(matured.height, minedAt + network.chain.net.ticketMaturity);
      assert.equal(seen.filter((n) => n._tag === "newtickets" && n.tickets.includes(ticket)).length, 1);
    })))));

Deno.test("winningtickets only from StakeValidationHeight − 1 on, and also for a block that stays on a side chain", () =>
  withNetwork(
    { nodes: 1, startHeight: 0 },
    (network) =>
      Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd, "ws"));
        const { seen, waitFor } = yield* watch(node.client);
        yield* node.notifyWinningTickets();
        yield* node.notifyBlocks();
        const firstLottery = network.chain.net.stakeValidationHeight - 1;
        network.control.generate(firstLottery);
        const first = yield* waitFor(winnersOf(firstLottery));
        assert.deepEqual(
          seen.filter((n) => n._tag === "winningtickets").map((n) =>
            n._tag === "winningtickets" && n.blockHeight
          ),
          [firstLottery],
          "no lottery below StakeValidationHeight − 1",
        );
        assert.equal(first.tickets.length, network.chain.net.ticketsPerBlock);

        const tip = yield* node.getBestBlock();
        const side = network.control.sideBlock();
        const announced = yield* waitFor((n): n is Winners =>
          n._tag === "winningtickets" && n.blockHash === side
        );
        assert.equal(announced.blockHeight, tip.height);
        assert.notDeepEqual(announced.tickets, first.tickets, "the sibling draws its own winners");
        assert.deepEqual(yield* node.getBestBlock(), tip, "the side block does not become the tip");
        assert.equal(
          seen.filter((n) => n._tag === "blockconnected").length,
          firstLottery,
          "a side-chain block is not connected",
        );
      }))),
  ));

Deno.test("rebroadcastwinners announces the winners of every block at the tip height, each labelled with the best block; a vote on a block the ticket did not win is kept, never mined", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const node = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd, "ws"));
      const wallet = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
      const script = poolScript(network, 1, [0]);
      const poolTickets = network.userWallet.purchaseTicket({
        spendLimit: 1e9,
        ticketAddress: script.multisigAddress,
        numTickets: 10,
        poolAddress: script.feeAddress,
        poolFees: POOL_FEES,
      });
      // Mine until a sibling of the tip draws a pool ticket the tip did not draw.
      network.control.generate(1 + network.chain.net.ticketMaturity);
      let ticket: string | undefined;
      let sideWinners: ReadonlyArray<string> = [];
      for (let i = 0; i < 100 && ticket === undefined; i++) {
        network.control.generate(1);
        const side = network.control.sideBlock();
        sideWinners = network.chain.tipGeneration().find((b) => b.hash === side)!.winners;
        ticket = sideWinners.find((t) => poolTickets.includes(t) && !network.chain.tip.winners.includes(t));
      }
      assert.ok(ticket !== undefined, "a sibling of the tip drew a pool ticket the tip did not");
      const { seen, waitFor } = yield* watch(node.client);
      yield* node.notifyWinningTickets();
      const tip = network.chain.tip;
      assert.equal(yield* node.rebroadcastWinners(), null);
      let count = 0;
      yield* waitFor((n): n is Winners => n._tag === "winningtickets" && ++count === 2);
      assert.deepEqual(
        seen.map((n) => n._tag === "winningtickets" && [n.blockHash, n.blockHeight, n.tickets]),
        [[tip.hash, tip.height, tip.winners], [tip.hash, tip.height, sideWinners]],
      );

      // The voter's answer to the second announcement: a vote on the best block by a ticket that
      // did not win it. hcd's mempool takes it (it does not look at the lottery); no block mines it.
      const info = yield* wallet.walletInfo();
      const vote = yield* wallet.generateVote(tip.hash, tip.height, ticket, 1, info.votebitsextended);
      const txid = yield* node.sendRawTransaction(vote.hex);
      network.control.generate(1);
      assert.equal(network.chain.ticket(ticket)?.status, "live", "still live: the vote was not mined");
      assert.equal(network.chain.inMempool(txid), true);
      network.control.generate(11);
      assert.equal(network.chain.inMempool(txid), false, "pruned ten blocks after it came");
    })))));

Deno.test("without txindex hcd answers getrawtransaction only from the mempool (-32603 otherwise), and hcwallet cannot list or add a ticket it only knows by hash", () =>
  withNetwork(
    { nodes: 2, txindex: false },
    (network) =>
      Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const hcd = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
        const wallet0 = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
        const wallet1 = walletRpc(yield* clientFor(network.endpoints.nodes[1].wallet));
        const script = poolScript(network, 1, [0]);
        const ticket = buyTicket(network, script);
        const hex = yield* hcd.getRawTransactionHex(ticket);
        assert.equal(hex.length > 0, true, "a mempool transaction is found without txindex");
        network.control.generate(1);
        const noIndex = [
          -32603,
          "The transaction index must be enabled to query the blockchain (specify --txindex)",
        ];
        for (const call of [hcd.getRawTransactionHex(ticket), wallet0.getRawTransactionHex(ticket)]) {
          const e = yield* callError(call);
          assert.deepEqual([e.code, e.message], noIndex);
        }
        // The wallet that found the ticket in a block still has it; another can only be told its hash.
        assert.equal((yield* wallet0.getTransaction(ticket)).hex, hex);
        network.nodes[1].wallet.importScript(script.redeemScript, false, 0);
        const added = yield* callError(wallet1.addTicket(hex));
        assert.deepEqual(
          [added.code, added.message],
          noIndex,
          "stake-pool mode asks hcd where the ticket is",
        );
        assert.deepEqual((yield* wallet1.getTickets(true)).hashes, []);
      }))),
  ));

Deno.test("accountsyncaddressindex only widens the watched range: the next new address does not move", () =>
  withNetwork({ nodes: 1 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const wallet = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
      const xpub = network.endpoints.votingWalletXpub;
      assert.equal((yield* wallet.validateAddress(derived(xpub, 50).address)).ismine, undefined);
      yield* wallet.accountSyncAddressIndex("default", 0, 50);
      assert.equal((yield* wallet.validateAddress(derived(xpub, 50).address)).ismine, true);
      assert.equal((yield* wallet.validateAddress(derived(xpub, 51).address)).ismine, undefined);
      assert.equal(yield* wallet.getNewAddress(), derived(xpub, 0).address);
    })))));

Deno.test("generatevote answers -4 'not exist' for a ticket the wallet knows only from addticket, until a rescan brings it in", () =>
  withNetwork({ nodes: 2 }, (network) =>
    Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const hcd = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
      const wallet = walletRpc(yield* clientFor(network.endpoints.nodes[1].wallet));
      const script = poolScript(network, 1, [0]);
      const ticket = buyTicket(network, script);
      network.control.generate(1);
      const minedAt = network.chain.height;
      const tip = yield* hcd.getBestBlock();
      const unknown = yield* callError(
        wallet.generateVote(tip.hash, tip.height, "ab".repeat(32), 1, "07000000"),
      );
      assert.deepEqual([unknown.code, unknown.message], [-4, "not exist"]);

      network.nodes[1].wallet.importScript(script.redeemScript, false, 0);
      yield* wallet.addTicket(yield* hcd.getRawTransactionHex(ticket));
      assert.deepEqual(
        (yield* wallet.getTickets(true)).hashes,
        [ticket],
        "listed: hcd's txindex gives its height",
      );
      const notYet = yield* callError(wallet.generateVote(tip.hash, tip.height, ticket, 1, "07000000"));
      assert.deepEqual([notYet.code, notYet.message], [-4, "not exist"]);
      const noTx = yield* callError(wallet.getTransaction(ticket));
      assert.deepEqual([noTx.code, noTx.message], [-5, "No information for transaction"]);

      yield* wallet.rescanWallet(minedAt);
      assert.equal((yield* wallet.getTransaction(ticket)).confirmations, 1);
      assert.ok((yield* wallet.generateVote(tip.hash, tip.height, ticket, 1, "07000000")).hex.length > 0);
    })))));

Deno.test("importscript answers before its rescan ends; a rescan asked for meanwhile, by importscript or rescanwallet, is dropped; rescanwallet otherwise answers when its rescan is done", () =>
  // About 145 blocks at 10 ms each: a rescan runs for about 1.5 s.
  withNetwork(
    { nodes: 1, rescanMsPerBlock: 10 },
    (network) =>
      Effect.runPromise(Effect.scoped(Effect.gen(function* () {
        const wallet = walletRpc(yield* clientFor(network.endpoints.nodes[0].wallet));
        const sim = network.nodes[0].wallet;
        const scripts = [poolScript(network, 1, []), poolScript(network, 2, [])];
        const tickets = scripts.map((s) => buyTicket(network, s));
        network.control.generate(1);
        const inStore = Effect.forEach(
          tickets,
          (t) => Effect.map(Effect.either(wallet.getTransaction(t)), Either.isRight),
        );

        yield* wallet.importScript(scripts[0].redeemScript, true, 0);
        assert.equal(sim.isRescanning, true, "importscript answered while its rescan runs");
        assert.deepEqual(yield* inStore, [false, false]);
        yield* wallet.importScript(scripts[1].redeemScript, true, 0);
        yield* wallet.rescanWallet(0);
        assert.equal(sim.isRescanning, true, "rescanwallet answered at once: the first rescan still runs");
        for (let waited = 0; sim.isRescanning; waited += 20) {
          assert.ok(waited < 20_000, "the first rescan ends");
          yield* Effect.sleep(20);
        }
        // The first rescan matched the scripts held when it began: the second ticket stays unknown.
        assert.deepEqual(yield* inStore, [true, false]);
        assert.deepEqual((yield* wallet.getTickets(true)).hashes, [tickets[0]]);

        yield* wallet.rescanWallet(0);
        assert.equal(sim.isRescanning, false);
        assert.deepEqual(yield* inStore, [true, true]);
      }))),
  ));

Deno.test("stake pool records are the wallet's own: addticket turns a voted ticket back to live and a low-fee one valid, and a rescan leaves the low-fee one in both lists", () =>
  withNetwork({ nodes: 2 }, async (network) => {
    const [voter, restored] = network.nodes.map((n) => n.wallet);
    const script = poolScript(network, 1, [0]);
    const voted = buyTicket(network, script);
    network.control.generate(1);
    for (let blocks = 0; !network.chain.tip.winners.includes(voted); blocks++) {
      assert.ok(blocks < 2_000 && network.chain.ticket(voted)?.status !== "missed", "drawn, not missed");
      network.control.generate(1);
    }
    const tip = network.chain.tip;
    assert.ok(
      Either.isRight(network.chain.submit(voter.generateVote(tip.hash, tip.height, voted, 1, "07000000"))),
    );
    network.control.generate(1);
    network.control.underpayPoolFee(true);
    const lowFee = buyTicket(network, script);
    network.control.generate(1);
    const info = (w: typeof voter) => w.stakePoolUserInfo(script.multisigAddress);
    const votedRecord = info(voter).tickets?.find((t) => t.ticket === voted);
    assert.deepEqual([votedRecord?.status, votedRecord?.spentby], [
      "voted",
      network.chain.ticket(voted)!.spentBy,
    ]);
    assert.deepEqual(info(voter).invalid, [lowFee]);

    for (const t of [voted, lowFee]) voter.addTicket(toHex(network.chain.tx(t)!.bytes));
    const after = info(voter);
    assert.deepEqual(
      after.tickets?.map((t) => [t.ticket, t.status, t.spentby, t.spentbyheight]),
      [[voted, "live", "0".repeat(64), 0], [lowFee, "live", "0".repeat(64), 0]],
    );
    assert.equal(after.invalid, null);

    // A wallet that rescans after addticket: the vote is seen again, the fee check only adds to invalid.
    restored.importScript(script.redeemScript, false, 0);
    for (const t of [voted, lowFee]) restored.addTicket(toHex(network.chain.tx(t)!.bytes));
    await restored.rescan(0);
    assert.deepEqual(
      info(restored).tickets?.map((t) => [t.ticket, t.status]),
      [[voted, "voted"], [lowFee, "live"]],
    );
    assert.deepEqual(info(restored).invalid, [lowFee]);
  }));

Deno.test("getcurrentnet answers each net's wire magic as hcd's wire/protocol.go has it", async () => {
  for (const [net, magic] of [["simnet", 0x8a136344], ["testnet2", 0x9ab5693b]] as const) {
    await withNetwork(
      { nodes: 1, net, startHeight: 0, backgroundTickets: 0 },
      (network) =>
        Effect.runPromise(Effect.scoped(Effect.gen(function* () {
          const hcd = nodeRpc(yield* clientFor(network.endpoints.nodes[0].hcd));
          assert.equal(yield* hcd.getCurrentNet(), magic, net);
        }))),
    );
  }
});
