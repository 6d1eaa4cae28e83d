// The API's contract (issue 13): every command's success and error envelope on v1 and v2 against
// the fixtures written from the original (behaviour §2.4), the token rules, and every answer
// signed. Each call goes through ApiClient, which fails on an answer whose signature does not
// verify with the key the home page and stats publish.
import assert from "node:assert/strict";
import * as SqlClient from "@effect/sql/SqlClient";
import { Effect, Option } from "effect";
import { sign } from "hono/jwt";
import { decodeAddress, encodeAddress } from "../../src/domain/address.ts";
import { goJson } from "../../src/http/api/envelope.ts";
import { sqlLayer } from "../../src/storage/sql.ts";
import { Users } from "../../src/storage/users.ts";
import { VotingWallets } from "../../src/wallets/voting_wallets.ts";
import { withWebApp } from "../http/support.ts";
import { API_COMMANDS } from "../../src/http/api/router.ts";
import {
  ApiClient,
  assertContract,
  assertOpenApi,
  SIGNATURE_HEADER,
  signatureValid,
  signedUpUser,
  userPubKeyAddress,
} from "./support.ts";

const VERSIONS = [1, 2] as const;
const API_SECRET = "test-api-secret-0123456789"; // tests/http/support.ts poolOptions

Deno.test("Go's JSON bytes: HTML-safe escapes and one trailing newline", () => {
  assert.equal(goJson({ message: "a<b>&c\u2028" }), '{"message":"a\\u003cb\\u003e\\u0026c\\u2028"}\n');
  assert.equal(goJson({ f: 7.5, n: 1e21, s: 1e-7 }), '{"f":7.5,"n":1e+21,"s":1e-7}\n');
});

