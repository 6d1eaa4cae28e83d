// /status.json answers monitors 200 while the pool can take wallet commands and 503 with the
// reason when fewer than minservers wallets are usable or wallet commands are stopped; /metrics
// shows the same; a pool that is not the demo has no demo shortcuts.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import { signUpAndSignIn, withWebApp } from "../http/support.ts";
import { eventually, metricValue } from "../demo/support.ts";

Deno.test("/status.json: 200 healthy, 503 below minservers or stopped; /metrics follows", async () => {
  await withWebApp({}, async (web) => {
    const status = async () => {
      const r = await fetch(`${web.url}/status.json`);
      assert.equal(r.headers.get("cache-control"), "no-store");
      return { code: r.status, body: await r.json() };
    };
    const metrics = async () => {
      const r = await fetch(`${web.url}/metrics`);
      assert.match(r.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      return r.text();
    };
    assert.deepEqual(await status(), {
      code: 200,
      body: { healthy: true, walletManager: "running", wallets: { usable: 3, configured: 3, minServers: 2 } },
    });
    const healthy = await metrics();
    assert.equal(metricValue(healthy, "hcpool_wallet_manager_running"), 1);
    assert.equal(metricValue(healthy, "hcpool_wallets_usable"), 3);
    assert.equal(metricValue(healthy, "hcpool_wallet_connected", { wallet: "wallet 2" }), 1);
    assert.ok(
      metricValue(healthy, "hcpool_http_requests_total", { route: "/status.json", status: "200" }) >= 1,
    );
    assert.ok(metricValue(healthy, "hcpool_users") >= 0 && healthy.includes("hcpool_users "));

    // Two of three wallets lose their hcd: one usable, below minservers 2.
    await web.sim.control.setFaults(1, { daemonDisconnected: true });
    await web.sim.control.setFaults(2, { daemonDisconnected: true });
    const degraded = await status();
    assert.equal(degraded.code, 503);
    assert.equal(degraded.body.healthy, false);
    assert.match(degraded.body.reason, /1 usable voting wallets, fewer than minservers \(2\)/);
    assert.equal(metricValue(await metrics(), "hcpool_wallets_usable"), 1);
    await web.sim.control.clearFaults();
    await eventually("healthy again", async () => (await status()).code === 200 ? true : undefined);

    // Wallet commands stopped (as after a disagreement): 503 naming the stop.
    await web.run(Effect.flatMap(VotingWallets, (vw) => vw.stop("a test stopped wallet commands")));
    const stopped = await status();
    assert.equal(stopped.code, 503);
    assert.equal(stopped.body.walletManager, "stopped");
    assert.match(stopped.body.reason, /wallet commands stopped since .*: a test stopped wallet commands/);
    assert.equal(metricValue(await metrics(), "hcpool_wallet_manager_running"), 0);
  });
});

Deno.test("a pool that is not the demo shows no demo shortcut and answers 404 on /demo/tickets", async () => {
  await withWebApp({}, async (web) => {
    const client = web.client();
    await signUpAndSignIn(web, client, "visitor@example.test", "correct horse battery staple");
    const address = await client.get("/address");
    assert.equal(address.status, 200);
    assert.doesNotMatch(address.text, /demo wallet/i);
    const buy = await client.submit("/address", { count: "1" }, "/demo/tickets");
    assert.equal(buy.status, 404);
  });
});
