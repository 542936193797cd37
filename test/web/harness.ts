// The rep app end to end on real parts: the PWA built by Vite, served by the router in
// workerd (as in `npm start`), in front of real regions (workerd + libSQL), driven by
// Playwright in Debian's Chromium (never a downloaded browser). Used by the browser tests
// and by `npm run bench:web`.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { startTopology, type Topology } from "../../scripts/local-topology.ts";
import { freePort, type ProcessGroup } from "../../scripts/processes.ts";
import { INFERENCE_CONFIG } from "../../scripts/region.ts";
import { startRouterProcess } from "../../scripts/router-process.ts";
import { devCredentials } from "../../scripts/seed.ts";
import { buildWeb } from "../../scripts/web-build.ts";

export const CHROME_PATH = process.env.CHROME_PATH ?? "/usr/bin/chromium";

/** Flags for a root, offline-sandboxed headless Chromium (see toolchain.md §4). */
export const CHROME_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type WebStack = {
  routerUrl: string;
  topology: Topology;
  browser: Browser;
  newContext(lang?: "en" | "zh-CN"): Promise<BrowserContext>;
  stop(): Promise<void>;
};

export async function startWebStack(regions: string[]): Promise<WebStack> {
  if (!existsSync(CHROME_PATH))
    throw new Error(
      `no Chromium at ${CHROME_PATH}: install Debian's (apt-get install -y chromium) or set CHROME_PATH`,
    );
  await buildWeb({ quiet: true });
  const routerPort = await freePort();
  const routerUrl = `http://127.0.0.1:${routerPort}`;
  const origins = [routerUrl, `http://localhost:${routerPort}`].join(",");
  // With the inference worker beside each region, as `npm start` runs it: the region's
  // analysis is the one the on-device model is compared with.
  const topology = await startTopology(regions, {
    vars: { WEB_ORIGINS: origins },
    inferenceConfig: INFERENCE_CONFIG,
  });
  const dir = mkdtempSync(join(tmpdir(), "lifeline-web-"));
  let router: ProcessGroup | null = null;
  let browser: Browser | null = null;
  try {
    router = await startRouterProcess({
      port: routerPort,
      regions: topology.regions,
      dataDir: dir,
      wranglerLogPath: join(dir, "wrangler-logs"),
    });
    browser = await chromium.launch({ executablePath: CHROME_PATH, args: CHROME_ARGS });
  } catch (err) {
    await router?.stop();
    await topology.stop();
    throw err;
  }
  const b = browser;
  return {
    routerUrl,
    topology,
    browser: b,
    newContext: async (lang = "en") => {
      const ctx: BrowserContext = await b.newContext({
        locale: lang,
        viewport: { width: 420, height: 900 },
        serviceWorkers: "allow",
      });
      return ctx;
    },
    async stop() {
      await b.close().catch(() => {});
      await router?.stop();
      await topology.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens the app, waits until its service worker controls the page (reloading once if needed). */
export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  // In the page (DOM types are not this file's): wait for the worker, then for control.
  await page.evaluate("navigator.serviceWorker.ready.then(() => true)");
  if (!(await page.evaluate("navigator.serviceWorker.controller !== null"))) {
    await page.reload();
    await page.waitForFunction("navigator.serviceWorker.controller !== null");
  }
}

export async function logInAsRep(page: Page): Promise<void> {
  const c = devCredentials();
  await page.locator('input[name="email"]').fill(c.repEmail);
  await page.locator('input[name="password"]').fill(c.repPassword);
  await page.locator('button[type="submit"]').click();
  await page.locator('[data-testid="customer-list"], .hint, .error').first().waitFor();
  const error = page.locator(".error");
  if ((await error.count()) > 0) throw new Error(`login failed: ${await error.textContent()}`);
}
