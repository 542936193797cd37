// `npm run bench:web`: the rep app on real parts (router + two cn regions + Debian's
// Chromium), measured as a rep would feel it:
//   - app-shell load, cold (first visit, from the network) and warm (from the service worker);
//   - bundle sizes (the app shell — what the first paint needs — gzip; the lazy on-device
//     insights files beside it);
//   - offline → N mixed commands (customers, contracts, sends, signatures on the pad,
//     countersignatures, payments with voucher photos) → online: time until every one is
//     confirmed, checked exactly once and in order (target: 20 within 10 s);
//   - offline → 100 queued customer creations → online: time to replay them all;
//   - Lighthouse 11.7.1 (the last with the PWA category) on the local build: performance
//     score and the PWA installability audits.
// Writes bench/results/web-<time>.json and web-latest.json.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import {
  confirmPayment,
  createCustomer,
  draftContract,
  outbox,
  sendAndSign,
  settled,
} from "../test/web/flows.ts";
import {
  CHROME_ARGS,
  CHROME_PATH,
  logInAsRep,
  openApp,
  startWebStack,
} from "../test/web/harness.ts";
import { benchArgs } from "./cli.ts";
import { gitInfo, machineInfo, writeResult } from "./report.ts";
import { shellChunks, type ViteManifest } from "./web-shell.ts";

const ROOT = join(import.meta.dirname, "..");
const DIST = join(ROOT, "web", "dist");
const PHOTO = join(ROOT, "web", "public", "icons", "icon-512.png");

const USAGE = `npm run bench:web -- [--mixed <n>] [--replay <n>] [--no-lighthouse] [--out <dir>]

  --mixed <n>        mixed commands queued offline, then replayed (default 20; 6 per
                     contract round: customer, contract, send, signature, countersignature, payment)
  --replay <n>       customer creations queued offline, then replayed (default 100)
  --no-lighthouse    skip the Lighthouse run
  --out <dir>        where results go (default bench/results)
`;

const { values, int } = benchArgs("bench:web", USAGE, {
  mixed: { type: "string" },
  replay: { type: "string" },
  "no-lighthouse": { type: "boolean" },
});
const MIXED = int(values.mixed as string | undefined, 20, "mixed", 6, 200);
const REPLAY = int(values.replay as string | undefined, 100, "replay", 1, 200);
const OUT = (values.out as string | undefined) ?? join(ROOT, "bench", "results");

const startedAt = new Date().toISOString();
const log = (s: string) => process.stdout.write(`${s}\n`);

/**
 * The shell: the rep app's index.html and what its entry needs before first paint
 * (web-shell.ts). The customer portal is another app with its own bundle, which a rep's
 * first paint never loads: its files are listed with the lazy ones.
 */
function bundleSizes() {
  const manifest = JSON.parse(
    readFileSync(join(DIST, ".vite", "manifest.json"), "utf8"),
  ) as ViteManifest;
  const seen = shellChunks(manifest);
  const gz = (f: string) => gzipSync(readFileSync(join(DIST, f))).length;
  const shellFiles = ["index.html", "manifest.webmanifest", ...seen];
  const shell = shellFiles.map((f) => ({
    file: f,
    bytes: statSync(join(DIST, f)).size,
    gzip: gz(f),
  }));
  const all: Array<{ file: string; bytes: number; gzip: number }> = [];
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(dir, e.name), rel);
      else all.push({ file: rel, bytes: statSync(join(dir, e.name)).size, gzip: gz(rel) });
    }
  };
  walk(DIST, "");
  return {
    shellGzipBytes: shell.reduce((n, f) => n + f.gzip, 0),
    shell,
    lazy: all
      .filter((f) => !shellFiles.includes(f.file) && !f.file.startsWith(".vite/"))
      .sort((a, b) => b.gzip - a.gzip),
  };
}

async function navTiming(page: Page) {
  return (await page.evaluate(`(() => {
    const n = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { domContentLoadedMs: n.domContentLoadedEventEnd, loadMs: n.loadEventEnd,
             firstContentfulPaintMs: fcp ? fcp.startTime : null, transferBytes: n.transferSize };
  })()`)) as Record<string, number | null>;
}

