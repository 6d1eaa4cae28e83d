// VotingWallets' own logic over in-memory wallets: quorum, error answers, the one-at-a-time
// permit, stop/resume, the status labels and the network check; and the address checks of
// registration. The network check again over hcsim: a wallet of a testnet2 network beside two of simnet.
import assert from "node:assert/strict";
import { Deferred, Effect, Either, Fiber, Layer, Redacted, Ref } from "effect";
import { type NetName, NETWORKS, simnet } from "../../src/domain/params.ts";
import { RpcCallError, RpcTransportError } from "../../src/rpc/errors.ts";
import type { WalletInfoResult } from "../../src/rpc/hc_methods.ts";
import { AddressRegistration, localRegistration } from "../../src/wallets/address_registration.ts";
import { startSimNetwork } from "../../src/sim/network.ts";
import { sqlLayer } from "../../src/storage/sql.ts";
import { Users } from "../../src/storage/users.ts";
import {
  makeVotingWallets,
  type VotingWallet,
  VotingWallets,
  type WalletMethods,
} from "../../src/wallets/voting_wallets.ts";
import { newUser, withSimPool } from "./support.ts";
import { deriveAddress, masterFromSeed, neuter, serializeExtendedKey } from "../../src/domain/hdkey.ts";
import { encodeAddress } from "../../src/domain/address.ts";
import { fromHex } from "../../src/domain/bytes.ts";

const fromHexSync = (hex: string) => Either.getOrThrow(fromHex(hex));

interface FakeState {
  down: boolean;
  unlocked: boolean;
  voteVersion: number;
  scripts: Array<string>;
  /** The network of the key its getmasterpubkey answers. */
  net: NetName;
  /** Bumped to act as a reconnect (possibly to another server). */
  connection: number;
  masterPubKeyCalls: number;
}

const accountKeyOf = (net: NetName) =>
  serializeExtendedKey(neuter(Either.getOrThrow(masterFromSeed(new Uint8Array(32).fill(9), NETWORKS[net]))));

const unused = () => Effect.die("not used by this test");

const fakeWallet = (name: string, state: FakeState): VotingWallet => {
  const reachable = <A>(method: string, a: () => A) =>
    Effect.suspend(() =>
      state.down
        ? Effect.fail(new RpcTransportError({ host: name, method, detail: "not connected" }))
        : Effect.succeed(a())
    );
  const info = (): WalletInfoResult => ({
    daemonconnected: true,
    unlocked: state.unlocked,
    txfee: 0.0001,
    ticketfee: 0.0001,
    ticketpurchasing: false,
    votebits: 1,
    votebitsextended: "",
    voteversion: state.voteVersion,
    voting: true,
  });
  const rpc: WalletMethods = {
    walletInfo: () => reachable("walletinfo", info),
    listScripts: () =>
      reachable("listscripts", () => ({
        scripts: state.scripts.map((redeemscript) => ({ hash160: "", address: "", redeemscript })),
      })),
    importScript: (hex) =>
      state.unlocked
        ? reachable("importscript", () => (state.scripts.push(hex), null))
        : Effect.fail(new RpcCallError({ host: name, method: "importscript", code: -13, message: "locked" })),
    validateAddress: unused,
    createMultisig: unused,
    accountSyncAddressIndex: unused,
    getTickets: unused,
    addTicket: unused,
    getRawTransactionHex: unused,
    getBestBlock: unused,
    getBlockHeader: unused,
    getStakeInfo: unused,
    getTransaction: unused,
    rescanWallet: unused,
    stakePoolUserInfo: unused,
    existsLiveTickets: unused,
    existsMissedTickets: unused,
    existsExpiredTickets: unused,
    getMasterPubKey: () =>
      reachable("getmasterpubkey", () => {
        state.masterPubKeyCalls++;
        return accountKeyOf(state.net);
      }),
  };
  return { name, host: name, rpc, connectionNumber: Effect.sync(() => state.connection) };
};

const healthy = (): FakeState => ({
  down: false,
  unlocked: true,
  voteVersion: 5,
  scripts: [],
  net: "simnet",
  connection: 1,
  masterPubKeyCalls: 0,
});

