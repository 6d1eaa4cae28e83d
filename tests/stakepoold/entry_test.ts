// stakepoold as an operator runs it: `deno run -A stakepoold.ts -C stakepoold.conf`, a separate
// process configured only by its file, reached over its control API's TLS with the certificate
// it generated itself.
import assert from "node:assert/strict";
import { Effect, Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { STAKEPOOLD_OPTIONS, STAKEPOOLD_VERSION } from "../../src/config/stakepoold.ts";
import { RpcCode } from "../../src/rpc/errors.ts";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { makeStakepooldControlClient } from "../../src/rpc/stakepoold_client.ts";
import type { SimNetwork } from "../../src/sim/network.ts";
import {
  buyPoolTickets,
  CONTROL_SECRET,
  eventually,
  mineUntilAboutToMature,
  mineUntilSelected,
  POOL_FEES,
  registerUsers,
  withStakepooldSetup,
} from "./support.ts";
import { mysqlTest } from "../support/mysql.ts";

const ENTRY = new URL("../../stakepoold.ts", import.meta.url).pathname;

const run = (args: ReadonlyArray<string>) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ENTRY, ...args],
    stdout: "piped",
    stderr: "piped",
  });

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const freePort = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
};

/** The stakepoold.conf an operator writes for voting node 0, with the original's option names. */
const stakepooldConf = (network: SimNetwork, database: DatabaseConfig, appdata: string, port: number) => {
  const { hcd, wallet } = network.endpoints.nodes[0];
  return [
    "[Application Options]",
    "simnet=1",
    `appdata=${appdata}`,
    `coldwalletextpub=${network.endpoints.coldWalletXpub}`,
    `poolfees=${POOL_FEES}`,
    `dbhost=${database.dbhost}`,
    `dbport=${database.dbport}`,
    `dbname=${database.dbname}`,
    `dbuser=${database.dbuser}`,
    `dbpassword=${Redacted.value(database.dbpassword!)}`,
    `hcdhost=${new URL(hcd.url).host}`,
    `hcduser=${hcd.user}`,
    `hcdpassword=${hcd.password}`,
    `hcdcert=${hcd.cert}`,
    `wallethost=${new URL(wallet.url).host}`,
    `walletuser=${wallet.user}`,
    `walletpassword=${wallet.password}`,
    `walletcert=${wallet.cert}`,
    `rpclisten=127.0.0.1:${port}`,
    `controlsecret=${Redacted.value(CONTROL_SECRET)}`,
    "",
  ].join("\n");
};

