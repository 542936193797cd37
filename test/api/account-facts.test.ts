// Delivery and service facts through the real stack (two regions of one jurisdiction,
// cn-east and cn-south, each workerd + libSQL): a contract's portal terms, milestones and
// invoices (paid by payments), a customer's service requests, and change requests with
// their checklist, answer and SLA instants — each an account fact written through the
// lifeline path, refused with problem+json when wrong, and replicated to the other region
// until both hold one state [LF3].
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { defaultCalendar } from "../../core/sla/calendar.ts";
import { DEFAULT_SLA_POLICY, slaClock } from "../../core/sla/clock.ts";
import { confirmPayment, draftContract, sendAndSign } from "../support/commands.ts";
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

const DOC = "d".repeat(64);
const HOUR = 3_600_000;

let east: TestRegion;
let south: TestRegion;
let repToken: string;
let adminToken: string;
let customerId: string;
let contractId: string;

const rep = (r = () => east) => client(() => r().url, repToken);
const integrator = (r = () => east) => client(() => r().url, DEMO_KEY);
let n = 0;
const key = (what: string) => ({ "idempotency-key": `${what}-${Date.now()}-${n++}` });
const problemOf = (r: { status: number; headers: Headers; body: unknown }) => ({
  status: r.status,
  type: r.headers.get("content-type")?.startsWith("application/problem+json") ? "problem" : "?",
  body: r.body,
});

beforeAll(async () => {
  [east, south] = await startPeeredRegions(["cn-east", "cn-south"]);
  [repToken, adminToken] = await Promise.all([login(east.url, REP), login(east.url, ADMIN)]);
  const customer = await integrator()("POST", "/v1/customers", {
    name: `Facts clinic ${Date.now().toString(36)}`,
    residency: "cn",
    tier: "key",
  });
  expect(customer.status).toBe(201);
  customerId = customer.body.id;
  const drafted = await draftContract(integrator(), customerId, 100_000, DOC);
  contractId = drafted.body.id;
  const [sent, signed] = await sendAndSign(integrator(), contractId, DOC);
  expect([sent!.status, signed!.status]).toEqual([200, 201]);
  // The rep checks and answers change requests as a member of the customer's group.
  const admin = client(() => east.url, adminToken);
  const group = await admin("POST", "/v1/groups", { name: "Facts CSG" });
  expect(group.status).toBe(201);
  for (const path of [
    `/v1/groups/${group.body.id}/members/usr_rep`,
    `/v1/groups/${group.body.id}/accounts/${customerId}`,
  ])
    expect(
      (
        await admin(
          "PUT",
          path,
          path.includes("members") ? { role: "sales-manager" } : {},
          key("g"),
        )
      ).status,
    ).toBeLessThan(300);
}, 120_000);

afterAll(async () => {
  await Promise.all([east?.stop(), south?.stop()]);
});

describe("contract portal terms", () => {
  test("a rep sets them (a field left out is its default); the same key replays; the same terms again change nothing", async () => {
    const headers = key("terms");
    const body = { paymentVisibility: false };
    const set = await rep()("PUT", `/v1/contracts/${contractId}/terms`, body, headers);
    expect(set.status).toBe(200);
    expect(set.body.terms).toEqual({
      deliveryTracking: true,
      documentSharing: true,
      paymentVisibility: false,
      changeRequests: true,
    });
    const replay = await rep()("PUT", `/v1/contracts/${contractId}/terms`, body, headers);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(set.text);
    const again = await rep()("PUT", `/v1/contracts/${contractId}/terms`, body, key("terms"));
    expect(again.headers.get("lifeline-hlc")).toBe(set.headers.get("lifeline-hlc"));
  });

  test("an integrator key is 403; a wrong body 400; no key 400; an unknown contract 404", async () => {
    const path = `/v1/contracts/${contractId}/terms`;
    expect(problemOf(await integrator()("PUT", path, {}, key("t")))).toMatchObject({
      status: 403,
      type: "problem",
    });
    const wrong = await rep()("PUT", path, { deliveryTracking: "yes", extra: 1 }, key("t"));
    expect(problemOf(wrong)).toMatchObject({ status: 400, type: "problem" });
    expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "deliveryTracking",
      "extra",
    ]);
    const noKey = await rep()("PUT", path, {});
    expect(problemOf(noKey)).toMatchObject({
      status: 400,
      body: { type: expect.stringContaining("idempotency-key-required") },
    });
    const unknown = `${contractId.slice(0, -1)}${contractId.endsWith("0") ? "1" : "0"}`;
    expect(
      problemOf(await rep()("PUT", `/v1/contracts/${unknown}/terms`, {}, key("t"))),
    ).toMatchObject({
      status: 404,
      type: "problem",
    });
  });
});

