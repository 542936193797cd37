// `npm run bench:inference`: the edge-inference targets of DESIGN §10 (warm p99 ≤ 2 ms per
// utterance, cold start ≤ 300 ms) measured on workerd and through the API, plus artifact sizes
// and the models' held-out accuracy. Loopback only; every worker and region it starts, it stops.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { CLINIC_CALL } from "../core/insights/fixtures.ts";
import { textReader } from "../ml/serve/text-input.ts";
import { DEV_KEY, startTopology, type Topology } from "../scripts/local-topology.ts";
import { INFERENCE_CONFIG, ROOT } from "../scripts/region.ts";
import { loadSession, runInput } from "../test/inference/ort-node.ts";
import { startTestWorker, type TestWorker } from "../test/support/workerd.ts";
import { UTTERANCES, WAREHOUSE_CALL } from "./inference-utterances.ts";
import { round, runPhase, type Stats, summarise } from "./measure.ts";
import { gitInfo, machineInfo, writeResult } from "./report.ts";

const USAGE = `Usage: npm run bench:inference -- [options]

Options:
  --iterations <n>     warm single-utterance calls per task (default 300)
  --batch-samples <n>  warm (1-text, ${"100"}-text) call pairs per task (default 50)
  --api-requests <n>   requests per API case (default 200)
  --cold-starts <n>    fresh worker starts per cold-start method (default 5)
  --only <list>        sections to run: artifacts,cold,warm,api (default all)
  --config <path>      inference worker's wrangler config for the workerd sections
                       (default test/inference/fixture/wrangler.toml: the shipped worker
                       plus the tiny \`test\` model the cold-start steps use)
  --out <dir>          where results go (default bench/results)
  -h, --help           show this help
`;
/** The shipped worker plus the tiny `test` model (test/inference/fixture), never deployed. */
const INFERENCE_TEST_CONFIG = join(ROOT, "test", "inference", "fixture", "wrangler.toml");
const TASKS = ["sentiment-zh", "sentiment-en", "intent-en"] as const;
type Task = (typeof TASKS)[number];
const SECTIONS = ["artifacts", "cold", "warm", "api"] as const;
const BATCH = 100; // MAX_TEXTS in workers/inference/limits.ts: the largest batch one call takes
const MAX_COUNT = 10_000;
const BASELINE_REPEATS = 5;
const REQUEST_TIMEOUT_MS = 60_000;
/** Where the worker bundles its models from (workers/inference/models.ts). */
const MODELS_DIR = join(ROOT, "models");

function fail(message: string): never {
  process.stderr.write(`bench:inference: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        iterations: { type: "string", default: "300" },
        "batch-samples": { type: "string", default: "50" },
        "api-requests": { type: "string", default: "200" },
        "cold-starts": { type: "string", default: "5" },
        only: { type: "string", default: SECTIONS.join(",") },
        out: { type: "string", default: join(ROOT, "bench", "results") },
        config: { type: "string", default: INFERENCE_TEST_CONFIG },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const count = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_COUNT) fail(`--${name} must be in 1..${MAX_COUNT}`);
  return n;
};
const ITERATIONS = count("iterations");
const BATCH_SAMPLES = count("batch-samples");
const API_REQUESTS = count("api-requests");
const COLD_STARTS = count("cold-starts");
const only = new Set(values.only!.split(",").map((s) => s.trim()));
for (const s of only)
  if (!(SECTIONS as readonly string[]).includes(s)) fail(`--only: unknown section "${s}"`);

/** Everything started is stopped on exit, a signal or a failure. */
const cleanups = new Set<() => Promise<void>>();
async function cleanUp(): Promise<void> {
  await Promise.allSettled([...cleanups].map((stop) => stop()));
  cleanups.clear();
}
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping workers and regions…\n`);
    void cleanUp().finally(() => process.exit(130));
  });

