// `hcstakepool serve` as an operator runs it: a separate process reading hcstakepool.conf. A
// start-up failure exits with the original's code and one line naming the cause; SIGTERM stops a
// running pool cleanly (exit 0, port closed).
import assert from "node:assert/strict";
import { Effect, Layer } from "effect";
import { runHcpool } from "../support/hcpool.ts";
import { writePoolConf } from "../support/pool_conf.ts";
import { type SimNetwork, startSimNetwork } from "../../src/sim/network.ts";
import { EXIT } from "../../src/cli/serve.ts";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import { databaseLayer } from "../../src/storage/database.ts";
import { Users } from "../../src/storage/users.ts";
import { clientFor, derived } from "../sim/helpers.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/**
 * A user of the embedded store in `datadir` whose ticket script only wallets 1 and 2 hold (wallet 3
 * was restored from the seed, say): the start-up sync has something to repair.
 */
const userMissingOnWallet3 = (sim: SimNetwork, datadir: string) =>
  Effect.gen(function* () {
    const [w1, w2] = yield* Effect.forEach(sim.endpoints.nodes.slice(0, 2), (n) =>
      Effect.map(clientFor(n.wallet), walletRpc));
    const userWallet = walletRpc(yield* clientFor(sim.endpoints.userWallet));
    const userKey = (yield* userWallet.validateAddress(yield* userWallet.getNewAddress())).pubkeyaddr!;
    const users = yield* Users;
    const user = yield* users.create({
      email: "restored@example.test",
      passwordHash: "$2a$10$abcdefghijklmnopqrstuuq0A7mXhbTnH7pXo0a3Hn4sXbFqZWq6",
      emailToken: "",
      voteBits: 1,
      voteBitsVersion: 7,
      emailVerified: 1,
    });
    const poolKey = derived(sim.endpoints.votingWalletXpub, user.UserId).pubKeyAddress;
    const multisig = yield* w1.createMultisig(1, [poolKey, userKey]);
    for (const w of [w1, w2]) {
      yield* w.importScript(multisig.redeemScript, false);
    }
    yield* users.setMultisig(user.UserId, {
      MultiSigAddress: multisig.address,
      MultiSigScript: multisig.redeemScript,
      PoolPubKeyAddr: poolKey,
      UserPubKeyAddr: userKey,
      UserFeeAddr: derived(sim.endpoints.coldWalletXpub, user.UserId).address,
      HeightRegistered: sim.chain.height,
    });
  }).pipe(
    Effect.scoped,
    Effect.provide(
      Layer.provideMerge(Users.layer, databaseLayer({ dbport: 3306, dbname: "", dbuser: "", datadir })),
    ),
    Effect.runPromise,
  );

const withConf = async (
  f: (
    conf: (extra: Record<string, string>) => Promise<string>,
    certs: ReadonlyArray<string>,
    sim: SimNetwork,
    datadir: string,
  ) => Promise<void>,
) => {
  const datadir = await Deno.makeTempDir({ prefix: "hcs_serve_" });
  const sim = await startSimNetwork({ nodes: 3, datadir, backgroundTickets: 16, feeAddressCount: 50 });
  try {
    const base = await Deno.readTextFile(await writePoolConf(sim, datadir));
    let n = 0;
    const conf = async (extra: Record<string, string>) => {
      const lines = base.split("\n").filter((l) => !Object.hasOwn(extra, l.split("=")[0]));
      const file = `${datadir}/conf-${n++}.conf`;
      const values = { logdir: `${datadir}/logs`, listen: "127.0.0.1:0", ...extra };
      await Deno.writeTextFile(
        file,
        [...lines, ...Object.entries(values).map(([k, v]) => `${k}=${v}`)].join("\n"),
      );
      return file;
    };
    await f(conf, sim.endpoints.nodes.map((n) => n.wallet.cert), sim, datadir);
  } finally {
    await sim.close();
    await Deno.remove(datadir, { recursive: true });
  }
};