const setUp = (states: ReadonlyArray<FakeState>, minServers = 2) =>
  makeVotingWallets(simnet, states.map((s, i) => fakeWallet(`wallet ${i + 1}`, s)), minServers);

Deno.test("a fan-out skips unreachable wallets but needs minservers answers", async () => {
  const states = [healthy(), healthy(), { ...healthy(), down: true }];
  const { some, none } = await Effect.gen(function* () {
    const vw = yield* setUp(states);
    const some = yield* vw.fanOut("walletinfo", (rpc) => rpc.walletInfo());
    states[1].down = true;
    const none = yield* Effect.flip(vw.fanOut("walletinfo", (rpc) => rpc.walletInfo()));
    return { some, none };
  }).pipe(Effect.runPromise);
  assert.deepEqual(some.answers.map((a) => a.wallet.name), ["wallet 1", "wallet 2"]);
  assert.deepEqual(some.down.map((d) => d.wallet), ["wallet 3"]);
  assert.equal(none._tag, "WalletsUnavailable");
  assert.match(none.message, /1 servers avail is below min of 2/);
});

Deno.test("an error answer from any wallet fails the fan-out with that wallet's code", async () => {
  const states = [healthy(), { ...healthy(), unlocked: false }, healthy()];
  const error = await Effect.gen(function* () {
    const vw = yield* setUp(states);
    return yield* Effect.flip(vw.fanOut("importscript", (rpc) => rpc.importScript("51")));
  }).pipe(Effect.runPromise);
  assert.equal(error._tag, "WalletCallFailed");
  assert.equal(error._tag === "WalletCallFailed" && error.code, -13);
  assert.match(error.message, /wallet 2 importscript/);
});

Deno.test("ready leaves out locked wallets and says why", async () => {
  const ready = await Effect.gen(function* () {
    const vw = yield* setUp([healthy(), { ...healthy(), unlocked: false }, healthy()]);
    return yield* vw.ready;
  }).pipe(Effect.runPromise);
  assert.deepEqual(ready.wallets.map((w) => w.name), ["wallet 1", "wallet 3"]);
  assert.deepEqual(ready.down, [{ wallet: "wallet 2", reason: "wallet is locked" }]);
});

Deno.test("exclusive sections run one at a time, in order", async () => {
  const log = await Effect.gen(function* () {
    const vw = yield* setUp([healthy(), healthy()]);
    const log = yield* Ref.make<ReadonlyArray<string>>([]);
    const gate = yield* Deferred.make<void>();
    const entered = yield* Deferred.make<void>();
    const first = yield* Effect.fork(vw.exclusive(Effect.gen(function* () {
      yield* Ref.update(log, (xs) => [...xs, "first in"]);
      yield* Deferred.succeed(entered, undefined);
      yield* Deferred.await(gate);
      yield* Ref.update(log, (xs) => [...xs, "first out"]);
    })));
    yield* Deferred.await(entered);
    const second = yield* Effect.fork(vw.exclusive(Ref.update(log, (xs) => [...xs, "second"])));
    // The event awaited: the second section is parked on the permit.
    while ((yield* second.status)._tag === "Running") yield* Effect.yieldNow();
    assert.deepEqual(yield* Ref.get(log), ["first in"]);
    yield* Deferred.succeed(gate, undefined);
    yield* Fiber.join(first);
    yield* Fiber.join(second);
    return yield* Ref.get(log);
  }).pipe(Effect.runPromise);
  assert.deepEqual(log, ["first in", "first out", "second"]);
});

