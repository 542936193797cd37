// Outside local mode the dev-only routes do not exist, and everything else still answers.
import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestRegion, type TestRegion } from "../support/test-region.ts";

let region: TestRegion;

beforeAll(async () => {
  region = await startTestRegion("cn-east", { mode: "production" });
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
