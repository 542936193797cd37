// <dataRoot>/run.json names the process groups of the running `npm start`, so that after a
// hard kill (which orphans them) the next start can say exactly what to kill.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupAlive } from "./processes.ts";
import type { RegionHandle } from "./region.ts";

interface RunFile {
  pid: number;
  groups: { name: string; pgid: number }[];
}

const runPath = (dataRoot: string) => join(dataRoot, "run.json");

export function recordRun(dataRoot: string, handles: RegionHandle[]): void {
  const run: RunFile = {
    pid: process.pid,
    groups: handles.flatMap((h) =>
      Object.values(h.processes).map((p) => ({ name: p.name, pgid: p.pid })),
    ),
  };
  writeFileSync(runPath(dataRoot), `${JSON.stringify(run, null, 2)}\n`);
}

export function forgetRun(dataRoot: string): void {
  rmSync(runPath(dataRoot), { force: true });
}

/** What an earlier run recorded: whether its owner still runs, and which groups live on. */
export function previousRun(
  dataRoot: string,
): { pid: number; ownerAlive: boolean; liveGroups: RunFile["groups"] } | null {
  let run: RunFile;
  try {
    run = JSON.parse(readFileSync(runPath(dataRoot), "utf8")) as RunFile;
  } catch {
    return null;
  }
  let ownerAlive = true;
  try {
    process.kill(run.pid, 0);
  } catch {
    ownerAlive = false;
  }
  return { pid: run.pid, ownerAlive, liveGroups: run.groups.filter((g) => groupAlive(g.pgid)) };
}
