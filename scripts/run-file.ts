// <dataRoot>/run.json names the process groups of the running `npm start`, so that after a
// hard kill (which orphans them) the next start can say exactly what to kill, and the
// port of its control API, which `npm run chaos` talks to.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProcessGroup } from "./processes.ts";
import { groupAlive } from "./processes.ts";

export interface RunFile {
  pid: number;
  controlPort?: number;
  groups: { name: string; pgid: number }[];
}

const runPath = (dataRoot: string) => join(dataRoot, "run.json");

export function recordRun(dataRoot: string, groups: ProcessGroup[], controlPort?: number): void {
  const run: RunFile = {
    pid: process.pid,
    ...(controlPort ? { controlPort } : {}),
    groups: groups.map((p) => ({ name: p.name, pgid: p.pid })),
  };
  writeFileSync(runPath(dataRoot), `${JSON.stringify(run, null, 2)}\n`);
}

export function forgetRun(dataRoot: string): void {
  rmSync(runPath(dataRoot), { force: true });
}

/** What an earlier run recorded: whether its owner still runs, and which groups live on. */
/** The run file of `dataRoot`, or null when none is there (no `npm start` runs on it). */
export function readRun(dataRoot: string): RunFile | null {
  try {
    return JSON.parse(readFileSync(runPath(dataRoot), "utf8")) as RunFile;
  } catch {
    return null;
  }
}

export function previousRun(
  dataRoot: string,
): { pid: number; ownerAlive: boolean; liveGroups: RunFile["groups"] } | null {
  const run = readRun(dataRoot);
  if (!run) return null;
  let ownerAlive = true;
  try {
    process.kill(run.pid, 0);
  } catch {
    ownerAlive = false;
  }
  return { pid: run.pid, ownerAlive, liveGroups: run.groups.filter((g) => groupAlive(g.pgid)) };
}
