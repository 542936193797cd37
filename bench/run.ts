// `npm run bench`: starts a private region (free ports, temp data dir), drives each
// lifeline flow and the DO-write floor through the HTTP API, and records the latencies.
import { join } from "node:path";
import { ROOT } from "../scripts/region.ts";
import { type BenchRegion, benchArgs, startBenchRegion } from "./cli.ts";
import { type FlowName, phases } from "./flows.ts";
import { round, runPhase, summarise } from "./measure.ts";
import {
  type BenchReport,
  type ConcurrencyRun,
  type FlowResult,
  formatTable,
  gitInfo,
  machineInfo,
  writeReport,
} from "./report.ts";

const USAGE = `Usage: npm run bench -- [options]

Options:
  --iterations <n>     measured requests per flow and concurrency level (default 500)
  --warmup <n>         unmeasured iterations of every flow first (default 50)
  --concurrency <a,b>  concurrency levels to measure (default 1,8)
  --region <name>      wrangler.toml env whose topology to use (default cn-east)
  --out <dir>          where results go (default bench/results)
  --keep-data          keep the temporary region data directory
  -h, --help           show this help
`;
const MAX_ITERATIONS = 100_000;
const MAX_CONCURRENCY = 256;
const REQUEST_TIMEOUT_MS = 30_000;
const ERROR_SAMPLES_PER_FLOW = 3;

const { values, fail, int } = benchArgs("bench", USAGE, {
  iterations: { type: "string" },
  warmup: { type: "string" },
  concurrency: { type: "string" },
});
const iterations = int(values.iterations, 500, "iterations", 1, MAX_ITERATIONS);
const warmup = int(values.warmup, 50, "warmup", 0, MAX_ITERATIONS);
const levels = (values.concurrency ?? "1,8")
  .split(",")
  .map((c) => int(c.trim(), 1, "concurrency", 1, MAX_CONCURRENCY));
if (levels.length === 0) fail("--concurrency needs at least one level");
const regionName = values.region ?? "cn-east";
const outDir = values.out ?? join(ROOT, "bench", "results");

const interrupted = new AbortController();
let bench: BenchRegion | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    if (interrupted.signal.aborted) {
      // A second signal: do not wait for a graceful stop, but never orphan the region.
      void (bench?.region.kill() ?? Promise.resolve()).finally(() => process.exit(130));
      return;
    }
    process.stderr.write(`\n${signal}: stopping the benchmark region…\n`);
    interrupted.abort(new Error(`interrupted by ${signal}`));
  });

const startedAt = new Date().toISOString();
let exitCode = 0;
try {
  bench = await startBenchRegion(regionName, "lifeline-bench", { signal: interrupted.signal });
  const { region, credentials, localAdminSecret } = bench;
  void region.crashed.then(({ process: which }) => {
    interrupted.abort(new Error(`${regionName} ${which} died during the benchmark`));
  });

  const target = (runId: string) => ({
    apiUrl: region.apiUrl,
    apiKey: credentials.apiKey,
    localAdminSecret,
    residency: region.jurisdiction === "eu" ? ("eu" as const) : ("cn" as const),
    runId,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const runTag = Date.now().toString(36);

  if (warmup > 0) {
    process.stdout.write(`Warming up: ${warmup} iterations of every flow…\n`);
    for (const phase of phases(target(`${runTag}w`)))
      await runPhase(warmup, 1, phase.task, interrupted.signal);
  }

  const runs: ConcurrencyRun[] = [];
  for (const concurrency of levels) {
    process.stdout.write(`Measuring at concurrency ${concurrency}…\n`);
    const measured: { flow: FlowName; stats: ReturnType<typeof summarise>; problems: string[] }[] =
      [];
    for (const phase of phases(target(`${runTag}c${concurrency}`))) {
      const result = await runPhase(iterations, concurrency, phase.task, interrupted.signal);
      measured.push({
        flow: phase.flow,
        stats: summarise(result),
        problems: result.samples.flatMap((s) => (s.ok || !s.problem ? [] : [s.problem])),
      });
    }
    const floor = measured.find((m) => m.flow === "floor")!.stats;
    const flows: FlowResult[] = measured.map(({ flow, stats }) => ({
      flow,
      ...stats,
      ratioToFloor: {
        p50: round(stats.latencyMsP50 / floor.latencyMsP50),
        p99: round(stats.latencyMsP99 / floor.latencyMsP99),
      },
    }));
    const errorSamples = measured.flatMap(({ flow, problems }) =>
      problems.slice(0, ERROR_SAMPLES_PER_FLOW).map((problem) => ({ flow, problem })),
    );
    runs.push({ concurrency, flows, errorSamples });
  }

  const report: BenchReport = {
    schema: "lifeline-bench/1",
    startedAt,
    finishedAt: new Date().toISOString(),
    git: gitInfo(ROOT),
    machine: machineInfo(),
    parameters: {
      region: regionName,
      iterations,
      warmup,
      concurrency: levels,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      transport: "node fetch (undici, keep-alive) → wrangler dev (local mode)",
    },
    note: "Latencies include HTTP to a local wrangler dev. Compare numbers only within one run; ratioToFloor is this flow's percentile over the warm floor's (one bare SQLite write to an existing Durable Object via the same worker) at the same concurrency; floor.new is the same write to a Durable Object created by it.",
    runs,
  };
  const path = writeReport(outDir, report);
  process.stdout.write(`\n${runs.map((r) => formatTable(r, iterations)).join("\n\n")}\n\n`);
  for (const run of runs)
    for (const e of run.errorSamples)
      process.stdout.write(
        `error at concurrency ${run.concurrency}, ${e.flow}: ${e.problem.slice(0, 160)}\n`,
      );
  process.stdout.write(`Results: ${path}\n`);
  if (runs.some((r) => r.flows.some((f) => f.errors + f.skipped > 0))) exitCode = 1;
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  exitCode = interrupted.signal.aborted ? 130 : 1;
} finally {
  await bench?.stop(Boolean(values["keep-data"]) || exitCode === 1);
}
process.exit(exitCode);
