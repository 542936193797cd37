// The lifeline flows through the real stack: HTTP → workerd (API worker, DOs) → the
// libSQL server. Each describe states the rule it proves.
import { describe, expect, test } from "vitest";
import { confirmPayment, draftContract, sendAndSign } from "../support/commands.ts";
import {
  type OpenApiDoc,
  recordedExchanges,
  requestIssues,
  responseIssues,
} from "../support/contract.ts";
import {
  client,
  DEMO_KEY,
  demoRegionForSuite,
  eventually,
  OTHER_KEY,
  REP,
  readJson,
} from "../support/test-region.ts";

const { region, api } = demoRegionForSuite();
const other = client(() => region().url, OTHER_KEY);
const HASH = "d".repeat(64);
const HASH2 = "e".repeat(64);

let taxSeq = 0;
const taxId = () => `91310000MA${Date.now().toString(36).toUpperCase()}${taxSeq++}`;

async function activeContract(amount = 1_000_000) {
  const customer = await api("POST", "/v1/customers", {
    name: "杭州测试客户",
    taxId: taxId(),
    residency: "cn",
  });
  const contract = await draftContract(api, customer.body.id, amount, HASH);
  const id = contract.body.id as string;
  await sendAndSign(api, id, HASH, ["customer", "vendor"]);
  return { customerId: customer.body.id as string, contractId: id };
}

/** A GET of `path` is a 400 whose first error names the parameter `field`. */
async function expectBadParameter(path: string, field: string) {
  const res = await api("GET", path);
  expect(res.status).toBe(400);
  expect(res.body.errors[0].field).toBe(field);
}

