import assert from "node:assert/strict";
import { Effect, Either, LogLevel, Redacted } from "effect";
import { serializeExtendedKey } from "../../src/domain/hdkey.ts";
import { loadPoolConfig } from "../../src/config/pool.ts";
import { writeCert, xprvOf, xpubOf } from "./support.ts";

const COLD = xpubOf("testnet2", 1);
const VOTING = xpubOf("testnet2", 2);

/** hcstakepool.conf as an operator of the original writes it; `elsewhere` holds an absolute cert path. */
const sample = (elsewhere: string) =>
  `[Application Options]
; hcstakepool.conf as the original reads it
testnet=1
apisecret=api-secret-value
cookiesecret=cookie-secret-value
coldwalletextpub=${COLD}
votingwalletextpub=${VOTING}
dbhost=db.local
dbpassword=dbpass-value
wallethosts=10.0.0.1,10.0.0.2:19999,[::1]
walletusers=u1,u2,u3
walletpasswords=wallet-pass-1,wallet-pass-2,wallet-pass-3
walletcerts=wallet1.cert,${elsewhere}/wallet2.cert,certs/w3.cert
adminips=127.0.0.1,10.0.0.9
adminuserids=1,42
poolfees=5
baseurl=https://pool.example/
enablestakepoold=1
stakepooldhosts=10.0.0.1,10.0.0.2
stakepooldcerts=s1.cert,s2.cert
`;

interface Home {
  readonly file: string;
  readonly home: string;
  readonly elsewhere: string;
}