describe("delivery milestones", () => {
  test("PUT creates one (201) and a later PUT replaces it whole (200); internal facts are staff data", async () => {
    const path = `/v1/contracts/${contractId}/milestones/lot-1`;
    const first = await integrator()(
      "PUT",
      path,
      {
        name: "First lot",
        destination: "深圳仓",
        quantity: 10,
        plannedDate: "2099-04-01",
        supplier: "Acme Optics",
        costMinor: 30_000,
        internalNote: "fragile",
      },
      key("m"),
    );
    expect(first.status).toBe(201);
    expect(first.headers.get("location")).toBe(`/v1/contracts/${contractId}`);
    expect(first.body.milestones).toMatchObject([
      { id: "lot-1", destination: "深圳仓", supplier: "Acme Optics", costMinor: 30_000 },
    ]);
    const second = await integrator()(
      "PUT",
      path,
      {
        name: "First lot",
        destination: "深圳仓",
        plannedDate: "2099-04-01",
        committedDate: "2099-04-03",
        actualDate: null,
      },
      key("m"),
    );
    expect(second.status).toBe(200);
    expect(second.body.milestones).toMatchObject([
      { id: "lot-1", committedDate: "2099-04-03", supplier: null, costMinor: null, quantity: null },
    ]);
    // Listed across accounts from the read model, as last set.
    const listed = await eventually(async () => {
      const r = await integrator()(
        "GET",
        `/v1/delivery-milestones?accounts=${customerId}&open=true`,
      );
      const item = r.body.items?.find((i: { contractId: string }) => i.contractId === contractId);
      return item?.committedDate === "2099-04-03" ? item : undefined;
    }, 10_000);
    expect(listed).toMatchObject({
      id: "lot-1",
      customerId,
      destination: "深圳仓",
      supplier: null,
    });
  });

  test("an impossible date or a bad milestone id is 400, naming the field", async () => {
    const bad = await integrator()(
      "PUT",
      `/v1/contracts/${contractId}/milestones/lot-2`,
      { name: "x", destination: "y", plannedDate: "2099-02-30" },
      key("m"),
    );
    expect(problemOf(bad)).toMatchObject({
      status: 400,
      body: { errors: [{ field: "plannedDate" }] },
    });
    const badId = await integrator()(
      "PUT",
      `/v1/contracts/${contractId}/milestones/-x`,
      { name: "x", destination: "y", plannedDate: "2099-02-01" },
      key("m"),
    );
    expect(problemOf(badId)).toMatchObject({
      status: 400,
      body: { errors: [{ field: "milestoneId" }] },
    });
  });
});

