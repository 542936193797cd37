// Runs a CLI as an operator would, for the CLI tests: one child process, its output
// collected, its exit awaited, and a wait for a line in what it has printed so far; refusals
// checked as a table, and a temporary directory for a suite's data files.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { forSuite } from "./suite.ts";

const ROOT = resolve(import.meta.dirname, "../..");

export interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type CliRun = { child: ChildProcess; exited: Promise<Exit>; output: () => string };

/**
 * Starts `cli` (a .ts path) with `args` from the repository root. One process
 * (node --import tsx) so signals reach the server itself, not a wrapper. `output` reads
 * stderr, where the CLIs log.
 */
export function startCli(cli: string, args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<Exit>((done) =>
    child.on("exit", (code) => done({ code, stdout, stderr })),
  );
  return { child, exited, output: () => stderr };
}

/** The first group of `pattern` (or the whole match) once `read()` has it; throws after ~10 s or on exit. */
export async function waitFor(
  read: () => string,
  pattern: RegExp,
  child: ChildProcess,
): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const match = pattern.exec(read());
    if (match) return match[1] ?? match[0];
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in output:\n${read()}`);
}

/** One CLI under test: its runs, its usage, its refusals. */
export function cliUnderTest(cli: string) {
  return {
    start: (args: string[], env?: Record<string, string>) => startCli(cli, args, env),
    usage: () => usageOf(cli),
    unrefused: (refusals: Refusal[]) => unrefused(cli, refusals),
  };
}

/** What `cli --help` prints, once it has exited 0 (else what it printed on stderr, thrown). */
async function usageOf(cli: string): Promise<string> {
  const { code, stdout, stderr } = await startCli(cli, ["--help"]).exited;
  if (code !== 0) throw new Error(`--help exited ${code}: ${stderr}`);
  return stdout;
}

/** One way to start a CLI that it must refuse: exit code 2 and `says` on stderr. */
export type Refusal = { args: string[]; env?: Record<string, string>; says: string };

/** Starts every refusal at once; what each that did not refuse as it should printed. */
async function unrefused(cli: string, refusals: Refusal[]): Promise<string[]> {
  const exits = await Promise.all(refusals.map((r) => startCli(cli, r.args, r.env).exited));
  return refusals.flatMap((r, i) => {
    const { code, stderr } = exits[i]!;
    return code === 2 && stderr.includes(r.says) ? [] : [`${r.args.join(" ")}: ${code} ${stderr}`];
  });
}

/** A temporary directory for a suite's files, removed after it; call the result for its path. */
export function tempDirForSuite(prefix: string): () => string {
  const dir = forSuite(async () => {
    const path = await mkdtemp(join(tmpdir(), prefix));
    return { path, stop: () => rm(path, { recursive: true, force: true }) };
  });
  return () => dir().path;
}
