// `npm run bench:nlq`: the natural-language query's acceptance figures (DESIGN §11) on the
// committed labelled set core/nlq/labelled.json — exact-match accuracy overall, per
// language and per split, how often an unknown is right, wrong filters shown — and the
// time one question takes to parse. Pure computation: nothing is started.
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type PortalFilter, parseQuery, sameFilter } from "../core/nlq/index.ts";
import labelled from "../core/nlq/labelled.json" with { type: "json" };
import { round } from "./measure.ts";
import { gitInfo, machineInfo, writeResult } from "./report.ts";

const ROOT = join(import.meta.dirname, "..");
const USAGE = `Usage: npm run bench:nlq -- [options]

Options:
  --rounds <n>   timed passes over the labelled set, after 20 untimed (default 50)
  --out <dir>    where results go (default bench/results)
  -h, --help     show this help
`;
const MAX_ROUNDS = 10_000;

function fail(message: string): never {
  process.stderr.write(`bench:nlq: ${message}\n\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        rounds: { type: "string", default: "50" },
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
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > MAX_ROUNDS)
  fail(`--rounds must be in 1..${MAX_ROUNDS}`);

type Item = (typeof labelled.queries)[number];
type Expect = PortalFilter | { unknown: true };
const startedAt = new Date().toISOString();
const ask = (item: Item) =>
  parseQuery(item.text, {
    now: Date.parse(item.now),
    timeZone: item.timeZone,
    lang: item.lang as "zh" | "en",
    gazetteer: labelled.gazetteer,
  });

const outcomes = labelled.queries.map((item) => {
  const want = item.expect as Expect;
  const result = ask(item);
  const wantUnknown = "unknown" in want;
  const gotUnknown = result.kind === "unknown";
  const hit = wantUnknown
    ? gotUnknown
    : result.kind === "filter" && sameFilter(result.filter, want);
  return { item, wantUnknown, gotUnknown, hit, result };
});

type Outcome = (typeof outcomes)[number];
const share = (part: number, whole: number) => (whole === 0 ? null : round(part / whole, 4));
function score(os: Outcome[]) {
  const answeredUnknown = os.filter((o) => o.gotUnknown);
  return {
    queries: os.length,
    exactMatch: share(os.filter((o) => o.hit).length, os.length),
    /** Of the questions answered "unknown", the share labelled unknown. */
    unknownPrecision: share(
      answeredUnknown.filter((o) => o.wantUnknown).length,
      answeredUnknown.length,
    ),
    /** Of the questions labelled unknown, the share answered "unknown" (must be 1). */
    unknownRecall: share(
      os.filter((o) => o.wantUnknown && o.gotUnknown).length,
      os.filter((o) => o.wantUnknown).length,
    ),
    /** Filters shown that are not the labelled one: the costly error (a guess read back). */
    wrongFilters: os.filter((o) => !o.hit && !o.gotUnknown).length,
  };
}

// Timing. Cold: the process's first pass (what a fresh isolate pays, JIT not warmed up).
// Warm: WARMUP_ROUNDS untimed passes, then ROUNDS passes, each call timed on its own.
const WARMUP_ROUNDS = 20;
const timeOne = (item: Item) => {
  const t0 = performance.now();
  ask(item);
  return (performance.now() - t0) * 1000;
};
const coldUs = labelled.queries.map(timeOne);
for (let r = 0; r < WARMUP_ROUNDS; r++) for (const item of labelled.queries) ask(item);
const warmUs: number[] = [];
for (let r = 0; r < ROUNDS; r++) for (const item of labelled.queries) warmUs.push(timeOne(item));
function latency(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    samples: sorted.length,
    median: round(pct(50), 1),
    p99: round(pct(99), 1),
    max: round(sorted.at(-1)!, 1),
  };
}

const bySplit = (split: string) => outcomes.filter((o) => o.item.split === split);
const result = {
  schema: "lifeline-bench-nlq/1",
  startedAt,
  git: gitInfo(ROOT),
  machine: machineInfo(),
  parameters: {
    rounds: ROUNDS,
    warmupRounds: WARMUP_ROUNDS,
    labelledSet: "core/nlq/labelled.json",
  },
  note: "Exact match = canonical JSON equality with the hand-written label. split dev was written beside the parser (not a blind measure); split holdout was written after it and measured before any change (first run 44/63 = 0.698, 18 of the 19 misses answered unknown), then used to fix general gaps, so it is no longer blind; split holdout2 was written after those fixes and measured with the parser unchanged since (first run 42/44 = 0.955, both misses answered unknown).",
  overall: score(outcomes),
  zh: score(outcomes.filter((o) => o.item.lang === "zh")),
  en: score(outcomes.filter((o) => o.item.lang === "en")),
  dev: score(bySplit("dev")),
  holdout: score(bySplit("holdout")),
  holdout2: score(bySplit("holdout2")),
  /** Per-question parse time in µs: warm (after warm-up) and cold (the first pass). */
  latencyUs: { warm: latency(warmUs), cold: latency(coldUs) },
  misses: outcomes
    .filter((o) => !o.hit)
    .map((o) => ({
      text: o.item.text,
      expect: o.item.expect,
      got: o.result.kind === "filter" ? o.result.filter : { unknown: o.result.reason },
    })),
};

const pctText = (n: number | null) => (n === null ? "–" : `${(n * 100).toFixed(1)}%`);
for (const [name, s] of [
  ["overall", result.overall],
  ["zh", result.zh],
  ["en", result.en],
  ["dev", result.dev],
  ["holdout", result.holdout],
  ["holdout2", result.holdout2],
] as const) {
  console.log(
    `${name.padEnd(8)} ${String(s.queries).padStart(4)} queries  exact ${pctText(s.exactMatch).padStart(6)}  unknown precision ${pctText(s.unknownPrecision).padStart(6)}  recall ${pctText(s.unknownRecall).padStart(6)}  wrong filters ${s.wrongFilters}`,
  );
}
const { warm, cold } = result.latencyUs;
console.log(
  `parse: warm median ${warm.median} µs, p99 ${warm.p99} µs (${warm.samples} calls); cold first pass median ${cold.median} µs, p99 ${cold.p99} µs`,
);
for (const m of result.misses) console.log(`miss: ${m.text} → ${JSON.stringify(m.got)}`);
const path = writeResult(values.out!, "nlq", startedAt, result);
console.log(`\nwrote ${path}`);
