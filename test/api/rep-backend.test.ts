// What the rep's PWA needs from a region, through the real stack (two regions of one
// jurisdiction, cn-east and cn-south, each workerd + libSQL): customers owned by a rep,
// reassigned by an admin and replicated like any field; public region discovery; and CORS
// for the PWA's origin so it can call regions directly and fail over between them.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ALLOW_METHODS, PREFLIGHT_MAX_AGE_S } from "../../workers/api/middleware/cors.ts";
import { type OpenApiDoc, recordedExchanges, responseIssues } from "../support/contract.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  REP,
  readJson,
  startPeeredRegions,
  type TestRegion,
} from "../support/test-region.ts";

const PWA = "http://127.0.0.1:8787";
/** Logins one client address may start at once: low, so preflights could visibly spend it. */
const LOGIN_BURST = 4;

let east: TestRegion;
let south: TestRegion;
let repToken: string;
let adminToken: string;

beforeAll(async () => {
  // A refill of one login a minute: within this file, spent logins stay spent.
  const loginAddress = { burst: LOGIN_BURST, perS: 1 / 60 };
  [east, south] = await startPeeredRegions(["cn-east", "cn-south"], {
    bindings: { RATE_LIMITS: JSON.stringify({ loginAddress }) },
  });
  [repToken, adminToken] = await Promise.all([login(east.url, REP), login(east.url, ADMIN)]);
}, 120_000);

afterAll(async () => {
  await Promise.all([east?.stop(), south?.stop()]);
});

// Session tokens are accepted by every region of the deployment (one AUTH_TOKEN_SECRET).
const rep = (r = () => east) => client(() => r().url, repToken);
const admin = (r = () => east) => client(() => r().url, adminToken);
const integrator = (r = () => east) => client(() => r().url, DEMO_KEY);

let n = 0;
const uniqueName = (what: string) => `${what} ${Date.now().toString(36)}-${n++}`;
const putOwner = (
  call: ReturnType<typeof client>,
  id: string,
  body: unknown,
  key = `owner-${Date.now()}-${n++}`,
) => call("PUT", `/v1/customers/${id}/owner`, body, key ? { "idempotency-key": key } : {});

/** The list `path` once the read model holds `id` (lists are eventually consistent). */
const listedEventually = (call: ReturnType<typeof client>, path: string, id: string) =>
  eventually(async () => {
    const r = await call("GET", path);
    return r.status === 200 && r.body.items.some((i: { id: string }) => i.id === id)
      ? (r.body.items as Array<{ id: string; ownerId: string | null }>)
      : undefined;
  }, 10_000);

describe("customers have an owning rep", () => {
  test("a rep's customer is owned by the rep: in the answer, the view and the list item", async () => {
    const name = uniqueName("Rep-owned clinic");
    const created = await rep()("POST", "/v1/customers", { name, residency: "cn" });
    expect(created.status).toBe(201);
    expect(created.body.ownerId).toBe("usr_rep");
    expect((await integrator()("GET", `/v1/customers/${created.body.id}`)).body.ownerId).toBe(
      "usr_rep",
    );
    const items = await listedEventually(
      integrator(),
      `/v1/customers?q=${encodeURIComponent(name)}`,
      created.body.id,
    );
    expect(items.find((i) => i.id === created.body.id)?.ownerId).toBe("usr_rep");
  });

  test("?owner=me lists the caller's customers only; ?owner=usr_… any user's; `me` with an API key is a 400", async () => {
    const mine = await rep()("POST", "/v1/customers", {
      name: uniqueName("Mine"),
      residency: "cn",
    });
    const theirs = await integrator()("POST", "/v1/customers", {
      name: uniqueName("Admin's"),
      residency: "cn",
      ownerId: "usr_admin",
    });
    expect(theirs.body.ownerId).toBe("usr_admin");
    const own = await listedEventually(rep(), "/v1/customers?owner=me&limit=100", mine.body.id);
    expect(own.every((i) => i.ownerId === "usr_rep")).toBe(true);
    const admins = await listedEventually(
      integrator(),
      "/v1/customers?owner=usr_admin&limit=100",
      theirs.body.id,
    );
    expect(admins.every((i) => i.ownerId === "usr_admin")).toBe(true);
    const me = await integrator()("GET", "/v1/customers?owner=me");
    expect(me.status).toBe(400);
    expect(me.body.errors[0].field).toBe("owner");
    expect((await integrator()("GET", "/v1/customers?owner=rep")).status).toBe(400);
  });

  test("a user may not create for someone else (400); an API key names an existing user (else 422) or none", async () => {
    const other = await rep()("POST", "/v1/customers", {
      name: uniqueName("Not yours"),
      residency: "cn",
      ownerId: "usr_admin",
    });
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual([
      { field: "ownerId", pointer: "#/ownerId", message: expect.stringContaining("API key") },
    ]);
    const unknown = await integrator()("POST", "/v1/customers", {
      name: uniqueName("Nobody's"),
      residency: "cn",
      ownerId: "usr_nobody",
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].field).toBe("ownerId");
    const none = await integrator()("POST", "/v1/customers", {
      name: uniqueName("Unowned"),
      residency: "cn",
    });
    expect(none.status).toBe(201);
    expect(none.body.ownerId).toBeNull();
  });
});