describe("invoices", () => {
  test("an invoice is paid by a payment; one past its due date reads overdue (its write said unpaid)", async () => {
    const issue = (body: unknown) =>
      integrator()("POST", `/v1/contracts/${contractId}/invoices`, body);
    const first = await issue({
      number: "inv-1",
      amount: { value: 40_000, currency: "CNY" },
      issuedAt: "2020-01-01",
      dueDate: "2020-01-31",
    });
    expect(first.status).toBe(201);
    expect(first.body.invoices).toMatchObject([
      { number: "INV-1", status: "unpaid", paidAt: null },
    ]);
    const paid = await confirmPayment(integrator(), contractId, "FACTS-1", 40_000);
    expect(paid.status).toBe(201);
    const second = await issue({
      number: "INV-2",
      amount: { value: 10_000, currency: "CNY" },
      dueDate: "2020-02-29",
    });
    expect(second.status).toBe(201);
    // The write's answer is replayed byte for byte, so it never depends on when it is read.
    expect(second.body.invoices.map((i: { status: string }) => i.status)).toEqual([
      "paid",
      "unpaid",
    ]);
    const read = await integrator()("GET", `/v1/contracts/${contractId}`);
    expect(read.body.invoices).toMatchObject([
      { number: "INV-1", status: "paid", paidAt: paid.body.confirmedAt },
      { number: "INV-2", status: "overdue", paidAt: null },
    ]);
    // The same number and amount again (under another key) is the same invoice.
    const again = await issue({
      number: " inv-2",
      amount: { value: 10_000, currency: "CNY" },
      dueDate: "2020-02-29",
    });
    expect(again.status).toBe(200);
  });

  test("the same number with another amount is 409; another currency 422; a reused key with another body 422", async () => {
    const path = `/v1/contracts/${contractId}/invoices`;
    const other = await integrator()("POST", path, {
      number: "INV-1",
      amount: { value: 1, currency: "CNY" },
      dueDate: "2020-01-31",
    });
    expect(problemOf(other)).toMatchObject({
      status: 409,
      type: "problem",
      body: { errors: [{ field: "number" }] },
    });
    const eur = await integrator()("POST", path, {
      number: "INV-9",
      amount: { value: 1, currency: "EUR" },
      dueDate: "2020-01-31",
    });
    expect(problemOf(eur)).toMatchObject({
      status: 422,
      body: { errors: [{ field: "amount.currency" }] },
    });
    const headers = key("inv");
    const body = { number: "INV-10", amount: { value: 5, currency: "CNY" }, dueDate: "2099-01-01" };
    expect((await integrator()("POST", path, body, headers)).status).toBe(201);
    const reused = await integrator()("POST", path, { ...body, number: "INV-11" }, headers);
    expect(problemOf(reused)).toMatchObject({
      status: 422,
      body: { type: expect.stringContaining("idempotency-key-reused") },
    });
  });
});

describe("service requests", () => {
  let serviceRequestId: string;

  test("opened (201, Location), retried (replayed), resolved once (a different resolution is 409)", async () => {
    const headers = key("sr");
    const body = { contractId, title: "探头故障", severity: "high", internalNote: "VIP" };
    const opened = await rep()(
      "POST",
      `/v1/customers/${customerId}/service-requests`,
      body,
      headers,
    );
    expect(opened.status).toBe(201);
    serviceRequestId = opened.body.id;
    expect(serviceRequestId).toMatch(/^srv_/);
    expect(opened.headers.get("location")).toBe(`/v1/service-requests/${serviceRequestId}`);
    expect(opened.body).toMatchObject({ status: "open", severity: "high", internalNote: "VIP" });
    const retried = await rep()(
      "POST",
      `/v1/customers/${customerId}/service-requests`,
      body,
      headers,
    );
    expect(retried.headers.get("idempotent-replayed")).toBe("true");

    const resolvePath = `/v1/customers/${customerId}/service-requests/${serviceRequestId}/resolve`;
    const resolved = await rep()("POST", resolvePath, { resolution: "更换探头" });
    expect(resolved.status).toBe(201);
    expect(resolved.body).toMatchObject({ status: "resolved", resolution: "更换探头" });
    expect((await rep()("POST", resolvePath, { resolution: "更换探头" })).status).toBe(200);
    expect(problemOf(await rep()("POST", resolvePath, { resolution: "别的" }))).toMatchObject({
      status: 409,
      type: "problem",
    });
    const read = await rep()("GET", `/v1/service-requests/${serviceRequestId}`);
    expect(read.body).toEqual(resolved.body);
    const listed = await rep()(
      "GET",
      `/v1/customers/${customerId}/service-requests?status=resolved`,
    );
    expect(listed.body.items.map((i: { id: string }) => i.id)).toContain(serviceRequestId);
  });

  test("an unknown contract is 422 naming it; an unknown request 404; a bad severity 400", async () => {
    const path = `/v1/customers/${customerId}/service-requests`;
    const unknownContract = `${contractId.slice(0, -1)}${contractId.endsWith("0") ? "1" : "0"}`;
    expect(
      problemOf(await rep()("POST", path, { contractId: unknownContract, title: "x" })),
    ).toMatchObject({ status: 422, body: { errors: [{ field: "contractId" }] } });
    const unknown = `srv_${customerId.slice(4)}_${"0".repeat(16)}`;
    expect(
      problemOf(await rep()("POST", `${path}/${unknown}/resolve`, { resolution: "x" })),
    ).toMatchObject({ status: 404, type: "problem" });
    expect(problemOf(await rep()("GET", `/v1/service-requests/${unknown}`))).toMatchObject({
      status: 404,
    });
    expect(problemOf(await rep()("POST", path, { title: "x", severity: "urgent" }))).toMatchObject({
      status: 400,
      body: { errors: [{ field: "severity" }] },
    });
  });
});

