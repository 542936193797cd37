// The supervisor behind `npm start` and its control API, with real process groups (small
// Node processes standing in for regions): a part that dies leaves the others running,
// actions touch one part only, and a shutdown at any moment leaves nothing behind.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { FaultProxy } from "../chaos/fault-proxy.ts";
import { startControlServer } from "./control.ts";
import { freePort, groupAlive, type ProcessGroup, spawnGroup } from "./processes.ts";
import { type PartKind, type Running, StateError, Supervisor } from "./supervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "lifeline-supervisor-"));
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((f) => f()));
});

/** A process group that runs until signalled and prints "ticks" while it is not stopped. */
function sleeper(name: string): ProcessGroup {
  const group = spawnGroup({
    name,
    command: process.execPath,
    args: ["-e", `setInterval(() => console.log("tick"), 50)`],
    logPath: join(dir, `${name}.log`),
  });
  cleanup.push(() => group.kill());
  return group;
}

const running = (group: ProcessGroup): Running => ({
  groups: [group],
  crashed: group.exited.then((e) => `${group.name} exited (${e.signal ?? e.code})`),
  stop: async () => void (await group.stop(2_000)),
  kill: async () => void (await group.kill()),
});

function topology(kinds: Record<string, PartKind> = { a: "region", b: "region", r: "router" }) {
  const said: string[] = [];
  const groups = new Map<string, ProcessGroup>();
  const starts = new Map<string, number>();
  const supervisor = new Supervisor({
    say: (line) => said.push(line),
    restartHint: (s) => `restart ${s.name}`,
  });
  for (const [name, kind] of Object.entries(kinds)) {
    supervisor.add({
      name,
      kind,
      start: async () => {
        starts.set(name, (starts.get(name) ?? 0) + 1);
        const g = sleeper(`${name}-${starts.get(name)}`);
        groups.set(name, g);
        return running(g);
      },
    });
  }
  cleanup.push(() => supervisor.shutdown());
  return { supervisor, said, groups, starts, state: (n: string) => stateOf(supervisor, n) };
}

const stateOf = (s: Supervisor, name: string) => s.status().find((p) => p.name === name)?.state;

