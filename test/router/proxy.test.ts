// The router app end to end in Node (app.request, fake regions, hand-driven clock):
// placement, failover, the wrong-jurisdiction re-route, breakers and the router's own answers.
import { describe, expect, test } from "vitest";
import {
  ACC,
  ACC_EU,
  CTR,
  fakeTopology,
  healthyRegion,
  json,
  streamed,
  wrongJurisdiction,
} from "./fake-network.ts";

type Health = { status: string; regions: Array<{ region: string; breaker: string }> };
type ProblemBody = { type: string; jurisdiction?: string };
const healthOf = async (net: ReturnType<typeof fakeTopology>) =>
  (await (await net.request("GET", "/router/health")).json()) as Health;

const KEY = { "idempotency-key": "key-0001" };
/** Fails lifeline traffic but keeps answering health probes, so only requests feed the breaker. */
const failRequests = (status: number) => (req: Request, region: string) =>
  new URL(req.url).pathname === "/v1/health" ? healthyRegion(req, region) : json({}, status);
const refuseRequests = (req: Request, region: string) =>
  new URL(req.url).pathname === "/v1/health" ? healthyRegion(req, region) : ("refuse" as const);

describe("placement", () => {
  test("a customer is created in a region of its residency", async () => {
    const net = fakeTopology();
    const eu = await net.request("POST", "/v1/customers", {
      body: { residency: "eu" },
      headers: KEY,
    });
    const cn = await net.request("POST", "/v1/customers", {
      body: { residency: "cn" },
      headers: KEY,
    });
    expect(eu.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(eu.headers.get("lifeline-region")).toBe("eu-central");
    expect(cn.headers.get("lifeline-routed-to")).toBe("cn-east");
    expect(net.regionsHit()).toEqual(["eu-central", "cn-east"]);
  });

  test("learns residency from a streamed customer view before answering", async () => {
    const net = fakeTopology();
    const created = await net.request("POST", "/v1/customers", {
      body: { id: ACC_EU, residency: "eu" },
      headers: KEY,
    });
    expect(((await created.json()) as { id: string }).id).toBe(ACC_EU);
    // No settle(): the very next request must already be placed by what was learned.
    const contract = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC_EU },
      headers: KEY,
    });
    expect(contract.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(net.regionsHit()).toEqual(["eu-central", "eu-central"]);
  });

  test("learns from a page of customers, so later reads go to each one's jurisdiction", async () => {
    const net = fakeTopology();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/customers"
        ? streamed({ items: [{ id: ACC_EU, residency: "eu" }], nextCursor: null }, 200, {
            "lifeline-region": r,
          })
        : healthyRegion(req, r),
    );
    await net.request("GET", "/v1/customers");
    const read = await net.request("GET", `/v1/customers/${ACC_EU}`);
    expect(read.headers.get("lifeline-routed-to")).toBe("eu-central");
  });

  test("the Lifeline-Region hint picks the region within the jurisdiction", async () => {
    const net = fakeTopology();
    const res = await net.request("GET", `/v1/customers/${ACC}`, {
      headers: { "lifeline-region": "cn-south" },
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
  });

  test("[LF4] a learned cn account's write ignores an eu hint", async () => {
    const net = fakeTopology();
    await net.request("POST", "/v1/contracts", { body: { customerId: ACC }, headers: KEY });
    const res = await net.request("POST", `/v1/contracts/${CTR}/send`, {
      headers: { ...KEY, "lifeline-region": "eu-central" },
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-east");
    expect(net.regionsHit()).not.toContain("eu-central");
  });

  test("an account id learned from tenant A's answers does not steer tenant B's request", async () => {
    const net = fakeTopology();
    const tenantA = { ...KEY, authorization: "Bearer lk_tenant_a" };
    // Tenant A's write to ACC lands in eu-central (it holds ACC there): the router learns eu.
    await net.request("POST", "/v1/customers", {
      body: { id: ACC, residency: "eu" },
      headers: tenantA,
    });
    const again = await net.request("GET", `/v1/customers/${ACC}`, { headers: tenantA });
    expect(again.headers.get("lifeline-routed-to")).toBe("eu-central");
    // Tenant B names the same id: its own account (ids are per tenant), placed by default.
    const other = await net.request("GET", `/v1/customers/${ACC}`, {
      headers: { authorization: "Bearer lk_tenant_b" },
    });
    expect(other.headers.get("lifeline-routed-to")).toBe("cn-east");
  });

  test("passes method, path, query, headers and body through, minus hop-by-hop fields", async () => {
    const net = fakeTopology();
    await net.request("POST", "/v1/contracts?x=1", {
      body: { customerId: ACC },
      headers: {
        ...KEY,
        authorization: "Bearer lk_x",
        connection: "keep-alive, x-hop",
        "x-hop": "1",
      },
    });
    const seen = net.seen[0]!;
    expect(seen).toMatchObject({ method: "POST", path: "/v1/contracts?x=1" });
    expect(JSON.parse(seen.body)).toEqual({ customerId: ACC });
    expect(seen.headers.get("authorization")).toBe("Bearer lk_x");
    expect(seen.headers.get("idempotency-key")).toBe("key-0001");
    expect(seen.headers.get("x-hop")).toBeNull();
    expect(seen.headers.get("x-forwarded-host")).toBe("router.test");
  });
});

describe("failover", () => {
  test("a failed keyed write is retried once in the peer region with the same key and body", async () => {
    const net = fakeTopology();
    net.set("cn-east", failRequests(502));
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC },
      headers: KEY,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    expect(net.regionsHit()).toEqual(["cn-east", "cn-south"]);
    const [first, second] = net.seen;
    expect(second!.headers.get("idempotency-key")).toBe(first!.headers.get("idempotency-key"));
    expect(second!.body).toBe(first!.body);
  });

  test("a timeout and a refused connection fail over like a 502", async () => {
    const net = fakeTopology({ attemptTimeoutMs: 50 });
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health" ? healthyRegion(req, r) : "hang",
    );
    const timedOut = await net.request("GET", `/v1/customers/${ACC}`);
    expect(timedOut.headers.get("lifeline-routed-to")).toBe("cn-south");
    net.set("cn-east", refuseRequests);
    const refused = await net.request("GET", `/v1/customers/${ACC}`);
    expect(refused.headers.get("lifeline-routed-to")).toBe("cn-south");
  });

  test("[LF2] a write that timed out in one region and is refused 409 by the next is answered 503 outcome-unknown, never a definite refusal", async () => {
    const net = fakeTopology({ attemptTimeoutMs: 50 });
    // cn-east may have signed (it only answered too late); cn-south has not seen the send yet.
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health" ? healthyRegion(req, r) : "hang",
    );
    net.set("cn-south", (req, r) =>
      new URL(req.url).pathname === "/v1/health"
        ? healthyRegion(req, r)
        : json({ type: "urn:lifeline:problem:invalid-state", status: 409 }, 409, {
            "lifeline-region": r,
          }),
    );
    const res = await net.request("POST", `/v1/contracts/${CTR}/signatures`, {
      body: { party: "customer" },
      headers: KEY,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({
      type: "urn:lifeline:problem:outcome-unknown",
      regions: ["cn-east", "cn-south"],
    });
    // A read has no effect to be unsure of: the refusal passes as it is.
    const read = await net.request("GET", `/v1/contracts/${CTR}`);
    expect(read.status).toBe(409);
  });

  test("a region's own 503 problem is retried in the peer without counting against it", async () => {
    const net = fakeTopology();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health"
        ? healthyRegion(req, r)
        : json({ type: "urn:lifeline:problem:region-durability-unavailable" }, 503, {
            "lifeline-region": r,
            "retry-after": "1",
          }),
    );
    for (let i = 0; i < 4; i++) {
      const res = await net.request("POST", "/v1/payments", {
        body: { contractId: CTR },
        headers: KEY,
      });
      expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    }
    const health = await healthOf(net);
    expect(health.regions[0]).toMatchObject({ region: "cn-east", breaker: "closed" });
  });

  test("fails over at most once", async () => {
    const regions = ["a", "b", "c"].map((n) => ({
      region: `cn-${n}`,
      jurisdiction: "cn",
      url: `http://cn-${n}.test`,
    }));
    const net = fakeTopology({ regions });
    for (const r of regions) net.set(r.region, failRequests(504));
    const res = await net.request("GET", `/v1/customers/${ACC}`);
    expect(res.status).toBe(504);
    expect(net.regionsHit()).toEqual(["cn-a", "cn-b"]);
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-b");
  });

  test("a POST without Idempotency-Key is not retried: it may have taken effect", async () => {
    const net = fakeTopology();
    net.set("cn-east", refuseRequests);
    const res = await net.request("POST", "/v1/contracts", { body: { customerId: ACC } });
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      type: "urn:lifeline:problem:region-unreachable",
      region: "cn-east",
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-east");
    expect(net.regionsHit()).toEqual(["cn-east"]);
  });

  test("a region's own failure answer outranks the router's 'unreachable' when both fail", async () => {
    const net = fakeTopology();
    net.set("cn-east", failRequests(502));
    net.set("cn-south", refuseRequests);
    const res = await net.request("GET", `/v1/customers/${ACC}`);
    expect(res.status).toBe(502);
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-east");
  });
});

