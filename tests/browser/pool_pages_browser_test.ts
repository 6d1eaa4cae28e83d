// The pool's own pages in Chromium, against hcsim with 3 voting stakepoolds: a user submits an
// address and keeps the tickets page open while her wallet buys tickets and the chain moves on —
// the page shows them immature, live, then one voted with the chain's vote txid, without a reload
// (its websocket and self-hosted script). Every page of issue 12 is shot on a desktop window and a
// 375 px phone (.data/test-output/browser/pool-*.png), and the tickets page once without script.
// No page may be wider than its window or report a script error or CSP violation.
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { NETWORKS } from "../../src/domain/params.ts";
import { POOL_FEES } from "../stakepoold/support.ts";
import { signUpAndSignIn } from "../http/support.ts";
import { miner, userWallet, withPool } from "../http/pool_support.ts";
import { VIEWPORTS, withBrowser } from "./browser_support.ts";

const EMAIL = "alice@example.test";
const PASSWORD = "alice password 1";

const signIn = async (page: Page, url: string) => {
  await page.goto(`${url}/signin`);
  await page.getByLabel("Email address").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Logout" }).waitFor();
};

/** Polls `check` (the page's CSP forbids evaluating script strings in it) for up to 20 s. */
const until = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const rows = (page: Page, status: string) => page.locator(`#ticket-lists tr[data-status="${status}"]`);

Deno.test("in Chromium: a ticket turns voted on an open tickets page; every pool page on desktop and phone", async () => {
  await withPool({
    network: { backgroundTickets: 64 },
    options: { adminips: "127.0.0.1", adminuserids: "1" },
  }, async (pool) => {
    const { url, sim } = pool;
    const net = NETWORKS[sim.endpoints.net];
    const wallet = userWallet(sim);
    const { votable, generate, mineUntilVoted } = miner(pool);
    await signUpAndSignIn(pool, pool.client(), EMAIL, PASSWORD);

    await withBrowser({ prefix: "pool-desktop", viewport: VIEWPORTS[0] }, async (b) => {
      const { page, snap } = b;
      await signIn(page, url);
      await page.goto(`${url}/address`);
      await snap("address-form");
      await page.getByLabel("Public key address (pubkeyaddr)").fill(await wallet.newPubKeyAddress());
      await page.getByRole("button", { name: "Submit address" }).click();
      await page.waitForURL(`${url}/tickets`);
      await snap("tickets-empty");
      const ticketAddress = await page.locator("dd .mono").first().textContent();
      const feeAddress = await page.locator("dd .mono").nth(1).textContent();
      assert.ok(ticketAddress && feeAddress);

      // From here on the page is never reloaded: this mark would be gone after a reload.
      await page.evaluate("window.sameDocument = true");
      await page.getByText("Live: this list updates itself.").waitFor();
      const bought = await wallet.buyTickets(ticketAddress, feeAddress, POOL_FEES, 3);
      for (const t of bought) votable.add(t);
      await generate(1);
      await rows(page, "immature").nth(2).waitFor({ timeout: 20_000 });
      await snap("tickets-immature");
      await generate(net.ticketMaturity);
      await until(async () => await rows(page, "immature").count() === 0, "no ticket immature any more");
      await snap("tickets-live");
      const voted = await mineUntilVoted(bought);
      const txid = sim.control.tickets().find((t) => t.ticket === voted)!.spentBy!;
      await page.locator(`tr[data-ticket="${voted}"][data-status="voted"][data-spent-by="${txid}"]`).waitFor({
        timeout: 20_000,
      });
      assert.equal(await page.evaluate("window.sameDocument"), true, "the page was not reloaded");
      await snap("tickets-voted-live");

      await page.goto(`${url}/tickets?section=voted`);
      await snap("tickets-voted-section");
      await page.goto(`${url}/voting`);
      await snap("voting");
      await page.getByLabel(/^maxblocksize/).selectOption("4");
      await page.getByRole("button", { name: "Save voting preferences" }).click();
      await page.getByText("successfully updated voting preferences").waitFor();
      await snap("voting-saved");
      await page.goto(`${url}/address`);
      await snap("address-submitted");
      await page.goto(`${url}/stats`);
      await snap("stats");
      await page.goto(`${url}/status`);
      await snap("status");

      // Tickets that underpay the pool fee, for the admin's list (one the lottery draws first is missed).
      sim.control.underpayPoolFee(true);
      const low = await wallet.buyTickets(ticketAddress, feeAddress, POOL_FEES, 2);
      sim.control.underpayPoolFee(false);
      await generate(net.ticketMaturity + 1);
      await until(async () => {
        await page.goto(`${url}/admintickets`);
        return await page.locator(`input[value="${low[0]}"], input[value="${low[1]}"]`).count() > 0;
      }, "an ignored ticket listed for the admin");
      await snap("admintickets");

      assert.deepEqual(b.overflows, [], "desktop: no page is wider than the window");
      assert.deepEqual(b.problems, [], "desktop: browser errors");
    });

    await withBrowser({ prefix: "pool-phone", viewport: VIEWPORTS[1] }, async (b) => {
      await signIn(b.page, url);
      for (
        const path of [
          "address",
          "tickets",
          "tickets?section=live",
          "voting",
          "stats",
          "status",
          "admintickets",
        ]
      ) {
        await b.page.goto(`${url}/${path}`);
        await b.snap(path.replace(/\W+/g, "-"));
      }
      assert.deepEqual(b.overflows, [], "phone: no page is wider than the window");
      assert.deepEqual(b.problems, [], "phone: browser errors");
    });

    await withBrowser({ prefix: "pool-noscript", viewport: VIEWPORTS[0], javaScript: false }, async (b) => {
      await signIn(b.page, url);
      await b.page.goto(`${url}/tickets`);
      assert.ok(await rows(b.page, "voted").count() >= 1, "the lists are there without script");
      await b.snap("tickets");
    });
  });
});