describe("change requests", () => {
  let changeRequestId: string;

  test("filed through the engine path with its SLA instants; checked; listed open across accounts; answered once", async () => {
    const filed = await rep()("POST", `/v1/customers/${customerId}/change-requests`, {
      contractId,
      kind: "address",
      summary: "请改送到新仓库",
      requested: { address: "深圳市南山区科技园1号", contact: "赵六 13912345678" },
    });
    expect(filed.status).toBe(201);
    changeRequestId = filed.body.id;
    expect(changeRequestId).toMatch(/^chg_/);
    expect(filed.headers.get("location")).toBe(`/v1/change-requests/${changeRequestId}`);
    expect(filed.body).toMatchObject({
      status: "open",
      filedBy: "usr_rep",
      tier: "key",
      slaMarks: { warning: null, violation: null },
      answer: null,
    });
    // 4 business hours of the cn calendar for a key customer, warning at 75% of them
    // (core/sla, tested on its own); never sooner than 4 h of wall time.
    const filedAt = Date.parse(filed.body.filedAt);
    const clock = slaClock({
      filedAtMs: filedAt,
      tier: "key",
      policy: DEFAULT_SLA_POLICY,
      calendar: defaultCalendar("cn"),
    });
    expect(Date.parse(filed.body.slaDueAt)).toBe(clock.dueAtMs);
    expect(Date.parse(filed.body.slaWarnAt)).toBe(clock.warnAtMs);
    expect(clock.dueAtMs - filedAt).toBeGreaterThanOrEqual(4 * HOUR);

    const checked = await rep()(
      "PUT",
      `/v1/change-requests/${changeRequestId}/checklist/supply-chain`,
      { status: "impact", note: "需要新批次" },
      key("chk"),
    );
    expect(checked.status).toBe(200);
    expect(checked.body.checklist).toEqual({
      "supply-chain": { status: "impact", note: "需要新批次", updatedAt: expect.any(String) },
    });
    // An empty note (what a form sends) is no note.
    const quality = await rep()(
      "PUT",
      `/v1/change-requests/${changeRequestId}/checklist/quality`,
      { status: "ok", note: "" },
      key("chk"),
    );
    expect(quality.body.checklist.quality).toMatchObject({ status: "ok", note: null });

    const open = await eventually(async () => {
      const r = await rep()("GET", `/v1/change-requests?status=open&accounts=${customerId}`);
      return r.body.items?.some((i: { id: string }) => i.id === changeRequestId) ? r : undefined;
    }, 10_000);
    expect(open.body.items[0]).toMatchObject({ customerId, kind: "address", answeredAt: null });

    const answer = { feasible: true, newCommittedDate: "2099-05-01", message: "可以,五月一日送达" };
    const answered = await rep()("POST", `/v1/change-requests/${changeRequestId}/answer`, answer);
    expect(answered.status).toBe(201);
    expect(answered.body).toMatchObject({
      status: "answered",
      answer: { feasible: true, newCommittedDate: "2099-05-01", answeredBy: "usr_rep" },
    });
    const admin = client(() => east.url, adminToken);
    expect(
      (await admin("POST", `/v1/change-requests/${changeRequestId}/answer`, answer)).status,
    ).toBe(200);
    const different = await admin("POST", `/v1/change-requests/${changeRequestId}/answer`, {
      ...answer,
      feasible: false,
      newCommittedDate: null,
    });
    expect(problemOf(different)).toMatchObject({
      status: 409,
      body: { errors: [{ field: "feasible" }] },
    });

    const answeredList = await eventually(async () => {
      const r = await rep()("GET", `/v1/change-requests?status=answered&accounts=${customerId}`);
      return r.body.items?.some((i: { id: string }) => i.id === changeRequestId) ? r : undefined;
    }, 10_000);
    expect(
      answeredList.body.items.find((i: { id: string }) => i.id === changeRequestId),
    ).toMatchObject({
      feasible: true,
      newCommittedDate: "2099-05-01",
    });
    const mine = await rep()("GET", `/v1/customers/${customerId}/change-requests`);
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(changeRequestId);
  });

  test("a contract whose terms exclude change requests refuses them (409); bad input 400; unknown 404; integrators may not answer", async () => {
    const drafted = await draftContract(integrator(), customerId, 5_000, DOC);
    const closed = drafted.body.id as string;
    await rep()("PUT", `/v1/contracts/${closed}/terms`, { changeRequests: false }, key("t"));
    const path = `/v1/customers/${customerId}/change-requests`;
    const refused = await rep()("POST", path, { contractId: closed, kind: "scope", summary: "x" });
    expect(problemOf(refused)).toMatchObject({
      status: 409,
      body: { errors: [{ field: "contractId" }] },
    });
    const badKind = await rep()("POST", path, { contractId, kind: "colour", summary: "x" });
    expect(problemOf(badKind)).toMatchObject({
      status: 400,
      body: { errors: [{ field: "kind" }] },
    });
    const badKey = await rep()("POST", path, {
      contractId,
      kind: "scope",
      summary: "x",
      requested: { "no spaces": "x" },
    });
    expect(problemOf(badKey)).toMatchObject({ status: 400 });
    const unknown = `chg_${customerId.slice(4)}_${"0".repeat(16)}`;
    expect(problemOf(await rep()("GET", `/v1/change-requests/${unknown}`))).toMatchObject({
      status: 404,
    });
    const answerBody = { feasible: true, message: "ok" };
    expect(
      problemOf(await rep()("POST", `/v1/change-requests/${unknown}/answer`, answerBody)),
    ).toMatchObject({ status: 404, type: "problem" });
    expect(
      problemOf(await integrator()("POST", `/v1/change-requests/${unknown}/answer`, answerBody)),
    ).toMatchObject({ status: 403 });
    expect(
      problemOf(
        await rep()(
          "PUT",
          `/v1/change-requests/${unknown}/checklist/finance`,
          { status: "ok" },
          key("c"),
        ),
      ),
    ).toMatchObject({ status: 400, body: { errors: [{ field: "department" }] } });
    expect(problemOf(await rep()("GET", "/v1/change-requests?accounts=acc_nope"))).toMatchObject({
      status: 400,
      body: { errors: [{ field: "accounts" }] },
    });
  });
});

