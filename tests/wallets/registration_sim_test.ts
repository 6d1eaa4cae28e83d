// Address registration against hcsim (3 voting nodes, real TLS sockets) and an embedded store.
import assert from "node:assert/strict";
import { Effect, Either, HashMap, Layer, Logger, Option, Ref } from "effect";
import { fromHex, toHex } from "../../src/domain/bytes.ts";
import { decodeAddress } from "../../src/domain/address.ts";
import { deriveAddress } from "../../src/domain/hdkey.ts";
import { poolMultisigScript } from "../../src/domain/script.ts";
import {
  AddressRegistration,
  localRegistration,
  ONE_ADDRESS_PER_ACCOUNT,
} from "../../src/wallets/address_registration.ts";
import { Reconciler } from "../../src/wallets/reconciler.ts";
import { Users } from "../../src/storage/users.ts";
import type { StakepooldClients } from "../../src/wallets/stakepoolds.ts";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import {
  decoratedPoolLayer,
  eventually,
  newUser,
  poolLayer,
  type SimPool,
  unreachable,
  type WalletDecorator,
  withSimPool,
} from "./support.ts";

const run = <A, E>(
  pool: SimPool,
  minServers: number,
  effect: Effect.Effect<A, E, AddressRegistration | VotingWallets | Users | StakepooldClients>,
) =>
  effect.pipe(
    Effect.provide(
      AddressRegistration.layer(pool.keys).pipe(Layer.provideMerge(poolLayer(pool, minServers))),
    ),
    Effect.runPromise,
  );

const userAddress = (pool: SimPool) => pool.sim.userWallet.getNewAddress().pubKeyAddress;

const walletScripts = (pool: SimPool, node: number) =>
  pool.sim.nodes[node].wallet.listScripts().map((s) => s.redeemscript);

Deno.test("registration gives the same script on all three wallets, equal to the pool's own computation", () =>
  withSimPool({}, async (pool) => {
    const userPubKeyAddr = userAddress(pool);
    const { registration, stored } = await run(
      pool,
      2,
      Effect.gen(function* () {
        const userId = yield* newUser("a@example.com");
        const registration = yield* Effect.flatMap(
          AddressRegistration,
          (r) => r.register(userId, userPubKeyAddr),
        );
        const stored = Option.getOrThrow(yield* Effect.flatMap(Users, (u) => u.byId(userId)));
        return { registration, stored };
      }),
    );
    // The domain's own script, built here from the raw keys.
    const pool0 = Either.getOrThrow(deriveAddress(pool.keys.votingWalletExtPub, 0, stored.UserId));
    const user = Either.getOrThrow(decodeAddress(userPubKeyAddr));
    assert.equal(user.kind, "pubkey");
    const expected = toHex(poolMultisigScript(Either.getOrThrow(fromHex(pool0.pubKey)), user.pubKey));
    assert.equal(registration.redeemScript, expected);
    for (const node of [0, 1, 2]) assert.ok(walletScripts(pool, node).includes(expected), `wallet ${node}`);
    assert.equal(stored.MultiSigScript, expected);
    assert.equal(stored.MultiSigAddress, registration.multisigAddress);
    assert.equal(stored.PoolPubKeyAddr, pool0.pubKeyAddress);
    assert.equal(stored.UserPubKeyAddr, userPubKeyAddr);
    assert.equal(
      stored.UserFeeAddr,
      Either.getOrThrow(deriveAddress(pool.keys.coldWalletExtPub, 0, stored.UserId)).address,
    );
    assert.equal(stored.HeightRegistered, pool.sim.control.chainState().height);
    assert.deepEqual(await Effect.runPromise(Ref.get(pool.stakepooldUpdates)), ["users"]);
  }));