describe("[LF2] Idempotency-Key semantics (IETF draft)", () => {
  const body = {
    name: "Beijing Clinic",
    residency: "cn",
    contacts: [{ name: "李医生", phone: "+86 138 0013 8000" }],
  };

  test("a retry with the same key replays the first response with Idempotent-Replayed", async () => {
    const first = await api("POST", "/v1/customers", body, { "idempotency-key": "same-key-1" });
    const again = await api("POST", "/v1/customers", body, { "idempotency-key": "same-key-1" });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
    expect(again.headers.get("lifeline-hlc")).toBe(first.headers.get("lifeline-hlc"));
  });

  test("the same key with a different body is 422", async () => {
    await api("POST", "/v1/customers", body, { "idempotency-key": "same-key-2" });
    const changed = await api(
      "POST",
      "/v1/customers",
      { ...body, name: "Other" },
      { "idempotency-key": "same-key-2" },
    );
    expect(changed.status).toBe(422);
    expect(changed.headers.get("content-type")).toBe("application/problem+json");
    expect(changed.body.type).toBe("urn:lifeline:problem:idempotency-key-reused");
  });

  test("the same key reused on another account's request is 422 too", async () => {
    await api(
      "POST",
      "/v1/customers",
      { name: "A", taxId: taxId(), residency: "cn" },
      { "idempotency-key": "cross-1" },
    );
    const b = await api(
      "POST",
      "/v1/customers",
      { name: "B", taxId: taxId(), residency: "cn" },
      { "idempotency-key": "cross-1" },
    );
    expect(b.status).toBe(422);
  });

  test("a lifeline POST without the header is 400 naming the header", async () => {
    const res = await fetch(`${region().url}/v1/customers`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const problem = await readJson(res);
    expect(res.status).toBe(400);
    expect(problem.type).toBe("urn:lifeline:problem:idempotency-key-required");
    expect(problem.errors[0].field).toBe("Idempotency-Key");
  });

  test("concurrent duplicates take effect once", async () => {
    const key = `burst-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        api(
          "POST",
          "/v1/customers",
          { name: "Burst Co", residency: "cn" },
          { "idempotency-key": key },
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const fresh = results.filter(
      (r) => r.status === 201 && r.headers.get("idempotent-replayed") === null,
    );
    expect(fresh).toHaveLength(1);
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
  });
});

describe("bad input is a problem+json that names the field and changes nothing", () => {
  test("an invalid customer names every offending field", async () => {
    const res = await api("POST", "/v1/customers", { name: " ", residency: "us", tier: "gold" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "name",
      "residency",
      "tier",
    ]);
  });

  test("money must be integer minor units in an ISO 4217 currency", async () => {
    const { customerId } = await activeContract();
    const res = await api("POST", "/v1/contracts", {
      customerId,
      title: "t",
      amount: { value: 10.5, currency: "RMB" },
      documentHash: HASH,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "amount.currency",
      "amount.value",
    ]);
  });

  test("unknown fields are refused rather than silently dropped", async () => {
    const res = await api("POST", "/v1/customers", { name: "X", residency: "cn", taxid: "typo" });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("taxid");
  });

  test("an oversized body is a 413 problem", async () => {
    const res = await api("POST", "/v1/customers", {
      name: "x".repeat(300 * 1024),
      residency: "cn",
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a body that is not JSON is a 400 problem", async () => {
    const res = await fetch(`${region().url}/v1/customers`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${DEMO_KEY}`,
        "content-type": "application/json",
        "idempotency-key": "bad-json",
      },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("an id that is not ours is a 400 naming the parameter", () =>
    expectBadParameter("/v1/contracts/12345", "id"));
});

describe("contract and payment lifecycle", () => {
  test("create → send → customer signs → vendor countersigns → active with both signatures", async () => {
    const { contractId } = await activeContract();
    const res = await api("GET", `/v1/contracts/${contractId}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("active");
    expect(res.body.signatures.map((s: { party: string }) => s.party)).toEqual([
      "customer",
      "vendor",
    ]);
    expect(res.headers.get("lifeline-region")).toBe("cn-east");
  });

  test("every write answers with Lifeline-Region, Lifeline-HLC and Lifeline-Durability", async () => {
    const res = await api("POST", "/v1/customers", { name: "Headers Ltd", residency: "cn" });
    expect(res.headers.get("lifeline-region")).toBe("cn-east");
    expect(res.headers.get("lifeline-hlc")).toMatch(/^\d{15}\.[0-9a-f]{4}\.cn-east$/);
    expect(res.headers.get("lifeline-durability")).toBe("local");
    expect(res.headers.get("location")).toBe(`/v1/customers/${res.body.id}`);
  });

  test("a signature naming another document version is refused with the current hash", async () => {
    const customer = await api("POST", "/v1/customers", { name: "Doc Co", residency: "cn" });
    const contract = await draftContract(api, customer.body.id, 100, HASH);
    await api("POST", `/v1/contracts/${contract.body.id}/send`);
    const res = await api("POST", `/v1/contracts/${contract.body.id}/signatures`, {
      party: "customer",
      signer: { name: "X" },
      documentHash: HASH2,
    });
    expect(res.status).toBe(409);
    expect(res.body.expected).toBe(HASH);
    expect(res.body.errors[0].field).toBe("documentHash");
  });

  test("[LF2] a payment shows in paid, and the same reference under a new key does not double it", async () => {
    const { contractId } = await activeContract();
    const payment = {
      contractId,
      reference: "ICBC-20261127-0001",
      amount: { value: 250_000, currency: "CNY" },
    };
    const first = await api("POST", "/v1/payments", payment);
    const second = await api("POST", "/v1/payments", payment);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const contract = await api("GET", `/v1/contracts/${contractId}`);
    expect(contract.body.paid).toEqual({ value: 250_000, currency: "CNY" });
    expect(contract.body.payments).toHaveLength(1);
  });

  test("[LF6] the same reference with another amount is a 409, not a second payment", async () => {
    const { contractId } = await activeContract();
    await confirmPayment(api, contractId, "R-1", 100);
    const res = await confirmPayment(api, contractId, "R-1", 900);
    expect(res.status).toBe(409);
    expect(res.body.type).toBe("urn:lifeline:problem:payment-reference-conflict");
  });

  test("over-payment is recorded and flagged", async () => {
    const { contractId } = await activeContract(1_000);
    await confirmPayment(api, contractId, "R-A", 800);
    const over = await confirmPayment(api, contractId, "R-B", 500);
    expect(over.status).toBe(201);
    expect(over.body.overpayment).toBe(true);
    const contract = await api("GET", `/v1/contracts/${contractId}`);
    expect(contract.body.overpaid).toEqual({ value: 300, currency: "CNY" });
  });

  test("a payment on an unsigned contract is refused", async () => {
    const customer = await api("POST", "/v1/customers", { name: "Early Payer", residency: "cn" });
    const contract = await draftContract(api, customer.body.id, 100, HASH);
    const res = await confirmPayment(api, contract.body.id, "R", 1);
    expect(res.status).toBe(409);
    expect(res.body.errors[0].field).toBe("contractId");
  });
});

describe("money and text: normalised input, exact totals, clear refusals", () => {
  test("[LF2] a payment reference is normalised before it keys the payment: ICBC-1 and ' icbc-1' are one payment", async () => {
    const { contractId } = await activeContract();
    const amount = { value: 1_000, currency: "CNY" };
    const first = await api("POST", "/v1/payments", { contractId, reference: "ICBC-1", amount });
    const again = await api("POST", "/v1/payments", { contractId, reference: " icbc-1", amount });
    const spaced = await api("POST", "/v1/payments", { contractId, reference: "icbc -1 ", amount });
    expect(first.status).toBe(201);
    expect(first.body.reference).toBe("ICBC-1");
    expect([again.status, spaced.status]).toEqual([200, 200]);
    expect(again.body.id).toBe(first.body.id);
    expect(spaced.body.id).toBe(first.body.id);
    const contract = await api("GET", `/v1/contracts/${contractId}`);
    expect(contract.body.paid).toEqual(amount);
    expect(contract.body.payments).toHaveLength(1);
  });

  test("a paid total past Number.MAX_SAFE_INTEGER is a 422 naming amount.value, never a 500", async () => {
    const { contractId } = await activeContract();
    const max = Number.MAX_SAFE_INTEGER;
    const near = await confirmPayment(api, contractId, "BIG-1", max - 1);
    expect(near.status).toBe(201);
    const over = await confirmPayment(api, contractId, "BIG-2", 2);
    expect(over.status).toBe(422);
    expect(over.body.type).toBe("urn:lifeline:problem:amount-overflow");
    expect(over.body.errors).toEqual([
      expect.objectContaining({ field: "amount.value", pointer: "#/amount/value" }),
    ]);
    const contract = await api("GET", `/v1/contracts/${contractId}`);
    expect(contract.status).toBe(200);
    expect(contract.body.paid.value).toBe(max - 1);
  });

  test("names with bidi overrides or control characters are a 400 pointing at the field", async () => {
    const res = await api("POST", "/v1/customers", {
      name: "ACME\u202Egnp.exe",
      residency: "cn",
      contacts: [{ name: "张三\u0007" }],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
      "#/contacts/0/name",
      "#/name",
    ]);
    expect(res.body.detail).toContain("U+202E");
  });

  test("free text is stored in NFC", async () => {
    const res = await api("POST", "/v1/customers", { name: "Cafe\u0301 Zürich", residency: "cn" });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe("Café Zürich".normalize("NFC"));
  });

  test("[LF4] a customer of another jurisdiction with a tax id is sent there before any id is derived", async () => {
    const res = await api("POST", "/v1/customers", {
      name: "Berlin GmbH",
      taxId: "DE123456789",
      residency: "eu",
    });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe("urn:lifeline:problem:wrong-jurisdiction");
  });
});

describe("lists come from the regional libSQL read model", () => {
  test("customer, contract and payment appear in the list endpoints within 5 s", async () => {
    const { customerId, contractId } = await activeContract();
    await confirmPayment(api, contractId, "LIST-1", 5);
    const started = Date.now();
    await eventually(async () => {
      const r = await api("GET", `/v1/customers?q=${encodeURIComponent("杭州")}&limit=100`);
      return r.body.items.some((c: { id: string }) => c.id === customerId) ? true : undefined;
    });
    const contracts = await eventually(async () => {
      const r = await api("GET", `/v1/contracts?customerId=${customerId}`);
      return r.body.items[0]?.status === "active" ? r.body : undefined;
    });
    const payments = await eventually(async () => {
      const r = await api("GET", `/v1/payments?contractId=${contractId}`);
      return r.body.items.length === 1 ? r.body : undefined;
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(contracts.items[0].id).toBe(contractId);
    expect(payments.items[0].reference).toBe("LIST-1");
  });

  test("pages follow nextCursor without gaps or repeats", async () => {
    const prefix = `Paged ${Date.now()}`;
    for (let i = 0; i < 5; i++)
      await api("POST", "/v1/customers", { name: `${prefix} ${i}`, residency: "cn" });
    const seen: string[] = [];
    await eventually(async () => {
      const r = await api("GET", `/v1/customers?q=${encodeURIComponent(prefix)}`);
      return r.body.items.length === 5 ? true : undefined;
    });
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const q: string = `/v1/customers?q=${encodeURIComponent(prefix)}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const r = await api("GET", q);
      seen.push(...r.body.items.map((c: { name: string }) => c.name));
      cursor = r.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix} ${i}`));
  });

  test("a cursor we did not issue is a 400", () =>
    expectBadParameter("/v1/customers?cursor=not-a-cursor", "cursor"));
});

describe("tenants are isolated", () => {
  test("another tenant's key gets 404 on every resource and sees none of it in lists", async () => {
    const { customerId, contractId } = await activeContract();
    expect((await other("GET", `/v1/customers/${customerId}`)).status).toBe(404);
    expect((await other("GET", `/v1/contracts/${contractId}`)).status).toBe(404);
    const sign = await other("POST", `/v1/contracts/${contractId}/send`);
    expect(sign.status).toBe(404);
    const pay = await confirmPayment(other, contractId, "X", 1);
    expect(pay.status).toBe(422);
    const contractForeign = await draftContract(other, customerId, 1, HASH);
    expect(contractForeign.status).toBe(422);
    await eventually(async () =>
      (await api("GET", `/v1/payments?contractId=${contractId}`)).status === 200 ? true : undefined,
    );
    expect((await other("GET", `/v1/contracts?customerId=${customerId}`)).body.items).toEqual([]);
    const list = await other("GET", "/v1/customers?limit=100");
    expect(list.body.items.some((c: { id: string }) => c.id === customerId)).toBe(false);
    // Nothing the other tenant tried changed the contract.
    expect((await api("GET", `/v1/contracts/${contractId}`)).body.payments).toEqual([]);
  });
});

describe("authentication", () => {
  test("no credentials, an unknown key and a forged token are 401 problems", async () => {
    const none = await fetch(`${region().url}/v1/customers`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await client(region().url, "lk_unknown_key_123")("GET", "/v1/customers")).status).toBe(
      401,
    );
    expect(
      (await client(region().url, "eyJhbGciOiJIUzI1NiJ9.e30.forged")("GET", "/v1/customers"))
        .status,
    ).toBe(401);
  });

  test("a rep logs in and works with the session token; a wrong password is 401", async () => {
    const bad = await fetch(`${region().url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: REP.email, password: "wrong" }),
    });
    expect(bad.status).toBe(401);
    const login = await fetch(`${region().url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(REP),
    });
    expect(login.status).toBe(200);
    const session = await readJson(login);
    expect(session.user.tenantId).toBe("ten_demo");
    const rep = client(region().url, session.token);
    const created = await rep("POST", "/v1/customers", { name: "Rep's customer", residency: "cn" });
    expect(created.status).toBe(201);
    expect((await api("GET", `/v1/customers/${created.body.id}`)).status).toBe(200);
    expect((await other("GET", `/v1/customers/${created.body.id}`)).status).toBe(404);
  });
});

describe("operations", () => {
  test("health answers 200 with the region; no inference worker is degraded, not down", async () => {
    // This test region runs the API alone, as a region whose inference worker is gone.
    const res = await fetch(`${region().url}/v1/health`);
    const body = await readJson(res);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({
      status: "degraded",
      region: "cn-east",
      jurisdiction: "cn",
      degraded: ["inference-off"],
    });
    expect(res.headers.get("lifeline-degraded")).toBe("inference-off");
  });

  test("the OpenAPI document describes every lifeline, insights, groups, portal, federation and admin route", async () => {
    const doc = await readJson(await fetch(`${region().url}/v1/openapi.json`));
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/v1/admin/approval-policy",
        "/v1/admin/degradation",
        "/v1/admin/degradation/modes/{mode}",
        "/v1/admin/federation/models/{version}",
        "/v1/admin/federation/participation",
        "/v1/admin/federation/rounds",
        "/v1/admin/groups/chi-weights",
        "/v1/admin/groups/roles",
        "/v1/admin/groups/state-hash",
        "/v1/admin/portal-policy",
        "/v1/admin/portal-policy/explain",
        "/v1/admin/sla-policy",
        "/v1/approvals",
        "/v1/approvals/{id}",
        "/v1/approvals/{id}/decision",
        "/v1/groups",
        "/v1/groups/{id}",
        "/v1/groups/{id}/accounts/{accountId}",
        "/v1/groups/{id}/delegations",
        "/v1/groups/{id}/delegations/{delegationId}",
        "/v1/groups/{id}/members/{userId}",
        "/v1/groups/{id}/workbench",
        "/v1/me/groups",
        "/v1/portal/auth/accept",
        "/v1/portal/auth/login",
        "/v1/portal/auth/logout",
        "/v1/portal/change-requests",
        "/v1/portal/change-requests/{id}/response",
        "/v1/portal/contracts",
        "/v1/portal/contracts/{id}",
        "/v1/portal/documents/{id}/file",
        "/v1/portal/me",
        "/v1/portal/query",
        "/v1/portal/resources/{resource}",
        "/v1/portal/service-requests",
        "/v1/admin/degradation/policies",
        "/v1/admin/replication/quarantine",
        "/v1/admin/replication/quarantine/{id}",
        "/v1/admin/replication/quarantine/{id}/redrive",
        "/v1/admin/state-hash",
        "/v1/audit/entries",
        "/v1/audit/verify",
        "/v1/auth/login",
        "/v1/auth/logout",
        "/v1/change-requests",
        "/v1/change-requests/{changeRequestId}",
        "/v1/change-requests/{changeRequestId}/answer",
        "/v1/change-requests/{changeRequestId}/checklist/{department}",
        "/v1/contracts",
        "/v1/contracts/{id}",
        "/v1/contracts/{id}/invoices",
        "/v1/contracts/{id}/milestones/{milestoneId}",
        "/v1/contracts/{id}/send",
        "/v1/contracts/{id}/signatures",
        "/v1/contracts/{id}/terms",
        "/v1/customers",
        "/v1/customers/{id}",
        "/v1/customers/{id}/change-requests",
        "/v1/customers/{id}/owner",
        "/v1/customers/{id}/portal-users",
        "/v1/customers/{id}/portal-users/{userId}",
        "/v1/customers/{id}/portal-users/{userId}/disable",
        "/v1/customers/{id}/service-requests",
        "/v1/customers/{id}/service-requests/{serviceRequestId}/resolve",
        "/v1/delivery-milestones",
        "/v1/federation/classify",
        "/v1/federation/status",
        "/v1/federation/utterances",
        "/v1/federation/utterances/{id}",
        "/v1/files/{sha256}",
        "/v1/health",
        "/v1/insights/analyze",
        "/v1/insights/rules",
        "/v1/insights/strategies",
        "/v1/insights/strategies/{strategy}/promote",
        "/v1/insights/strategies/{strategy}/revert",
        "/v1/insights/{id}/feedback",
        "/v1/payments",
        "/v1/payments/{id}",
        "/v1/regions",
        "/v1/service-requests/{serviceRequestId}",
      ].sort(),
    );
    expect(
      doc.paths["/v1/payments"].post.parameters.some(
        (p: { name: string }) => p.name === "idempotency-key",
      ),
    ).toBe(true);
  });
});

describe("sending a contract", () => {
  test("an empty body with or without a JSON content type sends the current document", async () => {
    for (const headers of [
      { "content-type": "application/json" },
      { "content-type": "text/plain" },
      {},
    ] as Record<string, string>[]) {
      const customer = await api("POST", "/v1/customers", { name: "Send Co", residency: "cn" });
      const contract = await draftContract(api, customer.body.id, 100, HASH);
      const res = await fetch(`${region().url}/v1/contracts/${contract.body.id}/send`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${DEMO_KEY}`,
          "idempotency-key": `send-${Math.random()}`,
          ...headers,
        },
        body: "",
      });
      expect(res.status).toBe(200);
      expect((await readJson(res)).status).toBe("sent");
    }
  });

  test("a body naming a stale document hash is refused", async () => {
    const customer = await api("POST", "/v1/customers", { name: "Stale Co", residency: "cn" });
    const contract = await draftContract(api, customer.body.id, 100, HASH);
    const res = await api("POST", `/v1/contracts/${contract.body.id}/send`, {
      documentHash: HASH2,
    });
    expect(res.status).toBe(409);
    expect(res.body.type).toBe("urn:lifeline:problem:document-mismatch");
  });

  test("a non-JSON body type on a JSON route is a 415 problem saying what to send", async () => {
    const res = await fetch(`${region().url}/v1/customers`, {
      method: "POST",
      headers: { authorization: `Bearer ${DEMO_KEY}`, "idempotency-key": "media-type" },
      body: "name=x",
    });
    expect(res.status).toBe(415);
    expect((await readJson(res)).type).toBe("urn:lifeline:problem:unsupported-media-type");
  });
});