Deno.test("a stop refuses commands and shows in status; resume needs a passing consistency check and recheck", async () => {
  const states = [healthy(), healthy(), healthy()];
  const out = await Effect.gen(function* () {
    const vw = yield* setUp(states);
    const fixed = yield* Ref.make(false);
    yield* vw.stop(
      "createmultisig: wallets disagree",
      Effect.flatMap(Ref.get(fixed), (ok) => ok ? Effect.void : Effect.fail("still disagrees")),
    );
    const refused = yield* Effect.flip(vw.exclusive(Effect.void));
    const statsRefused = yield* Effect.flip(vw.stakeInfo);
    const status = yield* vw.status;
    const recheckFails = yield* Effect.flip(vw.resume);
    yield* Ref.set(fixed, true);
    states[2].scripts.push("51");
    const scriptsDiffer = yield* Effect.flip(vw.resume);
    states[2].scripts.length = 0;
    yield* vw.resume;
    const after = yield* vw.status;
    yield* vw.exclusive(Effect.void);
    return { refused, statsRefused, status, recheckFails, scriptsDiffer, after };
  }).pipe(Effect.runPromise);
  assert.equal(out.refused._tag, "WalletsStopped");
  assert.equal(out.statsRefused._tag, "WalletsStopped");
  assert.equal(out.status.stopped?.reason, "createmultisig: wallets disagree");
  assert.deepEqual(out.recheckFails.problems, ["still disagrees"]);
  assert.deepEqual(out.scriptsDiffer.problems, [
    "wallet 1: 1 scripts missing",
    "wallet 2: 1 scripts missing",
  ]);
  assert.equal(out.after.stopped, undefined);
});

Deno.test("status labels follow the original: OK, Degraded, Critical, Emergency", async () => {
  const states = [healthy(), healthy(), healthy()];
  const labels = await Effect.gen(function* () {
    const vw = yield* setUp(states);
    const labels: Array<string> = [];
    for (
      const step of [
        () => {},
        () => (states[0].down = true),
        () => (states[1].unlocked = false),
        () => (states[2].down = true),
      ]
    ) {
      step();
      labels.push((yield* vw.status).rpcStatus);
    }
    return labels;
  }).pipe(Effect.runPromise);
  assert.deepEqual(labels, ["OK", "Degraded", "Critical", "Emergency"]);
});

Deno.test("registration refuses addresses with the original's messages", () => {
  const master = Either.getOrThrow(masterFromSeed(new Uint8Array(32).fill(7), simnet));
  const keys = { votingWalletExtPub: neuter(master), coldWalletExtPub: neuter(master) };
  const userPk = Either.getOrThrow(deriveAddress(neuter(master), 1, 3));
  const message = (userId: number, address: string) =>
    Either.match(localRegistration(simnet, keys, userId, address), {
      onLeft: (e) => e.message,
      onRight: () => "accepted",
    });
  assert.equal(message(1, userPk.pubKeyAddress), "accepted");
  assert.equal(message(1, "Sk".padEnd(39, "1")), "Address is too short");
  assert.equal(message(1, "S".padEnd(66, "1")), "Address is too long");
  assert.equal(message(1, userPk.pubKeyAddress.slice(0, -1) + "x"), "Couldn't decode address");
  // A P2PKH address is refused by its length already; a Schnorr pubkey address is long enough.
  const schnorr = encodeAddress({
    kind: "pubkey",
    net: simnet,
    sigType: "schnorr",
    pubKey: fromHexSync(userPk.pubKey),
  });
  assert.equal(message(1, userPk.address), "Address is too short");
  assert.equal(message(1, schnorr), "Incorrect address type");
  assert.equal(message(10_000, userPk.pubKeyAddress), "Unable to derive ticket address");
});

Deno.test("a wallet on another network is refused: never called, shown in status, counted as down", async () => {
  const states = [healthy(), healthy(), { ...healthy(), net: "testnet2" as const }];
  const out = await Effect.gen(function* () {
    const vw = yield* setUp(states, 2);
    const imported = yield* vw.fanOut("importscript", (rpc) => rpc.importScript("51"));
    const ready = yield* vw.ready;
    const status = yield* vw.status;
    const strict = yield* setUp(states, 3);
    const refusedBelowMin = yield* Effect.flip(strict.fanOut("listscripts", (rpc) => rpc.listScripts()));
    return { imported, ready, status, refusedBelowMin };
  }).pipe(Effect.runPromise);
  assert.deepEqual(out.imported.answers.map((a) => a.wallet.name), ["wallet 1", "wallet 2"]);
  assert.deepEqual(out.imported.down, [{
    wallet: "wallet 3",
    reason: "wallet is on testnet2, the pool on simnet",
  }]);
  assert.deepEqual(states.map((s) => s.scripts), [["51"], ["51"], []], "the testnet2 wallet got nothing");
  assert.deepEqual(out.ready.wallets.map((w) => w.name), ["wallet 1", "wallet 2"]);
  const third = out.status.wallets[2];
  assert.deepEqual([third.network, third.refused, third.connected], [
    "testnet2",
    "wallet is on testnet2, the pool on simnet",
    true,
  ]);
  assert.deepEqual([out.status.usable, out.status.rpcStatus], [2, "Degraded"]);
  assert.equal(out.refusedBelowMin._tag, "WalletsUnavailable");
  assert.match(
    out.refusedBelowMin.message,
    /2 servers avail is below min of 3 .*wallet 3: wallet is on testnet2/,
  );
});

