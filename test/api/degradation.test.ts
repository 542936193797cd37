// Degradation policies at runtime (DESIGN §5): the RegionDO probes the region's read model
// through a real fault proxy, a tenant's policy puts its answers into modes with
// hysteresis, every change is audited, and an admin can force or clear a mode for its own
// tenant with an expiry. Times are read off the RegionDO's own clocks (since, audit `at`)
// and checked against the policy's rules, never against a stopwatch.
import { expect, onTestFinished, test } from "vitest";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  OTHER_KEY,
  REP,
  readJson,
  regionForSuite,
} from "../support/test-region.ts";

const region = regionForSuite("cn-east", { libsqlFaults: true });

const FOR_MS = 2_000;
const RECOVER_MS = 3_000;
/** A tenant's own set: its read-model threshold is below the region's shipped one (500 ms). */
const tenantPolicies = [
  {
    id: "tight-read-model",
    when: { signal: "libsql.p95_ms", op: ">", value: 250, forMs: FOR_MS },
    then: ["reads-stale-ok", "projection-deferred"],
    recoverForMs: RECOVER_MS,
  },
];

async function admin() {
  const token = await login(region().url, ADMIN);
  return client(() => region().url, token);
}

/** The shared poller (test-region's `eventually`) over a read and a condition on it. */
const until = <T>(read: () => Promise<T>, check: (v: T) => boolean, withinMs: number) =>
  eventually(async () => {
    const v = await read();
    return check(v) ? v : undefined;
  }, withinMs);

const degradedOf = (res: { headers: Headers }) =>
  (res.headers.get("lifeline-degraded") ?? "").split(",").map((t) => t.trim());

test("[LF5] a slow read model puts a tenant's answers into its policy's modes after forMs, audited, lists go stale-marked, and the modes leave after recovery", async () => {
  const as = await admin();
  const demo = client(() => region().url, DEMO_KEY);
  const other = client(() => region().url, OTHER_KEY);
  onTestFinished(async () => {
    expect((await as("DELETE", "/v1/admin/degradation/policies")).status).toBe(200);
  });
  const put = await as("PUT", "/v1/admin/degradation/policies", tenantPolicies);
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ policies: { source: "tenant", version: 1 } });
  // A first, healthy list page: what reads-stale-ok can fall back to later.
  expect((await demo("GET", "/v1/customers")).status).toBe(200);
  await until(
    async () => (await as("GET", "/v1/health?detail=1")).body,
    (h) => typeof h.signals?.["libsql.p95_ms"]?.value === "number",
    10_000,
  );

  const faultAt = Date.now();
  region().libsqlProxy!.set({ latencyMs: 400 });
  try {
    const slow = await until(
      () => demo("GET", "/v1/customers"),
      (res) => degradedOf(res).includes("reads-stale-ok"),
      FOR_MS + 10_000,
    );
    expect(degradedOf(slow)).toContain("projection-deferred");
    // Served from the last good answer within the stale wait, and marked with its age.
    expect(slow.status).toBe(200);
    expect(Number(slow.headers.get("lifeline-stale-age"))).toBeGreaterThanOrEqual(0);
    // Another tenant runs on the region's shipped policies (threshold 500 ms): unaffected.
    expect(degradedOf(await other("GET", "/v1/customers"))).not.toContain("reads-stale-ok");

    const view = await (await as("GET", "/v1/admin/degradation")).body;
    const mode = view.modes.find((m: { mode: string }) => m.mode === "reads-stale-ok");
    // Hysteresis: not before the condition held for forMs (its clock starts at the first
    // slow probe, which began at most one tick before the fault).
    expect(Date.parse(mode.since)).toBeGreaterThanOrEqual(faultAt - 500 + FOR_MS);
    expect(mode.why[0]).toMatch(/^policy tight-read-model: libsql\.p95_ms \d+ > 250 for 2000 ms$/);
    // A write is unaffected: acknowledged at once, and its answer names no list's mode.
    const created = await demo("POST", "/v1/customers", { name: "Slow DB Ltd", residency: "cn" });
    expect(created.status).toBe(201);
    expect(degradedOf(created)).not.toContain("projection-deferred");
  } finally {
    region().libsqlProxy!.heal();
  }
  const healedAt = Date.now();
  const recovered = await until(
    () => demo("GET", "/v1/customers"),
    (res) => !degradedOf(res).includes("reads-stale-ok"),
    RECOVER_MS + 15_000,
  );
  expect(recovered.headers.get("lifeline-stale-age")).toBeNull();

  const audit = (await as("GET", "/v1/audit/entries?kind=degradation-mode&limit=200")).body;
  const changes = audit.entries
    .map((e: { detail: Record<string, unknown> }) => e.detail)
    .filter((d: Record<string, unknown>) => d.policy === "tight-read-model");
  expect(changes.map((d: { entered: boolean }) => d.entered)).toEqual([true, false]);
  expect(changes[0]).toMatchObject({
    tenantId: "ten_demo",
    modes: ["reads-stale-ok", "projection-deferred"],
  });
  // It left only after recoverForMs of healthy samples (after the slow ones left the window).
  expect(Date.parse(changes[1].at)).toBeGreaterThanOrEqual(healedAt + RECOVER_MS - 500);
  // The policy change itself is audited too.
  const policyEntries = await (await as("GET", "/v1/audit/entries?limit=200")).body;
  expect(
    policyEntries.entries.some(
      (e: { detail: { policies?: { version?: number } } }) => e.detail.policies?.version === 1,
    ),
  ).toBe(true);
}, 60_000);

