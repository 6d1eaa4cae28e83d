import assert from "node:assert/strict";
import { Effect, Either, Redacted } from "effect";
import { loadPoolConfig } from "../../src/config/pool.ts";

const SAMPLE = `[Application Options]
; hcstakepool.conf as the original reads it
testnet=1
apisecret=api-secret-value
cookiesecret=cookie-secret-value
coldwalletextpub=tpubCold
votingwalletextpub=tpubVote
dbhost=db.local
dbpassword=dbpass
wallethosts=10.0.0.1,10.0.0.2:19999,[::1]
walletusers=u1,u2,u3
walletpasswords=p1,p2,p3
walletcerts=wallet1.cert,/abs/wallet2.cert,certs/w3.cert
adminips=127.0.0.1,10.0.0.9
adminuserids=1,42
poolfees=5
baseurl=https://pool.example/
enablestakepoold=1
stakepooldhosts=10.0.0.1,10.0.0.2
stakepooldcerts=s1.cert,s2.cert
`;

const withConfig = async <A>(text: string, run: (file: string, home: string) => Promise<A>) => {
  const home = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${home}/hcstakepool.conf`, text);
    return await run(`${home}/hcstakepool.conf`, home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
};

const load = (argv: string[], home: string) => Effect.runPromise(Effect.either(loadPoolConfig(argv, home)));

Deno.test("a sample hcstakepool.conf parses with the original's names, defaults and per-net ports", () =>
  withConfig(SAMPLE, async (file, home) => {
    const config = Either.getOrThrow(await load(["-C", file], home));
    assert.equal(config.network, "testnet2");
    assert.deepEqual(config.wallets.map((w) => w.host), ["10.0.0.1:12010", "10.0.0.2:19999", "[::1]:12010"]);
    assert.deepEqual(config.wallets.map((w) => w.certPath), [
      `${home}/wallet1.cert`,
      "/abs/wallet2.cert",
      `${home}/certs/w3.cert`,
    ]);
    assert.equal(Redacted.value(config.wallets[2].password), "p3");
    assert.deepEqual(config.stakepoolds.map((s) => s.host), ["10.0.0.1:19113", "10.0.0.2:19113"]);
    assert.deepEqual(config.adminUserIds, [1, 42]);
    assert.equal(config.poolFees, 5);
    assert.equal(config.baseUrl, "https://pool.example");
    assert.equal(config.minServers, 2);
    assert.equal(config.maxVotedAge, 8640);
    assert.equal(config.listen, ":8000");
    assert.equal(config.database.dbhost, "db.local");
    assert.equal(config.database.dbport, 3306);
    assert.ok(!JSON.stringify(config).includes("api-secret-value"), "secrets stay redacted");
  }));

Deno.test("flags override the file, as --name=value and --name value", () =>
  withConfig(SAMPLE, async (file, home) => {
    const config = Either.getOrThrow(
      await load(
        ["--configfile", file, "--poolfees=2.5", "--minservers", "3", "--closepool", "-d", "debug"],
        home,
      ),
    );
    assert.equal(config.poolFees, 2.5);
    assert.equal(config.minServers, 3);
    assert.equal(config.closePool, true);
    assert.equal(config.debugLevel, "debug");
  }));

const errorOf = async (argv: string[], text = SAMPLE) =>
  await withConfig(text, async (file, home) => {
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
  assert.match(await errorOf(["--debuglevel=loud"]), /^debuglevel: /);
  assert.match(await errorOf(["--nosuch=1"]), /^nosuch: unknown option/);
  assert.equal(await errorOf([], SAMPLE.replace("apisecret=api-secret-value\n", "")), "apisecret: required");
  assert.match(await errorOf([], `${SAMPLE}walletpasswrods=x\n`), /^walletpasswrods: unknown option/);
  assert.match(await errorOf(["--testnet=yes"]), /^testnet: expected 1, true, 0 or false/);
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