Deno.test("a wallet that returns a different redeem script stops wallet commands and nothing is stored; a restart after the fault clears recovers", () =>
  withSimPool({}, async (pool) => {
    const userPubKeyAddr = userAddress(pool);
    await pool.sim.control.setFaults(1, { disagreeRedeemScript: true });
    const userId = await run(pool, 2, newUser("b@example.com"));
    const outcome = await run(
      pool,
      2,
      Effect.gen(function* () {
        const registration = yield* AddressRegistration;
        const first = yield* Effect.flip(registration.register(userId, userPubKeyAddr));
        const vw = yield* VotingWallets;
        const status = yield* vw.status;
        const second = yield* Effect.flip(registration.register(userId, userPubKeyAddr));
        const resume = yield* Effect.flip(vw.resume);
        const stored = Option.getOrThrow(yield* Effect.flatMap(Users, (u) => u.byId(userId)));
        return { first, status, second, resume, stored };
      }),
    );
    assert.equal(outcome.first._tag, "WalletsDisagree");
    assert.match(outcome.first.message, /createmultisig.*wallet 2/);
    assert.ok(outcome.status.stopped, "status reports the stop");
    assert.match(outcome.status.stopped.reason, /createmultisig/);
    assert.equal(outcome.second._tag, "WalletsStopped");
    // While the wallet still disagrees, the admin resume's recheck refuses.
    assert.equal(outcome.resume._tag, "ResumeRefused");
    assert.equal(outcome.stored.MultiSigAddress, "");
    assert.equal(outcome.stored.UserPubKeyAddr, "");
    assert.deepEqual(await Effect.runPromise(Ref.get(pool.stakepooldUpdates)), []);
    const local = Either.getOrThrow(localRegistration(pool.sim.chain.net, pool.keys, userId, userPubKeyAddr));
    for (const node of [0, 1, 2]) assert.ok(!walletScripts(pool, node).includes(local.redeemScript));

    await pool.sim.control.clearFaults();
    const after = await run(
      pool,
      2,
      Effect.gen(function* () {
        const status = yield* Effect.flatMap(VotingWallets, (vw) => vw.status);
        const registration = yield* Effect.flatMap(
          AddressRegistration,
          (r) => r.register(userId, userPubKeyAddr),
        );
        return { status, registration };
      }),
    );
    assert.equal(after.status.stopped, undefined);
    assert.equal(after.status.rpcStatus, "OK");
    assert.equal(after.registration.redeemScript, local.redeemScript);
  }));

Deno.test("an admin resume after the fault clears lets registration go on in the same process", () =>
  withSimPool({}, async (pool) => {
    const userPubKeyAddr = userAddress(pool);
    const userId = await run(pool, 2, newUser("c@example.com"));
    const registered = await run(
      pool,
      2,
      Effect.gen(function* () {
        const registration = yield* AddressRegistration;
        const vw = yield* VotingWallets;
        yield* Effect.promise(() => pool.sim.control.setFaults(0, { disagreeRedeemScript: true }));
        yield* Effect.flip(registration.register(userId, userPubKeyAddr));
        yield* Effect.promise(() => pool.sim.control.clearFaults());
        yield* vw.resume;
        return yield* registration.register(userId, userPubKeyAddr);
      }),
    );
    for (const node of [0, 1, 2]) assert.ok(walletScripts(pool, node).includes(registered.redeemScript));
  }));