describe("[LF3] replication to cn-south", () => {
  test("[LF3] the contract, the customer with its service and change requests, and the account's state hash are eventually equal in both regions", async () => {
    const paths = [
      `/v1/customers/${customerId}`,
      `/v1/contracts/${contractId}`,
      `/v1/customers/${customerId}/change-requests`,
      `/v1/customers/${customerId}/service-requests`,
    ];
    for (const path of paths) {
      await eventually(async () => {
        const [a, b] = await Promise.all([
          integrator()("GET", path),
          integrator(() => south)("GET", path),
        ]);
        return a.status === 200 && a.text === b.text ? true : undefined;
      }, 15_000);
    }
    const contract = await integrator(() => south)("GET", `/v1/contracts/${contractId}`);
    expect(contract.body).toMatchObject({
      terms: { paymentVisibility: false },
      milestones: [{ id: "lot-1" }],
      invoices: [{ status: "paid" }, { status: "overdue" }, { number: "INV-10", status: "unpaid" }],
    });
    const customer = await integrator(() => south)("GET", `/v1/customers/${customerId}`);
    expect(customer.body.changeRequests[0]).toMatchObject({ status: "answered" });
    expect(customer.body.serviceRequests[0]).toMatchObject({ status: "resolved" });
    // And the read model of cn-south lists the change request too.
    await eventually(async () => {
      const r = await rep(() => south)("GET", `/v1/change-requests?accounts=${customerId}`);
      return r.body.items?.length > 0 ? true : undefined;
    }, 15_000);

    const hashOf = async (region: TestRegion) => {
      for (let cursor = "", pages = 0; pages < 20; pages++) {
        const r = await readJson(
          await fetch(`${region.url}/v1/admin/state-hash?cursor=${cursor}`, {
            headers: { authorization: `Bearer ${adminToken}` },
          }),
        );
        if (r.accounts?.[customerId]) return r.accounts[customerId].hash as string;
        if (!r.nextCursor) return undefined;
        cursor = r.nextCursor;
      }
      return undefined;
    };
    await eventually(async () => {
      const [a, b] = await Promise.all([hashOf(east), hashOf(south)]);
      return a !== undefined && a === b ? true : undefined;
    }, 15_000);
  });
});

