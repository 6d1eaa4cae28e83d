import assert from "node:assert/strict";
import { Effect, Either, Redacted } from "effect";
import { loadStakepooldConfig } from "../../src/config/stakepoold.ts";

const SAMPLE = `[Application Options]
simnet=1
coldwalletextpub=spubCold
dbhost=127.0.0.1
dbuser=stakepool
dbpassword=dbpass
hcdhost=127.0.0.1
hcduser=hcd
hcdpassword=hcdpass
hcdcert=hcd.cert
wallethost=127.0.0.1:19557
walletuser=w
walletpassword=wpass
walletcert=/etc/hcwallet/rpc.cert
controlsecret=shared-secret
`;

const withAppData = async <A>(text: string, run: (appdata: string) => Promise<A>) => {
  const appdata = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${appdata}/stakepoold.conf`, text);
    return await run(appdata);
  } finally {
    await Deno.remove(appdata, { recursive: true });
  }
};

const load = (argv: string[]) => Effect.runPromise(Effect.either(loadStakepooldConfig(argv)));

Deno.test("stakepoold.conf in appdata parses with defaults, HC ports and paths under appdata", () =>
  withAppData(SAMPLE, async (appdata) => {
    const config = Either.getOrThrow(await load(["-A", appdata]));
    assert.equal(config.network, "simnet");
    assert.equal(config.poolFees, 5);
    assert.equal(config.hcd.host, "127.0.0.1:13009");
    assert.equal(config.hcd.certPath, `${appdata}/hcd.cert`);
    assert.equal(config.wallet.host, "127.0.0.1:19557");
    assert.equal(config.wallet.certPath, "/etc/hcwallet/rpc.cert");
    assert.deepEqual(config.rpcListen, ["localhost:19560"]);
    assert.equal(config.rpcCert, `${appdata}/rpc.cert`);
    assert.equal(config.rpcKey, `${appdata}/rpc.key`);
    assert.equal(config.dataDir, `${appdata}/data/simnet`);
    assert.equal(config.controlSecret && Redacted.value(config.controlSecret), "shared-secret");
    assert.equal(config.noRpcListen, false);
  }));

Deno.test("stakepoold flags override the file; norpclisten makes the control secret optional", () =>
  withAppData(SAMPLE.replace("controlsecret=shared-secret\n", ""), async (appdata) => {
    const config = Either.getOrThrow(
      await load(["--appdata", appdata, "--norpclisten", "--poolfees", "7.5", "--rpclisten=0.0.0.0:9999"]),
    );
    assert.equal(config.noRpcListen, true);
    assert.equal(config.poolFees, 7.5);
    assert.deepEqual(config.rpcListen, ["0.0.0.0:9999"]);
    assert.equal(config.controlSecret, undefined);
  }));

Deno.test("stakepoold bad values name their option", () =>
  withAppData(SAMPLE, async (appdata) => {
    const message = async (argv: string[]) => {
      const r = await load(["-A", appdata, ...argv]);
      assert.ok(Either.isLeft(r));
      return r.left.message;
    };
    assert.equal(
      await message(["--poolfees=0"]),
      "poolfees: expected a percentage between 0.01 and 100, got 0",
    );
    assert.equal(
      await message(["--poolfees=100.5"]),
      "poolfees: expected a percentage between 0.01 and 100, got 100.5",
    );
    assert.equal(await message(["--hcdhost="]), "hcdhost: required");
    assert.equal(
      await message(["--controlsecret="]),
      "controlsecret: required unless norpclisten is set (the web app presents it)",
    );
    assert.match(await message(["--profile=80"]), /^profile: expected an integer from 1024 to 65535/);
  }));