async function until(check: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("supervisor", () => {
  test("[supervisor] a part that dies is reported with how to restart it, and the others keep running", async () => {
    const t = topology();
    await t.supervisor.startAll(["a", "b", "r"]);
    process.kill(-t.groups.get("a")!.pid, "SIGKILL");
    await until(() => t.state("a") === "down");
    expect(t.said.join("\n")).toMatch(
      /a-1 exited \(SIGKILL\)\. The other parts keep serving\. Restart it: restart a/,
    );
    expect(t.state("b")).toBe("running");
    expect(t.state("r")).toBe("running");
    expect(groupAlive(t.groups.get("b")!.pid)).toBe(true);
    await t.supervisor.act("a", "restart");
    expect(t.state("a")).toBe("running");
    expect(t.starts.get("a")).toBe(2);
    expect(groupAlive(t.groups.get("a")!.pid)).toBe(true);
  });

  test("[supervisor] kill, pause, resume and restart act on one part only, and say so", async () => {
    const t = topology();
    await t.supervisor.startAll(["a", "b", "r"]);
    const b = t.groups.get("b")!;
    const log = () => readFileSync(b.logPath, "utf8").length;

    await t.supervisor.act("b", "pause");
    expect(t.state("b")).toBe("paused");
    // What it printed before the stop may still be in the pipe: let that arrive first.
    await new Promise((r) => setTimeout(r, 150));
    const paused = log();
    await new Promise((r) => setTimeout(r, 300));
    expect(log()).toBe(paused); // SIGSTOP: it prints nothing
    await t.supervisor.act("b", "resume");
    await until(() => log() > paused);

    await t.supervisor.act("b", "kill");
    expect(t.state("b")).toBe("down");
    expect(groupAlive(b.pid)).toBe(false);
    expect(t.state("a")).toBe("running");
    expect(t.said.some((l) => /b killed \(SIGKILL\)/.test(l))).toBe(true);
    // A killed part is not reported as a crash as well.
    expect(t.said.filter((l) => l.includes("b-1 exited"))).toEqual([]);
  });

  test("[supervisor] an action that does not fit the part's state is refused and changes nothing", async () => {
    const t = topology();
    await t.supervisor.startAll(["a", "b", "r"]);
    await expect(t.supervisor.act("a", "resume")).rejects.toBeInstanceOf(StateError);
    await t.supervisor.act("a", "kill");
    await expect(t.supervisor.act("a", "pause")).rejects.toBeInstanceOf(StateError);
    await expect(t.supervisor.act("nope", "kill")).rejects.toThrow(/no part named "nope"/);
    expect(t.state("a")).toBe("down");
  });

  test("[supervisor] a paused part stops cleanly at shutdown", async () => {
    const t = topology();
    await t.supervisor.startAll(["a", "b", "r"]);
    await t.supervisor.act("a", "pause");
    const groups = [...t.groups.values()];
    await t.supervisor.shutdown();
    for (const g of groups) expect(groupAlive(g.pid)).toBe(false);
    expect(t.supervisor.status().every((p) => p.state === "stopped")).toBe(true);
  });

  test("[supervisor] a shutdown while a part is still starting leaves none of its processes running", async () => {
    const supervisor = new Supervisor({ say: () => {} });
    let spawned: ProcessGroup | undefined;
    supervisor.add({
      name: "slow",
      kind: "router",
      // Spawns at once, becomes ready only when aborted (then cleans up, as startRegion does).
      start: (signal) =>
        new Promise<Running>((_, reject) => {
          spawned = sleeper("slow");
          signal.addEventListener("abort", () => {
            void spawned!.stop(2_000).then(() => reject(signal.reason));
          });
        }),
    });
    const starting = supervisor.start("slow").catch((err: Error) => err);
    await until(() => spawned !== undefined);
    await supervisor.shutdown();
    expect(groupAlive(spawned!.pid)).toBe(false);
    expect(await starting).toBeInstanceOf(Error);
  });
});

describe("control API", () => {
  test("[control] every request needs the local admin secret; errors are problems with the reason", async () => {
    const t = topology({ a: "region" });
    await t.supervisor.startAll(["a"]);
    const port = await freePort();
    const server = await startControlServer({
      port,
      secret: "s3cret-local-admin",
      supervisor: t.supervisor,
    });
    cleanup.push(() => new Promise((r) => server.close(r)));
    const call = (method: string, path: string, secret?: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: secret ? { "lifeline-local-admin": secret } : {},
      });

    for (const secret of [undefined, "wrong", "s3cret-local-admin-but-longer"]) {
      const res = await call("GET", "/parts", secret);
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    const ok = "s3cret-local-admin";
    const parts = (await (await call("GET", "/parts", ok)).json()) as Array<{
      name: string;
      state: string;
    }>;
    expect(parts).toMatchObject([{ name: "a", state: "running" }]);
    expect((await call("POST", "/parts/a/explode", ok)).status).toBe(400);
    expect((await call("POST", "/parts/zz/kill", ok)).status).toBe(404);
    expect((await call("POST", "/parts/__proto__/kill", ok)).status).toBe(404);
    expect((await call("GET", "/parts/a/kill", ok)).status).toBe(405);
    const resumed = await call("POST", "/parts/a/resume", ok);
    expect(resumed.status).toBe(409);
    expect(((await resumed.json()) as { detail: string }).detail).toMatch(/needs it paused/);
    const killed = await call("POST", "/parts/a/kill", ok);
    expect(killed.status).toBe(200);
    expect(await killed.json()).toMatchObject({ name: "a", state: "down", pgids: [] });
  });

  test("[control] fault proxies are listed, changed with a checked body and healed", async () => {
    const t = topology({ a: "region" });
    const proxy = new FaultProxy("db:a", { host: "127.0.0.1", port: 9 });
    const port = await freePort();
    const server = await startControlServer({
      port,
      secret: "s3cret",
      supervisor: t.supervisor,
      faults: new Map([["db:a", proxy]]),
    });
    cleanup.push(() => new Promise((r) => server.close(r)));
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { "lifeline-local-admin": "s3cret", "content-type": "application/json" },
        ...(body === undefined
          ? {}
          : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
    expect((await call("PUT", "/faults/db:a", { latencyMs: 800 })).status).toBe(200);
    expect(proxy.current.latencyMs).toBe(800);
    for (const bad of [{ latencyMs: -5 }, { slow: 1 }, "not json", { errorRate: 3 }]) {
      const res = await call("PUT", "/faults/db:a", bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(proxy.current.latencyMs).toBe(800);
    expect((await call("PUT", "/faults/db:zz", { latencyMs: 1 })).status).toBe(404);
    expect((await call("PUT", "/faults/db:a", "x".repeat(20_000))).status).toBe(413);
    const listed = (await (await call("GET", "/faults")).json()) as Array<{ name: string }>;
    expect(listed.map((p) => p.name)).toEqual(["db:a"]);
    expect((await call("DELETE", "/faults")).status).toBe(200);
    expect(proxy.current.latencyMs).toBe(0);
  });
});
