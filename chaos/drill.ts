// A running local topology as a drill sees it: npm start's loopback control API (parts and
// fault proxies, scripts/control.ts) and each region's local-only fault routes (clock,
// inference), with the local admin secret. Errors are thrown with what failed, never exit:
// the scenario runner decides what a failed action means for its run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROL_HEADER } from "../scripts/control.ts";
import { readRun } from "../scripts/run-file.ts";
import type { PartStatus } from "../scripts/supervisor.ts";
import type { RegionTopology } from "../scripts/topology.ts";
import type { FaultAction } from "./scenarios.ts";

/** A restart waits for the region to be ready again; never forever. */
const ACTION_TIMEOUT_MS = 150_000;

export class Drill {
  constructor(
    readonly controlUrl: string,
    private readonly secret: string,
    readonly regions: RegionTopology[],
  ) {}

  /** The drill of the npm start whose data directory is `dataRoot`; null when none runs. */
  static attach(dataRoot: string, regions: RegionTopology[]): Drill | null {
    const run = readRun(dataRoot);
    if (!run?.controlPort) return null;
    const secrets = JSON.parse(readFileSync(join(dataRoot, "secrets.json"), "utf8")) as {
      LOCAL_ADMIN_SECRET?: unknown;
    };
    if (typeof secrets.LOCAL_ADMIN_SECRET !== "string")
      throw new Error(`${join(dataRoot, "secrets.json")} has no LOCAL_ADMIN_SECRET`);
    return new Drill(`http://127.0.0.1:${run.controlPort}`, secrets.LOCAL_ADMIN_SECRET, regions);
  }

  private async call(
    url: string,
    method: string,
    body?: unknown,
    timeoutMs = 15_000,
  ): Promise<unknown> {
    const res = await fetch(url, {
      method,
      headers: {
        [CONTROL_HEADER]: this.secret,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) {
      let why = text.slice(0, 300);
      try {
        const p = JSON.parse(text) as { title?: string; detail?: string };
        why = [p.title, p.detail].filter(Boolean).join(": ");
      } catch {}
      throw new Error(`${method} ${url}: ${res.status} ${why}`);
    }
    return text ? JSON.parse(text) : null;
  }

  parts(): Promise<PartStatus[]> {
    return this.call(`${this.controlUrl}/parts`, "GET") as Promise<PartStatus[]>;
  }

  async apply(a: FaultAction): Promise<void> {
    switch (a.kind) {
      case "part":
        await this.call(
          `${this.controlUrl}/parts/${encodeURIComponent(a.part)}/${a.action}`,
          "POST",
          undefined,
          ACTION_TIMEOUT_MS,
        );
        return;
      case "proxy":
        for (const name of a.names)
          await this.call(`${this.controlUrl}/faults/${encodeURIComponent(name)}`, "PUT", a.faults);
        return;
      case "heal-proxy":
        for (const name of a.names)
          await this.call(`${this.controlUrl}/faults/${encodeURIComponent(name)}`, "DELETE");
        return;
      case "clock":
        await this.call(`${this.api(a.region)}/__local/clock`, "PUT", { offsetMs: a.offsetMs });
        return;
      case "inference":
        await this.call(`${this.api(a.region)}/__local/faults/inference`, "PUT", {
          latencyMs: a.latencyMs,
          errorRate: a.errorRate,
        });
        return;
    }
  }

  /** Lifts everything a drill can leave behind: proxies, clocks, inference, stopped parts. */
  async healAll(): Promise<string[]> {
    const problems: string[] = [];
    const attempt = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message}`);
      }
    };
    await attempt("heal proxies", () => this.call(`${this.controlUrl}/faults`, "DELETE"));
    const parts = await this.parts().catch(() => [] as PartStatus[]);
    for (const p of parts) {
      if (p.state === "paused")
        await attempt(`resume ${p.name}`, () =>
          this.apply({ kind: "part", part: p.name, action: "resume" }),
        );
      else if (p.state !== "running")
        await attempt(`restart ${p.name}`, () =>
          this.apply({ kind: "part", part: p.name, action: "restart" }),
        );
    }
    for (const r of this.regions) {
      await attempt(`clock ${r.region}`, () =>
        this.apply({ kind: "clock", region: r.region, offsetMs: 0 }),
      );
      await attempt(`inference ${r.region}`, () =>
        this.apply({ kind: "inference", region: r.region, latencyMs: 0, errorRate: 0 }),
      );
    }
    return problems;
  }

  private api(region: string): string {
    const r = this.regions.find((x) => x.region === region);
    if (!r) throw new Error(`no region ${region} in the topology`);
    return r.apiUrl;
  }
}
