// The customer portal through the real stack (cn-east: workerd + libSQL): two customers, a
// strategic and a standard one, each with a contract at two stages (proposal: drafted and
// sent; fulfilment: signed by both, a delivery not reached yet), seen through the default
// visibility policy exactly as core/portal/README.md's table says, with no `internal`
// field in any answer; one customer's session never reaches another's records nor any
// staff route; change requests filed, answered by staff and accepted; the query box; the
// `portal-read-only` mode; and an admin publishing a policy and asking why.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChiPart } from "../../core/groups/kpi.ts";
import { fieldsOf } from "../../core/portal/fields.ts";
import { draftContract, sendAndSign } from "../support/commands.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  REP,
  startPeeredRegions,
  type TestRegion,
} from "../support/test-region.ts";

const DOC = "e".repeat(64);
let east: TestRegion;
let repToken: string;
let adminToken: string;
let n = 0;
const key = (what: string) => ({ "idempotency-key": `${what}-${Date.now()}-${n++}` });

type Customer = {
  id: string;
  unsent: string;
  proposal: string;
  fulfilment: string;
  invoice: string;
  token: string;
};
const customers: Record<"strategic" | "standard", Customer> = {} as never;

const rep = () => client(() => east.url, repToken);
const admin = () => client(() => east.url, adminToken);
const integrator = () => client(() => east.url, DEMO_KEY);
const as = (token: string) => client(() => east.url, token);

/** Every key anywhere in a JSON value. */
function keysIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysIn(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      keysIn(v, out);
    }
  return out;
}

/** The catalogue's internal fields, and what staff views carry that a customer never sees. */
const NEVER = new Set([
  ...fieldsOf("contract", "internal"),
  ...fieldsOf("delivery", "internal"),
  ...fieldsOf("service-request", "internal"),
  ...fieldsOf("change-request", "internal"),
  "answeredBy",
  "filedBy",
  "respondedBy",
]);
const portalAnswers: unknown[] = [];

async function portalCall(token: string, method: string, path: string, body?: unknown) {
  const r = await as(token)(method, path, body, method === "GET" ? {} : key("p"));
  portalAnswers.push(r.body);
  return r;
}

