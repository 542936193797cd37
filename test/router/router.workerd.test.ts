// The router in workerd (wrangler's unstable_startWorker, from workers/router/wrangler.toml)
// in front of three stub regions on 127.0.0.1: the routing rules over real sockets.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { startTestWorker } from "../support/workerd.ts";
import { type RegionStub, startRegionStub } from "./region-stub.ts";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_SEND_METRICS = "false";

const ATTEMPT_TIMEOUT_MS = 1_000;
let east: RegionStub;
let south: RegionStub;
let eu: RegionStub;
let router: { url: string; dispose(): Promise<void> } | undefined;
let ulidSeq = 0;
/** A fresh account per test: ids are Crockford base32, so only digits in the counter. */
const ulid = () =>
  `01J${String(Date.now()).padStart(15, "0")}${String(ulidSeq++).padStart(8, "0")}`;

beforeAll(async () => {
  [east, south, eu] = await Promise.all([
    startRegionStub("cn-east", "cn"),
    startRegionStub("cn-south", "cn"),
    startRegionStub("eu-central", "eu"),
  ]);
});

afterAll(async () => {
  await Promise.all([east, south, eu].map((s) => s?.close()));
});

beforeEach(() => {
  for (const s of [east, south, eu]) s.reset();
});

/**
 * Breakers and the account cache live in the router's isolate, so a test that opens a
 * breaker gets a router of its own; tests that leave every breaker closed share one.
 */
async function startRouter() {
  router = await startTestWorker({
    config: "workers/router/wrangler.toml",
    bindings: {
      REGIONS: JSON.stringify(
        [east, south, eu].map(({ region, jurisdiction, url }) => ({ region, jurisdiction, url })),
      ),
      ROUTER_ATTEMPT_TIMEOUT_MS: String(ATTEMPT_TIMEOUT_MS),
    },
  });
}