const stack = await startWebStack(["cn-east", "cn-south"]);
const result: Record<string, unknown> = {
  name: "web",
  startedAt,
  machine: machineInfo(),
  git: gitInfo(ROOT),
  chromium: stack.browser.version(),
};
try {
  result.bundle = bundleSizes();
  log(
    `app shell: ${((result.bundle as { shellGzipBytes: number }).shellGzipBytes / 1024).toFixed(1)} KB gzip`,
  );

  // Cold and warm loads, each in a fresh context.
  const ctx = await stack.newContext("en");
  const page = await ctx.newPage();
  const cold = await page.goto(`${stack.routerUrl}/`);
  await page.locator('input[name="email"]').waitFor();
  const coldTiming = await navTiming(page);
  await openApp(page, `${stack.routerUrl}/`);
  const warm = await page.reload();
  await page.locator('input[name="email"]').waitFor();
  result.load = {
    cold: { ...coldTiming, fromServiceWorker: cold?.fromServiceWorker() ?? false },
    warm: { ...(await navTiming(page)), fromServiceWorker: warm?.fromServiceWorker() ?? false },
  };
  log(`load: ${JSON.stringify(result.load)}`);

  await logInAsRep(page);
  let reloads = 0;
  page.on("load", () => reloads++);
  const run = Date.now().toString(36).toUpperCase();

  // Offline → MIXED commands → online.
  await ctx.setOffline(true);
  let queued = 0;
  let round = 0;
  while (queued + 6 <= MIXED) {
    round++;
    await createCustomer(page, `Bench ${run} ${round}`, {
      name: "王经理",
      phone: "+86 138 0000 0000",
    });
    await draftContract(page, `Bench contract ${round}`, "10000");
    await sendAndSign(page, "李四");
    await confirmPayment(page, `BENCH-${run}-${round}-1`, "100", PHOTO);
    queued += 6;
  }
  // Top up with payments on the last contract.
  for (let i = 2; queued < MIXED; i++, queued++)
    await confirmPayment(page, `BENCH-${run}-${round}-${i}`, "100", PHOTO);
  const before = (await outbox(page)).length;
  const t0 = performance.now();
  await ctx.setOffline(false);
  const rows = await settled(page, before, 120_000);
  const mixedMs = performance.now() - t0;
  const confirmed = rows.filter((r) => r.state === "confirmed");
  const inOrder = confirmed.every((r, i) => i === 0 || (r.at ?? 0) >= (confirmed[i - 1]!.at ?? 0));
  result.mixedReplay = {
    commands: rows.length,
    confirmed: confirmed.length,
    notConfirmed: rows.filter((r) => r.state !== "confirmed").map((r) => `${r.kind}:${r.state}`),
    inOrder,
    ms: Math.round(mixedMs),
    regions: [...new Set(confirmed.map((r) => r.region))],
    targetMs: 10_000,
    withinTarget: confirmed.length === rows.length && inOrder && mixedMs <= 10_000,
  };
  log(`mixed replay: ${JSON.stringify(result.mixedReplay)}`);

  // Offline → REPLAY customer creations → online.
  await ctx.setOffline(true);
  for (let i = 0; i < REPLAY; i++) await createCustomer(page, `Bench replay ${run} ${i}`);
  const total = (await outbox(page)).length;
  const t1 = performance.now();
  await ctx.setOffline(false);
  const rows2 = await settled(page, total, 300_000);
  const replayMs = performance.now() - t1;
  result.replay = {
    commands: REPLAY,
    confirmed: rows2.filter((r) => r.state === "confirmed").length - confirmed.length,
    ms: Math.round(replayMs),
    perCommandMs: Math.round((replayMs / REPLAY) * 10) / 10,
  };
  result.pageLoadsDuringRun = reloads;
  log(`replay: ${JSON.stringify(result.replay)}`);
  await ctx.close();

  if (!values["no-lighthouse"]) result.lighthouse = await lighthouseRun(`${stack.routerUrl}/`);
} finally {
  await stack.stop();
}
const path = writeResult(OUT, "web", startedAt, result);
log(`wrote ${path}`);

async function lighthouseRun(url: string) {
  const { launch } = await import("chrome-launcher");
  const lighthouse = (await import("lighthouse")).default;
  const chrome = await launch({ chromePath: CHROME_PATH, chromeFlags: CHROME_ARGS });
  try {
    const runner = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "pwa", "accessibility", "best-practices"],
    });
    const lhr = runner!.lhr;
    const audit = (id: string) => lhr.audits[id]?.score ?? null;
    const out = {
      version: lhr.lighthouseVersion,
      scores: Object.fromEntries(Object.entries(lhr.categories).map(([k, c]) => [k, c.score])),
      metrics: Object.fromEntries(
        [
          "first-contentful-paint",
          "largest-contentful-paint",
          "total-blocking-time",
          "cumulative-layout-shift",
          "speed-index",
        ].map((id) => [id, lhr.audits[id]?.numericValue ?? null]),
      ),
      pwaAudits: Object.fromEntries(
        [
          "installable-manifest",
          "splash-screen",
          "themed-omnibox",
          "content-width",
          "viewport",
          "maskable-icon",
        ].map((id) => [id, audit(id)]),
      ),
      runtimeError: lhr.runtimeError ?? null,
    };
    log(`lighthouse: ${JSON.stringify(out.scores)} pwa ${JSON.stringify(out.pwaAudits)}`);
    return out;
  } finally {
    await chrome.kill();
  }
}
