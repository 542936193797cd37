import { describe, expect, test } from "vitest";
import {
  affects,
  DEFAULT_POLICIES,
  HealthSignals,
  IDLE,
  modesInForce,
  nextDueMs,
  type Override,
  type Policy,
  PolicySet,
  type PolicyState,
  percentile,
  stepPolicies,
  stepPolicy,
  summarise,
} from "./degradation.ts";

const slowDb: Policy = {
  id: "slow-read-model",
  when: { signal: "libsql.p95_ms", op: ">", value: 500, forMs: 5_000 },
  then: ["reads-stale-ok", "projection-deferred"],
  recoverForMs: 15_000,
};

/** Feeds `value` sampled at each time of `times` and returns the states and changes seen. */
function run(p: Policy, samples: Array<[atMs: number, value: number | null]>) {
  let s: PolicyState = IDLE;
  const changes: Array<{ atMs: number; entered: boolean }> = [];
  for (const [atMs, value] of samples) {
    const r = stepPolicy(p, s, value === null ? undefined : { value, atMs }, atMs);
    s = r.state;
    if (r.change) changes.push({ atMs, entered: r.change.entered });
  }
  return { state: s, changes };
}

const every = (fromMs: number, toMs: number, stepMs: number, value: number | null) =>
  Array.from(
    { length: Math.floor((toMs - fromMs) / stepMs) + 1 },
    (_, i) => [fromMs + i * stepMs, value] as [number, number | null],
  );

describe("degradation policies: entering and leaving with hysteresis", () => {
  test("a breach enters only after it held for forMs without a break", () => {
    const { changes } = run(slowDb, every(0, 10_000, 500, 800));
    expect(changes).toEqual([{ atMs: 5_000, entered: true }]);
  });

  test("a breach interrupted by one good sample starts its clock again", () => {
    const samples = [
      ...every(0, 4_500, 500, 800),
      [4_600, 100] as [number, number],
      ...every(5_000, 9_500, 500, 800),
    ];
    const { changes } = run(slowDb, samples);
    expect(changes).toEqual([]);
    const more = run(slowDb, [...samples, ...every(10_000, 10_000, 500, 800)]);
    expect(more.changes).toEqual([{ atMs: 10_000, entered: true }]);
  });

  test("a mode leaves only after recoverForMs of good samples, not at the first one", () => {
    const samples = [...every(0, 6_000, 500, 800), ...every(6_500, 30_000, 500, 50)];
    const { changes } = run(slowDb, samples);
    expect(changes).toEqual([
      { atMs: 5_000, entered: true },
      { atMs: 21_500, entered: false },
    ]);
  });

  test("a signal flapping across its threshold neither enters nor leaves on each flap", () => {
    const flapping = every(0, 60_000, 1_000, 0).map(
      ([t], i) => [t, i % 3 === 0 ? 100 : 900] as [number, number],
    );
    expect(run(slowDb, flapping).changes).toEqual([]);
  });

  test("no sample is no evidence: an unknown signal neither enters nor leaves", () => {
    const { state } = run(slowDb, [
      ...every(0, 1_000, 500, 800),
      ...every(1_500, 60_000, 500, null),
    ]);
    // The breach clock started at 0 and nothing contradicted it: it enters once due.
    expect(state.active).toBe(true);
    const active = run(slowDb, [...every(0, 6_000, 500, 800), ...every(6_500, 120_000, 500, null)]);
    expect(active.state.active).toBe(true);
  });

  test("clocks start at the sample's time, so a late evaluation does not delay the mode", () => {
    const first = stepPolicy(slowDb, IDLE, { value: 900, atMs: 1_000 }, 1_000);
    const late = stepPolicy(slowDb, first.state, undefined, 6_000);
    expect(late.change?.entered).toBe(true);
    expect(late.change?.why).toContain("libsql.p95_ms");
  });

  test("nextDueMs says when a running clock will fire, for the alarm", () => {
    const { states } = stepPolicies(
      [slowDb],
      new Map(),
      new Map([["libsql.p95_ms", { value: 900, atMs: 2_000 }]]),
      2_000,
    );
    expect(nextDueMs([slowDb], states)).toBe(7_000);
    expect(nextDueMs([slowDb], new Map())).toBeNull();
  });

  test("operators compare as written", () => {
    const low: Policy = {
      ...slowDb,
      when: { signal: "libsql.p95_ms", op: "<=", value: 10, forMs: 0 },
    };
    expect(stepPolicy(low, IDLE, { value: 10, atMs: 0 }, 0).change?.entered).toBe(true);
    expect(stepPolicy(low, IDLE, { value: 11, atMs: 0 }, 0).change).toBeNull();
  });
});