const lastLine = (text: string) => text.trim().split("\n").at(-1) ?? "";

Deno.test("serve: start-up failures exit with the original's codes and one line naming the cause", () =>
  withConf(async (conf, certs) => {
    const badOption = await runHcpool("serve", "-C", await conf({ poolfees: "0" }));
    assert.equal(badOption.code, EXIT.config);
    assert.match(lastLine(badOption.stderr), /^hcstakepool: poolfees: /);

    const database = await runHcpool("serve", "-C", await conf({ datadir: "/dev/null/cannot" }));
    assert.equal(database.code, EXIT.database, database.stderr);
    assert.match(lastLine(database.stderr), /^hcstakepool: database: /);

    const stakepoolds = await runHcpool(
      "serve",
      "-C",
      await conf({
        enablestakepoold: "1",
        stakepooldhosts: "127.0.0.1:9,127.0.0.1:10",
        stakepooldcerts: `${certs[0]},${certs[1]}`,
        controlsecret: "control-secret",
      }),
    );
    assert.equal(stakepoolds.code, EXIT.stakepooldConnect, stakepoolds.stderr);
    assert.match(lastLine(stakepoolds.stderr), /^hcstakepool: stakepoold: none answered/);

    const wallets = await runHcpool(
      "serve",
      "-C",
      await conf({ wallethosts: "127.0.0.1:9,127.0.0.1:10,127.0.0.1:11" }),
    );
    assert.equal(wallets.code, EXIT.wallets, wallets.stderr);
    assert.match(lastLine(wallets.stderr), /^hcstakepool: wallets: /);

    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const bind = await runHcpool(
        "serve",
        "-C",
        await conf({ listen: `127.0.0.1:${(taken.addr as Deno.NetAddr).port}` }),
      );
      assert.equal(bind.code, EXIT.bind, bind.stderr);
      assert.match(lastLine(bind.stderr), /^hcstakepool: listen: cannot listen on 127\.0\.0\.1:\d+/);
    } finally {
      taken.close();
    }
    for (const run of [badOption, database, stakepoolds, wallets]) {
      assert.ok(!run.stderr.includes("not-used-by-sync"), "no secret in the output");
    }
  }));

/** Reads stderr lines until one matches; returns it with everything read so far. */
const readUntil = async (
  reader: ReadableStreamDefaultReader<string>,
  pattern: RegExp,
  seen: Array<string>,
) => {
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${pattern}: ${seen.join("\n")}`);
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      seen.push(line);
      if (pattern.test(line)) return line;
    }
  }
};

Deno.test("serve (main.ts with no command): syncs the wallets, says what it repaired, serves pages, and stops on SIGTERM", () =>
  withConf(async (conf, _certs, sim, datadir) => {
    await userMissingOnWallet3(sim, datadir);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "-C", await conf({})],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    const seen: Array<string> = [];
    try {
      const synced = await readUntil(reader, /wallet sync done/, seen);
      assert.match(synced, /level=INFO/);
      assert.match(synced, /repaired="wallet 3: 1 script\(s\) imported, rescanned from block \d+"/);
      assert.match(synced, / skipped=none /);
      assert.match(synced, / problems=none\b/);
      const listening = await readUntil(reader, /web app listening/, seen);
      const address = /address=(\S+)/.exec(listening)?.[1];
      assert.ok(address, listening);
      const home = await fetch(`http://${address}/`);
      assert.equal(home.status, 200);
      assert.match(await home.text(), /HC Stake Pool/);
      assert.ok(
        seen.some((l) => /wallet sync scripts|wallet sync tickets|voting wallets ready/.test(l)),
        "progress is shown",
      );

      child.kill("SIGTERM");
      const status = await child.status;
      assert.equal(status.code, 0);
      await assert.rejects(fetch(`http://${address}/`), "the port is closed");
    } finally {
      reader.releaseLock();
      await child.stderr.cancel().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
  }));
