// The frame every page stands on: security headers, static assets, 404/500 pages, CSRF, sessions.
import assert from "node:assert/strict";
import { withWebApp } from "./support.ts";

Deno.test("pages carry the security headers; assets are served; unknown paths get the 404 page", () =>
  withWebApp({}, async (web) => {
    const client = web.client();
    const home = await client.get("/");
    assert.equal(home.status, 200);
    const csp = home.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(home.headers.get("x-content-type-options"), "nosniff");
    assert.equal(home.headers.get("referrer-policy"), "same-origin");
    assert.match(home.text, /<title>HC Stake Pool - Home<\/title>/);
    const css = await client.get("/assets/css/site.css");
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /text\/css/);
    const missing = await client.get("/no/such/page");
    assert.equal(missing.status, 404);
    assert.match(missing.text, /Page not found/);
  }));
