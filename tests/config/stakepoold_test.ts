import assert from "node:assert/strict";
import { Effect, Either, LogLevel, Redacted } from "effect";
import { serializeExtendedKey } from "../../src/domain/hdkey.ts";
import { loadStakepooldConfig } from "../../src/config/stakepoold.ts";
import { writeCert, xpubOf } from "./support.ts";

const COLD = xpubOf("simnet");

/** stakepoold.conf for appdata `dir`; the wallet's certificate sits outside it (absolute path). */
const sample = (elsewhere: string) =>
  `[Application Options]
simnet=1
coldwalletextpub=${COLD}
dbhost=127.0.0.1
dbuser=stakepool
dbpassword=db-pass-value
hcdhost=127.0.0.1
hcduser=hcd
hcdpassword=hcd-pass-value
hcdcert=hcd.cert
wallethost=127.0.0.1:19557
walletuser=w
walletpassword=wallet-pass-value
walletcert=${elsewhere}/rpc.cert
controlsecret=shared-secret-value
`;

const withAppData = async <A>(
  text: (elsewhere: string) => string,
  run: (appdata: string, elsewhere: string) => Promise<A>,
) => {
  const appdata = await Deno.makeTempDir();
  const elsewhere = await Deno.makeTempDir();
  try {
    await writeCert(`${appdata}/hcd.cert`);
    await writeCert(`${elsewhere}/rpc.cert`);
    await Deno.writeTextFile(`${appdata}/stakepoold.conf`, text(elsewhere));
    return await run(appdata, elsewhere);
  } finally {
    await Deno.remove(appdata, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
};

const load = (argv: string[]) => Effect.runPromise(Effect.either(loadStakepooldConfig(argv)));

const message = async (argv: string[]) => {
  const r = await load(argv);
  assert.ok(Either.isLeft(r), `expected an error for ${argv.join(" ")}`);
  return r.left.message;
};

Deno.test("stakepoold.conf in appdata parses with defaults, HC ports and paths under appdata", () =>
  withAppData(sample, async (appdata, elsewhere) => {
    const config = Either.getOrThrow(await load(["-A", appdata]));
    assert.equal(config.network, "simnet");
    assert.equal(config.poolFees, 5);
    assert.equal(config.hcd.url, "https://127.0.0.1:13009");
    assert.equal(config.hcd.certPem, await Deno.readTextFile(`${appdata}/hcd.cert`));
    assert.equal(config.wallet.url, "https://127.0.0.1:19557");
    assert.equal(config.wallet.certPem, await Deno.readTextFile(`${elsewhere}/rpc.cert`));
    assert.equal(Redacted.value(config.wallet.password), "wallet-pass-value");
    assert.equal(serializeExtendedKey(config.coldWalletExtPub), COLD);
    assert.deepEqual(config.rpcListen, ["localhost:19560"]);
    assert.equal(config.rpcCert, `${appdata}/rpc.cert`);
    assert.equal(config.rpcKey, `${appdata}/rpc.key`);
    assert.equal(config.dataDir, `${appdata}/data/simnet`);
    assert.equal(config.log.file, `${appdata}/logs/simnet/stakepoold.log`);
    assert.equal(config.controlSecret && Redacted.value(config.controlSecret), "shared-secret-value");
    assert.equal(config.noRpcListen, false);
    assert.deepEqual(
      config.log.secrets.map(Redacted.value).sort(),
      ["db-pass-value", "hcd-pass-value", "shared-secret-value", "wallet-pass-value"],
    );
  }));

Deno.test("stakepoold flags override the file; norpclisten makes the control secret optional", () =>
  withAppData((e) => sample(e).replace("controlsecret=shared-secret-value\n", ""), async (appdata) => {
    const config = Either.getOrThrow(
      await load(["--appdata", appdata, "--norpclisten", "--poolfees", "7.5", "--rpclisten=0.0.0.0:9999"]),
    );
    assert.equal(config.noRpcListen, true);
    assert.equal(config.poolFees, 7.5);
    assert.deepEqual(config.rpcListen, ["0.0.0.0:9999"]);
    assert.equal(config.controlSecret, undefined);
  }));

Deno.test("stakepoold bad values name their option", () =>
  withAppData(sample, async (appdata) => {
    const bad = (argv: string[]) => message(["-A", appdata, ...argv]);
    assert.equal(await bad(["--poolfees=0"]), "poolfees: expected a percentage between 0.01 and 100, got 0");
    assert.equal(
      await bad(["--poolfees=100.5"]),
      "poolfees: expected a percentage between 0.01 and 100, got 100.5",
    );
    assert.equal(await bad(["--hcdhost="]), "hcdhost: required");
    assert.equal(
      await bad(["--controlsecret="]),
      "controlsecret: required unless norpclisten is set (the web app presents it)",
    );
  }));

Deno.test("stakepoold without dbpassword beside dbhost is refused, as the web app is", () =>
  withAppData((e) => sample(e).replace("dbpassword=db-pass-value\n", ""), async (appdata) => {
    assert.equal(await message(["-A", appdata]), "dbpassword: required when dbhost is set");
  }));

Deno.test("a missing hcd or wallet certificate fails at load naming hcdcert or walletcert", () =>
  withAppData(sample, async (appdata) => {
    await Deno.remove(`${appdata}/hcd.cert`);
    assert.match(
      await message(["-A", appdata]),
      new RegExp(`^hcdcert: cannot read "${appdata}/hcd.cert": No such file`),
    );
    await writeCert(`${appdata}/hcd.cert`);
    assert.match(
      await message(["-A", appdata, "--walletcert=/nonexistent/rpc.cert"]),
      /^walletcert: cannot read/,
    );
  }));

Deno.test("coldwalletextpub of another network fails at load naming it", () =>
  withAppData(sample, async (appdata) => {
    assert.equal(
      await message(["-A", appdata, `--coldwalletextpub=${xpubOf("testnet2")}`]),
      "coldwalletextpub: extended public key is for wrong network (the pool runs on simnet)",
    );
    assert.equal(await message(["-A", appdata, "--coldwalletextpub="]), "coldwalletextpub: required");
  }));

Deno.test("a stakepoold.conf line that does not parse names its line and option, not its text", () =>
  withAppData(
    (e) => sample(e).replace("hcdpassword=hcd-pass-value", "hcdpassword: s3cret-in-a-bad-line"),
    async (appdata) => {
      const text = await message(["-A", appdata]);
      assert.equal(text, `hcdpassword: ${appdata}/stakepoold.conf line 9: expected "option=value"`);
      assert.ok(!text.includes("s3cret-in-a-bad-line"));
    },
  ));

Deno.test("stakepoold's logdir, logformat and debuglevel: pairs by subsystem, off, show; Go profiling refused", () =>
  withAppData(sample, async (appdata) => {
    const config = Either.getOrThrow(
      await load(["-A", appdata, "--logdir=/srv/spd-logs", "--logformat=json", "-d", "VOTR=trace,db=off"]),
    );
    assert.equal(config.log.file, "/srv/spd-logs/simnet/stakepoold.log");
    assert.equal(config.log.format, "json");
    assert.deepEqual(config.log.levels, {
      base: LogLevel.Info,
      bySubsystem: { VOTR: LogLevel.Trace, DB: LogLevel.None },
    });
    assert.equal(
      await message(["-A", appdata, "-d", "VOTR=loud"]),
      'debuglevel: unknown level "loud" for VOTR (trace, debug, info, warn, error, critical, off)',
    );
    assert.match(await message(["-A", appdata, "-d", "WLLT=debug"]), /^debuglevel: unknown subsystem "WLLT"/);
    const show = await load(["-A", appdata, "--debuglevel=show"]);
    assert.ok(Either.isLeft(show) && show.left._tag === "SubsystemsRequested");
    for (const name of ["STPK", "RPCC", "FEED", "TKTS", "VOTR", "CTRL", "DB"]) {
      assert.match(show.left.message, new RegExp(`\\n {2}${name} +\\S`));
    }
    assert.match(
      await message(["-A", appdata, "--cpuprofile=/tmp/cpu"]),
      /^cpuprofile: Go profiling is not available/,
    );
    assert.equal(Either.isRight(await load(["-A", appdata, "--profile="])), true, "empty stays accepted");
  }));