Deno.test("v1 and v2: every command's envelopes as the original's, bound tokens, signed answers", async (t) => {
  // Loose write limits: this test sends many refused writes on purpose (the limits have their own test).
  const loose = { points: 10_000, seconds: 60 };
  await withWebApp({ rateRules: { "apiwrite:ip": loose, "apiwrite:account": loose } }, async (web) => {
    const api = await ApiClient.connect(web.url);
    const alice = await signedUpUser(web, "alice@example.test");

    await t.step("public commands: stats, generatecaptcha", async () => {
      // The user counts are kept a few seconds (USER_COUNTS_TTL) and ApiClient.connect read them
      // before alice signed up: she is counted once they are read again.
      const deadline = Date.now() + 120_000;
      while ((await api.call("GET", "/api/v1/stats")).body.data?.UserCount !== 1) {
        if (Date.now() > deadline) assert.fail("stats never counted alice");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const v of VERSIONS) {
        const stats = await api.call("GET", `/api/v${v}/stats`);
        assertContract(stats, "stats", "success");
        assert.deepEqual(stats.body.data.APIVersionsSupported, [1, 2]);
        assert.equal(stats.body.data.Network, "simnet");
        assert.equal(stats.body.data.PoolStatus, "Open");
        assert.equal(stats.body.data.PoolEmail, "support@pool.example");
        assert.equal(stats.body.data.UserCount, 1);
        assert.equal(stats.body.data.UserCountActive, 0);
        const captcha = await api.call("GET", `/api/v${v}/generatecaptcha`);
        assertContract(captcha, "generatecaptcha", "success");
        assert.match(captcha.body.data.ImageBlob, /^data:image\/png;base64,iVBORw0KGgo/);
        assert.match(
          web.captchaAnswer(captcha.body.data.CaptchaId) ?? "",
          /^\d{6}$/,
          "the id names a live challenge",
        );
      }
      // The exact bytes of one answer, as Go's encoder wrote them.
      const bytes = await api.call("GET", "/api/v1/getpurchaseinfo");
      assert.equal(
        bytes.text,
        '{"status":"error","code":16,"message":"purchaseinfo error - invalid api token","data":null}\n',
      );
    });

    await t.step(
      "before an address: purchase info refused, voting works, v2 reads the preferences",
      async () => {
        for (const v of VERSIONS) {
          assertContract(await api.call("GET", `/api/v${v}/getpurchaseinfo`), "getpurchaseinfo", "no token");
          assertContract(
            await api.call("GET", `/api/v${v}/getpurchaseinfo`, { token: alice.token }),
            "getpurchaseinfo",
            "no address",
          );
          assertContract(
            await api.call("POST", `/api/v${v}/voting`, { form: { VoteBits: "5" } }),
            "voting",
            "no token",
          );
          for (const bad of ["", "abc", "5.0", "0x5", "65537", "-1"]) {
            assertContract(
              await api.call("POST", `/api/v${v}/voting`, { token: alice.token, form: { VoteBits: bad } }),
              "voting",
              "not a number",
            );
          }
          for (const bad of ["7", "0", "4", "9"]) {
            assertContract(
              await api.call("POST", `/api/v${v}/voting`, { token: alice.token, form: { VoteBits: bad } }),
              "voting",
              "invalid bits",
            );
          }
        }
        assertContract(
          await api.call("POST", "/api/v1/voting", { token: alice.token, form: { VoteBits: "5" } }),
          "voting",
          "success",
        );
        const multipart = new FormData();
        multipart.set("VoteBits", "5");
        assertContract(
          await api.call("POST", "/api/v2/voting", { token: alice.token, raw: { body: multipart } }),
          "voting",
          "success",
        );
        assertContract(
          await api.call("POST", "/api/v2/voting", { token: alice.token, json: { VoteBits: 3 } }),
          "voting",
          "success",
        );
        for (const body of ["{nope", "[5]", '{"VoteBits":[5]}']) {
          assertContract(
            await api.call("POST", "/api/v2/voting", {
              token: alice.token,
              raw: { body, contentType: "application/json" },
            }),
            "limits",
            "voting malformed body",
          );
        }
        // Another body type gives no fields, as Go's FormValue did.
        assertContract(
          await api.call("POST", "/api/v1/voting", {
            token: alice.token,
            raw: { body: "VoteBits=5", contentType: "text/plain" },
          }),
          "voting",
          "not a number",
        );
        const prefs = await api.call("GET", "/api/v2/voting", { token: alice.token });
        assertContract(prefs, "voting (GET, v2)", "success");
        assert.equal(prefs.body.data.VoteBits, 3);
        assert.equal(prefs.body.data.VoteVersion, 7);
        assert.deepEqual(
          prefs.body.data.Agendas.map((
            a: { Id: string; Choices: Array<{ Id: string; Selected: boolean }> },
          ) => [
            a.Id,
            a.Choices.filter((c) => c.Selected).map((c) => c.Id),
          ]),
          [["maxblocksize", ["no"]]],
        );
        assertContract(await api.call("GET", "/api/v2/voting"), "voting (GET, v2)", "no token");
        assertContract(
          await api.call("GET", "/api/v1/voting", { token: alice.token }),
          "invalid",
          "unknown command or version",
        );
      },
    );

    await t.step("address: refusals in the original's order and words, then the ticket address", async () => {
      const mine = await userPubKeyAddress(web);
      const decoded = decodeAddress(mine);
      assert.ok(decoded._tag === "Right" && decoded.right.kind === "pubkey");
      const schnorr = encodeAddress({ ...decoded.right, sigType: "schnorr" } as typeof decoded.right);
      const cases: ReadonlyArray<[string, string]> = [
        ["Sk" + "1".repeat(30), "too short"],
        ["Sk" + "1".repeat(64), "too long"],
        // A real hcwallet's post-quantum pubkey address is 1 234 characters.
        ["Sk" + "9".repeat(1232), "too long"],
        ["Sk" + "2".repeat(50), "undecodable"],
        [mine.replace(/^S/, "T"), "undecodable"],
        [schnorr, "wrong type"],
      ];
      for (const v of VERSIONS) {
        assertContract(
          await api.call("POST", `/api/v${v}/address`, { form: { UserPubKeyAddr: mine } }),
          "address",
          "no token",
        );
        for (const [address, name] of cases) {
          assertContract(
            await api.call("POST", `/api/v${v}/address`, {
              token: alice.token,
              form: { UserPubKeyAddr: address },
            }),
            "address",
            name,
          );
        }
      }
      assertContract(
        await api.call("POST", "/api/v1/address", { token: alice.token, form: { UserPubKeyAddr: mine } }),
        "address",
        "success",
      );
      for (const v of VERSIONS) {
        assertContract(
          await api.call("POST", `/api/v${v}/address`, {
            token: alice.token,
            json: { UserPubKeyAddr: mine },
          }),
          "address",
          "already submitted",
        );
        const info = await api.call("GET", `/api/v${v}/getpurchaseinfo`, { token: alice.token });
        assertContract(info, "getpurchaseinfo", "success");
        const user = Option.getOrThrow(await web.run(Effect.flatMap(Users, (u) => u.byId(alice.userId))));
        assert.deepEqual(info.body.data, {
          PoolAddress: user.UserFeeAddr,
          PoolFees: 7.5,
          Script: user.MultiSigScript,
          TicketAddress: user.MultiSigAddress,
          VoteBits: 3,
          VoteBitsVersion: 7,
        });
        assert.equal(user.UserPubKeyAddr, mine);
      }
    });

    await t.step("tokens: only the user's current token, only from the Authorization header", async () => {
      const id = alice.userId;
      const now = Math.floor(Date.now() / 1000);
      const claims = { iat: now, iss: web.url, loggedInAs: id };
      const refused = async (
        what: string,
        options: Parameters<ApiClient["call"]>[2],
        path = "/api/v1/getpurchaseinfo",
      ) => {
        const answer = await api.call("GET", path, options);
        assert.equal(answer.body.code, 16, `${what}: ${answer.text}`);
      };
      await refused("another secret", { token: await sign(claims, "another-secret", "HS256") });
      await refused("the right secret but not the stored token", {
        token: await sign(claims, API_SECRET, "HS256"),
      });
      const header = btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "");
      const payload = btoa(JSON.stringify(claims)).replace(/=+$/, "");
      await refused("alg none", { token: `${header}.${payload}.` });
      await refused("in the query string", {}, `/api/v1/getpurchaseinfo?token=${alice.token}`);
      await refused("in the query string as apitoken", {}, `/api/v1/getpurchaseinfo?apitoken=${alice.token}`);
      for (
        const authorization of [
          "Bearer",
          "Bearer ",
          `bearer ${alice.token}`,
          `Token ${alice.token}`,
          `Basic ${alice.token}`,
          `Bearer ${alice.token}x`,
          `Bearer ${"a".repeat(5000)}`,
        ]
      ) {
        await refused(`header "${authorization.slice(0, 20)}…"`, { headers: { authorization } });
      }

      // A token made by the Go program (HS256 with iat, iss, loggedInAs; HS512 also verified) keeps working.
      for (const alg of ["HS256", "HS384", "HS512"] as const) {
        const goToken = await sign(claims, API_SECRET, alg);
        await web.run(Effect.flatMap(Users, (u) => u.setApiToken(id, goToken)));
        const ok = await api.call("GET", "/api/v2/getpurchaseinfo", { token: goToken });
        assert.equal(ok.body.code, 0, `${alg}: ${ok.text}`);
        await refused(`${alg} after the old token`, { token: alice.token });
      }

      // Regenerating on /settings revokes the token in use.
      const before = (await api.call("GET", "/api/v1/getpurchaseinfo", { token: alice.token })).body.code;
      assert.equal(before, 16);
      const settings = await alice.client.follow(
        await alice.client.submit("/settings", { regenerateToken: "true" }),
      );
      const fresh = /<pre class="token"[^>]*>([^<]+)<\/pre>/.exec(settings.text)![1];
      assert.equal((await api.call("GET", "/api/v1/getpurchaseinfo", { token: fresh })).body.code, 0);
      const again = await alice.client.follow(
        await alice.client.submit("/settings", { regenerateToken: "true" }),
      );
      const newest = /<pre class="token"[^>]*>([^<]+)<\/pre>/.exec(again.text)![1];
      await refused("a regenerated (old) token", { token: fresh });
      assert.equal((await api.call("GET", "/api/v1/getpurchaseinfo", { token: newest })).body.code, 0);

      // A deleted user's token.
      const bob = await signedUpUser(web, "bob@example.test");
      assert.equal((await api.call("GET", "/api/v1/getpurchaseinfo", { token: bob.token })).body.code, 9);
      await Effect.runPromise(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql`DELETE FROM Users WHERE UserId = ${bob.userId}`)
          .pipe(
            Effect.provide(sqlLayer(web.database)),
          ),
      );
      await refused("a deleted user's token", { token: bob.token });
      assert.ok(web.logs.some((line) => line.includes("api token refused")), "refused tokens are logged");
      for (const token of [alice.token, fresh, newest, bob.token]) {
        assert.ok(!web.logs.some((line) => line.includes(token)), "no token in any log line");
      }
    });

    await t.step("anything else under /api: the original's 404", async () => {
      for (
        const [method, path] of [
          ["GET", "/api/v3/stats"],
          ["GET", "/api/v1/nope"],
          ["GET", "/api/v1/STATS"],
          ["POST", "/api/v1/stats"],
          ["GET", "/api/v1/address"],
          ["PUT", "/api/v2/voting"],
          ["DELETE", "/api/v1/getpurchaseinfo"],
          ["GET", "/api/"],
          ["GET", "/api/v1/"],
          ["GET", "/api/v1/stats/more"],
        ]
      ) {
        assertContract(await api.call(method, path), "invalid", "unknown command or version");
      }
    });

    await t.step(
      "OpenAPI: the document validates, describes every command, and every answer matches it",
      async () => {
        const document = (await api.call("GET", "/api/openapi.json")).body;
        const checked = await assertOpenApi(document, API_COMMANDS, api.answers);
        assert.ok(checked > 60, `${checked} answers matched against the document`);
      },
    );

    await t.step("every answer was signed; a changed body does not verify", () => {
      const last = api.answers[api.answers.length - 1];
      const bytes = new TextEncoder().encode(last.text);
      assert.ok(signatureValid(api.publicKey, bytes, last.headers.get(SIGNATURE_HEADER)));
      bytes[bytes.length - 2] ^= 1;
      assert.ok(!signatureValid(api.publicKey, bytes, last.headers.get(SIGNATURE_HEADER)));
      assert.ok(api.answers.length > 80, `${api.answers.length} answers checked`);
    });

    await t.step("wallet commands stopped: stats and address answer 14 as the original", async () => {
      const carol = await signedUpUser(web, "carol@example.test");
      await web.run(Effect.flatMap(VotingWallets, (vw) => vw.stop("test: stopped on purpose")));
      const mine = await userPubKeyAddress(web);
      for (const v of VERSIONS) {
        assertContract(await api.call("GET", `/api/v${v}/stats`), "stats", "rpc stopped");
        assertContract(
          await api.call("POST", `/api/v${v}/address`, {
            token: carol.token,
            form: { UserPubKeyAddr: mine },
          }),
          "address",
          "wallets stopped",
        );
        // Purchase info needs no wallet.
        assertContract(
          await api.call("GET", `/api/v${v}/getpurchaseinfo`, { token: carol.token }),
          "getpurchaseinfo",
          "no address",
        );
      }
    });
  });
});
