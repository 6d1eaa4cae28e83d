// The readable API page in Chromium: linked from the home page, it lists every command of the
// table and shows the signing key stats publishes, without console errors or sideways scrolling,
// on a desktop and a phone. Screenshots: .data/test-output/browser/api-*.png.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { LAUNCH_ARGS, OUTPUT, VIEWPORTS } from "../browser/browser_support.ts";
import { API_COMMANDS } from "../../src/http/api/router.ts";
import { withWebApp } from "../http/support.ts";
import { ApiClient } from "./support.ts";

Deno.test("in Chromium: the home page links the API page, which lists every command and the signing key", async () => {
  await Deno.mkdir(OUTPUT, { recursive: true });
  await withWebApp({}, async (web) => {
    const key = (await ApiClient.connect(web.url)).publicKey;
    for (const viewport of VIEWPORTS) {
      const profile = await Deno.makeTempDir({ prefix: "hcs_chromium_" });
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: "/usr/bin/chromium",
        headless: true,
        args: LAUNCH_ARGS,
        viewport: { width: viewport.width, height: viewport.height },
      });
      const problems: Array<string> = [];
      try {
        const page = context.pages()[0] ?? await context.newPage();
        page.on("console", (m) => {
          if (m.type() === "error" && !m.text().includes("404")) problems.push(`console: ${m.text()}`);
        });
        // The browser asks for /favicon.ico on its own; nothing else may be missing.
        page.on("response", (r) => {
          if (r.status() >= 400 && new URL(r.url()).pathname !== "/favicon.ico") {
            problems.push(`${r.status()} ${r.url()}`);
          }
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        await page.goto(web.url);
        assert.equal(await page.locator("[data-signature-pubkey]").textContent(), key);
        await page.screenshot({ path: `${OUTPUT}api-${viewport.name}-home.png`, fullPage: true });
        await page.getByRole("link", { name: "JSON API" }).click();
        await page.getByRole("heading", { name: "JSON API" }).waitFor();
        assert.equal(new URL(page.url()).pathname, "/apidocs");
        assert.equal((await page.getByLabel("The pool's API signing key").textContent())?.trim(), key);
        for (const cmd of API_COMMANDS) {
          const section = page.locator(`#${cmd.method.toLowerCase()}-${cmd.name}`);
          assert.equal(await section.count(), 1, `${cmd.method} ${cmd.name} is described`);
          for (const v of cmd.versions) {
            assert.ok((await section.textContent())?.includes(`/api/v${v}/${cmd.name}`));
          }
        }
        await page.screenshot({ path: `${OUTPUT}api-${viewport.name}-docs.png`, fullPage: true });
        const overflow = await page.evaluate<number>(
          "document.documentElement.scrollWidth - window.innerWidth",
        );
        assert.ok(overflow <= 0, `the API page is ${overflow}px wider than a ${viewport.name} window`);
        const openapi = await page.goto(`${web.url}/api/openapi.json`);
        assert.equal(openapi?.status(), 200);
      } finally {
        await context.close();
        await Deno.remove(profile, { recursive: true });
      }
      assert.deepEqual(problems, []);
    }
  });
});