describe("[LF4] sovereignty", () => {
  test("a write for a cn account never goes to eu-central, even with both cn regions down: 503", async () => {
    const net = fakeTopology();
    await net.request("POST", "/v1/customers", { body: { residency: "cn" }, headers: KEY });
    await net.settle();
    net.set("cn-east", () => "refuse");
    net.set("cn-south", () => "refuse");
    net.clock.nowMs += 2_000;
    await net.request("GET", "/router/health");
    await net.settle(); // both probes fail: both breakers open
    net.reset();
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC },
      headers: { ...KEY, "lifeline-region": "eu-central" },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.headers.get("lifeline-routed-to")).toBe("none");
    expect(await res.json()).toMatchObject({
      type: "urn:lifeline:problem:no-healthy-region",
      jurisdiction: "cn",
    });
    expect(net.regionsHit()).toEqual([]);
  });
});

describe("wrong-jurisdiction re-route", () => {
  test("follows a wrong-jurisdiction answer once to the jurisdiction it names and remembers it", async () => {
    const net = fakeTopology();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health"
        ? healthyRegion(req, r)
        : wrongJurisdiction("eu", r),
    );
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC_EU },
      headers: KEY,
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(net.regionsHit()).toEqual(["cn-east", "eu-central"]);
    net.reset();
    // Even a request without a key is re-routed: a wrong-jurisdiction answer means the first region did nothing.
    await net.request("POST", `/v1/contracts/${`ctr_${ACC_EU.slice(4)}_0123456789ABCDEF`}/send`);
    expect(net.regionsHit()).toEqual(["eu-central"]);
  });

  test("passes a wrong-jurisdiction answer through when it names no jurisdiction the router serves", async () => {
    const net = fakeTopology();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health"
        ? healthyRegion(req, r)
        : wrongJurisdiction("us", r),
    );
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC_EU },
      headers: KEY,
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ProblemBody).jurisdiction).toBe("us");
    expect(net.regionsHit()).toEqual(["cn-east"]);
  });

  test("re-routes at most once, even if the second jurisdiction also answers wrong-jurisdiction", async () => {
    const net = fakeTopology();
    net.set("cn-east", (_req, r) => wrongJurisdiction("eu", r));
    net.set("eu-central", (_req, r) => wrongJurisdiction("cn", r));
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC_EU },
      headers: KEY,
    });
    expect(res.status).toBe(409);
    expect(net.regionsHit()).toEqual(["cn-east", "eu-central"]);
  });
});

