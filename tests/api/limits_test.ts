// What the API adds to the original's contract: rate limits per IP (before the token is read) and
// per token's user on the writes and on generatecaptcha, a body size limit, and closepool blocking
// address submission; plus the original's "RPC server error" when the wallets cannot answer
// getstakeinfo. Each answer is still a signed envelope and matches the OpenAPI document.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { apiTokenOf } from "../../src/accounts/api_token.ts";
import { API_COMMANDS } from "../../src/http/api/router.ts";
import { Users } from "../../src/storage/users.ts";
import { withWebApp } from "../http/support.ts";
import { ApiClient, assertContract, assertOpenApi, userPubKeyAddress } from "./support.ts";

const tenMinutes = 600;

Deno.test("limits: per-IP and per-user rate limits, the body limit, a closed pool, wallets that cannot answer", async (t) => {
  await withWebApp({
    options: { closepool: "1" },
    rateRules: {
      "apiwrite:ip": { points: 6, seconds: tenMinutes },
      "apiwrite:account": { points: 3, seconds: tenMinutes },
      "captcha:ip": { points: 2, seconds: tenMinutes },
    },
  }, async (web) => {
    const tokenFor = (email: string) =>
      web.run(Effect.gen(function* () {
        const user = yield* Effect.flatMap(Users, (u) =>
          u.create({
            email,
            passwordHash: "$2a$10$abcdefghijklmnopqrstuuq0A7mXhbTnH7pXo0a3Hn4sXbFqZWq6",
            emailToken: "",
            voteBits: 1,
            voteBitsVersion: 7,
            emailVerified: 1,
          }));
        return yield* apiTokenOf(user, "127.0.0.1");
      }));

    const api = await ApiClient.fromHomePage(web.url);
    const alice = await tokenFor("alice@example.test");
    const bob = await tokenFor("bob@example.test");
    const failStakeInfo = async () => {
      for (const node of web.sim.nodes.keys()) {
        await web.sim.control.setFaults(node, {
          methodErrors: { getstakeinfo: { code: -1, message: "no" } },
        });
      }
    };

    await t.step("stats while no wallet answers getstakeinfo: the original's RPC server error", async () => {
      // Before any stats call, so no agreed answer is cached yet.
      await failStakeInfo();
      for (const v of [1, 2]) assertContract(await api.call("GET", `/api/v${v}/stats`), "stats", "rpc error");
      await web.sim.control.clearFaults();
    });

    await t.step(
      "once the wallets agreed, their answer is served for 5 minutes even while they fail",
      async () => {
        const fresh = await api.call("GET", "/api/v1/stats");
        assertContract(fresh, "stats", "success");
        assert.equal(fresh.body.data.PoolStatus, "Closed");
        await failStakeInfo();
        const cached = await api.call("GET", "/api/v2/stats");
        assertContract(cached, "stats", "success");
        assert.equal(cached.body.data.BlockHeight, fresh.body.data.BlockHeight);
        await web.sim.control.clearFaults();
      },
    );

    await t.step("closepool refuses new addresses", async () => {
      const mine = await userPubKeyAddress(web);
      assertContract(
        await api.call("POST", "/api/v1/address", { token: alice, form: { UserPubKeyAddr: mine } }),
        "limits",
        "address pool closed",
      );
    });

    await t.step("a body over 16 KiB is refused with 413 before anything is read or counted", async () => {
      const big = "VoteBits=5&pad=" + "x".repeat(20 * 1024);
      assertContract(
        await api.call("POST", "/api/v1/voting", {
          token: alice,
          raw: { body: big, contentType: "application/x-www-form-urlencoded" },
        }),
        "limits",
        "voting body too large",
      );
      // Without a Content-Length (chunked), counted as it arrives.
      const chunks = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
          controller.close();
        },
      });
      assertContract(
        await api.call("POST", "/api/v2/voting", {
          token: alice,
          raw: { body: chunks, contentType: "application/json" },
        }),
        "limits",
        "voting body too large",
      );
    });

    await t.step("generatecaptcha: the captcha images' per-IP limit", async () => {
      // connect drew none; the limit is 2 per 10 minutes here.
      assertContract(await api.call("GET", "/api/v1/generatecaptcha"), "generatecaptcha", "success");
      assertContract(await api.call("GET", "/api/v2/generatecaptcha"), "generatecaptcha", "success");
      const limited = await api.call("GET", "/api/v1/generatecaptcha");
      assertContract(limited, "limits", "generatecaptcha rate limited");
      assert.ok(Number(limited.headers.get("retry-after")) > 0, "Retry-After says when");
    });

    await t.step(
      "writes: 3 per user, then 6 per IP whoever asks, counted before the token is read",
      async () => {
        // The address refusal above took one of alice's points and one of the IP's.
        for (const bits of ["5", "3"]) {
          assertContract(
            await api.call("POST", "/api/v1/voting", { token: alice, form: { VoteBits: bits } }),
            "voting",
            "success",
          );
        }
        const aliceLimited = await api.call("POST", "/api/v1/voting", {
          token: alice,
          form: { VoteBits: "1" },
        });
        assertContract(aliceLimited, "limits", "voting rate limited");
        assert.ok(Number(aliceLimited.headers.get("retry-after")) > 0);
        // Bob has his own 3, but the IP has 2 left (alice's 4 calls took 4).
        for (const bits of ["5", "3"]) {
          assertContract(
            await api.call("POST", "/api/v2/voting", { token: bob, form: { VoteBits: bits } }),
            "voting",
            "success",
          );
        }
        assertContract(
          await api.call("POST", "/api/v2/voting", { token: bob, form: { VoteBits: "1" } }),
          "limits",
          "voting rate limited",
        );
        const anonymous = await api.call("POST", "/api/v1/voting", { form: { VoteBits: "1" } });
        assertContract(anonymous, "limits", "voting rate limited");
        // Reads are not limited.
        assert.equal((await api.call("GET", "/api/v1/getpurchaseinfo", { token: bob })).body.code, 9);
      },
    );

    await t.step("every answer matches the OpenAPI document", async () => {
      const document = (await api.call("GET", "/api/openapi.json")).body;
      const checked = await assertOpenApi(document, API_COMMANDS, api.answers);
      assert.ok(checked >= 12, `${checked} answers matched`);
    });
  });
});