Deno.test("with one of three wallets down and minservers=2 registration works, and the reconciler repairs the wallet that comes back", () =>
  withSimPool({}, async (pool) => {
    const userPubKeyAddr = userAddress(pool);
    await pool.sim.control.setFaults(2, { walletDown: true });
    const result = await run(
      pool,
      2,
      Effect.gen(function* () {
        const userId = yield* newUser("d@example.com");
        const vw = yield* VotingWallets;
        const registered = yield* Effect.flatMap(
          AddressRegistration,
          (r) => r.register(userId, userPubKeyAddr),
        );
        const degraded = yield* vw.status;
        const missingBefore = !walletScripts(pool, 2).includes(registered.redeemScript);
        yield* Effect.promise(() => pool.sim.control.clearFaults(2));
        yield* eventually(vw.status, (s) => s.usable === 3, "wallet 3 to reconnect");
        const report = yield* Effect.flatMap(Reconciler, (r) => r.runOnce).pipe(
          Effect.provide(Reconciler.layer({ interval: "1 hour" })),
        );
        return { registered, degraded, missingBefore, report };
      }),
    );
    assert.equal(result.degraded.rpcStatus, "Degraded");
    assert.equal(result.degraded.wallets[2].connected, false);
    assert.ok(result.missingBefore);
    assert.deepEqual(result.report.problems, []);
    assert.deepEqual(
      result.report.summary?.repaired.map((r) => r.scriptsImported),
      [0, 0, 1],
    );
    for (const node of [0, 1, 2]) {
      assert.ok(walletScripts(pool, node).includes(result.registered.redeemScript));
    }
  }));

Deno.test("below minservers registration is refused as unavailable and nothing is stored", () =>
  withSimPool({}, async (pool) => {
    const userPubKeyAddr = userAddress(pool);
    await pool.sim.control.setFaults(1, { walletDown: true });
    await pool.sim.control.setFaults(2, { locked: true });
    const outcome = await run(
      pool,
      2,
      Effect.gen(function* () {
        const userId = yield* newUser("e@example.com");
        const error = yield* Effect.flip(
          Effect.flatMap(AddressRegistration, (r) => r.register(userId, userPubKeyAddr)),
        );
        const stopped = yield* Effect.flatMap(VotingWallets, (vw) => vw.stopped);
        const stored = Option.getOrThrow(yield* Effect.flatMap(Users, (u) => u.byId(userId)));
        return { error, stopped, stored };
      }),
    );
    assert.equal(outcome.error._tag, "WalletsUnavailable");
    assert.match(outcome.error.message, /1 servers avail is below min of 2/);
    assert.match(outcome.error.message, /wallet 3: wallet is locked/);
    assert.ok(Option.isNone(outcome.stopped), "unavailability degrades, it does not stop");
    assert.equal(outcome.stored.MultiSigAddress, "");
  }));

/** Counts importscript calls per wallet. */
const countingImports = (counts: Map<string, number>): WalletDecorator => (wallet) => ({
  ...wallet,
  rpc: {
    ...wallet.rpc,
    importScript: (...args) =>
      Effect.suspend(() => {
        counts.set(wallet.name, (counts.get(wallet.name) ?? 0) + 1);
        return wallet.rpc.importScript(...args);
      }),
  },
});

Deno.test("concurrent registrations: two users both register; the same user twice at once imports and stores once", () =>
  withSimPool({}, async (pool) => {
    const imports = new Map<string, number>();
    const [addressA, otherA, addressB] = [userAddress(pool), userAddress(pool), userAddress(pool)];
    const outcome = await Effect.gen(function* () {
      const a = yield* newUser("a1@example.com");
      const b = yield* newUser("b1@example.com");
      const registration = yield* AddressRegistration;
      const results = yield* Effect.all(
        [
          Effect.either(registration.register(a, addressA)),
          Effect.either(registration.register(a, otherA)),
          Effect.either(registration.register(b, addressB)),
        ],
        { concurrency: "unbounded" },
      );
      const users = yield* Users;
      const stored = [Option.getOrThrow(yield* users.byId(a)), Option.getOrThrow(yield* users.byId(b))];
      return { results, stored };
    }).pipe(
      Effect.provide(
        AddressRegistration.layer(pool.keys).pipe(
          Layer.provideMerge(decoratedPoolLayer(pool, 2, countingImports(imports))),
        ),
      ),
      Effect.runPromise,
    );
    const [firstA, secondA, onlyB] = outcome.results;
    assert.ok(onlyB._tag === "Right", "the other user registers");
    const wonA = [firstA, secondA].filter((r) => r._tag === "Right");
    const lostA = [firstA, secondA].flatMap((r) => r._tag === "Left" ? [r.left] : []);
    assert.equal(wonA.length, 1, "one of the same user's two submissions wins");
    assert.equal(lostA[0]?.message, ONE_ADDRESS_PER_ACCOUNT);
    assert.equal(
      outcome.stored[0].MultiSigScript,
      wonA[0]._tag === "Right" ? wonA[0].right.redeemScript : "",
    );
    assert.equal(outcome.stored[1].MultiSigScript, onlyB.right.redeemScript);
    // One import per registration per wallet: the losing submission touched no wallet.
    assert.deepEqual([...imports.entries()].sort(), [["wallet 1", 2], ["wallet 2", 2], ["wallet 3", 2]]);
    for (const node of [0, 1, 2]) assert.equal(walletScripts(pool, node).length, 2);
  }));

