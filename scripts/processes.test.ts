// Process groups are the unit of start and stop: stopping a child must also stop what it
// spawned, so no grandchild (like wrangler's workerd) is left holding a port.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect, test } from "vitest";
import {
  assertPortsFree,
  freePort,
  groupAlive,
  PortInUseError,
  type ProcessGroup,
  spawnGroup,
  waitForHttp,
} from "./processes.ts";

const dir = mkdtempSync(join(os.tmpdir(), "lifeline-processes-"));
const started: ProcessGroup[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => g.kill()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A parent that spawns a sleeping grandchild and prints its pid. `extra` (e.g. a signal
 * handler) runs first: once the pid is printed, the test may signal the group at once.
 */
function parentWithGrandchild(name: string, extra = ""): ProcessGroup {
  const script = `
    ${extra}
    const { spawn } = require("node:child_process");
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    console.log("grandchild " + child.pid);
    setInterval(() => {}, 1000);`;
  const group = spawnGroup({
    name,
    command: process.execPath,
    args: ["-e", script],
    logPath: join(dir, `${name}.log`),
  });
  started.push(group);
  return group;
}

async function grandchildPid(group: ProcessGroup): Promise<number> {
  for (let i = 0; i < 100; i++) {
    // The log file appears asynchronously, after the first write is flushed.
    const log = existsSync(group.logPath) ? readFileSync(group.logPath, "utf8") : "";
    const match = /grandchild (\d+)/.exec(log);
    if (match) return Number(match[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("grandchild never started");
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
  } catch {
    return false;
  }
};

test("stop() ends the whole group, grandchildren included", async () => {
  const group = parentWithGrandchild("stop");
  const grandchild = await grandchildPid(group);
  expect(groupAlive(group.pid)).toBe(true);
  const exit = await group.stop(2_000);
  expect(exit.signal).toBe("SIGTERM");
  expect(groupAlive(group.pid)).toBe(false);
  expect(alive(grandchild)).toBe(false);
});

test("stop() escalates to SIGKILL when the group ignores SIGTERM", async () => {
  const group = parentWithGrandchild("stubborn", 'process.on("SIGTERM", () => {});');
  await grandchildPid(group);
  const t0 = performance.now();
  const exit = await group.stop(300);
  expect(exit.signal).toBe("SIGKILL");
  expect(performance.now() - t0).toBeLessThan(5_000);
  expect(groupAlive(group.pid)).toBe(false);
});

test("kill() is a crash: SIGKILL to every member at once", async () => {
  const group = parentWithGrandchild("kill");
  const grandchild = await grandchildPid(group);
  expect((await group.kill()).signal).toBe("SIGKILL");
  expect(alive(grandchild)).toBe(false);
});

test("a port someone listens on is reported with its purpose", async () => {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const port = (server.address() as { port: number }).port;
  try {
    await expect(assertPortsFree([{ port, purpose: "test API" }])).rejects.toThrow(PortInUseError);
    await expect(assertPortsFree([{ port, purpose: "test API" }])).rejects.toThrow(/test API/);
  } finally {
    server.close();
  }
  await expect(
    assertPortsFree([{ port: await freePort(), purpose: "x" }]),
  ).resolves.toBeUndefined();
});

test("waitForHttp gives up within its bound and names the last failure", async () => {
  const port = await freePort();
  const t0 = performance.now();
  await expect(
    waitForHttp(`http://127.0.0.1:${port}/health`, { timeoutMs: 300, intervalMs: 50 }),
  ).rejects.toThrow(/ECONNREFUSED/);
  expect(performance.now() - t0).toBeLessThan(2_000);
});
