// The drills (issue 9 item 6): each scenario is a schedule of fault windows over a run,
// built from a seed alone, so the same (seed, commit) gives the same schedule. A window
// says what to inject and how to lift it, in terms of the local topology's control API
// (chaos/drill.ts), and which degradation modes the affected region should enter.
import { mulberry32 } from "../core/prng.ts";
import type { Targets } from "./history.ts";

export type FaultAction =
  | { kind: "part"; part: string; action: "kill" | "restart" | "pause" | "resume" }
  | { kind: "proxy"; names: string[]; faults: Record<string, unknown> }
  | { kind: "heal-proxy"; names: string[] }
  | { kind: "clock"; region: string; offsetMs: number }
  | { kind: "inference"; region: string; latencyMs: number; errorRate: number };

export type PlannedWindow = {
  name: string;
  params: Record<string, unknown>;
  /** Run milliseconds. */
  startMs: number;
  durationMs: number;
  inject: FaultAction[];
  heal: FaultAction[];
  expectModes: Array<{ region: string; mode: string }>;
};

export type Plan = {
  scenario: string;
  seed: number;
  /** The workload runs until this (run ms); then heal, quiescence, final reads. */
  workloadMs: number;
  windows: PlannedWindow[];
  /** The bus the scenario needs (relay-outage: qstash). */
  bus?: "direct" | "qstash";
  targets?: Partial<Targets>;
  notes?: string;
};

export type Timing = { warmupMs: number; windowMs: number; gapMs: number; cooldownMs: number };
export const DEFAULT_TIMING: Timing = {
  warmupMs: 15_000,
  windowMs: 20_000,
  gapMs: 10_000,
  cooldownMs: 15_000,
};

const db = (region: string) => `db:${region}`;
const links = (a: string, b: string) => [`link:${a}>${b}`, `link:${b}>${a}`];

/** Windows back to back after the warm-up, each followed by a gap. */
function sequence(
  t: Timing,
  items: Array<Omit<PlannedWindow, "startMs" | "durationMs"> & { durationMs?: number }>,
): { windows: PlannedWindow[]; endMs: number } {
  let at = t.warmupMs;
  const windows = items.map((w) => {
    const durationMs = w.durationMs ?? t.windowMs;
    const placed = { ...w, startMs: at, durationMs };
    at += durationMs + t.gapMs;
    return placed;
  });
  return { windows, endMs: at - t.gapMs + t.cooldownMs };
}

/**
 * While cn has one region reachable, a payment or a signature cannot get its peer copy
 * (survival region/strict): it is a 503 by design, and completes when retried after heal.
 * Only the writes that may degrade stay available then; the fault window's target says so.
 */
const ONE_CN_REGION = {
  targets: { writeAvailabilityDuringFault: 0.5 },
  notes:
    "with one cn region, region/strict writes (payments, signatures) are 503 by design until heal",
} satisfies Partial<Plan>;

type Builder = (seed: number, t: Timing) => Omit<Plan, "scenario" | "seed">;

const slowDb = (region: string, delayMs: number) => ({
  name: `slow-db ${region} ${delayMs} ms`,
  params: { region, delayMs },
  inject: [{ kind: "proxy", names: [db(region)], faults: { latencyMs: delayMs } }] as FaultAction[],
  heal: [{ kind: "heal-proxy", names: [db(region)] }] as FaultAction[],
  // The shipped policy slow-read-model: libsql.p95_ms > 500 for 5 s.
  expectModes:
    delayMs > 500
      ? [
          { region, mode: "reads-stale-ok" },
          { region, mode: "projection-deferred" },
        ]
      : [],
});

const kill = (region: string) => ({
  name: `region-loss ${region}`,
  params: { region },
  inject: [{ kind: "part", part: region, action: "kill" }] as FaultAction[],
  heal: [{ kind: "part", part: region, action: "restart" }] as FaultAction[],
  expectModes: [],
});

const dbDown = (region: string) => ({
  name: `db-down ${region}`,
  params: { region },
  inject: [{ kind: "proxy", names: [db(region)], faults: { blackhole: true } }] as FaultAction[],
  heal: [{ kind: "heal-proxy", names: [db(region)] }] as FaultAction[],
  // failing-read-model: every probe times out, error rate 1.
  expectModes: [{ region, mode: "reads-stale-ok" }],
});

const partition = (a: string[], b: string[]) => {
  const names = a.flatMap((x) => b.flatMap((y) => links(x, y)));
  return {
    name: `partition ${a.join("+")} | ${b.join("+")}`,
    params: { sides: [a, b] },
    inject: [{ kind: "proxy", names, faults: { blackhole: true } }] as FaultAction[],
    heal: [{ kind: "heal-proxy", names }] as FaultAction[],
    expectModes: [],
  };
};

const skew = (region: string, offsetMs: number) => ({
  name: `clock-skew ${region} ${offsetMs > 0 ? "+" : ""}${offsetMs / 60_000} min`,
  params: { region, offsetMs },
  inject: [{ kind: "clock", region, offsetMs }] as FaultAction[],
  heal: [{ kind: "clock", region, offsetMs: 0 }] as FaultAction[],
  expectModes: [],
});

const slowInference = (region: string, latencyMs: number) => ({
  name: `inference-slow ${region} ${latencyMs} ms`,
  params: { region, latencyMs },
  inject: [{ kind: "inference", region, latencyMs, errorRate: 0 }] as FaultAction[],
  heal: [{ kind: "inference", region, latencyMs: 0, errorRate: 0 }] as FaultAction[],
  // slow-inference: inference.p95_ms > 250 for 5 s.
  expectModes: [{ region, mode: "inference-off" }],
});