describe("breakers", () => {
  test("three failed requests open a region's breaker; later requests skip it", async () => {
    const net = fakeTopology();
    net.set("cn-east", failRequests(502));
    for (let i = 0; i < 3; i++) await net.request("GET", `/v1/customers/${ACC}`);
    net.reset();
    await net.request("GET", `/v1/customers/${ACC}`);
    expect(net.regionsHit()).toEqual(["cn-south"]);
    const health = await healthOf(net);
    expect(health.status).toBe("degraded");
    expect(health.regions[0]).toMatchObject({ region: "cn-east", breaker: "open" });
  });

  test("after the cool-down one trial request goes back, and success closes the breaker", async () => {
    const net = fakeTopology();
    net.set("cn-east", failRequests(502));
    for (let i = 0; i < 3; i++) await net.request("GET", `/v1/customers/${ACC}`);
    net.set("cn-east", undefined);
    net.clock.nowMs += 5_000;
    net.reset();
    // The healthy cn-south goes first; the half-open cn-east takes its trial only when asked.
    await net.request("GET", `/v1/customers/${ACC}`);
    expect(net.regionsHit()).toEqual(["cn-south"]);
    await net.settle(); // the due probe was cn-east's trial, and it succeeded
    net.reset();
    await net.request("GET", `/v1/customers/${ACC}`);
    expect(net.regionsHit()).toEqual(["cn-east"]);
  });

  test("a failed health probe opens the breaker without any request failing", async () => {
    const net = fakeTopology();
    net.set("cn-east", () => "refuse");
    await net.request("GET", "/router/health");
    await net.settle();
    const health = await healthOf(net);
    expect(health.regions[0]).toMatchObject({ breaker: "open", lastProbe: { ok: false } });
  });
});

