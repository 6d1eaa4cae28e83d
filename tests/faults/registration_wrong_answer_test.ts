// A voting wallet answering wrong while a user registers an address (hcsim's disagreeRedeemScript:
// its createmultisig returns another script), through the address page and through the API: the
// pool stops wallet commands, the user sees the maintenance page and no user row, script or
// stakepoold push is half-done — no wallet imported the script, the row has no address. Once the
// wallet answers right again and an admin resumes, the same user registers; every wallet then
// holds the script exactly once and the row the address the pool computed itself.
import assert from "node:assert/strict";
import { Effect, Either, Option } from "effect";
import { localRegistration } from "../../src/wallets/address_registration.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { Users } from "../../src/storage/users.ts";
import { alertsOf, hiddenField, type TestWebApp, withWebApp } from "../http/support.ts";
import { userWallet } from "../http/pool_support.ts";
import { signedUpUser } from "../api/support.ts";

const WRONG_NODE = 1;

const userRow = (web: TestWebApp, userId: number) =>
  web.run(Effect.flatMap(Users, (u) => u.byId(userId))).then(Option.getOrThrow);

/** How many times each voting wallet holds `script`. */
const heldBy = (web: TestWebApp, script: string) =>
  web.sim.nodes.map((n) => n.wallet.listScripts().filter((s) => s.redeemscript === script).length);

Deno.test("a wallet answering wrong during registration: nothing half-done, then registered once everywhere", () =>
  withWebApp({ options: { adminips: "127.0.0.1" } }, async (web) => {
    const admin = await signedUpUser(web, "admin@example.test"); // UserId 1: the admin
    const page = await signedUpUser(web, "page@example.test");
    const api = await signedUpUser(web, "api@example.test");
    const wallet = userWallet(web.sim);
    const net = NETWORKS[web.sim.endpoints.net];
    const keys = {
      votingWalletExtPub: Either.getOrThrow(parseExtendedKey(web.sim.endpoints.votingWalletXpub, net)),
      coldWalletExtPub: Either.getOrThrow(parseExtendedKey(web.sim.endpoints.coldWalletXpub, net)),
    };
    const pageKey = await wallet.newPubKeyAddress();
    const apiKey = await wallet.newPubKeyAddress();
    const expected = (userId: number, key: string) =>
      Either.getOrThrow(localRegistration(net, keys, userId, key));
    const usersBefore = await web.run(Effect.flatMap(Users, (u) => u.count));

    await web.sim.control.setFaults(WRONG_NODE, { disagreeRedeemScript: true });
    const refused = await page.client.submit("/address", { UserPubKeyAddr: pageKey });
    assert.equal(refused.status, 503, "the maintenance page");
    const apiRefused = await fetch(`${web.url}/api/v1/address`, {
      method: "POST",
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ UserPubKeyAddr: apiKey }).toString(),
    });
    const envelope = await apiRefused.json();
    assert.notEqual(envelope.status, "success");
    assert.ok(envelope.message !== "", "the API says why");

    for (const [who, key] of [[page, pageKey], [api, apiKey]] as const) {
      const row = await userRow(web, who.userId);
      assert.equal(row.MultiSigAddress, "", "no address stored");
      assert.deepEqual(
        heldBy(web, expected(who.userId, key).redeemScript),
        [0, 0, 0],
        "no wallet imported it",
      );
    }
    assert.equal(
      await web.run(Effect.flatMap(Users, (u) => u.count)),
      usersBefore,
      "no user row added or lost",
    );

    // The wallet answers right again; the admin checks and resumes.
    await web.sim.control.clearFaults(WRONG_NODE);
    const status = await admin.client.get("/status");
    assert.equal(status.status, 500, "stopped wallet commands show on /status");
    const resumed = await admin.client.follow(
      await admin.client.post("/status", {
        csrf_token: hiddenField(status.text, "csrf_token")!,
        action: "resume",
      }),
    );
    assert.ok(alertsOf(resumed.text).some((a) => a.includes("running again")), alertsOf(resumed.text).join());

    const accepted = await page.client.submit("/address", { UserPubKeyAddr: pageKey });
    assert.equal(accepted.location, "/tickets");
    const apiAccepted = await fetch(`${web.url}/api/v1/address`, {
      method: "POST",
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ UserPubKeyAddr: apiKey }).toString(),
    });
    assert.equal((await apiAccepted.json()).status, "success");
    for (const [who, key] of [[page, pageKey], [api, apiKey]] as const) {
      const local = expected(who.userId, key);
      const row = await userRow(web, who.userId);
      assert.equal(row.MultiSigAddress, local.multisigAddress, "the address the pool computed");
      assert.equal(row.MultiSigScript, local.redeemScript);
      assert.deepEqual(heldBy(web, local.redeemScript), [1, 1, 1], "every wallet holds it once");
    }
    assert.equal(await web.run(Effect.flatMap(Users, (u) => u.count)), usersBefore);
  }));
