// Makes docs/demo-tickets.png, the README's picture of the demo: `deno task start` on a fresh
// datadir, a visitor in Chromium signs up (the printed link), takes the demo wallet address and
// buys simnet tickets with the page's buttons, blocks are mined over hcd's JSON-RPC until tickets
// of every kind are there, and the tickets page is photographed. `deno run -A docs/screenshot.ts`
import { chromium } from "playwright-core";
import { Effect } from "effect";
import { LAUNCH_ARGS } from "../tests/browser/browser_support.ts";
import { DemoProcess, freePort, readDemoFile, rpcClient } from "../tests/demo/support.ts";

const OUTPUT = new URL("./demo-tickets.png", import.meta.url).pathname;

const datadir = await Deno.makeTempDir({ prefix: "hcs_screenshot_" });
const port = freePort();
const demo = DemoProcess.task(datadir, port, ["--nocaptcha", "--blockinterval", "0"]);
const profile = await Deno.makeTempDir({ prefix: "hcs_chromium_" });
try {
  await demo.servesHome();
  const endpoints = await readDemoFile(datadir);
  const mine = (n: number) =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(rpcClient(endpoints.nodes[0].hcd), (c) => c.call("generate", [n]))),
    );
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: LAUNCH_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const email = "visitor@example.test";
    const password = "a demo password";
    await page.goto(`${demo.url}/signup`);
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByLabel("Repeat password").fill(password);
    await page.locator("form button[type=submit]").click();
    const [, link] = await demo.waitForOutput(
      /(http:\/\/127\.0\.0\.1:\d+\/emailverify\?t=[0-9a-f]+)/,
      "the link",
    );
    await page.goto(link);
    await page.goto(`${demo.url}/signin`);
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.goto(`${demo.url}/address`);
    await page.getByRole("button", { name: "Use a demo wallet address" }).click();
    await page.waitForURL(/\/tickets/);
    // A first batch that will have voted by the picture, a second one still on its way.
    await page.getByRole("button", { name: "Buy simnet tickets" }).click();
    await mine(1);
    for (let i = 0; i < 60; i++) {
      await mine(1);
      await new Promise((r) => setTimeout(r, 150));
    }
    await page.goto(`${demo.url}/tickets`);
    await page.locator("#demo-count").fill("3");
    await page.getByRole("button", { name: "Buy simnet tickets" }).click();
    await mine(1);
    await new Promise((r) => setTimeout(r, 3000));
    await page.goto(`${demo.url}/tickets`);
    await page.screenshot({ path: OUTPUT, fullPage: true });
    console.log(`wrote ${OUTPUT}`);
  } finally {
    await context.close();
  }
} finally {
  await demo.stop();
  await Deno.remove(datadir, { recursive: true });
  await Deno.remove(profile, { recursive: true });
}