describe("the router's own answers", () => {
  test("non-API paths are 404 problem+json", async () => {
    const net = fakeTopology();
    for (const path of ["/", "/index.html", "/v1/replication/events"]) {
      const res = await net.request("GET", path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("lifeline-routed-to")).toBe("none");
    }
    expect(net.regionsHit()).toEqual([]);
  });

  test("a body over 1 MB is refused with 413 before any region sees it", async () => {
    const net = fakeTopology();
    const res = await net.request("POST", "/v1/customers", {
      body: JSON.stringify({ residency: "cn", name: "x".repeat(1024 * 1024) }),
      headers: KEY,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ProblemBody).type).toBe("urn:lifeline:problem:body-too-large");
    expect(net.regionsHit()).toEqual([]);
  });

  test("/router/health lists every region's breaker", async () => {
    const net = fakeTopology();
    const res = await net.request("GET", "/router/health");
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-routed-to")).toBe("none");
    const body = (await res.json()) as Health & { defaultJurisdiction: string };
    expect(body).toMatchObject({ status: "ok", defaultJurisdiction: "cn" });
    expect(body.regions.map((r) => r.region)).toEqual(["cn-east", "cn-south", "eu-central"]);
  });
});

describe("unknown accounts", () => {
  const notFound = (region: string) =>
    json(
      { type: "urn:lifeline:problem:not-found", title: "customer not found", status: 422 },
      422,
      { "lifeline-region": region, "content-type": "application/problem+json" },
    );

  test("[LF4] a write for an account the guessed jurisdiction does not hold is asked in the other one", async () => {
    const net = fakeTopology();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health" ? healthyRegion(req, r) : notFound(r),
    );
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC_EU },
      headers: KEY,
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(net.regionsHit()).toEqual(["cn-east", "eu-central"]);
  });

  test("a not-found for an account the router already placed is passed through", async () => {
    const net = fakeTopology();
    await net.request("POST", "/v1/customers", {
      body: { id: ACC, residency: "cn" },
      headers: KEY,
    });
    net.reset();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health" ? healthyRegion(req, r) : notFound(r),
    );
    const res = await net.request("POST", "/v1/contracts", {
      body: { customerId: ACC },
      headers: KEY,
    });
    expect(res.status).toBe(422);
    expect(net.regionsHit()).toEqual(["cn-east"]);
  });
});

describe("regional records (insights)", () => {
  const INSIGHT = "ins_cn-south_0123456789abcdef0123456789abcdef";
  const feedback = `/v1/insights/${INSIGHT}/feedback`;
  const answer = { body: { strategy: "s", adopted: true }, headers: KEY };

  test("feedback goes to the region its insight id names, not the preferred region", async () => {
    const net = fakeTopology();
    const res = await net.request("POST", feedback, {
      ...answer,
      headers: { ...KEY, "lifeline-region": "cn-east" },
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    expect(net.regionsHit()).toEqual(["cn-south"]);
  });

  test("a failing owner region is not failed over to a peer that never had the record", async () => {
    const net = fakeTopology();
    net.set("cn-south", refuseRequests);
    const res = await net.request("POST", feedback, answer);
    expect(res.status).toBe(502);
    expect(net.regionsHit()).toEqual(["cn-south"]);
  });

  test("with the owner region out, the answer is a 503 naming it, with Retry-After", async () => {
    const net = fakeTopology();
    net.set("cn-south", failRequests(502));
    for (let i = 0; i < 3; i++) await net.request("POST", feedback, answer);
    net.reset();
    const res = await net.request("POST", feedback, answer);
    expect(net.regionsHit()).toEqual([]);
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({
      type: "urn:lifeline:problem:record-region-unavailable",
      region: "cn-south",
    });
  });

  test("an insight-shaped segment outside the insight routes does not pick the region", async () => {
    const net = fakeTopology();
    const res = await net.request(
      "GET",
      "/v1/contracts/ins_eu-central_0123456789abcdef0123456789abcdef",
    );
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-east");
    const nested = await net.request(
      "POST",
      `/v1/customers/${ACC}/ins_eu-central_0123456789abcdef0123456789abcdef`,
      answer,
    );
    expect(nested.headers.get("lifeline-routed-to")).toBe("cn-east");
  });

  test("[LF4] a 'not found' for a request that names no account is not re-sent abroad", async () => {
    const net = fakeTopology();
    net.set("cn-east", (req, r) =>
      new URL(req.url).pathname === "/v1/health"
        ? healthyRegion(req, r)
        : json({ type: "urn:lifeline:problem:not-found" }, 404),
    );
    const res = await net.request(
      "POST",
      "/v1/insights/ins_0123456789abcdef0123456789abcdef/feedback",
      answer,
    );
    expect(res.status).toBe(404);
    expect(net.regionsHit()).toEqual(["cn-east"]);
  });

  test("an insight id naming a region the router does not know is routed as usual", async () => {
    const net = fakeTopology();
    const res = await net.request(
      "POST",
      "/v1/insights/ins_xx-gone_0123456789abcdef0123456789abcdef/feedback",
      answer,
    );
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-east");
  });
});