test("[LF5] a dead inference worker puts the region into inference-off by the shipped policy: insights are shed at once, for every tenant", async () => {
  // This test region runs no inference worker: every probe and call fails.
  const analyze = (key: string) =>
    client(() => region().url, key)("POST", "/v1/insights/analyze", {
      industry: "medical-devices",
      transcript: [{ speaker: "customer", text: "价格太贵了" }],
    });
  const shed = await until(
    () => analyze(DEMO_KEY),
    (res) => res.headers.get("lifeline-inference") === "off",
    20_000,
  );
  expect(degradedOf(shed)).toContain("inference-off");
  expect(shed.body.insights).toBeNull();
  expect((await analyze(OTHER_KEY)).headers.get("lifeline-inference")).toBe("off");
  const health = await readJson(await fetch(`${region().url}/v1/health`));
  const mode = health.modes.find((m: { mode: string }) => m.mode === "inference-off");
  expect(mode.why).toContainEqual(
    expect.stringMatching(/^policy failing-inference: inference\.error_rate 1 >= 0\.5/),
  );
  expect(health.degraded).toContain("inference-off");
});

test("an admin forces a mode for its own tenant until it expires: that tenant's answers carry it, no other tenant's do; audited; lifting it ends it", async () => {
  const as = await admin();
  const demo = client(() => region().url, DEMO_KEY);
  const other = client(() => region().url, OTHER_KEY);
  const forced = await as("PUT", "/v1/admin/degradation/modes/reads-stale-ok", {
    action: "force",
    forMs: 60_000,
    reason: "drill: read model maintenance",
  });
  expect(forced.status).toBe(200);
  const mode = forced.body.modes.find((m: { mode: string }) => m.mode === "reads-stale-ok");
  expect(mode.why).toEqual([
    expect.stringMatching(/^forced by usr_admin until .*: drill: read model maintenance$/),
  ]);
  expect(forced.body.overrides).toEqual([
    expect.objectContaining({ mode: "reads-stale-ok", action: "force", by: "usr_admin" }),
  ]);
  await until(
    () => demo("GET", "/v1/customers"),
    (res) => degradedOf(res).includes("reads-stale-ok"),
    5_000,
  );
  expect(degradedOf(await other("GET", "/v1/customers"))).not.toContain("reads-stale-ok");
  // Anonymous answers follow the region's own policies: no tenant's override.
  expect((await readJson(await fetch(`${region().url}/v1/health`))).degraded).not.toContain(
    "reads-stale-ok",
  );

  const audit = (await as("GET", "/v1/audit/entries?kind=degradation-mode&limit=200")).body;
  expect(audit.entries.map((e: { detail: unknown }) => e.detail)).toContainEqual(
    expect.objectContaining({
      tenantId: "ten_demo",
      by: "usr_admin",
      modes: ["reads-stale-ok"],
      override: "force",
      reason: "drill: read model maintenance",
    }),
  );
  expect((await as("DELETE", "/v1/admin/degradation/modes/reads-stale-ok")).status).toBe(200);
  expect((await as("DELETE", "/v1/admin/degradation/modes/reads-stale-ok")).status).toBe(404);
  await until(
    () => demo("GET", "/v1/customers"),
    (res) => !degradedOf(res).includes("reads-stale-ok"),
    5_000,
  );
  // A clear keeps a mode off whatever a policy says, for its time.
  const cleared = await as("PUT", "/v1/admin/degradation/modes/inference-off", {
    action: "clear",
    forMs: 60_000,
    reason: "drill: keep AI on",
  });
  expect(cleared.body.modes.map((m: { mode: string }) => m.mode)).not.toContain("inference-off");
  expect((await as("DELETE", "/v1/admin/degradation/modes/inference-off")).status).toBe(200);
});

