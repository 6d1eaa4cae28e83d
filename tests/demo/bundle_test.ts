// The single-file builds (deno task bundle) run from an empty directory with the permissions the
// systemd units grant: hcstakepool.js runs the demo there (pages, assets, /status.json), and
// stakepoold.js, configured as an operator would for the demo's voting node 0, connects to its hcd
// and hcwallet and serves its control API.
import assert from "node:assert/strict";
import { DemoProcess, eventually, freePort, httpsGet, metricValue, readDemoFile, REPO } from "./support.ts";

Deno.test("the bundled hcstakepool.js runs the demo and stakepoold.js serves a voting node beside it, from an empty directory", async () => {
  const work = await Deno.makeTempDir({ prefix: "hcs_bundle_" });
  const out = `${work}/out`;
  const empty = `${work}/empty`;
  await Deno.mkdir(empty);
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "deploy/bundle.ts", out],
    cwd: REPO,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
  for (const file of ["hcstakepool.js", "stakepoold.js"]) {
    await Deno.copyFile(`${out}/${file}`, `${empty}/${file}`);
  }
  await Deno.remove(out, { recursive: true });

  const port = freePort();
  // With the permissions the systemd units in deploy/ grant, not -A.
  const PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys"];
  const run = (file: string, args: ReadonlyArray<string>, url = "") =>
    new DemoProcess(Deno.execPath(), ["run", ...PERMISSIONS, file, ...args], empty, url);
  const demo = run(
    "hcstakepool.js",
    ["start", "--datadir", "data", "--listen", `127.0.0.1:${port}`, "--nocaptcha", "--blockinterval", "0"],
    `http://127.0.0.1:${port}`,
  );
  let stakepoold: DemoProcess | undefined;
  try {
    await demo.servesHome();
    const css = await fetch(`${demo.url}/assets/css/site.css`);
    assert.equal(css.status, 200, "the assets are built into the file");
    assert.match(await css.text(), /\S/);
    assert.equal((await fetch(`${demo.url}/status.json`).then((r) => r.json())).healthy, true);
    assert.match(await fetch(`${demo.url}/signup`).then((r) => r.text()), /csrf_token/);

    const version = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "stakepoold.js", "-V"],
      cwd: empty,
      stdout: "piped",
    }).output();
    assert.match(new TextDecoder().decode(version.stdout), /^stakepoold version \d+\.\d+\.\d+/);

    // A fourth stakepoold for voting node 0, on the demo's embedded store.
    const endpoints = await readDemoFile(`${empty}/data`);
    const node = endpoints.nodes[0];
    const controlPort = freePort();
    await Deno.writeTextFile(
      `${empty}/stakepoold.conf`,
      [
        "simnet=1",
        `appdata=${empty}/spd`,
        `datadir=${empty}/data`,
        `coldwalletextpub=${endpoints.coldWalletXpub}`,
        "poolfees=7.5",
        `hcdhost=${new URL(node.hcd.url).host}`,
        `hcduser=${node.hcd.user}`,
        `hcdpassword=${node.hcd.password}`,
        `hcdcert=${node.hcd.cert}`,
        `wallethost=${new URL(node.wallet.url).host}`,
        `walletuser=${node.wallet.user}`,
        `walletpassword=${node.wallet.password}`,
        `walletcert=${node.wallet.cert}`,
        `rpclisten=127.0.0.1:${controlPort}`,
        "controlsecret=bundle-test-control-secret",
      ].join("\n"),
    );
    stakepoold = run("stakepoold.js", ["-C", "stakepoold.conf"]);
    await stakepoold.waitForOutput(/control API listening/, "the bundled stakepoold's control API", 120_000);
    const cert = await Deno.readTextFile(`${empty}/spd/rpc.cert`);
    const metrics = await eventually("its ticket set built", async () => {
      const answer = await httpsGet(`https://127.0.0.1:${controlPort}/metrics`, cert, {
        authorization: "Bearer bundle-test-control-secret",
      });
      return answer.status === 200 && answer.body.includes("stakepoold_best_block_height")
        ? answer.body
        : undefined;
    });
    assert.equal(metricValue(metrics, "stakepoold_connected", { peer: "hcd" }), 1);
    assert.equal(metricValue(metrics, "stakepoold_connected", { peer: "hcwallet" }), 1);
    assert.equal(await stakepoold.stop(), 0, "the bundled stakepoold stops cleanly");
    assert.equal(await demo.stop(), 0, "the bundled demo stops cleanly");
  } finally {
    await stakepoold?.stop();
    await demo.stop();
    await Deno.remove(work, { recursive: true });
  }
});
