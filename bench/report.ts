// The benchmark's record: machine, commit and parameters beside the numbers, written as
// JSON (one file per run plus latest.json) and printed as a table.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import type { FlowName } from "./flows.ts";
import type { Stats } from "./measure.ts";

export interface FlowResult extends Stats {
  flow: FlowName;
  /** This flow's p50 and p99 over the floor's, both from the same concurrency level of one run. */
  ratioToFloor: { p50: number; p99: number };
}

export interface ConcurrencyRun {
  concurrency: number;
  flows: FlowResult[];
  errorSamples: { flow: FlowName; problem: string }[];
}

export interface BenchReport {
  schema: "lifeline-bench/1";
  startedAt: string;
  finishedAt: string;
  git: { commit: string | null; dirty: boolean | null };
  machine: {
    cpuModel: string;
    cpus: number;
    memoryGiB: number;
    os: string;
    arch: string;
    node: string;
  };
  parameters: Record<string, unknown>;
  note: string;
  runs: ConcurrencyRun[];
}

export function machineInfo(): BenchReport["machine"] {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpus: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    node: process.version,
  };
}

export function gitInfo(cwd: string): BenchReport["git"] {
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  try {
    return { commit: git("rev-parse", "HEAD"), dirty: git("status", "--porcelain") !== "" };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** Writes lifeline-<timestamp>.json and latest.json; returns the former's path. */
export function writeReport(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  const path = join(dir, `lifeline-${stamp}.json`);
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(path, text);
  writeFileSync(join(dir, "latest.json"), text);
  return path;
}

export function formatTable(run: ConcurrencyRun, iterations: number): string {
  const header = [
    "flow",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "max ms",
    "ops/s",
    "p50/floor",
    "p99/floor",
    "errors",
  ];
  const rows = run.flows.map((f) => [
    f.flow,
    fixed(f.latencyMsP50),
    fixed(f.latencyMsP90),
    fixed(f.latencyMsP99),
    fixed(f.latencyMsMax),
    fixed(f.throughputOpsPerS, 0),
    `${fixed(f.ratioToFloor.p50)}×`,
    `${fixed(f.ratioToFloor.p99)}×`,
    f.skipped ? `${f.errors} +${f.skipped} skipped` : String(f.errors),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ");
  return [
    `concurrency ${run.concurrency}, ${iterations} iterations per flow`,
    line(header),
    ...rows.map(line),
  ].join("\n");
}

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

/** Writes `<name>-<timestamp>.json` and `<name>-latest.json`; returns the former's path. */
export function writeResult(dir: string, name: string, startedAt: string, result: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${startedAt.replace(/[:.]/g, "-")}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  writeFileSync(path, text);
  writeFileSync(join(dir, `${name}-latest.json`), text);
  return path;
}
