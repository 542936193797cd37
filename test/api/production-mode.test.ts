// Outside local mode the dev-only routes do not exist, and everything else still answers;
// and this region runs without its credentials worker, as when that worker is down.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestRegion, type TestRegion } from "../support/test-region.ts";

let region: TestRegion;

beforeAll(async () => {
  region = await startTestRegion("cn-east", { mode: "production", credentials: false });
}, 60_000);

afterAll(async () => {
  await region?.stop();
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
  expect(health.degraded).toContain("logins:unavailable");
});
