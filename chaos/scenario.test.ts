// A short, seeded slice of the chaos suite inside `npm test` (the full scenarios are
// `npm run chaos -- --scenario …`): three real regions, a few reps writing every lifeline
// flow straight to their jurisdiction's regions, cn-east killed mid-workload (SIGKILL of
// its process group) and restarted, then the checker on the whole history and on every
// region's final state. It must find nothing: no acknowledged write lost, no double
// effect, convergence, byte-identical replays, no raw personal data abroad, durability as
// acknowledged.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTopology, type Topology } from "../scripts/local-topology.ts";
import { readTopology } from "../scripts/topology.ts";
import { type DriveTarget, drive } from "./run-scenario.ts";
import { planFor } from "./scenarios.ts";

const REGIONS = ["cn-east", "cn-south", "eu-central"];
let topology: Topology;

beforeAll(async () => {
  topology = await startTopology(REGIONS);
}, 240_000);

afterAll(async () => {
  await topology?.stop();
});

test("[chaos] region-loss, seed 11: cn-east killed mid-workload and restarted; the checker finds no lost write, no double effect, and the regions converge", async () => {
  const plan = planFor("region-loss", 11, {
    warmupMs: 4_000,
    windowMs: 6_000,
    gapMs: 0,
    cooldownMs: 4_000,
  });
  const jurisdictions = new Map(readTopology().map((t) => [t.region, t.jurisdiction]));
  const target: DriveTarget = {
    regions: REGIONS.map((region) => ({
      region,
      jurisdiction: jurisdictions.get(region)!,
      apiUrl: topology.url(region),
    })),
    routerUrl: null,
    dataDirOf: (region) => topology.dataDir(region),
    driver: {
      async apply(a) {
        if (a.kind !== "part") throw new Error(`this topology cannot ${a.kind}`);
        if (a.action === "kill") await topology.kill(a.part);
        else if (a.action === "restart") await topology.restart(a.part);
        else throw new Error(`this topology cannot ${a.action}`);
      },
      healAll: async () => [],
    },
  };
  // Progress goes to the log as it happens, so a run that stalls on a slow machine says where.
  const lines: string[] = [];
  const t0 = performance.now();
  const progress = (l: string) => {
    lines.push(l);
    console.log(`[region-loss +${((performance.now() - t0) / 1000).toFixed(1)}s] ${l}`);
  };
  const { run, verdict } = await drive(
    {
      reps: 6,
      seed: 11,
      progress,
      command: "vitest chaos/scenario.test.ts",
      convergeWithinMs: 60_000,
      reportsDir: null,
      modesWaitMs: 0,
    },
    plan,
    target,
  );
  const failed = verdict.invariants.filter((i) => !i.ok);
  expect(
    failed.map((i) => `${i.name}: ${i.summary}\n  ${i.violations.join("\n  ")}`),
    lines.join("\n"),
  ).toEqual([]);
  // It did something worth checking: writes on both sides of the loss, some acknowledged by cn-south.
  const oks = run.history.filter((h) => h.type === "ok");
  expect(oks.length).toBeGreaterThan(30);
  expect(oks.some((h) => h.type === "ok" && h.region === "cn-south")).toBe(true);
  expect(run.faults[0]).toMatchObject({ name: "region-loss cn-east" });
  // Locally ~40 s; every wait inside `drive` is bounded, and their sum on a loaded 2-core CI
  // runner (a restart up to 60 s, convergence 60 s, reads of a region that stays down) fits here.
}, 420_000);
