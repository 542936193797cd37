// The faults a chaos drill injects inside a local region's isolate (DESIGN §9): its HLC
// wall clock's offset and its inference calls' delay, through the local admin routes that
// `npm run chaos -- fault clock-skew|slow-inference|inference-errors` use.
import { expect, test } from "vitest";
import { decodeHlc } from "../../core/index.ts";
import { client, DEMO_KEY, regionForSuite } from "../support/test-region.ts";

const region = regionForSuite();

const local = (method: string, path: string, body?: unknown, secret?: string) =>
  fetch(`${region().url}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      "lifeline-local-admin": secret ?? region().localAdminSecret,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test("[chaos] a clock offset stamps the region's writes ahead by it, within bounds, for local tooling only", async () => {
  expect(
    (await local("PUT", "/__local/clock", { offsetMs: 600_000 }, "wrong-secret-0123456789")).status,
  ).toBe(403);
  for (const bad of [{ offsetMs: 1.5 }, { offsetMs: 10 * 86_400_000 }, { skew: 1 }, {}])
    expect((await local("PUT", "/__local/clock", bad)).status, JSON.stringify(bad)).toBe(400);
  try {
    expect((await local("PUT", "/__local/clock", { offsetMs: 600_000 })).status).toBe(200);
    const before = Date.now();
    const created = await client(region().url, DEMO_KEY)("POST", "/v1/customers", {
      name: "Ahead of Time",
      residency: "cn",
    });
    expect(created.status).toBe(201);
    const wall = decodeHlc(created.headers.get("lifeline-hlc")!).wallMs;
    expect(wall).toBeGreaterThanOrEqual(before + 590_000);
  } finally {
    await local("PUT", "/__local/clock", { offsetMs: 0 });
  }
  expect(await (await local("GET", "/__local/faults")).json()).toMatchObject({ clockOffsetMs: 0 });
});

test("[chaos] an inference delay past the budget sheds insights as a slow worker would", async () => {
  try {
    expect((await local("PUT", "/__local/faults/inference", { latencyMs: 1_000 })).status).toBe(
      200,
    );
    const res = await client(region().url, DEMO_KEY)("POST", "/v1/insights/analyze", {
      industry: "medical-devices",
      transcript: [{ speaker: "customer", text: "价格太贵了" }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-inference")).toBe("timeout");
    expect(res.headers.get("lifeline-degraded")).toContain("inference-off");
  } finally {
    await local("PUT", "/__local/faults/inference", {});
  }
  expect((await local("PUT", "/__local/faults/inference", { errorRate: 2 })).status).toBe(400);
});
