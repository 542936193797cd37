// Outside local mode the dev-only routes do not exist, and everything else still answers;
// and this region runs without its credentials worker, as when that worker is down.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestRegion, type TestRegion } from "../support/test-region.ts";

let region: TestRegion;
/** A local region whose dev seed was never applied. */
let unseeded: TestRegion;

beforeAll(async () => {
  [region, unseeded] = await Promise.all([
    startTestRegion("cn-east", { mode: "production", credentials: false }),
    startTestRegion("cn-south", { credentials: false, seed: false }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([region?.stop(), unseeded?.stop()]);
});

test("[health] a local region is `starting` (503) until it has a tenant to serve, then ok", async () => {
  const before = await fetch(`${unseeded.url}/v1/health`);
  expect(before.status).toBe(503);
  expect(await before.json()).toMatchObject({ status: "starting", region: "cn-south" });
  const seeded = await fetch(`${unseeded.url}/__local/seed`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "lifeline-local-admin": unseeded.localAdminSecret,
    },
    body: JSON.stringify({ tenant: { id: "ten_late", name: "Late" }, apiKeys: [], users: [] }),
  });
  expect(seeded.status).toBe(204);
  const after = await fetch(`${unseeded.url}/v1/health`);
  expect(after.status).toBe(200);
  expect((await after.json()) as { status: string }).toMatchObject({ region: "cn-south" });
  // Production has no seed: its health never waits for one.
  expect((await fetch(`${region.url}/v1/health`)).status).toBe(200);
});

test("dev seeding and the benchmark floor are 404 outside local mode; the API is up", async () => {
  const seed = await fetch(`${region.url}/__local/seed`, { method: "POST", body: "{}" });
  expect(seed.status).toBe(404);
  const floor = await fetch(`${region.url}/__local/floor/1`, { method: "POST", body: "x" });
  expect(floor.status).toBe(404);
  expect((await fetch(`${region.url}/v1/health`)).status).toBe(200);
  expect((await fetch(`${region.url}/v1/customers`)).status).toBe(401);
});

test("[login] with the credentials worker unreachable, a login is a 503 credentials-unavailable with Retry-After, never a 401", async () => {
  const res = await fetch(`${region.url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "rep@demo.test", password: "whatever-it-is" }),
  });
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  const body = (await res.json()) as { type: string; detail: string };
  expect(body.type).toBe("urn:lifeline:problem:credentials-unavailable");
  // No upstream error text reaches an unauthenticated caller.
  expect(body.detail).not.toMatch(/not found|lifeline-credentials|Worker/i);
  // An SRE sees it in the region's health.
  const health = (await (await fetch(`${region.url}/v1/health`)).json()) as { degraded: string[] };
  expect(health.degraded).toContain("logins-unavailable");
});
