// `npm run bench:insights`: issue 12's bench in one run — the shipped sentiment models scored
// through the ORT wasm path the inference worker serves with (accuracy and calibration per
// language and class, checked against each model's metrics.json), the scenario table's pass
// rate, and the latest inference and federated reports read back. Nothing is started.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import * as ort from "onnxruntime-web/wasm";
import { SCENARIOS } from "../core/insights/scenarios.ts";
import { readSplit, type SalesCallRow } from "../ml/data/corpus.ts";
import { readTrained, textPredictor } from "../ml/onnx/trained.ts";
import {
  ECE_BINS,
  polarReport,
  type SentimentReport,
  sentimentReport,
} from "../ml/sentiment/report.ts";
import { SENTIMENT_TASKS, type SentimentTask, TARGETS } from "../ml/sentiment/task.ts";
import { argmax } from "../ml/serve/argmax.ts";
import type { ModelManifest } from "../ml/serve/manifest.ts";
import { run, sessionOptions } from "../ml/serve/run.ts";
import { textReader } from "../ml/serve/text-input.ts";
import { parseJsonl } from "../ml/train/dataset.ts";
import { round } from "./measure.ts";
import { gitInfo, machineInfo, writeResult } from "./report.ts";

const ROOT = join(import.meta.dirname, "..");
const USAGE = `Usage: npm run bench:insights -- [options]

Options:
  --data-dir <dir>  the public corpora (default ../shared/data, as npm run train)
  --out <dir>       where results go (default bench/results)
  -h, --help        show this help
`;

