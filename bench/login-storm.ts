// `npm run bench:login`: a login storm against one private region (free ports, temp data
// dir) while API-key requests are timed, before and during the storm, in one run (issue 8:
// the loaded p99 stays within 2× of the unloaded p99).
import os from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ROOT } from "../scripts/region.ts";
import { type BenchRegion, benchArgs, startBenchRegion } from "./cli.ts";
import { round, type Sample, summarise } from "./measure.ts";
import { gitInfo, machineInfo, writeResult } from "./report.ts";

const USAGE = `Usage: npm run bench:login -- [options]

Options:
  --storm <n>          parallel failed logins in flight (default 200)
  --seconds <n>        length of each phase: unloaded, storm (default 10)
  --concurrency <n>    API-key requests in flight while measuring (default 4)
  --region <name>      wrangler.toml env whose topology to use (default cn-east)
  --out <dir>          where results go (default bench/results)
  --keep-data          keep the temporary region data directory (logs)
  -h, --help           show this help
`;
const MAX_STORM = 1_000;
const MAX_SECONDS = 120;
const MAX_CONCURRENCY = 64;
/** Every loop is bounded by time and by count. */
const MAX_REQUESTS_PER_LANE = 100_000;
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RATIO = 2;

const { values, int } = benchArgs("bench:login", USAGE, {
  storm: { type: "string" },
  seconds: { type: "string" },
  concurrency: { type: "string" },
});
const storm = int(values.storm, 200, "storm", 1, MAX_STORM);
const seconds = int(values.seconds, 10, "seconds", 1, MAX_SECONDS);
const concurrency = int(values.concurrency, 4, "concurrency", 1, MAX_CONCURRENCY);
const regionName = values.region ?? "cn-east";
const outDir = values.out ?? join(ROOT, "bench", "results");

