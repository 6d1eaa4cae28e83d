// The frame every page stands on: security headers, cookies, static assets, 404 page, start-up's
// asset check.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { loadStaticAssets } from "../../src/http/static_files.ts";
import { alertsOf, signUpAndSignIn, withWebApp } from "./support.ts";

Deno.test("headers, cookies, assets and the 404 page", (t) =>
  withWebApp({}, async (web) => {
    const client = web.client();

    await t.step("pages carry the security headers and are not cached", async () => {
      const home = await client.get("/");
      assert.equal(home.status, 200);
      const csp = home.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.equal(home.headers.get("x-content-type-options"), "nosniff");
      assert.equal(home.headers.get("x-frame-options"), "DENY");
      assert.equal(home.headers.get("referrer-policy"), "same-origin");
      assert.equal(home.headers.get("cache-control"), "no-store");
      assert.equal(home.headers.get("strict-transport-security"), null, "no HSTS on an http baseurl");
      assert.match(home.text, /^<!doctype html><html lang="en">/);
      assert.match(home.text, /<title>HC Stake Pool - Home<\/title>/);
      assert.doesNotMatch(
        home.text,
        /<script|https?:\/\/(?!127\.0\.0\.1|t\.me)[a-z]/i,
        "no script, nothing from elsewhere",
      );
      assert.equal(client.cookies.size, 0, "a page without a form opens no session");
    });

    await t.step("the session cookie is HttpOnly and SameSite=Lax; Secure behind https", async () => {
      const signin = await web.client().get("/signin");
      const cookie = signin.headers.getSetCookie().find((c) => c.startsWith("session="));
      assert.ok(cookie, "the form's CSRF token lives in a session");
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/);

      const https = await web.appWith([], { secureCookies: true });
      const secure = await https.request("/signin");
      assert.match(secure.headers.getSetCookie().join("\n"), /session=[^;]+;.*Secure/);
    });

    await t.step(
      "a visitor's frame is each page's own; flashes and signed-in users get their own",
      async () => {
        // Visitors' frames and views are rendered once and kept (render.tsx): each page must still
        // get its own, and nothing of one request may show in another's.
        const visitor = web.client();
        for (
          const [path, title, current] of [["/", "Home", "Home"], ["/stats", "Stats", "Stats"], [
            "/",
            "Home",
            "Home",
          ]]
        ) {
          const page = await visitor.get(path);
          assert.equal(page.status, 200);
          assert.match(page.text, new RegExp(`<title>HC Stake Pool - ${title}</title>`));
          assert.deepEqual([...page.text.matchAll(/aria-current="page">([^<]*)</g)].map((m) => m[1]), [
            current,
          ]);
          assert.match(page.text, /href="\/signup"/);
        }
        const refused = await visitor.follow(
          await visitor.submit("/signin", { email: "nobody@frame.test", password: "wrong password 1" }),
        );
        assert.equal(alertsOf(refused.text).length, 1, "the flash shows");
        assert.equal(alertsOf((await visitor.get("/signin")).text).length, 0, "once");

        const user = web.client();
        await signUpAndSignIn(web, user, "frame@frame.test", "frame password 1");
        const home = await user.get("/");
        assert.match(home.text, /Hello, frame@frame\.test/);
        assert.match(home.text, /Go to my tickets/);
        const after = await web.client().get("/");
        assert.doesNotMatch(after.text, /Hello,|Go to my tickets/);
        assert.match(after.text, /Create an account/);
      },
    );

    await t.step("assets come from static/ with their type and an ETag", async () => {
      const css = await client.get("/assets/css/site.css");
      assert.equal(css.status, 200);
      assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
      const etag = css.headers.get("etag")!;
      assert.ok(etag);
      assert.equal((await client.get("/assets/css/site.css", { "if-none-match": etag })).status, 304);
      assert.equal(
        (await client.get("/assets/images/logo.svg")).headers.get("content-type"),
        "image/svg+xml",
      );
      assert.match((await client.get("/robots.txt")).text, /Disallow: \/passwordupdate/);
      assert.equal((await client.get("/assets/../deno.json")).status, 404);
      assert.equal((await client.get("/assets/css/missing.css")).status, 404);
    });

    await t.step("an unknown path gets the 404 page in the layout", async () => {
      const missing = await client.get("/no/such/page");
      assert.equal(missing.status, 404);
      assert.match(missing.text, /<h1>Page not found<\/h1>/);
      assert.match(missing.text, /class="site-header"/);
      assert.equal((await client.post("/no/such/page", {})).status, 403, "a POST still needs its CSRF token");
    });
  }));

Deno.test("start-up refuses a static directory without the pages' assets", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/css`);
    await Deno.writeTextFile(`${dir}/css/site.css`, "body{}");
    const result = await Effect.runPromise(Effect.either(loadStaticAssets(dir)));
    assert.equal(result._tag, "Left");
    assert.match(result.left.message, /missing images\/logo\.svg, robots\.txt/);
    assert.equal((await Effect.runPromise(Effect.either(loadStaticAssets(`${dir}/none`))))._tag, "Left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
