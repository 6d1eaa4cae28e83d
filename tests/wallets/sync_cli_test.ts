// `hcpool sync -C <hcstakepool.conf>` as an operator runs it: a config file in the original's option
// names, the embedded store found through datadir, progress on stderr, the summary as JSON on stdout.
import assert from "node:assert/strict";
import { runHcpool } from "../support/hcpool.ts";
import { Effect, Either } from "effect";
import { localRegistration } from "../../src/wallets/address_registration.ts";
import { Users } from "../../src/storage/users.ts";
import { newUser, poolLayer, registerDriftedUsers, type SimPool, withSimPool } from "./support.ts";

/** hcstakepool.conf for the pool's store and the sim's three wallets; returns its path. */
const writePoolConf = async (pool: SimPool) => {
  const { sim } = pool;
  const wallets = sim.endpoints.nodes.map((n) => n.wallet);
  const conf = `${pool.db.datadir}/hcstakepool.conf`;
  await Deno.writeTextFile(
    conf,
    [
      "[Application Options]",
      "simnet=1",
      `datadir=${pool.db.datadir}`,
      "apisecret=not-used-by-sync",
      "cookiesecret=not-used-by-sync",
      `coldwalletextpub=${sim.endpoints.coldWalletXpub}`,
      `votingwalletextpub=${sim.endpoints.votingWalletXpub}`,
      "adminips=127.0.0.1",
      "adminuserids=1",
      `wallethosts=${wallets.map((w) => new URL(w.url).host).join(",")}`,
      `walletusers=${wallets.map((w) => w.user).join(",")}`,
      `walletpasswords=${wallets.map((w) => w.password).join(",")}`,
      `walletcerts=${wallets.map((w) => w.cert).join(",")}`,
      "minservers=2",
    ].join("\n"),
  );
  return conf;
};

Deno.test("hcpool sync reads hcstakepool.conf, prints progress on stderr and a JSON summary of the repairs", () =>
  withSimPool({}, async (pool) => {
    const { sim } = pool;
    const local = await Effect.gen(function* () {
      const userId = yield* newUser("cli@example.com");
      const local = Either.getOrThrow(
        localRegistration(sim.chain.net, pool.keys, userId, sim.userWallet.getNewAddress().pubKeyAddress),
      );
      yield* Effect.flatMap(Users, (u) =>
        u.setMultisig(userId, {
          MultiSigAddress: local.multisigAddress,
          MultiSigScript: local.redeemScript,
          PoolPubKeyAddr: local.poolPubKeyAddr,
          UserPubKeyAddr: local.userPubKeyAddr,
          UserFeeAddr: local.feeAddress,
          HeightRegistered: 0,
        }));
      return local;
    }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);
    sim.nodes[0].wallet.importScript(local.redeemScript, false, 0);

    const wallets = sim.endpoints.nodes.map((n) => n.wallet);
    const conf = await writePoolConf(pool);
    const out = await runHcpool("sync", "-C", conf);
    const stderr = out.stderr;
    assert.equal(out.code, 0, stderr);
    assert.match(stderr, /sync scripts: 2\/2 \([\d.]+\/s\)/);
    for (const w of wallets) assert.ok(!stderr.includes(w.password), "no wallet password in the output");
    const summary = JSON.parse(out.stdout);
    assert.deepEqual(
      summary.repaired.map((r: { scriptsImported: number }) => r.scriptsImported),
      [0, 1, 1],
    );
    for (const node of sim.nodes) {
      assert.deepEqual(node.wallet.listScripts().map((s) => s.redeemscript), [local.redeemScript]);
    }
  }));

Deno.test("hcpool sync fails (exit 1, summary still printed) when a wallet could not be synced", () =>
  withSimPool({}, async (pool) => {
    await registerDriftedUsers(pool, 1, 0);
    await pool.sim.control.setFaults(2, { walletDown: true });
    const out = await runHcpool("sync", "-C", await writePoolConf(pool));
    assert.equal(out.code, 1, out.stderr);
    assert.match(out.stderr, /1 wallets? (was|were) not synced/);
    const summary = JSON.parse(out.stdout);
    assert.deepEqual(summary.skipped.map((s: { wallet: string }) => s.wallet), ["wallet 3"]);
    assert.deepEqual(summary.repaired.map((r: { scriptsImported: number }) => r.scriptsImported), [0, 0]);
  }));
