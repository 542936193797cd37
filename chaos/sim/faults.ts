// Seeded fault schedules (TigerBeetle style: rates and windows drawn per seed, printed first
// in every trace): lossy, duplicating and slow links, partitions both ways or one, a region
// crash, answers lost on their way to clients, clock skew. All of it ends at the heal.
import type { FaultWindow } from "../history.ts";
import type { LinkFaults } from "./network.ts";
import type { Random } from "./random.ts";
import { SIM_REGIONS } from "./topology.ts";

export type FaultPlan = {
  link: LinkFaults;
  /** Share of answers to clients lost on the way back (the client times out and retries). */
  responseLossRate: number;
  partitions: Array<{ a: string; b: string; oneWay: boolean; startMs: number; endMs: number }>;
  crashes: Array<{ region: string; atMs: number; downMs: number }>;
  skewMs: Record<string, number>;
  healAtMs: number;
};

/** Seeded fault rates and windows; about one seed in six runs fault-free. */
export function planFaults(rng: Random): FaultPlan {
  const names = SIM_REGIONS.map((r) => r.region);
  const healAtMs = 6_000;
  const calm = rng.chance(0.15);
  const skewMs = Object.fromEntries(names.map((n) => [n, calm ? 0 : rng.int(-300, 300)]));
  if (calm)
    return {
      link: { dropRate: 0, dupRate: 0, delayMsMin: 1, delayMsMax: 20 },
      responseLossRate: 0,
      partitions: [],
      crashes: [],
      skewMs,
      healAtMs,
    };
  const link: LinkFaults = {
    dropRate: rng.chance(0.6) ? rng.between(0.02, 0.3) : 0,
    dupRate: rng.chance(0.5) ? rng.between(0.02, 0.2) : 0,
    delayMsMin: 1,
    delayMsMax: rng.pick([5, 40, 300, 1_500]),
  };
  const responseLossRate = rng.chance(0.4) ? rng.between(0.02, 0.2) : 0;
  const partitions: FaultPlan["partitions"] = [];
  for (let i = rng.int(0, 2); i > 0; i--) {
    const a = rng.pick(names);
    const b = rng.pick(names.filter((n) => n !== a));
    const startMs = rng.int(0, healAtMs - 500);
    partitions.push({
      a,
      b,
      oneWay: rng.chance(0.4),
      startMs,
      endMs: Math.min(healAtMs, startMs + rng.int(200, 4_000)),
    });
  }
  const crashes = rng.chance(0.4)
    ? [{ region: rng.pick(names), atMs: rng.int(100, healAtMs - 500), downMs: rng.int(0, 2_500) }]
    : [];
  return { link, responseLossRate, partitions, crashes, skewMs, healAtMs };
}

/** The plan as the history's fault windows, for the checker and the report. */
export function faultWindows(f: FaultPlan): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const { dropRate, dupRate, delayMsMax } = f.link;
  if (dropRate > 0 || dupRate > 0 || delayMsMax > 20)
    windows.push({
      name: "lossy-links",
      params: { dropRate, dupRate, delayMsMax },
      startMs: 0,
      endMs: f.healAtMs,
      expectModes: [],
    });
  if (f.responseLossRate > 0)
    windows.push({
      name: "lost-answers",
      params: { rate: f.responseLossRate },
      startMs: 0,
      endMs: f.healAtMs,
      expectModes: [],
    });
  for (const p of f.partitions)
    windows.push({
      name: "partition",
      params: { a: p.a, b: p.b, oneWay: p.oneWay },
      startMs: p.startMs,
      endMs: p.endMs,
      expectModes: [],
    });
  for (const c of f.crashes)
    windows.push({
      name: "region-crash",
      params: { region: c.region, downMs: c.downMs },
      startMs: c.atMs,
      endMs: Math.min(c.atMs + c.downMs, f.healAtMs),
      expectModes: [],
    });
  return windows;
}
