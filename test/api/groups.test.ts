// Customer success groups and delegated approvals (issue 11, DESIGN §11), through the real
// stack: two regions of one jurisdiction (cn-east, cn-south, each workerd + libSQL). Group
// changes and decisions made in cn-east reach cn-south by the groups outbox and converge to
// one state hash [LF3]; a group lead approves within their delegation, and above it or
// after expiry the request escalates, both audited; under approvals-simplified the policy's
// simplified path applies and says so; the workbench computes KPIs from facts (portal
// activity and call sentiment among them); the tenant's SLA policy sets filings' clocks.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChiPart } from "../../core/groups/kpi.ts";
import { slaClock } from "../../core/sla/clock.ts";
import { TenantSlaPolicy, tenantCalendar } from "../../core/sla/tenant.ts";
import { draftContract, sendAndSign } from "../support/commands.ts";
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
import { startTestWorker, type TestWorker } from "../support/workerd.ts";

const LEAD = { id: "usr_lead", email: "lead@demo.test", password: "lead-password-1" };
const CONSULTANT = {
  id: "usr_consultant",
  email: "consultant@demo.test",
  password: "consultant-password-1",
};
const MANAGER = { id: "usr_manager", email: "manager@demo.test", password: "manager-password-1" };
const DOC = "c".repeat(64);

let east: TestRegion;
let south: TestRegion;
const tokens: Record<string, string> = {};
/**
 * The inference worker's stand-in (its name and RPC surface), answering at once: every
 * Chinese utterance "positive" with probability 0.5. Started before the regions, so their
 * INFERENCE binding finds it from the first call; its config is written to a directory of
 * this file's own, so its build output is too.
 */
let inference: TestWorker | undefined;
let inferenceDir = "";

async function startInferenceStandIn(): Promise<TestWorker> {
  inferenceDir = mkdtempSync(join(tmpdir(), "lifeline-inference-stand-in-"));
  const main = resolve("test/support/slow-inference/index.ts");
  writeFileSync(
    join(inferenceDir, "wrangler.toml"),
    `name = "lifeline-inference"\nmain = ${JSON.stringify(main)}\ncompatibility_date = "2026-04-01"\n\n[vars]\nSLOW_MS = "0"\n`,
  );
  return startTestWorker({ config: join(inferenceDir, "wrangler.toml") });
}

beforeAll(async () => {
  inference = await startInferenceStandIn();
  [east, south] = await startPeeredRegions(["cn-east", "cn-south"]);
  // The group's people, in both regions' directories (as the dev seed does for the rep).
  for (const r of [east, south]) {
    const res = await fetch(`${r.url}/__local/seed`, {
      method: "POST",
      headers: { "content-type": "application/json", "lifeline-local-admin": r.localAdminSecret },
      body: JSON.stringify({
        tenant: { id: "ten_demo", name: "ten_demo" },
        apiKeys: [],
        users: [
          { ...LEAD, name: "Group lead", role: "rep" },
          { ...CONSULTANT, name: "Consultant", role: "rep" },
          { ...MANAGER, name: "Manager", role: "manager" },
        ],
      }),
    });
    expect(res.status).toBe(204);
  }
  for (const [name, { email, password }] of Object.entries({
    ADMIN,
    REP,
    LEAD,
    CONSULTANT,
    MANAGER,
  }))
    tokens[name] = await login(east.url, { email, password });
}, 120_000);

afterAll(async () => {
  await Promise.all([east?.stop(), south?.stop()]);
  await inference?.dispose();
  if (inferenceDir) rmSync(inferenceDir, { recursive: true, force: true });
});

type Who = "ADMIN" | "REP" | "LEAD" | "CONSULTANT" | "MANAGER" | "INTEGRATOR";
/** A client as `who`, to cn-east unless a region is named; tokens work in every region. */
const as = (who: Who, region = () => east) =>
  client(() => region().url, who === "INTEGRATOR" ? DEMO_KEY : tokens[who]!);

let n = 0;
const key = (what: string) => ({ "idempotency-key": `${what}-${Date.now()}-${n++}` });
const put = (who: Who, path: string, body?: unknown) => as(who)("PUT", path, body, key("put"));
const del = (who: Who, path: string) => as(who)("DELETE", path, undefined, key("del"));
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

