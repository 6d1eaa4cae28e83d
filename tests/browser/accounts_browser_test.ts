// A person in Chromium: signs up (typing the captcha's digits), opens the mailed link, signs in
// and changes the password — on a desktop window and on a 375 px phone. Each page is saved as a
// screenshot under .data/test-output/browser/ (look at them), and the browser must report no
// Content-Security-Policy violation or script error on any page.
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { LAUNCH_ARGS, OUTPUT, VIEWPORTS } from "./browser_support.ts";
import { linkIn, type TestWebApp, withWebApp } from "../http/support.ts";

const captchaDigits = async (web: TestWebApp, page: Page) => {
  const id = await page.locator('input[name="verifyKey"]').getAttribute("value");
  assert.ok(id, "the form has a captcha");
  const digits = web.captchaAnswer(id);
  assert.ok(digits, "the app issued this captcha");
  await page.waitForLoadState("load");
  const image = await page.locator(".captcha img").evaluate(
    ((img: { naturalWidth: number }) => img.naturalWidth) as unknown as (e: unknown) => number,
  );
  assert.equal(image, 240, "the captcha image loaded");
  return digits;
};

Deno.test("in Chromium: sign up, verify from the mail, sign in, change the password — desktop and phone", async () => {
  await Deno.mkdir(OUTPUT, { recursive: true });
  await withWebApp({}, async (web) => {
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
          if (m.type() === "error") problems.push(`console: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
        let shot = 0;
        const overflows: Array<string> = [];
        const snap = async (name: string) => {
          await page.screenshot({ path: `${OUTPUT}${viewport.name}-${++shot}-${name}.png`, fullPage: true });
          const overflow = await page.evaluate<number>(
            "document.documentElement.scrollWidth - window.innerWidth",
          );
          if (overflow > 0) overflows.push(`${name}: ${overflow}px wider than the window`);
        };
        const email = `${viewport.name}@example.test`;
        const password = "browser password 1";

        await page.goto(web.url);
        await snap("home");
        await page.getByRole("link", { name: "Sign Up" }).first().click();
        await page.getByLabel("Email address").fill(email);
        await page.getByLabel("Password", { exact: true }).fill(password);
        await page.getByLabel("Repeat password").fill(password);
        await page.getByLabel("Type the six digits you see").fill(await captchaDigits(web, page));
        await snap("signup-filled");
        await page.getByRole("button", { name: "Create account" }).click();
        await page.getByText(`A verification email has been sent to ${email}`).waitFor();
        await snap("signup-done");

        const mail = await web.smtp!.waitFor(
          (m) => m.to.includes(email) && m.subject === "Stake pool email verification",
          `verification for ${email}`,
        );
        await page.goto(linkIn(mail, "/emailverify"));
        await page.getByText("Email successfully verified").waitFor();
        await snap("verified");

        await page.getByRole("link", { name: "Sign in" }).first().click();
        await page.getByLabel("Email address").fill(email);
        await page.getByLabel("Password").fill(password);
        await snap("signin");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${web.url}/settings`);
        await page.getByRole("button", { name: "Logout" }).waitFor();
        await snap("settings");

        const newPassword = "browser password 2";
        const form = page.locator("form", { has: page.getByRole("button", { name: "Change password" }) });
        await form.getByLabel("Current password").fill(password);
        await form.getByLabel("New password", { exact: true }).fill(newPassword);
        await form.getByLabel("Repeat new password").fill(newPassword);
        await form.getByRole("button", { name: "Change password" }).click();
        await page.getByText("Password successfully updated").waitFor();
        await snap("password-changed");

        await page.getByRole("button", { name: "Logout" }).click();
        await page.waitForURL(`${web.url}/`);
        await page.goto(`${web.url}/signin`);
        await page.getByLabel("Email address").fill(email);
        await page.getByLabel("Password").fill(newPassword);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${web.url}/settings`);
        await page.goto(`${web.url}/nowhere`);
        await snap("not-found");

        assert.deepEqual(overflows, [], `${viewport.name}: no page is wider than the window`);
      } finally {
        await context.close();
        await Deno.remove(profile, { recursive: true });
      }
      assert.deepEqual(problems.filter((p) => !p.includes("404")), [], `${viewport.name}: browser errors`);
    }
  });
});