// Last: what this file sent through the test client, against the published document.
describe("[contract] this file's traffic against /v1/openapi.json", () => {
  test("[contract] every answer validates against its documented status, body and headers", async () => {
    const doc = (await readJson(await fetch(`${east.url}/v1/openapi.json`))) as OpenApiDoc;
    const exchanges = recordedExchanges();
    expect(exchanges.some((e) => e.target.includes("/change-requests/"))).toBe(true);
    expect(exchanges.flatMap((e) => responseIssues(doc, e))).toEqual([]);
  });
});

describe("group work on change requests", () => {
  test("a rep outside the customer's group may not check or answer its change requests (403 not-a-group-member); an admin may", async () => {
    const admin = client(() => east.url, adminToken);
    const other = await integrator()("POST", "/v1/customers", {
      name: `No group ${Date.now().toString(36)}`,
      residency: "cn",
      tier: "standard",
    });
    const drafted = await draftContract(integrator(), other.body.id, 10_000, DOC);
    await sendAndSign(integrator(), drafted.body.id, DOC);
    const filed = await rep()("POST", `/v1/customers/${other.body.id}/change-requests`, {
      contractId: drafted.body.id,
      kind: "scope",
      summary: "one more module",
    });
    expect(filed.status).toBe(201);
    const id = filed.body.id as string;
    const body = { feasible: false, message: "not this year" };
    const refused = await rep()("POST", `/v1/change-requests/${id}/answer`, body, key("a"));
    expect(problemOf(refused)).toMatchObject({
      status: 403,
      type: "problem",
      body: { type: expect.stringContaining("not-a-group-member") },
    });
    const check = await rep()(
      "PUT",
      `/v1/change-requests/${id}/checklist/quality`,
      { status: "ok" },
      key("c"),
    );
    expect(check.status).toBe(403);
    // Nothing was written by the refusals; an admin answers.
    expect((await rep()("GET", `/v1/change-requests/${id}`)).body.answer).toBeNull();
    const byAdmin = await admin("POST", `/v1/change-requests/${id}/answer`, body, key("a"));
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(201);
  });
});