/** API-key reads for `ms`, `lanes` at a time: one AccountDO read behind the key check. */
async function measureApi(url: string, key: string, ms: number, lanes: number) {
  const samples: Sample[] = [];
  const started = performance.now();
  const stopAt = started + ms;
  const lane = async () => {
    for (let n = 0; n < MAX_REQUESTS_PER_LANE && performance.now() < stopAt; n++) {
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          headers: { authorization: `Bearer ${key}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const body = await res.text();
        samples.push({
          ok: res.status === 200,
          latencyMs: performance.now() - t0,
          ...(res.status === 200 ? {} : { problem: `${res.status} ${body.slice(0, 200)}` }),
        });
      } catch (err) {
        samples.push({ ok: false, latencyMs: performance.now() - t0, problem: String(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return { samples, wallMs: performance.now() - started };
}

/**
 * The storm runs in a worker thread, so its client work does not stall the timing loop's
 * event loop: `lanes` connections each send a failed login, take the answer and send the
 * next at once (an attacker ignores Retry-After), with new e-mails and the rep's own.
 */
const STORM_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, lanes, ms, maxPerLane, repEmail } = workerData;
const statuses = {};
let sent = 0;
const stopAt = Date.now() + ms;
async function lane(i) {
  for (let n = 0; n < maxPerLane && Date.now() < stopAt; n++) {
    const email = n % 10 === 0 ? repEmail : "storm-" + i + "-" + n + "@nowhere.test";
    let key;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: "wrong-" + n }),
      });
      await res.arrayBuffer();
      key = String(res.status);
    } catch (err) {
      key = "error";
    }
    sent++;
    statuses[key] = (statuses[key] || 0) + 1;
  }
}
Promise.all(Array.from({ length: lanes }, (_, i) => lane(i))).then(() =>
  parentPort.postMessage({ statuses, sent }),
);
`;

function runStorm(url: string, lanes: number, ms: number, repEmail: string) {
  const worker = new Worker(STORM_SOURCE, {
    eval: true,
    workerData: { url, lanes, ms, maxPerLane: MAX_REQUESTS_PER_LANE, repEmail },
  });
  return new Promise<{ statuses: Record<string, number>; sent: number }>((resolve, reject) => {
    worker.once("message", (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

const startedAt = new Date().toISOString();
let bench: BenchRegion | undefined;
let exitCode = 0;
try {
  // As `npm start` runs it: password checks in their own process, as in their own
  // isolates in production (workerd runs one process on one thread).
  bench = await startBenchRegion(regionName, "lifeline-bench-login", {
    credentials: "own-process",
  });
  const { region, credentials } = bench;
  const jurisdiction = region.jurisdiction;
  const created = await fetch(`${region.apiUrl}/v1/customers`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${credentials.apiKey}`,
      "content-type": "application/json",
      "idempotency-key": `login-storm-${Date.now()}`,
    },
    body: JSON.stringify({ name: "Login storm reader", residency: jurisdiction }),
  });
  if (created.status !== 201) throw new Error(`customer create: ${created.status}`);
  const readUrl = `${region.apiUrl}/v1/customers/${((await created.json()) as { id: string }).id}`;
  const loginUrl = `${region.apiUrl}/v1/auth/login`;
  const ms = seconds * 1_000;

  process.stdout.write(`Warming up…\n`);
  await measureApi(readUrl, credentials.apiKey, 2_000, concurrency);
  process.stdout.write(`Unloaded: API-key reads for ${seconds} s at concurrency ${concurrency}…\n`);
  const unloaded = summarise(await measureApi(readUrl, credentials.apiKey, ms, concurrency));
  process.stdout.write(`Storm: ${storm} parallel failed logins for ${seconds} s, reads beside…\n`);
  const [loadedPhase, stormResult] = await Promise.all([
    measureApi(readUrl, credentials.apiKey, ms, concurrency),
    runStorm(loginUrl, storm, ms, credentials.repEmail),
  ]);
  const loaded = summarise(loadedPhase);
  const errorSamples = loadedPhase.samples.flatMap((s) => (s.problem ? [s.problem] : []));
  const ratio = round(loaded.latencyMsP99 / unloaded.latencyMsP99);
  const result = {
    schema: "lifeline-bench-login-storm/1",
    startedAt,
    finishedAt: new Date().toISOString(),
    git: gitInfo(ROOT),
    machine: { ...machineInfo(), loadAverage: os.loadavg().map((l) => round(l)) },
    parameters: { region: regionName, storm, seconds, concurrency, maxRatio: MAX_RATIO },
    note: "API-key reads (GET /v1/customers/:id: key check, rate limit, one AccountDO read) timed from the main thread; the storm runs in a worker thread from one client address (no CF-Connecting-IP: the fixed local address). Unloaded and loaded come from the same run and region. Compare numbers only within one run.",
    apiKeyReads: { unloaded, loaded, ratioP99: ratio },
    storm: {
      sent: stormResult.sent,
      perS: round(stormResult.sent / seconds, 1),
      statuses: stormResult.statuses,
    },
    errorSamples: errorSamples.slice(0, 5),
  };
  const path = writeResult(outDir, "login-storm", startedAt, result);
  const row = (name: string, s: typeof unloaded) =>
    `${name.padEnd(9)} ${String(s.count).padStart(6)} ${String(s.latencyMsP50).padStart(8)} ${String(s.latencyMsP99).padStart(8)} ${String(s.latencyMsMax).padStart(8)} ${String(s.errors).padStart(6)}`;
  process.stdout.write(
    [
      "",
      "API-key reads  count   p50 ms   p99 ms   max ms errors",
      row("unloaded", unloaded),
      row("loaded", loaded),
      `p99 loaded / unloaded: ${ratio} (must be ≤ ${MAX_RATIO})`,
      `storm: ${stormResult.sent} logins (${result.storm.perS}/s): ${JSON.stringify(stormResult.statuses)}`,
      `Results: ${path}`,
      "",
    ].join("\n"),
  );
  if (loaded.errors > 0 || unloaded.errors > 0 || !(ratio <= MAX_RATIO)) exitCode = 1;
} catch (err) {
  process.stderr.write(`bench:login: ${(err as Error).message}\n`);
  exitCode = 1;
} finally {
  await bench?.stop(Boolean(values["keep-data"]));
}
process.exit(exitCode);