/** A home dir with hcstakepool.conf (`text`, or the sample) and every certificate the sample names. */
const withHome = async <A>(text: ((elsewhere: string) => string) | string, run: (h: Home) => Promise<A>) => {
  const home = await Deno.makeTempDir();
  const elsewhere = await Deno.makeTempDir();
  try {
    for (const cert of ["wallet1.cert", "certs/w3.cert", "s1.cert", "s2.cert"]) {
      await writeCert(`${home}/${cert}`);
    }
    await writeCert(`${elsewhere}/wallet2.cert`);
    await Deno.writeTextFile(`${home}/hcstakepool.conf`, typeof text === "string" ? text : text(elsewhere));
    return await run({ file: `${home}/hcstakepool.conf`, home, elsewhere });
  } finally {
    await Deno.remove(home, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
};

const load = (argv: string[], home: string) => Effect.runPromise(Effect.either(loadPoolConfig(argv, home)));

Deno.test("a sample hcstakepool.conf parses with the original's names, defaults and per-net ports", () =>
  withHome(sample, async ({ file, home }) => {
    const config = Either.getOrThrow(await load(["-C", file], home));
    assert.equal(config.network, "testnet2");
    assert.deepEqual(config.wallets.map((w) => w.url), [
      "https://10.0.0.1:12010",
      "https://10.0.0.2:19999",
      "https://[::1]:12010",
    ]);
    assert.equal(Redacted.value(config.wallets[2].password), "wallet-pass-3");
    assert.deepEqual(config.stakepoolds.map((s) => s.host), ["10.0.0.1:19113", "10.0.0.2:19113"]);
    assert.deepEqual(config.adminUserIds, [1, 42]);
    assert.equal(config.poolFees, 5);
    assert.equal(config.baseUrl, "https://pool.example");
    assert.equal(config.minServers, 2);
    assert.equal(config.maxVotedAge, 8640);
    assert.equal(config.listen, ":8000");
    assert.equal(config.database.dbhost, "db.local");
    assert.equal(config.database.dbport, 3306);
    assert.equal(config.log.file, `${home}/logs/testnet2/hcstakepool.log`);
    assert.equal(config.log.format, "text");
    assert.ok(!JSON.stringify(config).includes("api-secret-value"), "secrets stay redacted");
  }));

Deno.test("the wallets' and stakepoolds' certificates are read at load, relative paths under the home dir", () =>
  withHome(sample, async ({ file, home, elsewhere }) => {
    const config = Either.getOrThrow(await load(["-C", file], home));
    assert.deepEqual(config.wallets.map((w) => w.certPem.split("\n")[0]), [
      `${home}/wallet1.cert`,
      `${elsewhere}/wallet2.cert`,
      `${home}/certs/w3.cert`,
    ]);
    assert.equal(config.stakepoolds[1].certPem, await Deno.readTextFile(`${home}/s2.cert`));
  }));

Deno.test("the extended public keys are parsed at load for the configured network", () =>
  withHome(sample, async ({ file, home }) => {
    const config = Either.getOrThrow(await load(["-C", file], home));
    assert.equal(serializeExtendedKey(config.coldWalletExtPub), COLD);
    assert.equal(serializeExtendedKey(config.votingWalletExtPub), VOTING);
    assert.equal(config.votingWalletExtPub.net.name, "testnet2");
  }));

Deno.test("flags override the file, as --name=value and --name value", () =>
  withHome(sample, async ({ file, home }) => {
    const config = Either.getOrThrow(
      await load(
        ["--configfile", file, "--poolfees=2.5", "--minservers", "3", "--closepool", "-d", "debug"],
        home,
      ),
    );
    assert.equal(config.poolFees, 2.5);
    assert.equal(config.minServers, 3);
    assert.equal(config.closePool, true);
    assert.deepEqual(config.log.levels, { base: LogLevel.Debug, bySubsystem: {} });
  }));

const errorOf = async (argv: string[], text: ((elsewhere: string) => string) | string = sample) =>
  await withHome(text, async ({ file, home }) => {
    const result = await load(["-C", file, ...argv], home);
    assert.ok(Either.isLeft(result), `expected an error for ${argv.join(" ")}`);
    return result.left.message;
  });

Deno.test("each bad value gives an error naming the option and what is expected", async () => {
  assert.equal(
    await errorOf(["--wallethosts=10.0.0.1"]),
    "wallethosts: at least 2 wallet hosts are required",
  );
  assert.equal(
    await errorOf(["--poolfees=0"]),
    "poolfees: expected a percentage between 0.01 and 100, got 0",
  );
  assert.match(await errorOf(["--walletusers=a,b"]), /^walletusers: expected 3 entries/);
  assert.match(await errorOf(["--walletcerts=a"]), /^walletcerts: expected 3 entries/);
  assert.match(await errorOf(["--minservers=4"]), /^minservers: expected an integer from 1 to 3, got "4"/);
  assert.match(await errorOf(["--adminuserids=1,x"]), /^adminuserids: expected user ids/);
  assert.match(await errorOf(["--simnet"]), /^simnet: testnet and simnet cannot both be set/);
  assert.match(await errorOf(["--stakepooldcerts=s1"]), /^stakepooldcerts: expected 2 entries/);
  assert.match(await errorOf(["--dbport=70000"]), /^dbport: /);
  assert.match(await errorOf(["--debuglevel=loud"]), /^debuglevel: unknown level "loud"/);
  assert.match(await errorOf(["--nosuch=1"]), /^nosuch: unknown option/);
  assert.equal(
    await errorOf([], (e) => sample(e).replace("apisecret=api-secret-value\n", "")),
    "apisecret: required",
  );
  assert.equal(
    await errorOf([], (e) => sample(e).replace("dbpassword=dbpass-value\n", "")),
    "dbpassword: required when dbhost is set",
  );
  assert.match(
    await errorOf([], (e) => `${sample(e)}walletpasswrods=x\n`),
    /^walletpasswrods: unknown option/,
  );
  assert.match(await errorOf(["--testnet=yes"]), /^testnet: expected 1, true, 0 or false/);
});

Deno.test("a missing certificate file fails at load naming walletcerts or stakepooldcerts", async () => {
  assert.match(
    await errorOf(["--walletcerts=wallet1.cert,nope.cert,certs/w3.cert"]),
    /^walletcerts: cannot read ".*\/nope\.cert": No such file/,
  );
  assert.match(
    await errorOf(["--stakepooldcerts=s1.cert,gone.cert"]),
    /^stakepooldcerts: cannot read ".*gone\.cert"/,
  );
  assert.match(
    await errorOf(["--walletcerts=wallet1.cert,hcstakepool.conf,certs/w3.cert"]),
    /^walletcerts: ".*hcstakepool\.conf" is not a PEM certificate$/,
  );
});

Deno.test("an extended key of another network, a private one or a garbled one fails at load naming its option", async () => {
  assert.equal(
    await errorOf([`--coldwalletextpub=${xpubOf("simnet")}`]),
    "coldwalletextpub: extended public key is for wrong network (the pool runs on testnet2)",
  );
  assert.equal(
    await errorOf([`--votingwalletextpub=${xpubOf("mainnet")}`]),
    "votingwalletextpub: extended public key is for wrong network (the pool runs on testnet2)",
  );
  assert.match(
    await errorOf([`--votingwalletextpub=${xprvOf("testnet2")}`]),
    /^votingwalletextpub: expected an extended public key/,
  );
  assert.match(await errorOf([`--coldwalletextpub=${COLD.slice(0, -1)}x`]), /^coldwalletextpub: .*checksum/);
});

Deno.test("a config line that does not parse is reported by line number and option, never echoed", async () => {
  const password = "Tr0ub4dor&3-not-in-any-message";
  const withBadLine = (e: string) => sample(e).replace("dbpassword=dbpass-value", `dbpassword ${password}`);
  const message = await errorOf([], withBadLine);
  assert.match(message, /^dbpassword: .*hcstakepool\.conf line 9: expected "option=value"$/);
  assert.ok(!message.includes(password));
  // A line that is only a secret (a wrapped value) names no option.
  const alone = await errorOf([], (e) => `${sample(e)}${password}\n`);
  assert.match(alone, /^configfile: .*line 21: expected "option=value"$/);
  assert.ok(!alone.includes(password));
});

Deno.test("logdir, logformat and per-subsystem debuglevel shape the web app's logging", () =>
  withHome(sample, async ({ file, home }) => {
    const config = Either.getOrThrow(
      await load(
        ["-C", file, "--logdir", "/var/log/pool", "--logformat", "json", "-d", "warn,WLLT=debug"],
        home,
      ),
    );
    assert.equal(config.log.file, "/var/log/pool/testnet2/hcstakepool.log");
    assert.equal(config.log.format, "json");
    assert.deepEqual(config.log.levels, { base: LogLevel.Warning, bySubsystem: { WLLT: LogLevel.Debug } });
    assert.ok(
      config.log.secrets.map(Redacted.value).includes("wallet-pass-2"),
      "list secrets are scrubbed one by one",
    );
    assert.match(await errorOf(["--logformat", "xml"]), /^logformat: expected text or json, got "xml"/);
    assert.match(
      await errorOf(["-d", "VOTR=debug"]),
      /^debuglevel: unknown subsystem "VOTR" \(supported: HCS, /,
    );
    const show = await load(["-C", file, "-d", "show"], home);
    assert.ok(Either.isLeft(show) && show.left._tag === "SubsystemsRequested");
    assert.match(show.left.message, /^Supported subsystems:\n {2}HCS /);
  }));

Deno.test("Go's profiling options are refused when set, with what to use instead", async () => {
  assert.match(
    await errorOf(["--profile=6060"]),
    /^profile: Go profiling is not available .*deno run --inspect/,
  );
  assert.match(await errorOf(["--cpuprofile=cpu.out"]), /^cpuprofile: Go profiling is not available/);
  assert.match(await errorOf(["--memprofile=mem.out"]), /^memprofile: Go profiling is not available/);
});

Deno.test("an explicit config file that does not exist is an error; the default one may be absent", async () => {
  const home = await Deno.makeTempDir();
  try {
    const missing = await load(["-C", `${home}/nope.conf`], home);
    assert.ok(Either.isLeft(missing) && missing.left.message.startsWith("configfile: cannot read"));
    const noFile = await load(["--apisecret=a"], home);
    assert.ok(Either.isLeft(noFile) && noFile.left.message === "cookiesecret: required");
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