/** A customer, a group owning it with LEAD as sales-manager, CONSULTANT and REP as members. */
async function groupWithAccount(name: string) {
  const customer = await as("REP")("POST", "/v1/customers", {
    name: `${name} Hospital`,
    residency: "cn",
  });
  expect(customer.status).toBe(201);
  const group = await as("MANAGER")("POST", "/v1/groups", { name });
  expect(group.status).toBe(201);
  const id = group.body.id as string;
  for (const [userId, role] of [
    ["usr_lead", "sales-manager"],
    ["usr_consultant", "industry-consultant"],
    ["usr_rep", "after-sales-engineer"],
  ])
    expect((await put("MANAGER", `/v1/groups/${id}/members/${userId}`, { role })).status).toBe(200);
  expect((await put("MANAGER", `/v1/groups/${id}/accounts/${customer.body.id}`)).status).toBe(200);
  return { groupId: id, accountId: customer.body.id as string };
}

async function delegate(groupId: string, body: Record<string, unknown>) {
  const res = await as("ADMIN")("POST", `/v1/groups/${groupId}/delegations`, {
    userId: "usr_lead",
    kinds: ["discount"],
    maxAmount: { value: 50_000_00, currency: "CNY" },
    expiresAt: inDays(30),
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const requestApproval = async (
  accountId: string,
  value: number,
  kind = "discount",
  who: Who = "REP",
) => {
  const res = await as(who)("POST", "/v1/approvals", {
    accountId,
    kind,
    amount: { value, currency: "CNY" },
    reason: "Tender against a competitor",
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

const decide = (who: Who, id: string, outcome: "approve" | "reject", region = () => east) =>
  as(who, region)("POST", `/v1/approvals/${id}/decision`, { outcome });

async function auditEntries(kind: string) {
  const res = await as("ADMIN")("GET", `/v1/audit/entries?kind=${kind}&limit=200`);
  expect(res.status).toBe(200);
  return res.body.entries as Array<{ detail: Record<string, unknown> }>;
}

describe("roles are checked on every route", () => {
  test("reps and integrators cannot manage groups, delegations or the policy; API keys decide nothing; no credentials is 401", async () => {
    const { groupId, accountId } = await groupWithAccount("Guarded");
    const denied: Array<[Who, string, string, unknown]> = [
      ["REP", "POST", "/v1/groups", { name: "Mine" }],
      ["INTEGRATOR", "PUT", `/v1/groups/${groupId}/members/usr_rep`, { role: "sales-manager" }],
      ["REP", "DELETE", `/v1/groups/${groupId}/accounts/${accountId}`, undefined],
      [
        "MANAGER",
        "POST",
        `/v1/groups/${groupId}/delegations`,
        {
          userId: "usr_lead",
          kinds: ["discount"],
          maxAmount: { value: 1, currency: "CNY" },
          expiresAt: inDays(1),
        },
      ],
      ["REP", "GET", "/v1/admin/approval-policy", undefined],
      ["MANAGER", "PUT", "/v1/admin/groups/roles", { roles: ["sales-manager"] }],
      ["INTEGRATOR", "GET", "/v1/me/groups", undefined],
    ];
    for (const [who, method, path, body] of denied) {
      const res = await as(who)(method, path, body, key("denied"));
      expect(res.status, `${who} ${method} ${path}`).toBe(403);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    const id = await requestApproval(accountId, 100);
    expect((await decide("INTEGRATOR", id, "approve")).status).toBe(403);
    expect((await fetch(`${east.url}/v1/groups`)).status).toBe(401);
    expect((await fetch(`${east.url}/v1/approvals`)).status).toBe(401);
  });

  test("a rep sees the workbench of their own groups only", async () => {
    const { groupId } = await groupWithAccount("Rep's own");
    const other = await as("MANAGER")("POST", "/v1/groups", { name: "Not the rep's" });
    expect((await as("REP")("GET", `/v1/groups/${groupId}/workbench`)).status).toBe(200);
    expect((await as("REP")("GET", `/v1/groups/${other.body.id}/workbench`)).status).toBe(403);
  });
});

describe("groups are events, replicated and audited", () => {
  test("[LF2] creating a group replays with the same key; another body under it is 422", async () => {
    const headers = key("create");
    const first = await as("MANAGER")("POST", "/v1/groups", { name: "Replayed" }, headers);
    const again = await as("MANAGER")("POST", "/v1/groups", { name: "Replayed" }, headers);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.text).toBe(first.text);
    expect(first.headers.get("location")).toBe(`/v1/groups/${first.body.id}`);
    const other = await as("MANAGER")("POST", "/v1/groups", { name: "Other" }, headers);
    expect(other.status).toBe(422);
    expect(other.body.type).toBe("urn:lifeline:problem:idempotency-key-reused");
  });

  test("[LF3] a group made in cn-east (members, account, delegation) reads the same in cn-south, with one state hash; each change audited", async () => {
    const { groupId, accountId } = await groupWithAccount("East key accounts");
    const delegationId = await delegate(groupId, {});
    const here = await as("ADMIN")("GET", `/v1/groups/${groupId}`);
    expect(here.body).toMatchObject({
      name: "East key accounts",
      accountIds: [accountId],
      members: expect.arrayContaining([{ userId: "usr_lead", role: "sales-manager" }]),
      delegations: [expect.objectContaining({ id: delegationId, status: "active" })],
    });
    const there = await eventually(async () => {
      const r = await as("ADMIN", () => south)("GET", `/v1/groups/${groupId}`);
      return r.status === 200 && r.body.delegations.length === 1 ? r : undefined;
    }, 15_000);
    expect(there.body).toEqual(here.body);
    const hashes = await eventually(async () => {
      const [e, s] = await Promise.all(
        [east, south].map(
          async (r) => (await as("ADMIN", () => r)("GET", "/v1/admin/groups/state-hash")).body,
        ),
      );
      return e.hash === s.hash && e.pending === 0 ? [e, s] : undefined;
    }, 15_000);
    expect(hashes[0].hash).toMatch(/^[0-9a-f]{64}$/);

    const changes = (await auditEntries("group-change")).filter(
      (e) => JSON.stringify(e.detail.target).includes(groupId) || e.detail.groupId === groupId,
    );
    expect(changes.map((e) => e.detail.change)).toEqual(
      expect.arrayContaining(["group.create", "member.set", "account.set", "delegation.grant"]),
    );
    expect(changes.find((e) => e.detail.change === "delegation.grant")?.detail).toMatchObject({
      tenantId: "ten_demo",
      by: "usr_admin",
      delegationId,
      userId: "usr_lead",
    });
  });

  test("[LF3] a group changed in cn-east while cn-south was down reaches cn-south once it is back", async () => {
    const { groupId } = await groupWithAccount("While away");
    await eventually(async () => {
      const r = await as("ADMIN", () => south)("GET", `/v1/groups/${groupId}`);
      return r.status === 200 ? r : undefined;
    }, 15_000);
    await south.stopWorker();
    try {
      expect(
        (await put("MANAGER", `/v1/groups/${groupId}`, { name: "Changed while away" })).status,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      await south.startWorker();
    }
    const seen = await eventually(async () => {
      const r = await as("ADMIN", () => south)("GET", `/v1/groups/${groupId}`);
      return r.status === 200 && r.body.name === "Changed while away" ? r : undefined;
    }, 45_000);
    expect(seen.body.id).toBe(groupId);
  }, 90_000);

  test("a member's role must be one of the tenant's; an unknown user is 422; removing a member who is not one is 404", async () => {
    const { groupId } = await groupWithAccount("Roles");
    const bad = await put("MANAGER", `/v1/groups/${groupId}/members/usr_lead`, {
      role: "astronaut",
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe("role");
    expect(
      (await put("MANAGER", `/v1/groups/${groupId}/members/usr_nobody`, { role: "sales-manager" }))
        .status,
    ).toBe(422);
    expect((await del("MANAGER", `/v1/groups/${groupId}/members/usr_admin`)).status).toBe(404);
    const removed = await del("MANAGER", `/v1/groups/${groupId}/members/usr_consultant`);
    expect(removed.status).toBe(200);
    expect(removed.body.members.map((m: { userId: string }) => m.userId)).not.toContain(
      "usr_consultant",
    );
  });

  test("GET /v1/me/groups lists the caller's groups with their role and account ids", async () => {
    const { groupId, accountId } = await groupWithAccount("Mine");
    const mine = await as("REP")("GET", "/v1/me/groups");
    expect(mine.status).toBe(200);
    expect(mine.body.items).toContainEqual({
      groupId,
      name: "Mine",
      role: "after-sales-engineer",
      accountIds: [accountId],
    });
    const admins = await as("ADMIN")("GET", "/v1/me/groups");
    expect(admins.body.items.some((g: { groupId: string }) => g.groupId === groupId)).toBe(false);
  });
});

describe("delegated approvals", () => {
  test("[acceptance] a group lead approves within their delegation; above it, or after expiry, the request escalates; both audited", async () => {
    const { groupId, accountId } = await groupWithAccount("Approvals");
    const delegationId = await delegate(groupId, {});
    // A second delegation, for custom quotes, that expires in a moment.
    const shortLived = await delegate(groupId, {
      kinds: ["custom-quote"],
      expiresAt: new Date(Date.now() + 1_500).toISOString(),
    });

    const within = await requestApproval(accountId, 20_000_00);
    const approved = await decide("LEAD", within, "approve");
    expect(approved.status).toBe(200);
    expect(approved.body.decision).toMatchObject({
      outcome: "approved",
      path: "delegated",
      delegationId,
      by: "usr_lead",
      role: "sales-manager",
    });
    expect(approved.body.approval.status).toBe("approved");

    const above = await requestApproval(accountId, 80_000_00);
    const escalated = await decide("LEAD", above, "approve");
    expect(escalated.body.decision).toMatchObject({
      outcome: "escalated",
      escalateTo: "tenant-admin",
      reason: "above-limit",
      delegationId,
    });
    expect(escalated.body.approval).toMatchObject({
      status: "escalated",
      awaiting: "tenant-admin",
    });
    const byAdmin = await decide("ADMIN", above, "approve");
    expect(byAdmin.body.decision).toMatchObject({
      outcome: "approved",
      path: "tenant-admin",
      delegationId: null,
    });

    await new Promise((r) => setTimeout(r, 1_600));
    const late = await requestApproval(accountId, 1_000_00, "custom-quote");
    const expired = await decide("LEAD", late, "approve");
    expect(expired.body.decision).toMatchObject({
      outcome: "escalated",
      reason: "expired",
      delegationId: shortLived,
    });

    // Not the lead: escalates to the lead; a decided request is not decided again.
    const byConsultant = await decide(
      "CONSULTANT",
      await requestApproval(accountId, 100),
      "approve",
    );
    expect(byConsultant.body.decision).toMatchObject({
      outcome: "escalated",
      escalateTo: "sales-manager",
      reason: "not-a-lead",
    });
    expect((await decide("LEAD", within, "reject")).status).toBe(409);

    const audited = (await auditEntries("approval-decision")).filter(
      (e) => e.detail.groupId === groupId,
    );
    expect(audited.find((e) => e.detail.approvalId === within)?.detail).toMatchObject({
      by: "usr_lead",
      role: "sales-manager",
      outcome: "approved",
      path: "delegated",
      delegationId,
    });
    expect(
      audited.filter((e) => e.detail.approvalId === above).map((e) => e.detail.outcome),
    ).toEqual(["escalated", "approved"]);
    expect(audited.find((e) => e.detail.approvalId === late)?.detail).toMatchObject({
      outcome: "escalated",
      delegationId: shortLived,
    });

    // Decided in cn-east, visible in cn-south.
    const seen = await eventually(async () => {
      const r = await as("ADMIN", () => south)("GET", `/v1/approvals/${within}`);
      return r.status === 200 && r.body.status === "approved" ? r : undefined;
    }, 15_000);
    expect(seen.body.decision).toMatchObject({ by: "usr_lead", delegationId });
    const pending = await as("LEAD", () => south)("GET", "/v1/approvals?status=decided");
    expect(pending.body.items.map((a: { id: string }) => a.id)).toEqual(
      expect.arrayContaining([within, above]),
    );
  });

  test("a revoked delegation no longer counts: the lead's approval escalates", async () => {
    const { groupId, accountId } = await groupWithAccount("Revoked");
    const delegationId = await delegate(groupId, {});
    const revoked = await del("ADMIN", `/v1/groups/${groupId}/delegations/${delegationId}`);
    expect(revoked.body.status).toBe("revoked");
    const res = await decide("LEAD", await requestApproval(accountId, 100), "approve");
    expect(res.body.decision).toMatchObject({ outcome: "escalated", reason: "revoked" });
  });

  test("under approvals-simplified the policy's simplified path applies and says so", async () => {
    const { groupId, accountId } = await groupWithAccount("Simplified");
    const delegationId = await delegate(groupId, {});
    const forced = await put("ADMIN", "/v1/admin/degradation/modes/approvals-simplified", {
      action: "force",
      forMs: 60_000,
      reason: "drill: region cut off",
    });
    expect(forced.status).toBe(200);
    try {
      const id = await requestApproval(accountId, 20_000_00);
      // The isolate's view of the modes refreshes within a moment.
      const res = await eventually(async () => {
        const headers = key("decide");
        const probe = await as("LEAD")("GET", "/v1/approvals?status=pending");
        if (!probe.headers.get("lifeline-degraded")?.includes("approvals-simplified"))
          return undefined;
        return as("LEAD")("POST", `/v1/approvals/${id}/decision`, { outcome: "approve" }, headers);
      }, 10_000);
      expect(res.status).toBe(200);
      expect(res.body.decision).toMatchObject({
        outcome: "approved",
        path: "simplified",
        delegationId,
      });
      expect(res.body.decision.why).toContain("approvals-simplified");
      expect(res.body.approval.reviewRequired).toBe(true);
      expect(res.headers.get("lifeline-degraded")).toContain("approvals-simplified");
      const audited = (await auditEntries("approval-decision")).find(
        (e) => e.detail.approvalId === id,
      );
      expect(audited?.detail).toMatchObject({ path: "simplified", delegationId });
    } finally {
      await del("ADMIN", "/v1/admin/degradation/modes/approvals-simplified");
    }
  });
});

describe("the group workbench", () => {
  test("CHI and group KPIs are computed from facts: two signed contracts make the account cross-sold", async () => {
    const { groupId, accountId } = await groupWithAccount("Workbench");
    const integrator = as("INTEGRATOR");
    for (const value of [100_000, 250_000]) {
      const contract = await draftContract(integrator, accountId, value, DOC);
      expect(contract.status).toBe(201);
      await sendAndSign(integrator, contract.body.id, DOC, ["customer", "vendor"]);
    }
    await requestApproval(accountId, 5_000_00);
    const bench = await eventually(async () => {
      const r = await as("LEAD")("GET", `/v1/groups/${groupId}/workbench`);
      return r.status === 200 && r.body.kpis.crossSellRate.crossSold === 1 ? r : undefined;
    }, 15_000);
    expect(bench.body.accounts).toEqual([
      expect.objectContaining({
        accountId,
        status: "ok",
        name: "Workbench Hospital",
        signedContracts: 2,
      }),
    ]);
    expect(bench.body.kpis.crossSellRate).toEqual({
      rate: 1,
      accounts: 1,
      crossSold: 1,
      definition: "signed-contracts",
    });
    expect(bench.body.kpis.adoption).toMatchObject({ scope: "members", windowDays: 90 });
    expect(bench.body.kpis.serviceResolution).toMatchObject({
      resolved: expect.any(Number),
      open: expect.any(Number),
    });
    const chi = bench.body.accounts[0].chi;
    expect(chi.components.map((c: { component: string }) => c.component)).toEqual([
      "paymentsOnTime",
      "openChangeRequests",
      "slaAdherence",
      "sentimentTrend",
      "portalActivity",
    ]);
    expect(bench.body.weights).toEqual({
      paymentsOnTime: 0.3,
      openChangeRequests: 0.15,
      slaAdherence: 0.2,
      sentimentTrend: 0.2,
      portalActivity: 0.15,
    });
    expect(bench.body.openApprovals).toHaveLength(1);
  });
});

describe("the workbench's engagement components: portal activity and call sentiment", () => {
  test("after a portal login and an analysis that names the customer, the workbench's portal activity and sentiment come from facts, in both regions", async () => {
    const { groupId, accountId } = await groupWithAccount("Engagement");
    // The customer's buyer is invited, accepts, logs in and looks around: one active day.
    const invited = await as("REP")("POST", `/v1/customers/${accountId}/portal-users`, {
      email: `buyer-${Date.now().toString(36)}@engagement.test`,
      name: "Buyer",
    });
    expect(invited.status).toBe(201);
    const anonymous = client(() => east.url, "");
    const password = "engagement-buyer-password";
    const accepted = await anonymous("POST", "/v1/portal/auth/accept", {
      code: invited.body.invitation.code,
      password,
    });
    expect(accepted.status).toBe(204);
    const session = await anonymous("POST", "/v1/portal/auth/login", {
      email: invited.body.user.email,
      password,
    });
    expect(session.status).toBe(200);
    const buyer = client(() => east.url, session.body.token);
    for (const path of ["/v1/portal/me", "/v1/portal/contracts", "/v1/portal/me"])
      expect((await buyer("GET", path)).status).toBe(200);
    // Calls with the customer, analysed with their sentiment (retried while the stand-in's
    // binding is first resolved, or its breaker cools down: a shed analysis records nothing).
    const sheds: unknown[] = [];
    const analyse = (transcript: Array<{ speaker: string; text: string }>) =>
      eventually(async () => {
        const r = await as("REP")("POST", "/v1/insights/analyze", {
          customerId: accountId,
          transcript,
        });
        if (r.status === 200 && r.body.model) return r;
        sheds.push(r.body?.shed ?? r.status);
        await new Promise((done) => setTimeout(done, 500));
        return undefined;
      }, 60_000).catch((err: Error) => {
        throw new Error(
          `${err.message}; the analyses were shed: ${JSON.stringify(sheds.slice(-3))}`,
        );
      });
    const call = [
      { speaker: "rep", text: "您好，设备最近用得怎么样？" },
      { speaker: "customer", text: "挺好的，科室都很满意。" },
      { speaker: "customer", text: "下个月我们想再订两台。" },
    ];
    const analysis = await analyse(call);
    expect(analysis.body.model).toMatchObject({ version: "slow-stand-in" });
    // [LF2] The same call submitted again (pasted with other white space) is a new insight
    // but the same call: it must not count twice. Another call does count.
    const again = await analyse(call.map((u) => ({ ...u, text: ` ${u.text}\n` })));
    expect(again.body.id).not.toBe(analysis.body.id);
    await analyse([{ speaker: "customer", text: "培训的安排我们也很满意。" }]);
    const component = (
      bench: { body: { accounts: Array<{ chi: { components: ChiPart[] } }> } },
      k: string,
    ) => bench.body.accounts[0]!.chi.components.find((c) => c.component === k);
    for (const region of [() => east, () => south]) {
      const bench = await eventually(async () => {
        const r = await as("LEAD", region)("GET", `/v1/groups/${groupId}/workbench`);
        const portal = r.status === 200 ? component(r, "portalActivity") : undefined;
        const sentiment = r.status === 200 ? component(r, "sentimentTrend") : undefined;
        return portal?.score !== null && sentiment?.detail.includes("(2 recent") ? r : undefined;
      }, 20_000);
      // Read again a moment later: a second count of the first call would have landed.
      await new Promise((done) => setTimeout(done, 1_000));
      const settled = await as("LEAD", region)("GET", `/v1/groups/${groupId}/workbench`);
      expect(component(settled, "sentimentTrend")).toEqual(component(bench, "sentimentTrend"));
      // One day however many requests (100 at 8 days).
      expect(component(bench, "portalActivity")).toMatchObject({
        score: 12.5,
        detail: "1 active days of 30 (100 at 8)",
      });
      // Two calls this month, the first once however often it was analysed; a trend needs
      // one in each 30-day window too.
      expect(component(bench, "sentimentTrend")).toMatchObject({
        score: null,
        detail: "needs a call in each of the last two 30-day windows (2 recent, 0 earlier)",
      });
    }
  }, 120_000);
});

describe("the tenant's SLA policy for change requests", () => {
  /** Round the clock, every day: business time is wall time but for public holidays. */
  const POLICY = {
    version: 1,
    hoursByTier: { standard: 6, key: 6, strategic: 3 },
    warnAtFraction: 0.5,
    calendar: { workdays: [1, 2, 3, 4, 5, 6, 7], hours: { start: "00:00", end: "24:00" } },
  };

  test("GET shows the defaults and why until one is published; reps may neither read nor write it", async () => {
    const read = await as("ADMIN")("GET", "/v1/admin/sla-policy");
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      source: "default",
      reason: "unset",
      version: 0,
      hoursByTier: { standard: 4, key: 4, strategic: 2 },
      warnAtFraction: 0.75,
      calendars: { cn: { timeZone: "Asia/Shanghai" }, eu: { timeZone: "Europe/Berlin" } },
    });
    expect(read.body.calendars.cn.holidays).toContain("2026-10-01");
    expect((await as("REP")("GET", "/v1/admin/sla-policy")).status).toBe(403);
    expect((await put("REP", "/v1/admin/sla-policy", POLICY)).status).toBe(403);
  });

  test("published (validated, versioned, audited, replicated), it sets the clock of the next filing and says so", async () => {
    const bad = await put("ADMIN", "/v1/admin/sla-policy", {
      ...POLICY,
      hoursByTier: { standard: 0 },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain("hoursByTier");
    const published = await put("ADMIN", "/v1/admin/sla-policy", POLICY);
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ source: "tenant", version: 1, warnAtFraction: 0.5 });
    expect(published.body.calendars.cn.workdays).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The same version again is stale: two admins editing one version cannot both win.
    const stale = await put("ADMIN", "/v1/admin/sla-policy", { ...POLICY, warnAtFraction: 0.6 });
    expect(stale.status).toBe(409);
    const audited = await auditEntries("group-change");
    expect(
      audited.some(
        (e) =>
          e.detail.change === "sla-policy.publish" &&
          (e.detail.policy as { version?: number })?.version === 1,
      ),
    ).toBe(true);
    // Replicated like the tenant's other settings.
    await eventually(async () => {
      const r = await as("ADMIN", () => south)("GET", "/v1/admin/sla-policy");
      return r.body?.version === 1 ? r : undefined;
    }, 15_000);
    // A change request filed now is due 6 hours (of the policy's calendar) later.
    const { accountId } = await groupWithAccount("SLA policy");
    const contract = await draftContract(as("INTEGRATOR"), accountId, 10_000, DOC);
    expect(contract.status).toBe(201);
    const filed = await as("REP")(
      "POST",
      `/v1/customers/${accountId}/change-requests`,
      { contractId: contract.body.id, kind: "scope", summary: "Two more probes" },
      key("cr"),
    );
    expect(filed.status).toBe(201);
    expect(filed.headers.get("lifeline-sla-policy")).toBe("tenant; version=1");
    const policy = TenantSlaPolicy.parse(POLICY);
    const clock = slaClock({
      filedAtMs: Date.parse(filed.body.filedAt),
      tier: "standard",
      policy,
      calendar: tenantCalendar("cn", policy),
    });
    expect(filed.body).toMatchObject({
      slaDueAt: new Date(clock.dueAtMs).toISOString(),
      slaWarnAt: new Date(clock.warnAtMs).toISOString(),
    });
  });
});

describe("[LF8] the groups replication route", () => {
  test("[LF8] an unsigned or wrongly signed push or pull is 401 and stores nothing", async () => {
    for (const path of ["/v1/replication/groups", "/v1/replication/groups/pull"]) {
      const res = await fetch(`${east.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "lifeline-key-id": "k1",
          "lifeline-timestamp": String(Date.now()),
          "lifeline-signature": "0".repeat(64),
        },
        body: JSON.stringify({
          v: 1,
          from: "cn-south",
          to: "cn-east",
          tenantId: "ten_demo",
          events: [{}],
        }),
      });
      expect(res.status, path).toBe(401);
    }
  });
});

// Last: what this file sent through the test client, against the published document.
describe("[contract] this file's traffic against /v1/openapi.json", () => {
  test("[contract] every answer validates against its documented status, body and headers", async () => {
    const doc = (await readJson(await fetch(`${east.url}/v1/openapi.json`))) as OpenApiDoc;
    const exchanges = recordedExchanges().filter((e) =>
      /^\/v1\/(groups|approvals|me|admin\/(groups|approval|sla-policy))/.test(e.target),
    );
    expect(exchanges.length).toBeGreaterThan(30);
    expect(exchanges.flatMap((e) => responseIssues(doc, e))).toEqual([]);
  });
});