async function withWorker<T>(use: (w: TestWorker, startMs: number) => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const worker = await startTestWorker({ config: values.config! });
  const startMs = performance.now() - t0;
  const stop = () => worker.dispose();
  cleanups.add(stop);
  try {
    return await use(worker, startMs);
  } finally {
    cleanups.delete(stop);
    await stop();
  }
}

async function timed(request: () => Promise<Response>): Promise<{ ms: number; res: Response }> {
  const t0 = performance.now();
  const res = await request();
  await res.arrayBuffer();
  return { ms: performance.now() - t0, res };
}

const postJson = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
const analyzeCall = (w: TestWorker, task: Task, texts: readonly string[]) => () =>
  postJson(`${w.url}/analyze`, { task, texts });
const pick = (task: Task, n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => UTTERANCES[task][(from + i) % UTTERANCES[task].length]!);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const statsOf = (latencies: number[], wallMs = 0) =>
  summarise({ samples: latencies.map((latencyMs) => ({ ok: true, latencyMs })), wallMs });
const pctStats = ({ latencyMsP50, latencyMsP99, latencyMsMax, latencyMsMean, count }: Stats) => ({
  p50: latencyMsP50,
  p99: latencyMsP99,
  max: latencyMsMax,
  mean: latencyMsMean,
  count,
});

// ── artifacts ────────────────────────────────────────────────────────────────────────────