/** Resolves with the exit code, or with undefined when the process is still running after `ms`. */
const exitWithin = async (child: Deno.ChildProcess, ms: number) => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([child.status.then((s) => s.code), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

mysqlTest(
  "stakepoold.ts -C stakepoold.conf: ready over TLS, votes a pool ticket, exits 0 on SIGTERM, logs no secret; refuses an incompatible hcd",
  () =>
    withStakepooldSetup(
      { network: { nodes: 1 }, database: "mysql" },
      ({ network, database, dir: appdata }) =>
        Effect.gen(function* () {
          const port = freePort();
          const confFile = `${appdata}/stakepoold.conf`;
          yield* Effect.promise(() =>
            Deno.writeTextFile(confFile, stakepooldConf(network, database, appdata, port))
          );
          const secrets = [
            Redacted.value(database.dbpassword!),
            network.endpoints.nodes[0].hcd.password,
            network.endpoints.nodes[0].wallet.password,
            Redacted.value(CONTROL_SECRET),
          ];
          const { users: [owner], userWallet } = yield* registerUsers(network, [{
            voteBits: 5,
            voteBitsVersion: 7,
          }]);

          const child = run(["-C", confFile]).spawn();
          const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
          const exercised = yield* Effect.exit(Effect.gen(function* () {
            // Ready: the certificate it generated is in appdata and the API answers with it.
            const client = Effect.map(
              Effect.promise(() => Deno.readTextFile(`${appdata}/rpc.cert`).catch(() => "")),
              (certPem) =>
                makeStakepooldControlClient({
                  endpoint: { host: `127.0.0.1:${port}`, certPem },
                  secret: CONTROL_SECRET,
                }),
            );
            yield* eventually(
              "stakepoold answers ping over TLS",
              Effect.flatMap(client, (c) => c.call(ControlApi.ping, {})).pipe(
                Effect.as(true),
                Effect.orElseSucceed(() => false),
              ),
              60_000,
            );
            const control = yield* client;
            const [ticket] = yield* buyPoolTickets(userWallet, owner);
            assert.equal((yield* control.status).userVotingConfigs, 1);
            mineUntilAboutToMature(network, ticket);
            const selected = yield* mineUntilSelected(network, ticket);
            yield* eventually(
              "the ticket is voted with its owner's bits",
              Effect.sync(() =>
                network.control.votes(ticket).some((v) => v.blockHash === selected.hash && v.voteBits === 5)
              ),
            );
            // hcd records a vote before stakepoold has its answer and counts it.
            yield* eventually("the vote is counted", Effect.map(control.status, (s) => s.votes.voted === 1));
            assert.deepEqual((yield* control.status).votes, {
              voted: 1,
              duplicate: 0,
              spentElsewhere: 0,
              failed: 0,
            });
          }));
          child.kill("SIGTERM");
          const code = yield* Effect.promise(() => exitWithin(child, 30_000));
          if (code === undefined) child.kill("SIGKILL");
          const [stdout, stderr] = yield* Effect.promise(() => output);
          yield* exercised;
          assert.equal(code, 0, `exit code after SIGTERM (stderr: ${stderr})`);
          const logs = stdout + stderr;
          assert.match(logs, /message=vote ticket=[0-9a-f]{64} voteBits=5 .*outcome=voted/);
          assert.match(logs, /message="stakepoold stopping" signal=SIGTERM/);
          for (const secret of secrets) assert.ok(!logs.includes(secret), "a secret was logged");

          yield* Effect.promise(() =>
            network.control.setFaults(0, {
              methodErrors: {
                version: { code: RpcCode.methodNotFound, message: "Method not found", server: "hcd" },
              },
            })
          );
          const refused = yield* Effect.promise(() => run(["-C", confFile]).output());
          assert.equal(refused.code, 1);
          const refusal = (text(refused.stdout) + text(refused.stderr)).split("\n").filter((l) =>
            /level=ERROR/.test(l)
          );
          assert.equal(refusal.length, 1, text(refused.stdout));
          assert.match(
            refusal[0],
            /stakepoold stopped: hcd .* hcdjsonrpcapi compatible with 3\.1\.0 is required/,
          );
        }),
    ),
);

mysqlTest(
  "stakepoold.ts with a wrong database password exits 1 with the server's reason in one line, the password nowhere",
  () =>
    withStakepooldSetup(
      { network: { nodes: 1 }, database: "mysql" },
      ({ network, database, dir: appdata }) =>
        Effect.gen(function* () {
          const wrong = "not-the-db-password-7f3a";
          const confFile = `${appdata}/stakepoold.conf`;
          yield* Effect.promise(() =>
            Deno.writeTextFile(
              confFile,
              stakepooldConf(network, { ...database, dbpassword: Redacted.make(wrong) }, appdata, freePort()),
            )
          );
          const out = yield* Effect.promise(() => run(["-C", confFile]).output());
          const logs = text(out.stdout) + text(out.stderr);
          assert.equal(out.code, 1, logs);
          const errors = logs.split("\n").filter((l) => /level=ERROR/.test(l));
          assert.equal(errors.length, 1, logs);
          assert.match(
            errors[0],
            new RegExp(
              `stakepoold stopped: database mysql://${database.dbuser}@${database.dbhost}:${database.dbport}/` +
                `${database.dbname} refused: (MysqlClient: Failed to connect: )?Access denied for user '${database.dbuser}'@`,
            ),
          );
          assert.ok(!logs.includes(wrong), "the password was logged");
        }),
    ),
);

Deno.test("stakepoold.ts with a bad value in stakepoold.conf exits 1 with one line naming the option", async () => {
  const appdata = await Deno.makeTempDir({ prefix: "stakepoold-entry-" });
  try {
    await Deno.writeTextFile(
      `${appdata}/stakepoold.conf`,
      [
        "[Application Options]",
        "simnet=1",
        "coldwalletextpub=spubCold",
        "hcdhost=127.0.0.1",
        "hcduser=hcd",
        "hcdpassword=hcdpass",
        "hcdcert=hcd.cert",
        "wallethost=127.0.0.1",
        "walletuser=w",
        "walletpassword=wpass",
        "walletcert=wallet.cert",
        "controlsecret=shared-secret",
        "poolfees=lots",
        "",
      ].join("\n"),
    );
    const out = await run(["-A", appdata]).output();
    assert.equal(out.code, 1);
    assert.equal(text(out.stdout), "");
    assert.equal(
      text(out.stderr),
      "stakepoold: poolfees: expected a percentage between 0.01 and 100, got lots\n",
    );
  } finally {
    await Deno.remove(appdata, { recursive: true });
  }
});

Deno.test("stakepoold.ts --help lists every option and exits 0; -V prints the version", async () => {
  for (const flag of ["--help", "-h"]) {
    const out = await run([flag]).output();
    assert.equal(out.code, 0);
    const usage = text(out.stdout);
    assert.match(usage, /^Usage: stakepoold \[options\]\n/);
    for (
      const option of [...STAKEPOOLD_OPTIONS.values, ...STAKEPOOLD_OPTIONS.switches, "configfile", "version"]
    ) {
      assert.ok(usage.includes(`--${option}`), option);
    }
  }
  for (const flag of ["-V", "--version"]) {
    const out = await run([flag]).output();
    assert.equal(out.code, 0);
    assert.match(
      text(out.stdout),
      new RegExp(`^stakepoold version ${STAKEPOOLD_VERSION.replaceAll(".", "\\.")} `),
    );
  }
});
