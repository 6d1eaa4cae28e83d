// Chromium for the browser tests (STYLE.md: Debian's chromium driven by playwright-core, the
// flags that keep it off the network, a fresh profile), with a screenshot helper that saves each
// page under .data/test-output/browser/ and notes any page wider than its window, and a record of
// console errors and page errors (a CSP violation shows there).
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const OUTPUT = new URL("../../.data/test-output/browser/", import.meta.url).pathname;

export const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 860 },
  { name: "phone", width: 375, height: 740 },
] as const;

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and page errors seen so far. */
  readonly problems: Array<string>;
  /** Pages that were wider than the window when shot. */
  readonly overflows: Array<string>;
  /** Saves a full-page screenshot as `<prefix>-<n>-<name>.png`. */
  readonly snap: (name: string) => Promise<void>;
}

/** A browser window of the given size with a fresh profile; closed (profile removed) after `body`. */
export const withBrowser = async (
  options: {
    readonly prefix: string;
    readonly viewport: { readonly width: number; readonly height: number };
    readonly javaScript?: boolean;
  },
  body: (session: BrowserSession) => Promise<void>,
): Promise<void> => {
  await Deno.mkdir(OUTPUT, { recursive: true });
  const profile = await Deno.makeTempDir({ prefix: "hcs_chromium_" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: LAUNCH_ARGS,
    viewport: options.viewport,
    javaScriptEnabled: options.javaScript ?? true,
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const problems: Array<string> = [];
    const overflows: Array<string> = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    let shot = 0;
    const snap = async (name: string) => {
      await page.screenshot({ path: `${OUTPUT}${options.prefix}-${++shot}-${name}.png`, fullPage: true });
      const overflow = await page.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      if (overflow > 0) overflows.push(`${name}: ${overflow}px wider than the window`);
    };
    await body({ context, page, problems, overflows, snap });
  } finally {
    await context.close();
    await Deno.remove(profile, { recursive: true });
  }
};