async function customerWithContracts(tier: "strategic" | "standard"): Promise<Customer> {
  const created = await integrator()("POST", "/v1/customers", {
    name: `Portal ${tier} ${Date.now().toString(36)}`,
    residency: "cn",
    tier,
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const proposal = (await draftContract(integrator(), id, 50_000, DOC)).body.id as string;
  await integrator()("POST", `/v1/contracts/${proposal}/send`);
  // Drafted, never sent: still the vendor's, never in the portal.
  const unsent = (await draftContract(integrator(), id, 70_000, DOC)).body.id as string;
  const fulfilment = (await draftContract(integrator(), id, 120_000, DOC)).body.id as string;
  await sendAndSign(integrator(), fulfilment, DOC, ["customer", "vendor"]);
  const milestone = await integrator()(
    "PUT",
    `/v1/contracts/${fulfilment}/milestones/lot-1`,
    {
      name: "First lot",
      destination: "深圳仓",
      quantity: 12,
      plannedDate: "2099-04-01",
      committedDate: "2099-04-03",
      supplier: "Acme Optics",
      costMinor: 30_000,
      internalNote: "fragile, ship upright",
    },
    key("m"),
  );
  expect(milestone.status).toBe(201);
  const today = new Date().toISOString().slice(0, 10);
  const invoice = await integrator()(
    "POST",
    `/v1/contracts/${fulfilment}/invoices`,
    {
      number: `INV-${tier}-${n++}`,
      amount: { value: 60_000, currency: "CNY" },
      issuedAt: today,
      dueDate: "2099-12-31",
    },
    key("i"),
  );
  expect(invoice.status).toBe(201);
  const invited = await rep()("POST", `/v1/customers/${id}/portal-users`, {
    email: `buyer-${tier}-${Date.now().toString(36)}@customer.test`,
    name: `Buyer ${tier}`,
  });
  expect(invited.status).toBe(201);
  const password = `portal-${tier}-password`;
  const accepted = await client(() => east.url, "")("POST", "/v1/portal/auth/accept", {
    code: invited.body.invitation.code,
    password,
  });
  expect(accepted.status).toBe(204);
  const session = await client(() => east.url, "")("POST", "/v1/portal/auth/login", {
    email: invited.body.user.email,
    password,
  });
  expect(session.status).toBe(200);
  return {
    id,
    unsent,
    proposal,
    fulfilment,
    invoice: invoice.body.invoices?.[0]?.id ?? "",
    token: session.body.token,
  };
}

beforeAll(async () => {
  [east] = await startPeeredRegions(["cn-east"]);
  [repToken, adminToken] = await Promise.all([login(east.url, REP), login(east.url, ADMIN)]);
  customers.strategic = await customerWithContracts("strategic");
  customers.standard = await customerWithContracts("standard");
}, 180_000);

afterAll(async () => {
  await east?.stop();
});

const CONTRACT_FIELDS = [
  "id",
  "title",
  "status",
  "stage",
  "amount",
  "documentHash",
  "signedAt",
  "terms",
];
const sorted = (xs: Iterable<string>) => [...xs].sort();

/** The default table (core/portal/README.md), cell by cell: sections, their fields, actions. */
const TABLE = {
  strategic: {
    proposal: {
      sections: { documents: ["contractId", "createdAt", "id", "kind", "sha256", "title"] },
      actions: ["download-document", "query"],
    },
    fulfilment: {
      sections: {
        deliveries: [
          "actualDate",
          "committedDate",
          "contractId",
          "destination",
          "id",
          "name",
          "plannedDate",
          "quantity",
          "status",
        ],
        invoices: [
          "amount",
          "contractId",
          "dueDate",
          "id",
          "issuedAt",
          "number",
          "paidAt",
          "status",
        ],
        documents: ["contractId", "createdAt", "id", "kind", "sha256", "title"],
      },
      actions: ["download-document", "file-change-request", "query", "respond-to-answer"],
    },
  },
  standard: {
    proposal: {
      sections: { documents: ["contractId", "createdAt", "id", "kind", "sha256", "title"] },
      actions: ["download-document"],
    },
    fulfilment: {
      sections: {
        // A standard customer does not see quantities.
        deliveries: [
          "actualDate",
          "committedDate",
          "contractId",
          "destination",
          "id",
          "name",
          "plannedDate",
          "status",
        ],
        invoices: [
          "amount",
          "contractId",
          "dueDate",
          "id",
          "issuedAt",
          "number",
          "paidAt",
          "status",
        ],
        documents: ["contractId", "createdAt", "id", "kind", "sha256", "title"],
      },
      actions: ["download-document", "file-change-request", "respond-to-answer"],
    },
  },
} as const;

describe("[portal-policy] the default table, per cell, through the API", () => {
  for (const tier of ["strategic", "standard"] as const)
    for (const stage of ["proposal", "fulfilment"] as const)
      test(`a ${tier} customer at ${stage} sees exactly the table's sections, fields and actions`, async () => {
        const c = customers[tier];
        const r = await portalCall(c.token, "GET", `/v1/portal/contracts/${c[stage]}`);
        expect(r.status).toBe(200);
        expect(sorted(Object.keys(r.body.contract))).toEqual(sorted(CONTRACT_FIELDS));
        expect(r.body.contract.stage).toBe(stage);
        const want = TABLE[tier][stage];
        expect(sorted(r.body.actions)).toEqual(sorted(want.actions));
        const sections = Object.keys(r.body).filter((k) => k !== "contract" && k !== "actions");
        // Change requests and payments are granted at fulfilment, empty here: listed, not absent.
        const expectedSections = Object.keys(want.sections).concat(
          stage === "fulfilment" ? ["payments", "changeRequests"] : [],
        );
        expect(sorted(sections)).toEqual(sorted(expectedSections));
        for (const [section, fields] of Object.entries(want.sections)) {
          expect(r.body[section].length, section).toBeGreaterThan(0);
          for (const record of r.body[section])
            expect(sorted(Object.keys(record)), `${section} of a ${tier} customer`).toEqual(
              sorted(fields),
            );
        }
      });
});

describe("[portal-isolation] a portal session opens its own customer's records and nothing else", () => {
  test("another customer's contract, change request or invoice is a 404; an unknown id too", async () => {
    const mine = customers.strategic;
    const theirs = customers.standard;
    for (const path of [
      `/v1/portal/contracts/${theirs.fulfilment}`,
      `/v1/portal/contracts/${theirs.proposal}`,
    ]) {
      const r = await portalCall(mine.token, "GET", path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get("content-type")).toContain("application/problem+json");
    }
    const filed = await portalCall(mine.token, "POST", "/v1/portal/change-requests", {
      contractId: theirs.fulfilment,
      kind: "delivery-date",
      summary: "not mine",
      requested: { date: "2099-05-01" },
    });
    expect(filed.status).toBe(404);
    // A draft never sent to the customer is not theirs to see yet.
    expect(
      (await portalCall(mine.token, "GET", `/v1/portal/contracts/${mine.unsent}`)).status,
    ).toBe(404);
    // Lists hold only the caller's own records, sent ones.
    const list = await portalCall(mine.token, "GET", "/v1/portal/contracts");
    expect(sorted(list.body.items.map((c: { id: string }) => c.id))).toEqual(
      sorted([mine.proposal, mine.fulfilment]),
    );
  });

  test("every staff, integrator and admin route refuses a portal session (401/403)", async () => {
    const token = customers.strategic.token;
    for (const [method, path] of [
      ["GET", "/v1/customers"],
      ["GET", `/v1/customers/${customers.strategic.id}`],
      ["GET", `/v1/contracts/${customers.strategic.fulfilment}`],
      ["POST", "/v1/payments"],
      ["GET", "/v1/change-requests"],
      ["GET", "/v1/admin/state-hash"],
      ["GET", "/v1/admin/portal-policy"],
      ["GET", "/v1/audit/entries"],
      ["GET", "/v1/insights/rules"],
      ["GET", "/v1/groups"],
      ["GET", "/v1/me/groups"],
      ["GET", "/v1/approvals"],
      ["POST", "/v1/auth/logout"],
    ] as const) {
      const r = await as(token)(method, path, method === "POST" ? {} : undefined, key("x"));
      expect([401, 403], `${method} ${path}`).toContain(r.status);
    }
  });

  test("the portal's routes refuse an integrator key, a rep session and no credentials", async () => {
    for (const [token, status] of [
      [DEMO_KEY, 403],
      [repToken, 403],
      [adminToken, 403],
      ["", 401],
    ] as const) {
      const r = await as(token)("GET", "/v1/portal/me");
      expect(r.status).toBe(status);
    }
  });
});

describe("change requests from the portal", () => {
  test("filed by a customer, answered by staff with a new committed date, shown and accepted in the portal", async () => {
    const c = customers.strategic;
    const filed = await portalCall(c.token, "POST", "/v1/portal/change-requests", {
      contractId: c.fulfilment,
      kind: "delivery-date",
      summary: "请把第一批推迟一周",
      requested: { date: "2099-04-10" },
    });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ status: "open", kind: "delivery-date" });
    // A strategic customer sees the SLA's due time (2 business hours after filing).
    expect(Date.parse(filed.body.slaDueAt)).toBeGreaterThan(Date.parse(filed.body.filedAt));
    const id = filed.body.id as string;
    const staff = await rep()("GET", `/v1/change-requests/${id}`);
    expect(staff.status).toBe(200);
    // It is on the workbench of the customer's group, on its SLA clock.
    const group = await admin()("POST", "/v1/groups", { name: `CSG ${n++}` });
    expect(group.status).toBe(201);
    const groupId = group.body.id as string;
    for (const [path, body] of [
      [`/v1/groups/${groupId}/members/usr_rep`, { role: "sales-manager" }],
      [`/v1/groups/${groupId}/accounts/${c.id}`, {}],
    ] as const)
      expect((await admin()("PUT", path, body, key("g"))).status).toBeLessThan(300);
    const bench = await rep()("GET", `/v1/groups/${groupId}/workbench`);
    expect(bench.status).toBe(200);
    expect(bench.body.openChangeRequests).toMatchObject([
      {
        id,
        accountId: c.id,
        kind: "delivery-date",
        sla: expect.stringMatching(/on-track|warning|violated/),
      },
    ]);
    const answered = await rep()(
      "POST",
      `/v1/change-requests/${id}/answer`,
      { feasible: true, newCommittedDate: "2099-04-10", message: "可以，第一批改为4月10日" },
      key("a"),
    );
    expect(answered.status).toBe(201);
    const seen = await portalCall(c.token, "GET", "/v1/portal/change-requests");
    expect(seen.body.items.find((x: { id: string }) => x.id === id)).toMatchObject({
      status: "answered",
      answer: { feasible: true, newCommittedDate: "2099-04-10" },
    });
    const accepted = await portalCall(
      c.token,
      "POST",
      `/v1/portal/change-requests/${id}/response`,
      {
        decision: "accepted",
      },
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe("accepted");
  });

  test("a standard customer cannot file on a contract still at proposal (403, nothing written)", async () => {
    const c = customers.standard;
    const r = await portalCall(c.token, "POST", "/v1/portal/change-requests", {
      contractId: c.proposal,
      kind: "scope",
      summary: "add a module",
    });
    expect(r.status).toBe(403);
    const list = await portalCall(c.token, "GET", "/v1/portal/change-requests");
    expect(list.body.items).toEqual([]);
  });
});

describe("portal use as a fact", () => {
  test("a login and the requests of its session count one active day of the customer on its group's workbench", async () => {
    const c = customers.standard;
    for (const path of ["/v1/portal/me", "/v1/portal/contracts", "/v1/portal/change-requests"])
      expect((await portalCall(c.token, "GET", path)).status).toBe(200);
    const group = await admin()("POST", "/v1/groups", { name: `Activity ${n++}` });
    expect(group.status).toBe(201);
    for (const [path, body] of [
      [`/v1/groups/${group.body.id}/members/usr_rep`, { role: "sales-manager" }],
      [`/v1/groups/${group.body.id}/accounts/${c.id}`, {}],
    ] as const)
      expect((await admin()("PUT", path, body, key("g"))).status).toBeLessThan(300);
    const portalActivity = (r: { body: { accounts: Array<{ chi: { components: ChiPart[] } }> } }) =>
      r.body.accounts[0]!.chi.components.find((x) => x.component === "portalActivity")!;
    const bench = await eventually(async () => {
      const r = await rep()("GET", `/v1/groups/${group.body.id}/workbench`);
      return r.status === 200 && portalActivity(r).score !== null ? r : undefined;
    });
    // The login and every request since were one day of one user: 1 of the 8 days for 100.
    expect(portalActivity(bench)).toMatchObject({
      score: 12.5,
      detail: "1 active days of 30 (100 at 8)",
    });
  });
});

describe("the query box", () => {
  test("a strategic customer asks in Chinese and English; the filter comes back and runs over what it may see", async () => {
    const c = customers.strategic;
    const zh = await portalCall(c.token, "POST", "/v1/portal/query", {
      text: "帮我查所有发往深圳仓的发货",
    });
    expect(zh.status).toBe(200);
    expect(zh.body).toMatchObject({
      kind: "filter",
      filter: { resource: "delivery", destination: "深圳仓" },
    });
    expect(zh.body.items.map((d: { contractId: string }) => d.contractId)).toEqual([c.fulfilment]);
    const en = await portalCall(c.token, "POST", "/v1/portal/query", {
      text: "show unpaid invoices",
    });
    expect(en.body).toMatchObject({ kind: "filter", filter: { resource: "invoice" } });
    expect(en.body.items.length).toBe(1);
    const unknown = await portalCall(c.token, "POST", "/v1/portal/query", {
      text: "what's the weather",
    });
    expect(unknown.body.kind).toBe("unknown");
    expect(unknown.body.suggestions.length).toBeGreaterThan(0);
  });

  test("[portal-policy] a query never returns what the policy hides: a standard customer has no query box (403)", async () => {
    const r = await portalCall(customers.standard.token, "POST", "/v1/portal/query", {
      text: "show unpaid invoices",
    });
    expect(r.status).toBe(403);
  });
});

describe("portal-read-only", () => {
  test("while the mode is forced, portal writes are a 503 saying so; reads go on", async () => {
    const c = customers.strategic;
    const forced = await admin()(
      "PUT",
      "/v1/admin/degradation/modes/portal-read-only",
      { action: "force", forMs: 60_000, reason: "portal drill" },
      key("d"),
    );
    expect(forced.status).toBe(200);
    try {
      const write = await eventually(async () => {
        const r = await portalCall(c.token, "POST", "/v1/portal/change-requests", {
          contractId: c.fulfilment,
          kind: "contact",
          summary: "new contact",
        });
        return r.status === 503 ? r : undefined;
      }, 10_000);
      expect(write.body.type).toContain("portal-read-only");
      expect(write.headers.get("retry-after")).toBeTruthy();
      const read = await portalCall(c.token, "GET", "/v1/portal/contracts");
      expect(read.status).toBe(200);
    } finally {
      await admin()(
        "PUT",
        "/v1/admin/degradation/modes/portal-read-only",
        { action: "clear", forMs: 1_000, reason: "drill over" },
        key("d"),
      );
    }
  });
});

describe("the tenant's policy, edited by an admin", () => {
  test("a grant of an internal field is a 400 naming it; a stale version 409; a rep 403", async () => {
    const current = await admin()("GET", "/v1/admin/portal-policy");
    expect(current.body).toMatchObject({ source: "default", policy: { version: 1 } });
    const bad = structuredClone(current.body.policy);
    bad.version = 2;
    bad.rules[0].grant.contract.fields = ["title", "margin"];
    const refused = await admin()("PUT", "/v1/admin/portal-policy", bad, key("pp"));
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain("margin");
    const stale = await admin()("PUT", "/v1/admin/portal-policy", current.body.policy, key("pp"));
    expect(stale.status).toBe(409);
    expect((await rep()("GET", "/v1/admin/portal-policy")).status).toBe(403);
  });

  test("publishing v2 without billing hides invoices at once; explain says which rule no longer grants it", async () => {
    const current = await admin()("GET", "/v1/admin/portal-policy");
    const next = structuredClone(current.body.policy);
    next.version = current.body.policy.version + 1;
    next.rules = next.rules.filter((r: { id: string }) => r.id !== "billing");
    const published = await admin()("PUT", "/v1/admin/portal-policy", next, key("pp"));
    expect(published.status).toBe(200);
    const c = customers.strategic;
    const r = await portalCall(c.token, "GET", `/v1/portal/contracts/${c.fulfilment}`);
    expect(r.body.invoices).toBeUndefined();
    const me = await portalCall(c.token, "GET", "/v1/portal/me");
    const user = me.body.user.id as string;
    const why = await admin()(
      "GET",
      `/v1/admin/portal-policy/explain?portalUser=${user}&contractId=${c.fulfilment}&resource=invoice&field=amount`,
    );
    expect(why.status).toBe(200);
    expect(why.body).toMatchObject({
      context: { tier: "strategic", stage: "fulfilment" },
      policy: { version: next.version, source: "tenant" },
      explanation: { visible: false, reason: "resource-not-granted" },
    });
  });
});

describe("after-sales in the portal", () => {
  test("a customer asks for service once a contract is in after-sales (201, no internal note accepted), not before (403)", async () => {
    const c = customers.standard;
    // A contract delivered in full: every milestone reached → after-sales.
    const delivered = (await draftContract(integrator(), c.id, 30_000, DOC)).body.id as string;
    await sendAndSign(integrator(), delivered, DOC, ["customer", "vendor"]);
    const m = await integrator()(
      "PUT",
      `/v1/contracts/${delivered}/milestones/all`,
      { name: "All", destination: "上海仓", plannedDate: "2026-01-10", actualDate: "2026-01-09" },
      key("m"),
    );
    expect(m.status).toBe(201);
    const before = await portalCall(c.token, "POST", "/v1/portal/service-requests", {
      contractId: c.fulfilment,
      title: "探头异响",
    });
    expect(before.status).toBe(403);
    const sneaky = await portalCall(c.token, "POST", "/v1/portal/service-requests", {
      contractId: delivered,
      title: "探头异响",
      internalNote: "customer-written internal note",
    });
    expect(sneaky.status).toBe(400);
    const opened = await portalCall(c.token, "POST", "/v1/portal/service-requests", {
      contractId: delivered,
      title: "探头异响",
      severity: "high",
    });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ contractId: delivered, status: "open", severity: "high" });
    const detail = await portalCall(c.token, "GET", `/v1/portal/contracts/${delivered}`);
    expect(detail.body.contract.stage).toBe("after-sales");
    expect(detail.body.serviceRequests.map((s: { id: string }) => s.id)).toEqual([opened.body.id]);
  });

  test("a signed copy's image downloads through the portal; the contract document itself is 404 file-not-stored; another customer's is 404", async () => {
    const c = customers.strategic;
    const png = new Uint8Array([
      0x89,
      0x50,
      0x4e,
      0x47,
      0x0d,
      0x0a,
      0x1a,
      0x0a,
      ...randomBytes(48),
    ]);
    const sha = createHash("sha256").update(png).digest("hex");
    const put = await fetch(`${east.url}/v1/files/${sha}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${repToken}`, "content-type": "image/png" },
      body: png,
    });
    expect(put.status).toBe(201);
    const signedCopy = (await draftContract(integrator(), c.id, 9_000, DOC)).body.id as string;
    await integrator()("POST", `/v1/contracts/${signedCopy}/send`);
    const signed = await integrator()("POST", `/v1/contracts/${signedCopy}/signatures`, {
      party: "customer",
      signer: { name: "王主任" },
      documentHash: DOC,
      image: { sha256: sha },
    });
    expect(signed.status).toBe(201);
    const detail = await portalCall(c.token, "GET", `/v1/portal/contracts/${signedCopy}`);
    const docs = detail.body.documents as Array<{ id: string; kind: string }>;
    const image = docs.find((d) => d.kind === "signature")!;
    const file = await fetch(`${east.url}/v1/portal/documents/${image.id}/file`, {
      headers: { authorization: `Bearer ${c.token}` },
    });
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(png);
    expect(file.headers.get("x-content-type-options")).toBe("nosniff");
    const contractDoc = docs.find((d) => d.kind === "contract")!;
    const notStored = await as(c.token)("GET", `/v1/portal/documents/${contractDoc.id}/file`);
    expect(notStored.status).toBe(404);
    expect(notStored.body.type).toContain("file-not-stored");
    const theirs = await as(customers.standard.token)(
      "GET",
      `/v1/portal/documents/${image.id}/file`,
    );
    expect(theirs.status).toBe(404);
  });
});

// Last: it scans every portal answer the tests above received.
describe("no portal answer carries an internal field", () => {
  test("[portal-policy] every answer recorded in this file is free of internal fields and staff identities", () => {
    expect(portalAnswers.length).toBeGreaterThan(10);
    const leaked = [...keysIn(portalAnswers)].filter((k) => NEVER.has(k));
    expect(leaked).toEqual([]);
    expect(JSON.stringify(portalAnswers)).not.toContain("Acme Optics");
    expect(JSON.stringify(portalAnswers)).not.toContain("fragile");
  });
});