Deno.test("a wallet's network is asked once per connection and again after a reconnect", async () => {
  const states = [healthy(), healthy()];
  const out = await Effect.gen(function* () {
    const vw = yield* setUp(states, 1);
    yield* vw.ready;
    yield* vw.ready;
    const callsBefore = states[0].masterPubKeyCalls;
    // The wallet behind wallet 1's address is now another one, on testnet2.
    states[0].net = "testnet2";
    states[0].connection++;
    const after = yield* vw.ready;
    return { callsBefore, after };
  }).pipe(Effect.runPromise);
  assert.equal(out.callsBefore, 1);
  assert.equal(states[0].masterPubKeyCalls, 2);
  assert.equal(states[1].masterPubKeyCalls, 1);
  assert.deepEqual(out.after.wallets.map((w) => w.name), ["wallet 2"]);
  assert.deepEqual(out.after.down, [{
    wallet: "wallet 1",
    reason: "wallet is on testnet2, the pool on simnet",
  }]);
});

Deno.test("hcsim: a testnet2 wallet beside two simnet ones is refused and shown; registration goes on with the two", () =>
  withSimPool({}, async (pool) => {
    const datadir = await Deno.makeTempDir({ prefix: "hcs_testnet2_" });
    const other = await startSimNetwork({ nodes: 1, net: "testnet2", datadir });
    try {
      const simnetWallets = pool.walletsConfig(2);
      const otherWallet = other.endpoints.nodes[0].wallet;
      const otherCert = await Deno.readTextFile(otherWallet.cert);
      const config = (minServers: number) => ({
        ...simnetWallets,
        minServers,
        wallets: [
          ...simnetWallets.wallets.slice(0, 2),
          {
            url: otherWallet.url,
            user: otherWallet.user,
            password: Redacted.make(otherWallet.password),
            certPem: otherCert,
          },
        ],
      });
      const layer = (minServers: number) =>
        AddressRegistration.layer(pool.keys).pipe(
          Layer.provideMerge(
            Layer.mergeAll(VotingWallets.layer(config(minServers)), Users.layer, pool.stakepoolds).pipe(
              Layer.provideMerge(Layer.orDie(sqlLayer(pool.db))),
            ),
          ),
        );
      const register = (email: string) =>
        Effect.gen(function* () {
          const userId = yield* newUser(email);
          return yield* Effect.flatMap(
            AddressRegistration,
            (r) => r.register(userId, pool.sim.userWallet.getNewAddress().pubKeyAddress),
          );
        });
      const { status, registered } = await Effect.gen(function* () {
        const status = yield* Effect.flatMap(VotingWallets, (vw) => vw.status);
        const registered = yield* register("a@example.com");
        return { status, registered };
      }).pipe(Effect.provide(layer(2)), Effect.runPromise);
      const third = status.wallets[2];
      assert.equal(third.network, "testnet2");
      assert.equal(third.refused, "wallet is on testnet2, the pool on simnet");
      assert.deepEqual([status.usable, status.total], [2, 3]);
      for (const node of [0, 1]) {
        assert.ok(
          pool.sim.nodes[node].wallet.listScripts().some((s) => s.redeemscript === registered.redeemScript),
          `simnet wallet ${node + 1} has the script`,
        );
      }
      assert.deepEqual(
        other.nodes[0].wallet.listScripts(),
        [],
        "nothing was imported into the testnet2 wallet",
      );

      const refused = await register("b@example.com").pipe(
        Effect.provide(layer(3)),
        Effect.flip,
        Effect.runPromise,
      );
      assert.equal(refused._tag, "WalletsUnavailable");
      assert.match(refused.message, /wallet 3: wallet is on testnet2, the pool on simnet/);
    } finally {
      await other.close();
      await Deno.remove(datadir, { recursive: true });
    }
  }));
