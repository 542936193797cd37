// GET /v1/regions at the router (app.request, fake regions, hand-driven clock): the regions a
// client may call directly, each with the router's last probe of it, never cached, and
// answered by the router itself (no region is asked).
import { describe, expect, test } from "vitest";
import { fakeTopology, REGIONS } from "./fake-network.ts";

type Listed = {
  regions: Array<{
    region: string;
    jurisdiction: string;
    url: string;
    health: { breaker: string; lastProbe: { at: string; ok: boolean } | null };
  }>;
  self?: string;
};

describe("GET /v1/regions at the router", () => {
  test("lists every region (no self) with its health; the router answers it without a region", async () => {
    const net = fakeTopology();
    const res = await net.request("GET", "/v1/regions");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Listed;
    expect(body.self).toBeUndefined();
    expect(body.regions.map(({ health, ...r }) => r)).toEqual(REGIONS);
    expect(body.regions.every((r) => r.health.breaker === "closed")).toBe(true);
    expect(net.seen).toEqual([]);
  });

  test("each region's health is the router's last probe of it: a refusing region shows ok: false", async () => {
    const net = fakeTopology();
    net.set("eu-central", () => "refuse");
    await net.request("GET", "/v1/regions");
    await net.settle();
    const body = (await (await net.request("GET", "/v1/regions")).json()) as Listed;
    const probes = Object.fromEntries(body.regions.map((r) => [r.region, r.health.lastProbe]));
    expect(probes).toEqual({
      "cn-east": { at: new Date(net.clock.nowMs).toISOString(), ok: true },
      "cn-south": { at: new Date(net.clock.nowMs).toISOString(), ok: true },
      "eu-central": { at: new Date(net.clock.nowMs).toISOString(), ok: false },
    });
  });

  test("?jurisdiction=cn lists only its regions; an unknown jurisdiction or parameter is a 400 problem", async () => {
    const net = fakeTopology();
    const cn = (await (await net.request("GET", "/v1/regions?jurisdiction=cn")).json()) as Listed;
    expect(cn.regions.map((r) => r.region)).toEqual(["cn-east", "cn-south"]);
    for (const [query, field] of [
      ["jurisdiction=us", "jurisdiction"],
      ["region=cn-east", "region"],
    ] as const) {
      const res = await net.request("GET", `/v1/regions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await res.json()) as { type: string; errors: Array<{ field: string }> };
      expect(problem.type).toBe("urn:lifeline:problem:validation");
      expect(problem.errors.map((e) => e.field)).toEqual([field]);
    }
  });
});