const grey = (region: string) => ({
  name: `grey-region ${region} (SIGSTOP)`,
  params: { region },
  inject: [{ kind: "part", part: region, action: "pause" }] as FaultAction[],
  heal: [{ kind: "part", part: region, action: "resume" }] as FaultAction[],
  expectModes: [],
});

const relayDown = () => ({
  name: "relay-outage (unreachable)",
  params: { proxy: "relay", blackhole: true },
  inject: [{ kind: "proxy", names: ["relay"], faults: { blackhole: true } }] as FaultAction[],
  heal: [{ kind: "heal-proxy", names: ["relay"] }] as FaultAction[],
  expectModes: [],
});

const relayKilled = () => ({
  name: "relay-outage (killed)",
  params: { part: "relay" },
  inject: [{ kind: "part", part: "relay", action: "kill" }] as FaultAction[],
  heal: [{ kind: "part", part: "relay", action: "restart" }] as FaultAction[],
  expectModes: [],
});

export const SCENARIOS: Record<string, { summary: string; build: Builder }> = {
  "region-loss": {
    summary: "kill cn-east mid-workload (SIGKILL of its process group), restart it later",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [
        { ...kill("cn-east"), durationMs: t.windowMs * 1.5 },
      ]);
      return { windows, workloadMs: endMs, ...ONE_CN_REGION };
    },
  },
  "slow-db": {
    summary: "cn-east's libSQL answers 500 ms, then 2 s, then 5 s late",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [
        slowDb("cn-east", 500),
        slowDb("cn-east", 2_000),
        slowDb("cn-east", 5_000),
      ]);
      // Lifeline writes never wait on libSQL [LF5]: their p99 within 20% of no-fault.
      // and the shipped policy's modes enter within its forMs (5 s) plus a second.
      return { windows, workloadMs: endMs, targets: { p99RatioMax: 1.2, modeGraceMs: 6_000 } };
    },
  },
  "db-down": {
    summary: "cn-east's libSQL accepts connections and never answers",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [dbDown("cn-east")]);
      return { windows, workloadMs: endMs, targets: { modeGraceMs: 6_000 } };
    },
  },
  partition: {
    summary: "cn cut off from eu, then cn-east cut off from cn-south",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [
        partition(["cn-east", "cn-south"], ["eu-central"]),
        partition(["cn-east"], ["cn-south"]),
      ]);
      return { windows, workloadMs: endMs, ...ONE_CN_REGION };
    },
  },
  "relay-outage": {
    summary:
      "the QStash relay unreachable from every region, then killed and restarted (replication over the qstash bus)",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [relayDown(), relayKilled()]);
      return { windows, workloadMs: endMs, bus: "qstash" };
    },
  },
  "clock-skew": {
    summary: "cn-south's HLC wall clock runs 5 min ahead, then 5 min behind",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [
        skew("cn-south", 300_000),
        skew("cn-south", -300_000),
      ]);
      return { windows, workloadMs: endMs };
    },
  },
  "inference-slow": {
    summary: "cn-east's inference calls take 600 ms more (budget 300 ms)",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [slowInference("cn-east", 600)]);
      // Inference is probed every 2 s: its first slow sample may come that much later.
      return { windows, workloadMs: endMs, targets: { modeGraceMs: 7_000 } };
    },
  },
  "grey-region": {
    summary: "cn-east is paused (SIGSTOP): it accepts connections and answers nothing",
    build: (_, t) => {
      const { windows, endMs } = sequence(t, [grey("cn-east")]);
      return { windows, workloadMs: endMs, ...ONE_CN_REGION };
    },
  },
  storm: {
    summary: "a seeded random schedule of all of them, one at a time",
    build: (seed, t) => {
      const random = mulberry32(seed);
      const cn = ["cn-east", "cn-south"];
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      const kinds = [
        () => kill(pick(cn)),
        () => slowDb(pick(cn), pick([500, 2_000, 5_000])),
        () => dbDown(pick(cn)),
        () => partition([pick(cn)], ["eu-central"]),
        () => partition(["cn-east"], ["cn-south"]),
        () => skew(pick(cn), pick([300_000, -300_000])),
        () => slowInference(pick(cn), 600),
        () => grey(pick(cn)),
      ];
      const count = 3 + Math.floor(random() * 3);
      const items = Array.from({ length: count }, () => pick(kinds)());
      const { windows, endMs } = sequence(
        { ...t, windowMs: Math.round(t.windowMs * 0.75), gapMs: Math.round(t.gapMs * 0.5) },
        items,
      );
      return {
        windows,
        workloadMs: endMs,
        ...(items.some((w) =>
          /^(region-loss|grey-region|partition cn-east \| cn-south)/.test(w.name),
        )
          ? ONE_CN_REGION
          : {}),
      };
    },
  },
};

export function planFor(scenario: string, seed: number, timing: Timing = DEFAULT_TIMING): Plan {
  const s = Object.hasOwn(SCENARIOS, scenario) ? SCENARIOS[scenario] : undefined;
  if (!s)
    throw new Error(
      `unknown scenario ${JSON.stringify(scenario)}: ${Object.keys(SCENARIOS).join(", ")}`,
    );
  return { scenario, seed, ...s.build(seed, timing) };
}