describe("modes in force: policies, forced and cleared overrides", () => {
  const active = new Map([
    ["slow-read-model", { ...IDLE, active: true, changedAtMs: 5_000, enteredAt: 800 }],
  ]);
  const override = (o: Partial<Override>): Override => ({
    mode: "inference-off",
    action: "force",
    untilMs: 100_000,
    by: "sre@example.com",
    reason: "drill",
    atMs: 1_000,
    ...o,
  });

  test("an active policy's modes are in force with since and why", () => {
    const modes = modesInForce([slowDb], active, [], 6_000);
    expect(modes.map((m) => m.mode)).toEqual(["reads-stale-ok", "projection-deferred"]);
    expect(modes[0]!.sinceMs).toBe(5_000);
    expect(modes[0]!.why[0]).toMatch(/policy slow-read-model: libsql.p95_ms 800 > 500/);
  });

  test("a forced mode is in force until it expires", () => {
    expect(modesInForce([slowDb], new Map(), [override({})], 99_999).map((m) => m.mode)).toEqual([
      "inference-off",
    ]);
    expect(modesInForce([slowDb], new Map(), [override({})], 100_000)).toEqual([]);
  });

  test("a cleared mode stays off whatever the policy says, until the clear expires", () => {
    const clear = override({ mode: "reads-stale-ok", action: "clear", untilMs: 10_000 });
    expect(modesInForce([slowDb], active, [clear], 6_000).map((m) => m.mode)).toEqual([
      "projection-deferred",
    ]);
    expect(modesInForce([slowDb], active, [clear], 10_001).map((m) => m.mode)).toEqual([
      "reads-stale-ok",
      "projection-deferred",
    ]);
  });
});

describe("policy schema: a tenant's rules are hostile input", () => {
  test("the shipped set is valid", () => {
    expect(PolicySet.parse(DEFAULT_POLICIES)).toEqual(DEFAULT_POLICIES);
  });

  test.each([
    ["unknown signal", [{ ...slowDb, when: { ...slowDb.when, signal: "cpu" } }]],
    ["unknown mode", [{ ...slowDb, then: ["everything-off"] }]],
    ["no mode", [{ ...slowDb, then: [] }]],
    ["forMs past ten minutes", [{ ...slowDb, when: { ...slowDb.when, forMs: 3_600_000 } }]],
    [
      "an infinite value",
      [{ ...slowDb, when: { ...slowDb.when, value: Number.POSITIVE_INFINITY } }],
    ],
    ["duplicate ids", [slowDb, slowDb]],
    ["an extra field", [{ ...slowDb, eval: "process.exit()" }]],
    ["a bad id", [{ ...slowDb, id: "__proto__" }]],
    ["too many policies", Array.from({ length: 33 }, (_, i) => ({ ...slowDb, id: `p${i}` }))],
  ])("%s is refused", (_, set) => {
    expect(PolicySet.safeParse(set).success).toBe(false);
  });
});

describe("health signals", () => {
  test("p95 is nearest-rank; failures count at their latency", () => {
    expect(
      percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 0.95),
    ).toBe(19);
    expect(percentile([], 0.95)).toBeNaN();
    const s = summarise(
      [
        { atMs: 0, latencyMs: 10, ok: true },
        { atMs: 100, latencyMs: 2_000, ok: false },
      ],
      200,
      1_000,
    );
    expect(s).toEqual({ p95: { value: 2_000, atMs: 100 }, errorRate: { value: 0.5, atMs: 100 } });
  });

  test("old samples leave the window: an idle dependency has no reading", () => {
    const h = new HealthSignals();
    h.sample("libsql", { atMs: 0, latencyMs: 900, ok: true });
    expect(h.readings(1_000).get("libsql.p95_ms")?.value).toBe(900);
    expect(h.readings(10_000).has("libsql.p95_ms")).toBe(false);
  });

  test("samples are bounded per dependency", () => {
    const h = new HealthSignals();
    for (let i = 0; i < 10_000; i++)
      h.sample("inference", { atMs: i, latencyMs: i < 9_900 ? 5_000 : 1, ok: true });
    // Only the newest 256 are kept: 100 fast and 156 slow.
    expect(h.readings(10_000).get("inference.p95_ms")?.value).toBe(5_000);
  });

  test("peers unreachable counts the peers whose last probe failed", () => {
    const h = new HealthSignals();
    h.peer("cn-south", false, 10);
    h.peer("eu-central", true, 20);
    h.peer("cn-south", false, 30);
    expect(h.readings(40).get("peers.unreachable")).toEqual({ value: 1, atMs: 30 });
  });

  test("outbox backlog sums the accounts' rows and ages from the first report", () => {
    const h = new HealthSignals();
    h.outbox("a", 3, 1_000);
    h.outbox("b", 2, 2_000);
    h.outbox("a", 1, 3_000);
    let r = h.readings(4_000);
    expect(r.get("outbox.backlog")?.value).toBe(3);
    expect(r.get("outbox.oldest_age_ms")?.value).toBe(3_000);
    h.outbox("a", 0, 5_000);
    r = h.readings(5_000);
    expect(r.get("outbox.backlog")?.value).toBe(2);
    expect(r.get("outbox.oldest_age_ms")?.value).toBe(3_000);
  });
});

describe("which answers a mode affects", () => {
  test.each([
    ["inference-off", "POST", "/v1/insights/analyze", true],
    ["inference-off", "POST", "/v1/payments", false],
    ["inference-off", "GET", "/v1/customers", false],
    ["reads-stale-ok", "GET", "/v1/customers", true],
    ["reads-stale-ok", "GET", "/v1/customers/acc_1", false],
    ["reads-stale-ok", "POST", "/v1/customers", false],
    ["projection-deferred", "GET", "/v1/contracts", true],
    ["approvals-simplified", "GET", "/v1/customers", false],
    ["portal-read-only", "POST", "/v1/portal/change-requests", true],
    ["portal-read-only", "GET", "/v1/health", true],
  ] as const)("%s on %s %s: %s", (mode, method, path, expected) => {
    expect(affects(mode, method, path)).toBe(expected);
  });
});
