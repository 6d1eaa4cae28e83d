// hcpool config check: every wrong option of a file is named (not only the first), read as the
// program reads it; the sample configs under deploy/ document every option of their program and
// pass once their placeholders are filled in.
import assert from "node:assert/strict";
import { Effect, Either } from "effect";
import { checkConfig, programFor } from "../../src/cli/config_check.ts";
import { POOL_OPTIONS } from "../../src/config/pool.ts";
import { STAKEPOOLD_OPTIONS } from "../../src/config/stakepoold.ts";
import { masterFromSeed, neuter, serializeExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { runHcpool } from "../support/hcpool.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url).pathname;

const BAD = `[Application Options]
simnet=1
testnet=1
dbport=abc
apisecret=
cookiesecret=x
coldwalletextpub=notakey
wallethosts=127.0.0.1,127.0.0.2,127.0.0.3
walletusers=a,b
walletpasswords=p1,p2,p3
walletcerts=/nonexistent/a.cert,/nonexistent/b.cert,/nonexistent/c.cert
adminips=127.0.0.1
minservers=9
this line is wrong
frobnicate=1
logformat=xml
`;

Deno.test("config check names every wrong option of a file, exit 1, without repeating a secret", async () => {
  const dir = await Deno.makeTempDir({ prefix: "config_check_" });
  try {
    await Deno.writeTextFile(
      `${dir}/hcstakepool.conf`,
      BAD.replace("walletpasswords=p1", "walletpasswords=s3cr3t-pw"),
    );
    const run = await runHcpool("config", "check", `${dir}/hcstakepool.conf`);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    const line = run.stderr.trim();
    assert.equal(line.split("\n").length, 1, "one line");
    assert.match(line, /\(hcstakepool\): 12 problems/);
    for (
      const named of [
        'line 14: expected "option=value"',
        "line 15: frobnicate: unknown hcstakepool option",
        "simnet: testnet and simnet cannot both be set",
        "logformat: expected text or json",
        "dbport: expected a port number",
        "apisecret: required",
        "walletusers: expected 3 entries",
        "adminuserids: required",
        "minservers: expected an integer from 1 to 3",
        "coldwalletextpub: ",
        "votingwalletextpub: required",
        'walletcerts: cannot read "/nonexistent/a.cert"',
      ]
    ) assert.ok(line.includes(named), `names ${named}: ${line}`);
    assert.ok(!line.includes("s3cr3t-pw"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config check: a file the program accepts is ok; stakepoold.conf is told apart by its options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "config_check_" });
  try {
    const cert = `${dir}/rpc.cert`;
    await Deno.writeTextFile(cert, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
    const xpub = serializeExtendedKey(
      neuter(Either.getOrThrow(masterFromSeed(new Uint8Array(32).fill(9), NETWORKS.testnet2))),
    );
    const conf = [
      "testnet=1",
      `coldwalletextpub=${xpub}`,
      "hcdhost=127.0.0.1",
      "hcduser=u",
      "hcdpassword=p",
      `hcdcert=${cert}`,
      "wallethost=127.0.0.1",
      "walletuser=u",
      "walletpassword=p",
      `walletcert=${cert}`,
      "controlsecret=x",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/stakepoold.conf`, conf);
    const ok = await runHcpool("config", "check", `${dir}/stakepoold.conf`);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), {
      file: `${dir}/stakepoold.conf`,
      program: "stakepoold",
      ok: true,
    });
    // The same file read as hcstakepool.conf has other problems, all of them named.
    const asPool = await runHcpool("config", "check", `${dir}/stakepoold.conf`, "--program", "hcstakepool");
    assert.equal(asPool.code, 1);
    assert.match(
      asPool.stderr,
      /hcdhost: unknown hcstakepool option.*walletcert: unknown hcstakepool option/,
    );
    // Flags may come anywhere: before the file, or between "check" and the file.
    for (
      const args of [
        ["--program", "hcstakepool", "check", `${dir}/stakepoold.conf`],
        ["check", "--program=hcstakepool", `${dir}/stakepoold.conf`],
      ]
    ) {
      const flagFirst = await runHcpool("config", ...args);
      assert.deepEqual([flagFirst.code, flagFirst.stderr], [asPool.code, asPool.stderr], args.join(" "));
    }
    const badProgram = await runHcpool("config", "check", "--program", "hcd", `${dir}/stakepoold.conf`);
    assert.equal(badProgram.code, 1);
    assert.match(badProgram.stderr, /--program: expected hcstakepool or stakepoold, got "hcd"; usage: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The sample with its placeholders filled in: keys of its network and certificate files that exist. */
const filledIn = (text: string, certDir: string) => {
  const xpub = serializeExtendedKey(
    neuter(Either.getOrThrow(masterFromSeed(new Uint8Array(32).fill(5), NETWORKS.mainnet))),
  );
  return text
    .replace(/CHANGE-ME-cold-wallet-xpub/g, xpub)
    .replace(/CHANGE-ME-voting-wallet-xpub/g, xpub)
    .replace(
      /^(walletcerts|stakepooldcerts)=(.*)$/gm,
      (_, name, list: string) => `${name}=${list.split(",").map((f: string) => `${certDir}/${f}`).join(",")}`,
    )
    .replace(/^(hcdcert|walletcert)=.*$/gm, (_, name) => `${name}=${certDir}/${name}.cert`);
};

for (
  const [sample, program, options] of [
    ["sample-hcstakepool.conf", "hcstakepool", POOL_OPTIONS],
    ["sample-stakepoold.conf", "stakepoold", STAKEPOOLD_OPTIONS],
  ] as const
) {
  Deno.test(`${sample} documents every option and passes the check once filled in`, async () => {
    const text = await Deno.readTextFile(`${DEPLOY}${sample}`);
    assert.equal(programFor(text), program);
    const mentioned = new Set([...text.matchAll(/^;?([a-z]+)=/gm)].map((m) => m[1]));
    for (const option of [...options.values, ...options.switches]) {
      assert.ok(mentioned.has(option), `${sample} documents ${option}`);
    }
    const certs = await Deno.makeTempDir({ prefix: "sample_certs_" });
    try {
      const filled = filledIn(text, certs);
      for (const m of filled.matchAll(/^(?:walletcerts|stakepooldcerts|hcdcert|walletcert)=(.*)$/gm)) {
        for (const file of m[1].split(",")) {
          await Deno.writeTextFile(file, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        }
      }
      assert.deepEqual(await Effect.runPromise(checkConfig(sample, filled, program)), []);
      // As shipped, only the placeholders an operator must replace are refused.
      const asShipped = await Effect.runPromise(checkConfig(sample, text, program));
      assert.ok(asShipped.length > 0);
      for (const p of asShipped) {
        assert.match(p.option ?? "", /extpub|cert/, `only placeholders are refused: ${JSON.stringify(p)}`);
      }
    } finally {
      await Deno.remove(certs, { recursive: true });
    }
  });
}