function fail(message: string): never {
  process.stderr.write(`bench:insights: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        "data-dir": { type: "string", default: resolve(ROOT, "../shared/data") },
        out: { type: "string", default: join(ROOT, "bench", "results") },
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

const startedAt = new Date().toISOString();
const RESULTS = join(ROOT, "bench", "results");
const rel = (path: string) => path.slice(ROOT.length + 1);
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
/** Mismatches and stale inputs, printed and kept in the report. */
const warnings: string[] = [];
const warn = (message: string) => {
  warnings.push(message);
  process.stderr.write(`warning: ${message}\n`);
};
const errors: string[] = [];

// Node resolves `onnxruntime-web/wasm` to the bundled build; one thread, as in workerd and as
// test/inference/ort-node.ts does (Node has no crossOriginIsolated workers).
ort.env.wasm.numThreads = 1;

// ── sentiment: accuracy and calibration ─────────────────────────────────────────────────

type Probs = ArrayLike<number>[];

/** ECE's bins (report.ts ECE_BINS, same binning), non-empty ones, as a reliability table. */
function reliability(probs: Probs, truth: readonly number[]) {
  const bins = Array.from({ length: ECE_BINS }, (_, b) => ({
    from: round(b / ECE_BINS, 4),
    to: round((b + 1) / ECE_BINS, 4),
    count: 0,
    confidence: 0,
    hits: 0,
  }));
  probs.forEach((p, i) => {
    const k = argmax(p);
    const bin = bins[Math.min(ECE_BINS - 1, Math.floor(p[k]! * ECE_BINS))]!;
    bin.count++;
    bin.confidence += p[k]!;
    if (k === truth[i]) bin.hits++;
  });
  const table = bins
    .filter((b) => b.count > 0)
    .map((b) => ({
      from: b.from,
      to: b.to,
      count: b.count,
      meanConfidence: b.confidence / b.count,
      accuracy: b.hits / b.count,
    }));
  const ece = table.reduce(
    (s, b) => s + (b.count / probs.length) * Math.abs(b.accuracy - b.meanConfidence),
    0,
  );
  return { ece, table };
}

const indicesOf = (labels: readonly string[], gold: readonly string[]) =>
  gold.map((g) => labels.indexOf(g));

/** sentimentReport (what metrics.json holds) plus the reliability table and a per-industry cut. */
function splitReport(labels: readonly string[], rows: readonly SalesCallRow[], probs: Probs) {
  const gold = rows.map((r) => r.label);
  const report = sentimentReport(labels, gold, probs);
  const cal = reliability(probs, indicesOf(labels, gold));
  if (Math.abs(cal.ece - report.ece) > 1e-12)
    warn(`reliability table ECE ${cal.ece} ≠ sentimentReport ECE ${report.ece}`);
  const industries = [...new Set(rows.map((r) => r.industry))].sort();
  const byIndustry = Object.fromEntries(
    industries.map((industry) => {
      const at = rows.flatMap((r, i) => (r.industry === industry ? [i] : []));
      const r = sentimentReport(
        labels,
        at.map((i) => gold[i]!),
        at.map((i) => probs[i]!),
      );
      return [
        industry,
        {
          rows: r.rows,
          accuracy: r.accuracy,
          polarAccuracy: r.polarAccuracy,
          neutralRecall: r.neutralRecall,
        },
      ];
    }),
  );
  return { ...report, reliability: cal.table, byIndustry };
}

/** The public two-class set: polarReport (as metrics.json) plus its confusion and reliability. */
function publicReport(labels: readonly string[], gold: readonly string[], probs: Probs) {
  const report = polarReport(labels, gold, probs);
  const goldLabels = ["negative", "positive"];
  const matrix = goldLabels.map(() => new Array<number>(labels.length).fill(0));
  probs.forEach((p, i) => {
    matrix[goldLabels.indexOf(gold[i]!)]![argmax(p)]!++;
  });
  const cal = reliability(probs, indicesOf(labels, gold));
  return {
    ...report,
    /** Rows gold negative/positive, columns the three-way argmax. */
    confusion: { gold: goldLabels, predicted: [...labels], matrix },
    /** Three-way: a neutral answer counts as wrong, as threeWayAccuracy. */
    ece: cal.ece,
    reliability: cal.table,
  };
}

/**
 * Numbers of `actual` that differ from metrics.json's at the same path (keys both have).
 * Argmax figures must be equal; ECE and NLL, which read probabilities, within `loose`: the
 * served graph runs in float32, the reference in float64.
 */
function mismatches(path: string, expected: unknown, actual: unknown, loose: number): string[] {
  if (typeof expected === "number" && typeof actual === "number") {
    const tolerance = /\.(ece|nll)$/.test(path) ? loose : 1e-12;
    return Math.abs(expected - actual) > tolerance
      ? [`${path}: ${actual} here, ${expected} in metrics.json`]
      : [];
  }
  if (expected && actual && typeof expected === "object" && typeof actual === "object")
    return Object.keys(expected).flatMap((k) =>
      k in actual
        ? mismatches(
            `${path}.${k}`,
            (expected as Record<string, unknown>)[k],
            (actual as Record<string, unknown>)[k],
            loose,
          )
        : [],
    );
  return [];
}

async function evaluateTask(task: SentimentTask, publicRows: { text: string; label: string }[]) {
  const dir = join(ROOT, "models", task);
  const lang = task === "sentiment-zh" ? "zh" : "en";
  const manifest = readJson(join(dir, "manifest.json")) as ModelManifest;
  const metrics = readJson(join(dir, "metrics.json"));
  const onnx = readFileSync(join(dir, "model.onnx"));
  const sha = createHash("sha256").update(onnx).digest("hex");
  if (!manifest.modelVersion.endsWith(sha.slice(0, 12)))
    warn(
      `${task}: model.onnx (sha256 ${sha.slice(0, 12)}) is not manifest ${manifest.modelVersion}`,
    );
  const labels = manifest.labels;
  for (const part of ["test", "dev", ...(task === "sentiment-zh" ? ["publicDev"] : [])])
    if (!metrics[part]) warn(`${task}: metrics.json has no ${part} figures to check against`);

  // Serving: what workers/inference/sessions.ts does with the bundled bytes.
  const read = textReader(manifest);
  if (!read) throw new Error(`${task}: its manifest has no text recipe`);
  const session = await ort.InferenceSession.create(new Uint8Array(onnx), sessionOptions());
  const perUtteranceMs: number[] = [];
  const serve = async (texts: readonly string[]) => {
    const out: number[][] = [];
    for (const text of texts) {
      const t0 = performance.now();
      out.push(await run(session, read(text)));
      perUtteranceMs.push(performance.now() - t0);
    }
    return out;
  };
  // Training's reference: the TypeScript forward pass over model.json + weights.bin, which
  // wrote metrics.json; it tells a stale export from stale metrics.
  const reference = textPredictor(readTrained(dir));

  const split = readSplit();
  const mine = (rows: SalesCallRow[]) => rows.filter((r) => r.lang === lang);
  const sets = { test: mine(split.test), dev: mine(split.dev) };
  const served: Record<string, number[][]> = {};
  const referenced: Record<string, Probs> = {};
  for (const [name, rows] of Object.entries(sets)) {
    served[name] = await serve(rows.map((r) => r.text));
    referenced[name] = rows.map((r) => reference(r.text));
  }
  const withPublic = lang === "zh";
  if (withPublic) {
    served.publicDev = await serve(publicRows.map((r) => r.text));
    referenced.publicDev = publicRows.map((r) => reference(r.text));
  }
  await session.release();

  let agree = 0;
  let total = 0;
  let maxDiff = 0;
  for (const name of Object.keys(served))
    served[name]!.forEach((p, i) => {
      const q = referenced[name]![i]!;
      total++;
      if (argmax(p) === argmax(q)) agree++;
      for (let j = 0; j < p.length; j++) maxDiff = Math.max(maxDiff, Math.abs(p[j]! - q[j]!));
    });

  const test = splitReport(labels, sets.test, served.test!);
  const dev = splitReport(labels, sets.dev, served.dev!);
  const pub = withPublic
    ? publicReport(
        labels,
        publicRows.map((r) => r.label),
        served.publicDev!,
      )
    : null;

  // Against metrics.json: argmax figures exactly, ECE and NLL within float32 rounding.
  const check = (
    reports: { test: SentimentReport; dev: SentimentReport; publicDev: object | null },
    loose: number,
  ) => [
    ...mismatches("accuracy", metrics.accuracy, reports.test.accuracy, loose),
    ...mismatches("test", metrics.test, reports.test, loose),
    ...mismatches("dev", metrics.dev, reports.dev, loose),
    ...(reports.publicDev
      ? mismatches("publicDev", metrics.publicDev, reports.publicDev, loose)
      : []),
  ];
  const onnxMismatches = check({ test, dev, publicDev: pub }, 1e-4);
  const referenceMismatches = check(
    {
      test: sentimentReport(
        labels,
        sets.test.map((r) => r.label),
        referenced.test!,
      ),
      dev: sentimentReport(
        labels,
        sets.dev.map((r) => r.label),
        referenced.dev!,
      ),
      publicDev: withPublic
        ? polarReport(
            labels,
            publicRows.map((r) => r.label),
            referenced.publicDev!,
          )
        : null,
    },
    1e-9,
  );
  for (const m of onnxMismatches) warn(`${task} (served ONNX) ${m}`);
  for (const m of referenceMismatches) warn(`${task} (TypeScript reference) ${m}`);

  const targets = TARGETS[task];
  const verdict = (target: number, value: number) => ({ target, value, met: value >= target });
  const met = {
    polarAccuracy: verdict(targets.polarAccuracy, test.polarAccuracy),
    neutralRecall: verdict(targets.neutralRecall, test.neutralRecall),
    ...("publicDevPolarDecision" in targets && pub
      ? {
          publicDevPolarDecision: verdict(
            targets.publicDevPolarDecision,
            pub.polarDecisionAccuracy,
          ),
        }
      : {}),
  };
  const sorted = perUtteranceMs.slice(20).sort((a, b) => a - b);
  const pct = (p: number) =>
    round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!, 3);
  return {
    language: lang,
    model: {
      dir: rel(dir),
      kind: manifest.kind,
      modelVersion: manifest.modelVersion,
      labels,
      onnxBytes: onnx.length,
      onnxGzipBytes: gzipSync(onnx, { level: 9 }).length,
      temperature: metrics.calibration?.temperature ?? null,
      shift: metrics.calibration?.shift ?? null,
    },
    targets: { ...met, allMet: Object.values(met).every((v) => v.met), source: "issue 12" },
    test,
    dev,
    ...(pub
      ? { publicDev: { file: "sentiment-zh/dev.jsonl (hand-labelled, public)", ...pub } }
      : {}),
    /** Served ONNX against the TypeScript forward pass, over every row scored here. */
    parity: {
      rows: total,
      argmaxAgreement: agree / total,
      maxAbsProbabilityDifference: maxDiff,
    },
    metricsJson: {
      file: `${rel(dir)}/metrics.json`,
      servedMatches: onnxMismatches.length === 0,
      servedMismatches: onnxMismatches,
      referenceMatches: referenceMismatches.length === 0,
      referenceMismatches,
    },
    /** Feature extraction plus one ORT run, in Node, over this run's rows after 20. */
    nodePerUtteranceMs: { samples: sorted.length, p50: pct(50), p99: pct(99) },
  };
}

// ── scenarios ────────────────────────────────────────────────────────────────────────────

/** The scenario test file itself (its checks through analyzeCall), read back from vitest's JSON. */
function scenarios() {
  const file = "core/insights/scenarios.test.ts";
  const tmp = mkdtempSync(join(os.tmpdir(), "lifeline-insights-bench-"));
  const outputFile = join(tmp, "vitest.json");
  const t0 = performance.now();
  try {
    // No web build: these are core tests (test/global-setup.ts).
    const child = spawnSync(
      join(ROOT, "node_modules", ".bin", "vitest"),
      ["run", file, "--reporter=json", `--outputFile=${outputFile}`],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, LIFELINE_SKIP_WEB_BUILD: "1" },
        timeout: 300_000,
      },
    );
    let json: {
      testResults: Array<{
        assertionResults: Array<{ title: string; status: string; failureMessages: string[] }>;
      }>;
    };
    try {
      json = readJson(outputFile);
    } catch {
      throw new Error(`vitest wrote no report (exit ${child.status}): ${child.stderr.slice(-500)}`);
    }
    const results = json.testResults.flatMap((t) => t.assertionResults);
    const byTitle = new Map(results.map((r) => [r.title, r]));
    const rows = SCENARIOS.map((s) => ({ s, result: byTitle.get(s.rule) }));
    const passed = (r: (typeof rows)[number]) => r.result?.status === "passed";
    const tally = (key: (r: (typeof rows)[number]) => string) => {
      const groups: Record<string, { scenarios: number; passed: number; passRate: number }> = {};
      for (const r of rows) {
        groups[key(r)] ??= { scenarios: 0, passed: 0, passRate: 0 };
        const g = groups[key(r)]!;
        g.scenarios++;
        if (passed(r)) g.passed++;
      }
      for (const g of Object.values(groups)) g.passRate = g.passed / g.scenarios;
      return Object.fromEntries(Object.entries(groups).sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    const scenarioTitles = new Set(SCENARIOS.map((s) => s.rule));
    const n = rows.filter(passed).length;
    return {
      source: `${file} run by vitest (JSON reporter): each row through analyzeCall with the test's own checks; rows and their industry and language from core/insights/scenarios.ts`,
      vitestExitCode: child.status,
      durationMs: round(performance.now() - t0, 0),
      scenarios: rows.length,
      passed: n,
      passRate: n / rows.length,
      failing: rows
        .filter((r) => r.result && !passed(r))
        .map((r) => ({
          rule: r.s.rule,
          industry: r.s.industry,
          locale: r.s.locale,
          status: r.result!.status,
          message: r.result!.failureMessages[0]?.split("\n")[0] ?? "",
        })),
      /** Rows the test run reported nothing for (a renamed test, or a crash before it ran). */
      notRun: rows.filter((r) => !r.result).map((r) => r.s.rule),
      byIndustry: tally((r) => r.s.industry),
      byLocale: tally((r) => r.s.locale),
      byIndustryAndLocale: tally((r) => `${r.s.industry}/${r.s.locale}`),
      /** The file's other tests: the table's shape and the invariants every row keeps. */
      otherTests: results
        .filter((r) => !scenarioTitles.has(r.title))
        .map((r) => ({ title: r.title, status: r.status })),
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ── read back: inference latency and sizes, federated rounds ─────────────────────────────

type Pct = { p50: number; p99: number; max?: number };

function inference(current: Record<string, string>) {
  const file = join(RESULTS, "inference-latest.json");
  const r = readJson(file);
  const tasks = Object.keys(r.artifacts?.models ?? r.warm?.workerd ?? {});
  const perTask = Object.fromEntries(
    tasks.map((task) => {
      const measured = r.accuracy?.[task]?.shippedModelVersion ?? null;
      const now = current[task] ?? null;
      if (now && measured !== now)
        warn(
          `${rel(file)} measured ${task} ${measured}; shipped now is ${now}: its latency and size are of another artifact`,
        );
      const pick = (p: Pct | undefined) => (p ? { p50: p.p50, p99: p.p99 } : null);
      return [
        task,
        {
          measuredModelVersion: measured,
          currentModelVersion: now,
          workerPerUtteranceMs: pick(r.warm?.workerd?.[task]?.workerPerUtteranceMs),
          callerSingleUtteranceMs: pick(r.warm?.workerd?.[task]?.callerSingleUtteranceMs),
          nodeReferencePerUtteranceMs: pick(r.warm?.nodeReferencePerUtteranceMs?.[task]),
          sessionCreationMs: r.coldStart?.sessionCreationPerModelMs?.[task] ?? null,
          onnxBytes: r.artifacts?.models?.[task]?.bytes ?? null,
          onnxGzipBytes: r.artifacts?.models?.[task]?.gzipBytes ?? null,
        },
      ];
    }),
  );
  // Issue 12's bound is on the sentiment models; intent-en is listed for its size and cost.
  const worst = Math.max(
    ...SENTIMENT_TASKS.map((t) => perTask[t]?.workerPerUtteranceMs?.p99 ?? Number.NaN),
  );
  return {
    source: rel(file),
    startedAt: r.startedAt,
    git: r.git,
    warmPerUtteranceTarget: {
      ms: 2,
      source: "issue 12 (≤ 2 ms warm), DESIGN §10 (p99): worker-side per utterance in workerd",
      worstSentimentWorkerP99Ms: worst,
      met: worst <= 2,
    },
    perTask,
    ortWasm: r.artifacts?.ortWasm ?? null,
    inferenceWorkerUpload: r.artifacts?.deployDryRun
      ? {
          totalUploadKiB: r.artifacts.deployDryRun.totalUploadKiB,
          gzipKiB: r.artifacts.deployDryRun.gzipKiB,
        }
      : null,
  };
}

type Score = { accuracy: number; macroF1: number };
type FederatedReport = {
  at: string;
  command: string;
  config: { rounds: number; training: { noiseMultiplier: number; clipNorm: number } };
  eval: { split: string; rows: number };
  partition: Record<string, { industries: string[]; train: number; holdout: number }>;
  rounds: Array<{ round: number; score: Score }>;
  alone: Record<string, Score>;
  pooled: Score;
};

/** (federated − best region alone) / (pooled − best region alone), macro-F1. */
function gapClosed(r: FederatedReport): number {
  const bestAlone = Math.max(...Object.values(r.alone).map((s) => s.macroF1));
  return (r.rounds.at(-1)!.score.macroF1 - bestAlone) / (r.pooled.macroF1 - bestAlone);
}

/**
 * federated-latest.json is whatever `npm run federate` ran last into bench/results, noise
 * or not; so every stamped run is listed too, and the newest noise-free one named.
 */
function federated() {
  const latest = join(RESULTS, "federated-latest.json");
  const text = readFileSync(latest, "utf8");
  const r = JSON.parse(text) as FederatedReport;
  const stamped = readdirSync(RESULTS)
    .filter((f) => /^federated-\d.*\.json$/.test(f))
    .sort();
  const sameAs = stamped.find((f) => readFileSync(join(RESULTS, f), "utf8") === text) ?? null;
  const score = (s: Score) => ({ accuracy: s.accuracy, macroF1: s.macroF1 });
  const runs = stamped.map((f) => {
    const x = readJson(join(RESULTS, f)) as FederatedReport;
    return {
      file: `bench/results/${f}`,
      noiseMultiplier: x.config.training.noiseMultiplier,
      macroF1ByRound: x.rounds.map((y) => y.score.macroF1),
      pooledMacroF1: x.pooled.macroF1,
      gapClosedVsBestAlone: gapClosed(x),
    };
  });
  return {
    source: rel(latest),
    sameAs: sameAs && `bench/results/${sameAs}`,
    at: r.at,
    command: r.command,
    noiseMultiplier: r.config.training.noiseMultiplier,
    clipNorm: r.config.training.clipNorm,
    eval: r.eval,
    rounds: r.rounds.map((x) => ({ round: x.round, ...score(x.score) })),
    alone: Object.fromEntries(
      Object.entries(r.alone).map(([region, s]) => [
        region,
        { industries: r.partition[region]?.industries ?? [], ...score(s) },
      ]),
    ),
    federated: score(r.rounds.at(-1)!.score),
    pooled: score(r.pooled),
    gapClosedVsBestAlone: gapClosed(r),
    newestNoiseFree: runs.findLast((x) => x.noiseMultiplier === 0)?.file ?? null,
    /** Every stamped run in bench/results, oldest first. */
    runs,
  };
}

// ── chart ────────────────────────────────────────────────────────────────────────────────

type Bar = { name: string; value: number; target?: number };
const METRIC_COLOURS: Record<string, string> = {
  "pos/neg accuracy": "#2563eb",
  "neutral recall": "#0f766e",
  "3-way accuracy": "#9ca3af",
};
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * Grouped bars per language on a 0–1 axis, issue 12's targets as red dashes over their bars;
 * the legend and a few `notes` (the other figures of the run) on the right.
 */
function chart(groups: Array<{ label: string; bars: Bar[] }>, title: string, notes: string[]) {
  const W = 640;
  const H = 320;
  const PAD = { left: 44, right: 180, top: 36, bottom: 44 };
  const BAR = 32;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, groups.length);
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD.left}" y="20" font-size="13">${esc(title)}</text>`,
  ];
  for (let v = 0; v <= 1 + 1e-9; v += 0.2)
    out.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}</text>`,
    );
  groups.forEach((g, i) => {
    const centre = PAD.left + slot * (i + 0.5);
    g.bars.forEach((b, j) => {
      const x = centre - (BAR * g.bars.length) / 2 + BAR * j + 2;
      out.push(
        `<rect x="${x}" y="${y(b.value)}" width="${BAR - 4}" height="${y(0) - y(b.value)}" fill="${METRIC_COLOURS[b.name]}"><title>${esc(`${g.label} ${b.name} ${b.value.toFixed(3)}`)}</title></rect>`,
        `<text x="${x + (BAR - 4) / 2}" y="${y(b.value) - 4}" text-anchor="middle" font-size="10">${(b.value * 100).toFixed(0)}</text>`,
      );
      if (b.target !== undefined)
        out.push(
          `<line x1="${x - 3}" x2="${x + BAR - 1}" y1="${y(b.target)}" y2="${y(b.target)}" stroke="#dc2626" stroke-width="2" stroke-dasharray="4 2"><title>target ${b.target}</title></line>`,
        );
    });
    out.push(
      `<text x="${centre}" y="${H - PAD.bottom + 16}" text-anchor="middle">${esc(g.label)}</text>`,
    );
  });
  const lx = W - PAD.right + 12;
  const legend = [...Object.entries(METRIC_COLOURS), ["issue 12 target", "#dc2626"] as const];
  legend.forEach(([name, colour], i) => {
    const ly = PAD.top + 16 * i;
    out.push(
      name === "issue 12 target"
        ? `<line x1="${lx}" x2="${lx + 12}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2" stroke-dasharray="4 2"/>`
        : `<rect x="${lx}" y="${ly - 9}" width="12" height="10" fill="${colour}"/>`,
      `<text x="${lx + 18}" y="${ly}">${esc(name)}</text>`,
    );
  });
  notes.forEach((note, i) => {
    out.push(
      `<text x="${lx}" y="${PAD.top + 16 * (legend.length + 1) + 15 * i}" font-size="10" fill="#4b5563">${esc(note)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

// ── run ──────────────────────────────────────────────────────────────────────────────────

type TaskResult = Awaited<ReturnType<typeof evaluateTask>>;
const result: Record<string, unknown> = {
  schema: "lifeline-bench-insights/1",
  startedAt,
  git: gitInfo(ROOT),
  machine: machineInfo(),
  parameters: {
    splits: "ml/data/sales-calls/{test,dev}.jsonl, rows of the model's language",
    publicDev: join(values["data-dir"]!, "sentiment-zh/dev.jsonl"),
    eceBins: ECE_BINS,
  },
};
const sentiment: Partial<Record<SentimentTask, TaskResult>> = {};
process.stdout.write("Sentiment models through the served ONNX path…\n");
try {
  const publicRows = parseJsonl(
    readFileSync(join(values["data-dir"]!, "sentiment-zh/dev.jsonl"), "utf8"),
  );
  for (const task of SENTIMENT_TASKS) sentiment[task] = await evaluateTask(task, publicRows);
} catch (err) {
  errors.push(`sentiment: ${(err as Error).message}`);
}
result.sentiment = {
  method:
    "Each shipped models/<task>/model.onnx run with onnxruntime-web's wasm backend in Node (one thread), created with ml/serve/run.ts sessionOptions() and fed by ml/serve/text-input.ts textReader(manifest) — what workers/inference/sessions.ts serves with; scored with ml/sentiment/report.ts (the functions that wrote metrics.json). parity compares it with the TypeScript forward pass over model.json + weights.bin (ml/onnx/trained.ts textPredictor), which is what metrics.json was computed from.",
  ...sentiment,
};
process.stdout.write("Scenario table (vitest)…\n");
try {
  result.scenarios = scenarios();
} catch (err) {
  errors.push(`scenarios: ${(err as Error).message}`);
}
const currentVersions = Object.fromEntries(
  readdirSync(join(ROOT, "models"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      try {
        return [[d.name, readJson(join(ROOT, "models", d.name, "manifest.json")).modelVersion]];
      } catch {
        return [];
      }
    }),
);
try {
  result.inference = inference(currentVersions);
} catch (err) {
  errors.push(`inference: ${(err as Error).message}`);
}
try {
  result.federated = federated();
} catch (err) {
  errors.push(`federated: ${(err as Error).message}`);
}
result.finishedAt = new Date().toISOString();
result.warnings = warnings;
if (errors.length) result.errors = errors;

// ── print and write ──────────────────────────────────────────────────────────────────────

const pc = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? "–" : `${(n * 100).toFixed(1)}%`;
const mark = (met: boolean | undefined) => (met === undefined ? "" : met ? " ✓" : " ✗");
const lines: string[] = [];
lines.push(
  "model         split       rows  3-way   pos/neg  neutral R  macro-F1  ECE    per class F1 (neg/neu/pos)",
);
for (const task of SENTIMENT_TASKS) {
  const t = sentiment[task];
  if (!t) continue;
  for (const name of ["test", "dev"] as const) {
    const s = t[name];
    const onTest = name === "test";
    lines.push(
      `${task.padEnd(13)} ${name.padEnd(10)} ${String(s.rows).padStart(5)}  ${pc(s.accuracy).padStart(6)} ${(pc(s.polarAccuracy) + (onTest ? mark(t.targets.polarAccuracy.met) : "")).padStart(8)} ${(pc(s.neutralRecall) + (onTest ? mark(t.targets.neutralRecall.met) : "")).padStart(10)}  ${pc(s.macroF1).padStart(8)}  ${s.ece.toFixed(3)}  ${Object.values(
        s.perClass,
      )
        .map((c) => pc(c.f1))
        .join(" / ")}`,
    );
  }
  if (t.publicDev) {
    const p = t.publicDev;
    const met =
      "publicDevPolarDecision" in t.targets ? t.targets.publicDevPolarDecision : undefined;
    lines.push(
      `${task.padEnd(13)} ${"public dev".padEnd(10)} ${String(p.rows).padStart(5)}  ${pc(p.threeWayAccuracy).padStart(6)} ${(pc(p.polarDecisionAccuracy) + mark(met?.met)).padStart(8)}  (pos-vs-neg decision; ${pc(p.neutralShare)} called neutral)  ECE ${p.ece.toFixed(3)}`,
    );
  }
  lines.push(
    `${"".padEnd(13)} targets ${t.targets.allMet ? "met" : "NOT met"}; metrics.json ${t.metricsJson.servedMatches ? "matches" : `differs (${t.metricsJson.servedMismatches.length})`}; ONNX vs TS argmax agreement ${pc(t.parity.argmaxAgreement)}, max |Δp| ${t.parity.maxAbsProbabilityDifference.toExponential(1)}; node ${t.nodePerUtteranceMs.p50} ms p50 / ${t.nodePerUtteranceMs.p99} ms p99`,
  );
}
const sc = result.scenarios as ReturnType<typeof scenarios> | undefined;
if (sc) {
  lines.push(
    `scenarios: ${sc.passed}/${sc.scenarios} pass (${pc(sc.passRate)}); by industry ${Object.entries(
      sc.byIndustry,
    )
      .map(([k, v]) => `${k} ${v.passed}/${v.scenarios}`)
      .join(", ")}; by language ${Object.entries(sc.byLocale)
      .map(([k, v]) => `${k} ${v.passed}/${v.scenarios}`)
      .join(
        ", ",
      )}; other tests ${sc.otherTests.filter((t) => t.status === "passed").length}/${sc.otherTests.length}`,
  );
  for (const f of sc.failing) lines.push(`  failing: ${f.rule} — ${f.message}`);
  for (const f of sc.notRun) lines.push(`  not run: ${f}`);
}
const inf = result.inference as ReturnType<typeof inference> | undefined;
if (inf) {
  lines.push(`latency and size (${inf.source}, ${inf.startedAt}):`);
  for (const [task, t] of Object.entries(inf.perTask))
    lines.push(
      `  ${task.padEnd(13)} worker/utt p50 ${t.workerPerUtteranceMs?.p50 ?? "–"} ms p99 ${t.workerPerUtteranceMs?.p99 ?? "–"} ms; session ${t.sessionCreationMs?.p50 ?? "–"} ms; onnx ${t.onnxBytes === null ? "–" : `${(t.onnxBytes / 1024).toFixed(0)} KiB (gzip ${(t.onnxGzipBytes! / 1024).toFixed(0)})`}${t.measuredModelVersion === t.currentModelVersion ? "" : ` [measured ${t.measuredModelVersion}, shipped ${t.currentModelVersion}]`}`,
    );
}
const fed = result.federated as ReturnType<typeof federated> | undefined;
if (fed) {
  lines.push(
    `federated (${fed.sameAs ?? fed.source}, noise ${fed.noiseMultiplier}): macro-F1 by round ${fed.rounds.map((r) => r.macroF1.toFixed(3)).join(" → ")}; alone ${Object.entries(
      fed.alone,
    )
      .map(([k, v]) => `${k} ${v.macroF1.toFixed(3)}`)
      .join(
        ", ",
      )}; pooled ${fed.pooled.macroF1.toFixed(3)}; gap closed ${pc(fed.gapClosedVsBestAlone)}`,
  );
  for (const x of fed.runs)
    lines.push(
      `  ${x.file.padEnd(56)} noise ${String(x.noiseMultiplier).padEnd(5)} ${x.macroF1ByRound.map((v) => v.toFixed(3)).join(" → ")} (pooled ${x.pooledMacroF1.toFixed(3)}, gap closed ${pc(x.gapClosedVsBestAlone)})`,
    );
}
for (const w of warnings) lines.push(`warning: ${w}`);
for (const e of errors) lines.push(`error: ${e}`);
process.stdout.write(`\n${lines.join("\n")}\n`);

const path = writeResult(values.out!, "insights", startedAt, result);
const zh = sentiment["sentiment-zh"];
const en = sentiment["sentiment-en"];
const groups = [
  ...[zh, en].flatMap((t) =>
    t
      ? [
          {
            label: `${t.language} test (${t.test.rows})`,
            bars: [
              {
                name: "pos/neg accuracy",
                value: t.test.polarAccuracy,
                target: t.targets.polarAccuracy.target,
              },
              {
                name: "neutral recall",
                value: t.test.neutralRecall,
                target: t.targets.neutralRecall.target,
              },
              { name: "3-way accuracy", value: t.test.accuracy },
            ],
          },
        ]
      : [],
  ),
  ...(zh?.publicDev
    ? [
        {
          label: `zh public dev (${zh.publicDev.rows})`,
          bars: [
            {
              name: "pos/neg accuracy",
              value: zh.publicDev.polarDecisionAccuracy,
              target: TARGETS["sentiment-zh"].publicDevPolarDecision,
            },
            { name: "3-way accuracy", value: zh.publicDev.threeWayAccuracy },
          ],
        },
      ]
    : []),
];
const notes = [
  ...(sc ? [`scenario tests ${sc.passed}/${sc.scenarios} pass`] : []),
  ...(inf
    ? [
        `sentiment ≤ ${inf.warmPerUtteranceTarget.worstSentimentWorkerP99Ms} ms/utterance`,
        "(worker p99, warm)",
      ]
    : []),
  ...(fed
    ? [
        `federated, round ${fed.rounds.length}:`,
        `macro-F1 ${fed.federated.macroF1.toFixed(2)}`,
        `(noise σ ${fed.noiseMultiplier}; pooled ${fed.pooled.macroF1.toFixed(2)})`,
      ]
    : []),
];
const svg = chart(
  groups,
  `Sentiment on held-out calls vs issue 12 targets (${startedAt.slice(0, 10)})`,
  notes,
);
const svgPath = path.replace(/\.json$/, ".svg");
writeFileSync(svgPath, svg);
writeFileSync(join(values.out!, "insights-latest.svg"), svg);
process.stdout.write(`\nwrote ${path}, ${svgPath} and insights-latest.{json,svg}\n`);
process.exit(errors.length ? 1 : 0);