Deno.test("a wallet that did not answer validateaddress is not asked to import the script", () =>
  withSimPool({}, async (pool) => {
    const imports = new Map<string, number>();
    const count = countingImports(imports);
    const decorate: WalletDecorator = (w) =>
      count(w.name === "wallet 3" ? unreachable(w, "validateAddress") : w);
    const registered = await Effect.gen(function* () {
      const userId = yield* newUser("v@example.com");
      return yield* Effect.flatMap(AddressRegistration, (r) => r.register(userId, userAddress(pool)));
    }).pipe(
      Effect.provide(
        AddressRegistration.layer(pool.keys).pipe(Layer.provideMerge(decoratedPoolLayer(pool, 2, decorate))),
      ),
      Effect.runPromise,
    );
    assert.deepEqual([...imports.entries()].sort(), [["wallet 1", 1], ["wallet 2", 1]]);
    assert.ok(!walletScripts(pool, 2).includes(registered.redeemScript), "left to the reconciler");
  }));

Deno.test("a wallet that refuses createmultisig (-32700, hcwallet's wrapping) refuses the address with the reason logged; wallet commands go on, nothing is imported or stored", () =>
  withSimPool({}, async (pool) => {
    const userPubKeyAddr = userAddress(pool);
    const refusal = `-5: Invalid address "${userPubKeyAddr}": not intended for use on simnet`;
    await pool.sim.control.setFaults(1, {
      methodErrors: { createmultisig: { code: -32700, message: refusal, server: "wallet" } },
    });
    const lines: string[] = [];
    const captured = Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ logLevel, message, annotations }) => {
        const text = Array.isArray(message) ? message.join(" ") : String(message);
        lines.push(
          `${logLevel.label} ${text} ${JSON.stringify(Object.fromEntries(HashMap.toEntries(annotations)))}`,
        );
      }),
    );
    const outcome = await run(
      pool,
      2,
      Effect.gen(function* () {
        const userId = yield* newUser("m@example.com");
        const error = yield* Effect.flip(
          Effect.flatMap(AddressRegistration, (r) => r.register(userId, userPubKeyAddr)),
        );
        const stopped = yield* Effect.flatMap(VotingWallets, (vw) => vw.stopped);
        const stored = Option.getOrThrow(yield* Effect.flatMap(Users, (u) => u.byId(userId)));
        return { error, stopped, stored };
      }).pipe(Effect.provide(captured)),
    );
    assert.equal(outcome.error._tag, "AddressRejected");
    assert.equal(
      outcome.error.message,
      `The voting wallets could not make a ticket address from this address (wallet 2: ${refusal})`,
    );
    assert.ok(Option.isNone(outcome.stopped), "a refusal is not a disagreement: wallet commands go on");
    assert.equal(outcome.stored.MultiSigAddress, "");
    for (const node of [0, 1, 2]) assert.deepEqual(walletScripts(pool, node), [], `wallet ${node + 1}`);
    const warning = lines.find((l) => l.includes("refused the address check"));
    assert.ok(warning?.startsWith("WARN"), lines.join("\n"));
    assert.match(warning!, /"code":-32700/);
    assert.match(warning!, /"method":"createmultisig"/);
  }));
