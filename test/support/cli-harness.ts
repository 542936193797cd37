// Runs a CLI as an operator would, for the CLI tests: one child process, its output
// collected, its exit awaited, and a wait for a line in what it has printed so far.

import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

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