// wrangler 4.86 sometimes logs "Build failed … Could not resolve …middleware-loader.entry.ts"
// while a worker is disposed (its esbuild watcher rebuilds into a removed temp dir). It is
// teardown noise from wrangler, not a failure of the router.
async function stopRouter() {
  await router?.dispose();
  router = undefined;
}

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${router!.url}${path}`, {
    method,
    headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}

async function breakerOf(region: string): Promise<string> {
  const health = (await (await call("GET", "/router/health")).json()) as {
    regions: Array<{ region: string; breaker: string }>;
  };
  return health.regions.find((r) => r.region === region)!.breaker;
}

async function until(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
}

const hits = () => ({ east: east.served.length, south: south.served.length, eu: eu.served.length });

describe("placement (one router; every breaker stays closed)", () => {
  beforeAll(startRouter);
  afterAll(stopRouter);

  test("routes a new customer by residency, then its writes by what the view taught", async () => {
    const euId = ulid();
    const toEu = await call(
      "POST",
      "/v1/customers",
      { id: euId, residency: "eu" },
      { "idempotency-key": "k-eu" },
    );
    const toCn = await call(
      "POST",
      "/v1/customers",
      { id: ulid(), residency: "cn" },
      { "idempotency-key": "k-cn" },
    );
    expect(toEu.status).toBe(201);
    expect(toEu.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(toEu.headers.get("lifeline-region")).toBe("eu-central");
    expect(toCn.headers.get("lifeline-routed-to")).toBe("cn-east");
    // The default jurisdiction is cn: only the learned residency sends this to eu-central.
    const contract = await call(
      "POST",
      "/v1/contracts",
      { customerId: `acc_${euId}` },
      { "idempotency-key": "k-eu-contract" },
    );
    expect(contract.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(hits()).toEqual({ east: 1, south: 0, eu: 2 });
    const notFound = await call("GET", "/router/nothing");
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get("lifeline-routed-to")).toBe("none");
    // Everything outside /v1/* and /router/* is the rep app's static assets (web/dist).
    const shell = await call("GET", "/customers/anything");
    expect(shell.status).toBe(200);
    expect(shell.headers.get("content-type")).toMatch(/^text\/html/);
  });

  test("honours the Lifeline-Region hint within the jurisdiction", async () => {
    const res = await call("GET", `/v1/customers/acc_${ulid()}`, undefined, {
      "lifeline-region": "cn-south",
    });
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    expect(await res.json()).toMatchObject({ servedBy: "cn-south" });
  });

  test("follows a wrong-jurisdiction answer to the named jurisdiction once, then routes the account there directly", async () => {
    east.mode = { misdirect: "eu" };
    const account = `acc_${ulid()}`;
    const res = await call(
      "POST",
      "/v1/contracts",
      { customerId: account },
      { "idempotency-key": "c-421" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(eu.served[0]).toMatchObject({ idempotencyKey: "c-421" });
    const again = await call(
      "POST",
      "/v1/contracts",
      { customerId: account },
      { "idempotency-key": "c-421b" },
    );
    expect(again.headers.get("lifeline-routed-to")).toBe("eu-central");
    expect(hits()).toEqual({ east: 1, south: 0, eu: 2 });
  });

  test("does not retry a POST without an Idempotency-Key", async () => {
    east.mode = "drop";
    const res = await call("POST", "/v1/contracts", { customerId: `acc_${ulid()}` });
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-east");
    expect(hits()).toEqual({ east: 1, south: 0, eu: 0 });
  });
});

describe("failover (one router; at most two failures, below the threshold)", () => {
  beforeAll(startRouter);
  afterAll(stopRouter);

  test("fails over once within the jurisdiction with the same Idempotency-Key and body", async () => {
    east.mode = "fail-502";
    const body = { contractId: `ctr_${ulid()}_0123456789ABCDEF`, reference: "bank-1" };
    const res = await call("POST", "/v1/payments", body, { "idempotency-key": "pay-key-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    expect(south.served[0]).toEqual(east.served[0]);
    expect(south.served[0]).toMatchObject({
      idempotencyKey: "pay-key-1",
      body: JSON.stringify(body),
    });
    expect(eu.served).toEqual([]);
  });

  test("a region that hangs is given up after the attempt timeout and the peer answers", async () => {
    east.mode = "hang";
    const started = Date.now();
    const res = await call("GET", `/v1/customers/acc_${ulid()}`);
    expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    expect(Date.now() - started).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(ATTEMPT_TIMEOUT_MS + 1_500);
  });
});

describe("breakers (a router per test)", () => {
  beforeEach(startRouter);
  afterEach(stopRouter);

  test("opens a dead region's breaker and stops sending it traffic", async () => {
    east.kill();
    const first = await call("GET", `/v1/customers/acc_${ulid()}`);
    expect(first.headers.get("lifeline-routed-to")).toBe("cn-south");
    await until(async () => (await breakerOf("cn-east")) === "open");
    const before = east.served.length;
    for (let i = 0; i < 3; i++) {
      const res = await call("GET", `/v1/customers/acc_${ulid()}`);
      expect(res.headers.get("lifeline-routed-to")).toBe("cn-south");
    }
    expect(east.served.length).toBe(before);
  });

  test("three failed requests open the breaker even while the region's health probe passes", async () => {
    east.mode = "fail-502";
    for (let i = 0; i < 3; i++) await call("GET", `/v1/customers/acc_${ulid()}`);
    expect(east.served.length).toBe(3);
    expect(await breakerOf("cn-east")).toBe("open");
    await call("GET", `/v1/customers/acc_${ulid()}`);
    expect(east.served.length).toBe(3);
  });

  test("[LF4] never sends a cn account's write abroad, even with both cn regions dead", async () => {
    const id = ulid();
    await call("POST", "/v1/customers", { id, residency: "cn" }, { "idempotency-key": `c-${id}` });
    east.kill();
    south.kill();
    const statuses: number[] = [];
    let last: Response | undefined;
    // Failures and failed probes open both breakers within a few requests; then 503.
    for (let i = 0; i < 6 && last?.status !== 503; i++) {
      last = await call(
        "POST",
        "/v1/contracts",
        { customerId: `acc_${id}` },
        { "idempotency-key": `w-${i}`, "lifeline-region": "eu-central" },
      );
      statuses.push(last.status);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(last?.status).toBe(503);
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await last?.json()).toMatchObject({
      type: "urn:lifeline:problem:no-healthy-region",
      jurisdiction: "cn",
    });
    expect(statuses.every((s) => s === 502 || s === 503)).toBe(true);
    expect(eu.served).toEqual([]);
  });
});