function fileSizes(path: string) {
  const bytes = readFileSync(path);
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/** `wrangler deploy --dry-run` of the inference worker; wrangler prints the upload it would make. */
function dryRun() {
  const outdir = mkdtempSync(join(os.tmpdir(), "lifeline-inference-dry-run-"));
  try {
    const output = execFileSync(
      join(ROOT, "node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "-c", INFERENCE_CONFIG, "--outdir", outdir],
      {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 120_000,
        env: {
          ...process.env,
          CLOUDFLARE_CF_FETCH_ENABLED: "false",
          WRANGLER_SEND_METRICS: "false",
          WRANGLER_LOG_PATH: outdir,
        },
      },
    );
    const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
    if (!m) throw new Error(`no "Total Upload" line in wrangler's output:\n${output}`);
    const files = readdirSync(outdir)
      .filter((f) => !f.endsWith(".log") && !f.endsWith(".map"))
      .map((f) => ({ file: f, bytes: statSync(join(outdir, f)).size }));
    return { totalUploadKiB: Number(m[1]), gzipKiB: Number(m[2]), files };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function artifacts() {
  const wasm = join(ROOT, "node_modules", "onnxruntime-web", "dist", "ort-wasm-simd-threaded.wasm");
  return {
    models: Object.fromEntries(
      TASKS.map((task) => [task, fileSizes(join(MODELS_DIR, task, "model.onnx"))]),
    ),
    ortWasm: { file: "onnxruntime-web/dist/ort-wasm-simd-threaded.wasm", ...fileSizes(wasm) },
    deployDryRun: dryRun(),
  };
}

/** Held-out figures from each model's metrics.json; for sentiment, issue 12's table. */
function accuracy() {
  return Object.fromEntries(
    TASKS.map((task) => {
      const m = JSON.parse(readFileSync(join(ROOT, "models", task, "metrics.json"), "utf8"));
      const manifest = JSON.parse(readFileSync(join(MODELS_DIR, task, "manifest.json"), "utf8"));
      const perClass = (r: {
        perClass: Record<string, { precision: number; recall: number; f1: number }>;
      }) =>
        Object.fromEntries(
          Object.entries(r.perClass).map(([l, c]) => [
            l,
            { precision: c.precision, recall: c.recall, f1: c.f1 },
          ]),
        );
      const sentiment = m.test
        ? {
            targets: m.targets,
            test: {
              polarAccuracy: m.test.polarAccuracy,
              neutralRecall: m.test.neutralRecall,
              perClass: perClass(m.test),
              ece: m.calibration.ece.test,
            },
            dev: {
              polarAccuracy: m.dev.polarAccuracy,
              neutralRecall: m.dev.neutralRecall,
              perClass: perClass(m.dev),
              ece: m.calibration.ece.dev,
            },
            temperature: m.calibration.temperature,
            ...(m.publicDev ? { publicDev: m.publicDev } : {}),
          }
        : {};
      return [
        task,
        {
          accuracy: m.accuracy,
          macroF1: m.macroF1,
          evaluatedOn: m.evaluatedOn,
          counts: m.counts,
          ...sentiment,
          shippedModelVersion: manifest.modelVersion,
          source: `models/${task}/metrics.json`,
        },
      ];
    }),
  );
}

// ── cold start ───────────────────────────────────────────────────────────────────────────

/**
 * One fresh worker, one step per request, each step's cost = its first call minus the median
 * of the same call repeated once everything is warm (which cancels HTTP and the wrangler proxy).
 */
async function stepwiseColdStart() {
  return withWorker(async (w, startMs) => {
    const steps: Array<[string, () => Promise<Response>]> = [
      ["isolate", () => fetch(`${w.url}/__bench/not-found`)],
      [
        "ortBackend",
        () =>
          postJson(`${w.url}/classify`, { task: "test", inputs: [{ indices: [1], values: [1] }] }),
      ],
      ...TASKS.map((task): [string, () => Promise<Response>] => [
        task,
        analyzeCall(w, task, pick(task, 1)),
      ]),
    ];
    const first: Record<string, number> = {};
    for (const [name, call] of steps) {
      const { ms, res } = await timed(call);
      if (name !== "isolate" && res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
      first[name] = ms;
    }
    const health = (await (await fetch(`${w.url}/health`)).json()) as {
      loaded: Record<string, { coldStartMs: number }>;
    };
    const costMs: Record<string, number> = {};
    for (const [name, call] of steps) {
      const warm: number[] = [];
      for (let i = 0; i < BASELINE_REPEATS; i++) warm.push((await timed(call)).ms);
      costMs[name] = round(Math.max(0, first[name]! - median(warm)));
    }
    return {
      wranglerStartMs: round(startMs),
      costMs,
      inWorkerColdStartMs: Object.fromEntries(
        Object.entries(health.loaded).map(([task, l]) => [task, l.coldStartMs]),
      ),
    };
  });
}

/** A fresh worker whose very first request is a one-text sentiment analysis (what a caller meets). */
async function firstAnalyze() {
  const t0 = performance.now();
  return withWorker(async (w, startMs) => {
    const { ms, res } = await timed(analyzeCall(w, "sentiment-zh", pick("sentiment-zh", 1)));
    if (res.status !== 200) throw new Error(`first analyze: HTTP ${res.status}`);
    return {
      readyToFirstAnalyzeMs: round(ms),
      startToFirstAnalyzeMs: round(performance.now() - t0),
      wranglerStartMs: round(startMs),
    };
  });
}

async function coldStart() {
  const stepwise: Awaited<ReturnType<typeof stepwiseColdStart>>[] = [];
  const direct: Awaited<ReturnType<typeof firstAnalyze>>[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    process.stdout.write(`  fresh worker ${i + 1}/${COLD_STARTS}…\n`);
    stepwise.push(await stepwiseColdStart());
    direct.push(await firstAnalyze());
  }
  const p50Max = (xs: number[]) => ({ p50: round(median(xs)), max: round(Math.max(...xs)) });
  const stepNames = Object.keys(stepwise[0]!.costMs);
  return {
    method:
      "Each sample is a fresh `unstable_startWorker` of test/inference/fixture/wrangler.toml, the shipped worker plus the `test` model (a new workerd, so a new isolate). stepwise: four requests in order — GET of an unknown path (isolate start: script evaluation, including V8 compiling the ORT wasm module), POST /classify on the 128×8 `test` model (ORT wasm backend initialisation: instantiate + OrtInit, plus that tiny session and one run), then POST /analyze with one text for sentiment-zh and for intent-en (that model's session creation plus its first run). Each step's cost is its first call minus the median of " +
      `${BASELINE_REPEATS} repeats once warm, which cancels loopback HTTP and the wrangler proxy. inWorkerColdStartMs is what /health reports, timed inside workerd (its clock advances only at I/O, so it is indicative). firstAnalyze: a separate fresh worker whose first request is a one-text sentiment-zh /analyze: readyToFirstAnalyzeMs is everything a first caller waits for after workerd is listening.`,
    samples: COLD_STARTS,
    stepwiseMs: Object.fromEntries(
      stepNames.map((name) => [name, p50Max(stepwise.map((s) => s.costMs[name]!))]),
    ),
    sessionCreationPerModelMs: Object.fromEntries(
      TASKS.map((task) => [task, p50Max(stepwise.map((s) => s.costMs[task]!))]),
    ),
    inWorkerColdStartMs: Object.fromEntries(
      Object.keys(stepwise[0]!.inWorkerColdStartMs).map((task) => [
        task,
        p50Max(stepwise.map((s) => s.inWorkerColdStartMs[task] ?? NaN)),
      ]),
    ),
    firstAnalyze: {
      readyToFirstAnalyzeMs: p50Max(direct.map((d) => d.readyToFirstAnalyzeMs)),
      startToFirstAnalyzeMs: p50Max(direct.map((d) => d.startToFirstAnalyzeMs)),
      wranglerStartMs: p50Max(direct.map((d) => d.wranglerStartMs)),
    },
    raw: { stepwise, firstAnalyze: direct },
  };
}

// ── warm per-utterance ───────────────────────────────────────────────────────────────────

async function warmInWorkerd() {
  return withWorker(async (w) => {
    const health = await fetch(`${w.url}/health`);
    if (health.status !== 200) throw new Error(`/health: HTTP ${health.status}`);
    const result: Record<string, unknown> = {};
    for (const task of TASKS) {
      for (let i = 0; i < 20; i++) await timed(analyzeCall(w, task, pick(task, BATCH, i)));
      const single = await runPhase(ITERATIONS, 1, async (i) => {
        const res = await analyzeCall(w, task, pick(task, 1, i))();
        await res.arrayBuffer();
        return { ok: res.status === 200, problem: `HTTP ${res.status}` };
      });
      // Interleaved pairs, so drift on this shared machine hits both sides of each difference.
      const perUtterance: number[] = [];
      const batchMs: number[] = [];
      for (let i = 0; i < BATCH_SAMPLES; i++) {
        const one = await timed(analyzeCall(w, task, pick(task, 1, i)));
        const many = await timed(analyzeCall(w, task, pick(task, BATCH, i)));
        if (one.res.status !== 200 || many.res.status !== 200) throw new Error(`${task}: not 200`);
        batchMs.push(many.ms);
        perUtterance.push((many.ms - one.ms) / (BATCH - 1));
      }
      const singleStats = summarise(single);
      result[task] = {
        callerSingleUtteranceMs: { ...pctStats(singleStats), errors: singleStats.errors },
        workerPerUtteranceMs: pctStats(statsOf(perUtterance)),
        batchOf100Ms: pctStats(statsOf(batchMs)),
      };
    }
    return result;
  });
}

/** The same wasm, feature code and graph in Node, where the clock runs during compute. */
async function warmInNode() {
  const result: Record<string, unknown> = {};
  for (const task of TASKS) {
    const manifest = JSON.parse(readFileSync(join(MODELS_DIR, task, "manifest.json"), "utf8"));
    const read = textReader(manifest)!;
    const session = await loadSession(readFileSync(join(MODELS_DIR, task, "model.onnx")));
    const once = async (text: string) => {
      await runInput(session, read(text));
    };
    for (let i = 0; i < 200; i++) await once(pick(task, 1, i)[0]!);
    const phase = await runPhase(ITERATIONS * 10, 1, async (i) => {
      await once(pick(task, 1, i)[0]!);
      return { ok: true };
    });
    result[task] = pctStats(summarise(phase));
    await session.release();
  }
  return result;
}

// ── API end to end ───────────────────────────────────────────────────────────────────────

type AnalyzeBody = { model: unknown; shed?: { reason: string } };

async function apiCase(topo: Topology, request: unknown, expectShed: boolean) {
  let seq = 0;
  const problems: string[] = [];
  const shedReasons: Record<string, number> = {};
  const call = async () => {
    const res = await fetch(`${topo.url("cn-east")}/v1/insights/analyze`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${DEV_KEY}`,
        "content-type": "application/json",
        "idempotency-key": `bench-inference-${process.pid}-${seq++}`,
      },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const body = JSON.parse(text) as AnalyzeBody;
    const shed = body.shed?.reason;
    if (shed) shedReasons[shed] = (shedReasons[shed] ?? 0) + 1;
    const ok = res.status === 200 && (expectShed ? !!shed : !shed && !!body.model);
    if (!ok && problems.length < 3) problems.push(`HTTP ${res.status}: ${text.slice(0, 300)}`);
    return { ok, ...(ok ? {} : { problem: `HTTP ${res.status} shed ${shed}` }) };
  };
  const first = await timed(async () => {
    await call();
    return new Response(null);
  });
  for (let i = 0; i < 10; i++) await call();
  const phase = await runPhase(API_REQUESTS, 1, call);
  const stats = summarise(phase);
  return {
    firstRequestMs: round(first.ms),
    ...pctStats(stats),
    errors: stats.errors,
    shedReasons,
    problems,
  };
}

async function api() {
  process.stdout.write("  starting cn-east with the inference worker, and one without…\n");
  const t0 = performance.now();
  const starting = [
    startTopology(["cn-east"], { inferenceConfig: INFERENCE_CONFIG }),
    startTopology(["cn-east"]),
  ];
  for (const p of starting) void p.then((t) => cleanups.add(() => t.stop()));
  const [withInference, without] = await Promise.all(starting);
  const regionStartMs = round(performance.now() - t0);
  try {
    const cases = {
      "warehouse-50-zh": { transcript: WAREHOUSE_CALL, industry: "other" },
      "clinic-20-zh": { transcript: CLINIC_CALL, industry: "medical-devices" },
    };
    const result: Record<string, unknown> = {};
    for (const [name, request] of Object.entries(cases)) {
      process.stdout.write(`  ${name}…\n`);
      result[name] = {
        utterances: request.transcript.length,
        withInference: await apiCase(withInference!, request, false),
        inferenceShed: await apiCase(without!, request, true),
      };
    }
    return {
      method: `POST /v1/insights/analyze from Node fetch (keep-alive) to a cn-east region started by this bench (libSQL + wrangler dev, seeded; its readiness probe /v1/health already warmed the inference models), concurrency 1, ${API_REQUESTS} requests after 11 unmeasured; withInference counts only answers with sentiment (not shed); inferenceShed is the same request to a region started without the inference worker (shedReasons counts why each answer was shed; all requests incl. unmeasured). firstRequestMs is the first analysis after the region reported ready.`,
      regionsStartMs: regionStartMs,
      cases: result,
    };
  } finally {
    await Promise.allSettled([withInference!.stop(), without!.stop()]);
    cleanups.clear();
  }
}

// ── run ──────────────────────────────────────────────────────────────────────────────────

const startedAt = new Date().toISOString();
const report: Record<string, unknown> = {
  schema: "lifeline-bench-inference/1",
  startedAt,
  git: gitInfo(ROOT),
  machine: { ...machineInfo(), loadAverage1mAtStart: round(os.loadavg()[0]!) },
  parameters: {
    iterations: ITERATIONS,
    batchSamples: BATCH_SAMPLES,
    batchSize: BATCH,
    apiRequests: API_REQUESTS,
    coldStarts: COLD_STARTS,
    sections: [...only],
    workerConfig: values.config,
  },
  targets: { warmPerUtteranceMsP99: 2, coldStartMs: 300, source: "DESIGN.md §10" },
};
let exitCode = 0;
try {
  if (only.has("artifacts")) {
    process.stdout.write("Artifacts and accuracy (wrangler deploy --dry-run)…\n");
    report.artifacts = artifacts();
    report.accuracy = accuracy();
  }
  if (only.has("cold")) {
    process.stdout.write("Cold start…\n");
    report.coldStart = await coldStart();
  }
  if (only.has("warm")) {
    process.stdout.write("Warm per-utterance latency in workerd…\n");
    report.warm = {
      method: `workerd: one fresh worker, warmed by /health and 20 batches per task. callerSingleUtteranceMs: ${ITERATIONS} POST /analyze calls with one text each, as a caller over loopback HTTP sees them (includes HTTP, the wrangler dev proxy, JSON, zod, feature extraction and one ORT run). workerPerUtteranceMs: ${BATCH_SAMPLES} interleaved pairs of a ${BATCH}-text and a 1-text call; each sample is (t${BATCH} − t1)/${BATCH - 1}, the worker-side cost of one more utterance with the round trip cancelled (in-worker timing is no use here: local workerd's clock moves in 1 ms steps and deployed Workers freeze it between I/O, while one utterance costs ~0.1 ms). nodeReferencePerUtteranceMs: the same ORT wasm, feature extraction and graph run in Node where the clock does run, timed per utterance (${ITERATIONS * 10} utterances): a true per-utterance distribution, on a different V8 embedder.`,
      workerd: await warmInWorkerd(),
      nodeReferencePerUtteranceMs: await warmInNode(),
    };
  }
  if (only.has("api")) {
    process.stdout.write("API end to end…\n");
    report.api = await api();
  }
} catch (err) {
  process.stderr.write(`bench:inference: ${(err as Error).stack ?? err}\n`);
  report.error = (err as Error).message;
  exitCode = 1;
} finally {
  await cleanUp();
}
report.finishedAt = new Date().toISOString();
report.note = noteFor(report);
const path = writeResult(values.out!, "inference", startedAt, report);
process.stdout.write(`\n${summary(report)}\nResults: ${path}\n`);
process.exit(exitCode);

type Pct = { p50: number; p99: number; max: number; mean: number };
type Warm = Record<Task, Record<"callerSingleUtteranceMs" | "workerPerUtteranceMs", Pct>>;
type Cold = Awaited<ReturnType<typeof coldStart>>;
type Api = { cases: Record<string, Record<"withInference" | "inferenceShed", Pct>> };
function ms(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(2);
}

/** The acceptance check in words: the targets against this run, and why where they are missed. */
function noteFor(r: Record<string, unknown>): string {
  const lines = [
    "Compare within one run; the shared 2-core machine's load average at the start is in machine. Loopback latencies include wrangler dev's proxy in front of workerd.",
  ];
  const warm = (r.warm as { workerd?: Warm } | undefined)?.workerd;
  if (warm) {
    const worst = Math.max(...TASKS.map((t) => warm[t].workerPerUtteranceMs.p99));
    lines.push(
      `Warm: worker-side per-utterance p99 ${ms(worst)} ms (worst task) ${worst <= 2 ? "meets" : "misses"} the 2 ms target; a caller's single-utterance call adds the HTTP round trip (callerSingleUtteranceMs), which the target does not cover. The Node reference times each utterance on its own; its p99 above p50 reflects preemption on this shared machine, not the model.`,
    );
  }
  const cold = r.coldStart as Cold | undefined;
  if (cold) {
    const backend = cold.stepwiseMs.ortBackend!.p50;
    const first = backend + cold.sessionCreationPerModelMs["sentiment-zh"]!.p50;
    lines.push(
      `Cold: a model's own session creation (plus warm-up run) is ${TASKS.map((t) => `${t} ${ms(cold.sessionCreationPerModelMs[t]!.p50)} ms`).join(", ")} (p50), within 300 ms; but the first model in a fresh isolate also pays the ORT wasm backend's initialisation once (${ms(backend)} ms p50; timed per wasm export inside workerd, about 200–330 ms is _OrtInit, the environment set-up, and most of the rest the first session's one-off set-up such as the CPU kernel registry), so first-model cold start is ≈${ms(first)} ms, ${first <= 300 ? "within" : "over"} the 300 ms target. Before that, a fresh isolate evaluates the script, which compiles the 14 MB ORT wasm (isolate step). Plan for the gap: a reduced-operator, minimal ORT wasm build (only the ~9 operators these graphs use, ORT-format models, no contrib ops), which skips the schema registry and most kernel registrations and shrinks the 14 MB wasm; or, since the graphs are a sparse Gather plus a small MLP, the TypeScript forward pass the tests already use as reference. Until then /v1/health warms the models before a region takes traffic.`,
    );
  }
  return lines.join(" ");
}

function summary(r: Record<string, unknown>): string {
  const out: string[] = [];
  const warm = (r.warm as { workerd?: Warm; nodeReferencePerUtteranceMs?: Record<Task, Pct> })
    ?.workerd;
  if (warm) {
    out.push("warm (ms)              worker/utt p50  p99   caller 1-utt p50  p99   node/utt p99");
    const node = (r.warm as { nodeReferencePerUtteranceMs: Record<Task, Pct> })
      .nodeReferencePerUtteranceMs;
    for (const t of TASKS) {
      const w = warm[t];
      out.push(
        `  ${t.padEnd(20)} ${ms(w.workerPerUtteranceMs.p50).padStart(12)} ${ms(w.workerPerUtteranceMs.p99).padStart(5)} ${ms(w.callerSingleUtteranceMs.p50).padStart(17)} ${ms(w.callerSingleUtteranceMs.p99).padStart(5)} ${ms(node[t]?.p99).padStart(14)}`,
      );
    }
  }
  const cold = r.coldStart as Cold | undefined;
  if (cold) {
    out.push(`cold (ms, p50 / max over ${cold.samples} fresh workers)`);
    for (const [step, v] of Object.entries(cold.stepwiseMs))
      out.push(`  ${step.padEnd(20)} ${ms(v.p50).padStart(9)} / ${ms(v.max)}`);
    const f = cold.firstAnalyze.readyToFirstAnalyzeMs;
    out.push(`  ${"first analyze".padEnd(20)} ${ms(f.p50).padStart(9)} / ${ms(f.max)}`);
  }
  const api = r.api as Api | undefined;
  if (api) {
    out.push("API /v1/insights/analyze (ms)   with inference p50  p99   shed p50  p99");
    for (const [name, c] of Object.entries(api.cases))
      out.push(
        `  ${name.padEnd(28)} ${ms(c.withInference.p50).padStart(18)} ${ms(c.withInference.p99).padStart(5)} ${ms(c.inferenceShed.p50).padStart(10)} ${ms(c.inferenceShed.p99).padStart(5)}`,
      );
  }
  const art = r.artifacts as ReturnType<typeof artifacts> | undefined;
  if (art) {
    const kib = (b: number) => (b / 1024).toFixed(0);
    out.push(
      `artifacts: upload ${art.deployDryRun.totalUploadKiB} KiB (gzip ${art.deployDryRun.gzipKiB} KiB); ort wasm ${kib(art.ortWasm.bytes)} KiB (gzip ${kib(art.ortWasm.gzipBytes)}); ` +
        TASKS.map(
          (t) => `${t} ${kib(art.models[t]!.bytes)} KiB (gzip ${kib(art.models[t]!.gzipBytes)})`,
        ).join(", "),
    );
  }
  const acc = r.accuracy as Record<Task, { accuracy: number; macroF1: number }> | undefined;
  if (acc)
    out.push(
      `accuracy: ${TASKS.map((t) => `${t} ${(acc[t].accuracy * 100).toFixed(1)}% (macro-F1 ${(acc[t].macroF1 * 100).toFixed(1)}%)`).join(", ")}`,
    );
  if (r.error) out.push(`error: ${r.error}`);
  return out.join("\n");
}