describe("an admin reassigns a customer", () => {
  test("only an admin: rep and integrator are 403; unknown customer 404; bad body 400; no key 400", async () => {
    const { body } = await rep()("POST", "/v1/customers", {
      name: uniqueName("Guarded"),
      residency: "cn",
    });
    for (const caller of [rep(), integrator()]) {
      const denied = await putOwner(caller, body.id, { ownerId: "usr_admin" });
      expect(denied.status).toBe(403);
      expect(denied.headers.get("content-type")).toBe("application/problem+json");
    }
    const missing = await putOwner(admin(), `acc_${"Z".repeat(26)}`, { ownerId: "usr_rep" });
    expect(missing.status).toBe(404);
    for (const bad of [{}, { ownerId: "rep" }, { ownerId: "usr_rep", extra: 1 }]) {
      const res = await putOwner(admin(), body.id, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await putOwner(admin(), body.id, { ownerId: "usr_nobody" })).status).toBe(422);
    const keyless = await putOwner(admin(), body.id, { ownerId: "usr_admin" }, "");
    expect(keyless.status).toBe(400);
    expect(keyless.body.type).toBe("urn:lifeline:problem:idempotency-key-required");
  });

  test("a reassignment answers the customer, replays once, is audited once, and reaches cn-south", async () => {
    const { body: customer } = await rep()("POST", "/v1/customers", {
      name: uniqueName("Handed over"),
      residency: "cn",
    });
    const key = `reassign-${customer.id}`;
    const first = await putOwner(admin(), customer.id, { ownerId: "usr_admin" }, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: customer.id, ownerId: "usr_admin" });
    expect(first.headers.get("lifeline-durability")).toBe("region");
    const again = await putOwner(admin(), customer.id, { ownerId: "usr_admin" }, key);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);

    const audit = await admin()("GET", "/v1/audit/entries?kind=owner-assigned&limit=200");
    const entries = audit.body.entries.filter(
      (e: { detail: { customerId: string } }) => e.detail.customerId === customer.id,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0].detail).toMatchObject({
      tenantId: "ten_demo",
      by: "usr_admin",
      ownerId: "usr_admin",
      hlc: first.headers.get("lifeline-hlc"),
    });

    // Pushed to cn-south before the answer (region durability): its DO holds it at once,
    // and its read model once the outbox projects it.
    expect((await rep(() => south)("GET", `/v1/customers/${customer.id}`)).body.ownerId).toBe(
      "usr_admin",
    );
    const listed = await listedEventually(
      rep(() => south),
      "/v1/customers?owner=usr_admin&limit=100",
      customer.id,
    );
    expect(listed.find((i) => i.id === customer.id)?.ownerId).toBe("usr_admin");
  });

  test("[LF2] assigning the current owner again records nothing and adds no audit entry", async () => {
    const { body: customer, headers } = await rep()("POST", "/v1/customers", {
      name: uniqueName("Kept"),
      residency: "cn",
    });
    const auditedFor = async () => {
      const audit = await admin()("GET", "/v1/audit/entries?kind=owner-assigned&limit=200");
      expect(audit.status).toBe(200);
      return audit.body.entries.filter(
        (e: { detail: { customerId: string } }) => e.detail.customerId === customer.id,
      ) as Array<{ detail: { ownerId: string; hlc: string } }>;
    };
    const same = await putOwner(admin(), customer.id, { ownerId: "usr_rep" });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ id: customer.id, ownerId: "usr_rep" });
    // Nothing was recorded: the account's version is still the creation's.
    expect(same.headers.get("lifeline-hlc")).toBe(headers.get("lifeline-hlc"));
    expect(await auditedFor()).toEqual([]);

    const moved = await putOwner(admin(), customer.id, { ownerId: "usr_admin" });
    const again = await putOwner(admin(), customer.id, { ownerId: "usr_admin" });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(again.headers.get("lifeline-hlc")).toBe(moved.headers.get("lifeline-hlc"));
    const entries = await auditedFor();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.detail).toMatchObject({
      ownerId: "usr_admin",
      hlc: moved.headers.get("lifeline-hlc"),
    });
  });

  test("[LF3] reassigned in cn-east, then in cn-south: both regions end with the later one and one state hash", async () => {
    const { body: customer } = await rep()("POST", "/v1/customers", {
      name: uniqueName("Twice handed"),
      residency: "cn",
    });
    expect((await putOwner(admin(), customer.id, { ownerId: "usr_admin" })).status).toBe(200);
    const later = await putOwner(
      admin(() => south),
      customer.id,
      { ownerId: "usr_rep" },
    );
    expect(later.status).toBe(200);
    for (const r of [() => east, () => south]) {
      expect((await rep(r)("GET", `/v1/customers/${customer.id}`)).body.ownerId).toBe("usr_rep");
    }
    const hashes = await Promise.all(
      [east, south].map(async (r) => {
        const page = await admin(() => r)("GET", "/v1/admin/state-hash?as=cn-east");
        return page.body.accounts[customer.id];
      }),
    );
    expect(hashes[0]).toEqual(hashes[1]);
    expect(hashes[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("GET /v1/regions (public discovery)", () => {
  test("every region, itself as self, cacheable for a minute, without credentials", async () => {
    const res = await fetch(`${east.url}/v1/regions`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(await readJson(res)).toEqual({
      regions: [
        { region: "cn-east", jurisdiction: "cn", url: east.url },
        { region: "cn-south", jurisdiction: "cn", url: south.url },
      ],
      self: "cn-east",
    });
  });

  test("?jurisdiction filters; one no region serves, or an unknown parameter, is a 400 problem", async () => {
    const cn = await readJson(await fetch(`${south.url}/v1/regions?jurisdiction=cn`));
    expect(cn.self).toBe("cn-south");
    expect(cn.regions).toHaveLength(2);
    for (const query of ["jurisdiction=eu", "jurisdiction=CN!", "region=cn-east"]) {
      const res = await fetch(`${east.url}/v1/regions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});

describe("CORS for the PWA's origin", () => {
  const preflight = (origin: string, path = "/v1/customers") =>
    fetch(`${east.url}${path}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,idempotency-key",
      },
    });
  const corsHeaders = (res: Response) =>
    [...res.headers.keys()].filter((k) => k.startsWith("access-control-"));

  test("a preflight from WEB_ORIGINS is 204 without credentials", async () => {
    const res = await preflight(PWA);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(PWA);
    expect(res.headers.get("access-control-allow-methods")).toBe(ALLOW_METHODS.join(", "));
    expect(res.headers.get("access-control-allow-headers")).toContain("idempotency-key");
    expect(res.headers.get("access-control-max-age")).toBe(String(PREFLIGHT_MAX_AGE_S));
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("preflights spend no rate limit: twice the login burst of them, then a login still succeeds", async () => {
    // Login's per-address budget is the one limit a request without credentials reaches
    // (every other is per key or user, after authentication). beforeAll spent two logins.
    for (let i = 0; i < 2 * LOGIN_BURST; i++) {
      const res = await preflight(PWA, "/v1/auth/login");
      expect(res.status).toBe(204);
      expect(res.headers.get("retry-after")).toBeNull();
      expect(res.headers.get("ratelimit")).toBeNull();
    }
    const token = await login(east.url, REP);
    const res = await client(() => east.url, token)("GET", "/v1/customers?limit=1");
    expect(res.status).toBe(200);
  });

  test("a listed origin's answers, errors included, echo it and expose what a client reads", async () => {
    for (const [path, status] of [
      ["/v1/customers", 200],
      ["/v1/customers/acc_ZZZZZZZZZZZZZZZZZZZZZZZZZZ", 404],
    ] as const) {
      const res = await fetch(`${east.url}${path}`, {
        headers: { origin: "http://localhost:5173", authorization: `Bearer ${repToken}` },
      });
      expect(res.status, path).toBe(status);
      expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      expect(res.headers.get("vary")).toContain("Origin");
      const exposed = res.headers.get("access-control-expose-headers")!.split(", ");
      expect(exposed).toEqual(
        expect.arrayContaining(["retry-after", "lifeline-region", "lifeline-degraded", "location"]),
      );
    }
  });

  test("an unlisted origin gets no CORS header; replication routes get none at all", async () => {
    expect(corsHeaders(await preflight("http://evil.test"))).toEqual([]);
    const read = await fetch(`${east.url}/v1/regions`, { headers: { origin: "http://evil.test" } });
    expect(corsHeaders(read)).toEqual([]);
    expect(corsHeaders(await preflight(PWA, "/v1/replication/events"))).toEqual([]);
  });
});

// Last: what this file sent through the test client, against the published document.
describe("[contract] this file's traffic against /v1/openapi.json", () => {
  test("[contract] every answer validates against its documented status, body and headers", async () => {
    const doc = (await readJson(await fetch(`${east.url}/v1/openapi.json`))) as OpenApiDoc;
    const exchanges = recordedExchanges();
    expect(exchanges.some((e) => e.target.endsWith("/owner"))).toBe(true);
    expect(exchanges.flatMap((e) => responseIssues(doc, e))).toEqual([]);
  });
});