test("degradation routes are for admins, take only valid modes, bounded overrides and valid policies", async () => {
  const as = await admin();
  const rep = client(() => region().url, await login(region().url, REP));
  const integrator = client(() => region().url, DEMO_KEY);
  const force = { action: "force", forMs: 60_000, reason: "x" };
  for (const call of [rep, integrator]) {
    expect((await call("GET", "/v1/admin/degradation")).status).toBe(403);
    expect((await call("PUT", "/v1/admin/degradation/modes/inference-off", force)).status).toBe(
      403,
    );
    expect((await call("PUT", "/v1/admin/degradation/policies", tenantPolicies)).status).toBe(403);
    expect((await call("GET", "/v1/audit/entries")).status).toBe(403);
  }
  const bad: Array<[string, string, unknown]> = [
    ["PUT", "/v1/admin/degradation/modes/everything-off", force],
    ["PUT", "/v1/admin/degradation/modes/__proto__", force],
    ["PUT", "/v1/admin/degradation/modes/inference-off", { ...force, forMs: 7 * 86_400_000 }],
    ["PUT", "/v1/admin/degradation/modes/inference-off", { ...force, reason: "" }],
    ["PUT", "/v1/admin/degradation/modes/inference-off", { ...force, action: "toggle" }],
    ["PUT", "/v1/admin/degradation/policies", [{ ...tenantPolicies[0], then: ["all-off"] }]],
    ["PUT", "/v1/admin/degradation/policies", [tenantPolicies[0], tenantPolicies[0]]],
    ["PUT", "/v1/admin/degradation/policies", { not: "a list" }],
  ];
  for (const [method, path, body] of bad) {
    const res = await as(method, path, body);
    expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
  }
  const health = await readJson(await fetch(`${region().url}/v1/health`));
  expect(health.modes.map((m: { mode: string }) => m.mode)).not.toContain("reads-stale-ok");
  expect(health).not.toHaveProperty("policies");
});

test("[LF5] a read model that never answers opens the region's libSQL breaker (health detail shows it); lists answer 503 with Retry-After, writes still 201; it closes after heal", async () => {
  const as = await admin();
  const other = client(() => region().url, OTHER_KEY);
  region().libsqlProxy!.set({ blackhole: true });
  try {
    await until(
      async () => (await as("GET", "/v1/health?detail=1")).body,
      (h) => h.breakers?.libsql?.state === "open",
      30_000,
    );
    const list = await other("GET", "/v1/customers?limit=7");
    expect(list.status).toBe(503);
    expect(list.body).toMatchObject({ type: "urn:lifeline:problem:read-model-unavailable" });
    expect(Number(list.headers.get("retry-after"))).toBeGreaterThan(0);
    const created = await other("POST", "/v1/customers", { name: "Dark DB GmbH", residency: "cn" });
    expect(created.status).toBe(201);
  } finally {
    region().libsqlProxy!.heal();
  }
  await until(
    async () => (await as("GET", "/v1/health?detail=1")).body,
    (h) => h.breakers?.libsql?.state === "closed",
    30_000,
  );
}, 90_000);