// Last: this stops the region's libSQL server.
describe("[LF5] a dead read model never blocks a lifeline write", () => {
  test("with libSQL stopped, writes and single reads succeed, lists say 503, health says degraded", async () => {
    await region().stopLibsql();
    const { contractId } = await activeContract();
    const pay = await confirmPayment(api, contractId, "OFFLINE-DB", 7);
    expect(pay.status).toBe(201);
    expect((await api("GET", `/v1/contracts/${contractId}`)).body.paid.value).toBe(7);
    const list = await api("GET", "/v1/customers");
    expect(list.status).toBe(503);
    expect(list.headers.get("retry-after")).toBe("5");
    const health = await readJson(await fetch(`${region().url}/v1/health`));
    expect(health.status).toBe("degraded");
    expect(health.degraded).toContain("reads-unavailable");
  });

  test("[LF1] writes accepted while libSQL was down reach the read model once it is back", async () => {
    const customer = await api("POST", "/v1/customers", {
      name: `While down ${Date.now()}`,
      residency: "cn",
    });
    expect(customer.status).toBe(201);
    await region().restartLibsql();
    await eventually(async () => {
      const r = await api("GET", `/v1/customers?q=${encodeURIComponent(customer.body.name)}`);
      return r.status === 200 && r.body.items.length === 1 ? true : undefined;
    }, 20_000);
  });
});

// Last: it checks everything the tests above sent and got.
describe("[contract] this suite's traffic against /v1/openapi.json", () => {
  const doc = async () =>
    (await readJson(await fetch(`${region().url}/v1/openapi.json`))) as OpenApiDoc;

  test("[contract] every request body this suite sent that the region accepted validates against /v1/openapi.json", async () => {
    const accepted = recordedExchanges().filter((e) => e.status < 300);
    expect(accepted.filter((e) => e.body !== undefined).length).toBeGreaterThan(50);
    const d = await doc();
    expect(accepted.flatMap((e) => requestIssues(d, e))).toEqual([]);
  });

  test("[contract] every response this suite got validates against its documented status, body and headers", async () => {
    const exchanges = recordedExchanges();
    expect(exchanges.length).toBeGreaterThan(100);
    const d = await doc();
    expect(exchanges.flatMap((e) => responseIssues(d, e))).toEqual([]);
  });
});
