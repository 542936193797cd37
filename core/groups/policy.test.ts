// Delegated approvals (DESIGN §11): a group lead approves within a delegation (kind,
// amount in the same currency, before expiry, not revoked); everything else escalates,
// with the reason; under approvals-simplified the policy's simplified path applies and
// says so. Each row is one rule.
import { describe, expect, test } from "vitest";
import { encodeHlc } from "../hlc.ts";
import { decideGroups } from "./decide.ts";
import { type GroupEvent, type GroupEventData, groupEventId } from "./model.ts";
import {
  ApprovalPolicy,
  type ApprovalVerdict,
  DEFAULT_APPROVAL_POLICY,
  decideApproval,
} from "./policy.ts";
import { foldGroups, type Request } from "./state.ts";
import { approvalView } from "./views.ts";

const G = "grp_00000000000000000000000001";
const OTHER_G = "grp_00000000000000000000000002";
const ACC = "acc_00000000000000000000000001";
const DLG = "dlg_00000000000000000000000001";
const LEAD = "usr_lead";
const NOW = Date.parse("2026-06-01T00:00:00Z");
const EXPIRES = "2026-07-01T00:00:00.000Z";

let n = 0;
const ev = (data: GroupEventData): GroupEvent => {
  const hlc = encodeHlc({ wallMs: NOW - 1_000_000 + n++, counter: 0, region: "cn-east" });
  return {
    v: 1,
    id: groupEventId(hlc),
    tenantId: "ten_demo",
    hlc,
    region: "cn-east",
    actor: { kind: "user", id: "usr_admin" },
    data,
  };
};

const base = [
  ev({ type: "group.created", groupId: G, name: "East key accounts" }),
  ev({ type: "group.created", groupId: OTHER_G, name: "South" }),
  ev({ type: "group.member-set", groupId: G, userId: LEAD, role: "sales-manager" }),
  ev({
    type: "group.member-set",
    groupId: G,
    userId: "usr_consultant",
    role: "industry-consultant",
  }),
  ev({
    type: "group.member-set",
    groupId: OTHER_G,
    userId: "usr_other_lead",
    role: "sales-manager",
  }),
  ev({
    type: "delegation.granted",
    delegationId: DLG,
    groupId: G,
    userId: LEAD,
    kinds: ["discount", "spare-part-transfer"],
    maxAmount: { value: 50_000_00, currency: "CNY" },
    expiresAt: EXPIRES,
  }),
];

const request = (over: Partial<Request> = {}): Request => ({
  accountId: ACC,
  groupId: G,
  kind: "discount",
  amount: { value: 20_000_00, currency: "CNY" },
  reason: "tender",
  requestedBy: "usr_rep",
  ...over,
});

function judge(
  req: Request,
  opts: {
    actor?: { userId: string; role: string };
    extra?: GroupEventData[];
    nowMs?: number;
    simplified?: boolean;
    policy?: ApprovalPolicy;
  } = {},
): ApprovalVerdict {
  return decideApproval(req, {
    actor: opts.actor ?? { userId: LEAD, role: "rep" },
    state: foldGroups([...base, ...(opts.extra ?? []).map(ev)]),
    policy: opts.policy ?? DEFAULT_APPROVAL_POLICY,
    nowMs: opts.nowMs ?? NOW,
    simplified: opts.simplified ?? false,
  });
}

describe("a group lead approves within their delegation", () => {
  test("within the delegation (kind listed, amount ≤ limit, same currency, before expiry): approved, delegated, naming it", () => {
    expect(judge(request())).toEqual({
      allowed: true,
      path: "delegated",
      role: "sales-manager",
      delegationId: DLG,
      why: expect.stringContaining(DLG),
    });
    // The limit itself is within.
    expect(judge(request({ amount: { value: 50_000_00, currency: "CNY" } })).allowed).toBe(true);
  });

  test("a tenant admin approves anything, on the tenant-admin path, with no delegation", () => {
    const v = judge(request({ amount: { value: 9_000_000_00, currency: "CNY" } }), {
      actor: { userId: "usr_admin", role: "admin" },
    });
    expect(v).toMatchObject({
      allowed: true,
      path: "tenant-admin",
      delegationId: null,
      role: "admin",
    });
  });
});

describe("everything else escalates, with the reason", () => {
  const cases: Array<[string, Request, Parameters<typeof judge>[1], string, string]> = [
    [
      "above the limit",
      request({ amount: { value: 50_000_01, currency: "CNY" } }),
      {},
      "above-limit",
      "tenant-admin",
    ],
    ["after expiry", request(), { nowMs: Date.parse(EXPIRES) }, "expired", "tenant-admin"],
    [
      "a kind the delegation does not list",
      request({ kind: "custom-quote" }),
      {},
      "kind-not-delegated",
      "tenant-admin",
    ],
    [
      "another currency",
      request({ amount: { value: 100, currency: "EUR" } }),
      {},
      "currency",
      "tenant-admin",
    ],
    [
      "a revoked delegation",
      request(),
      { extra: [{ type: "delegation.revoked", delegationId: DLG }] },
      "revoked",
      "tenant-admin",
    ],
    [
      "a non-member",
      request(),
      { actor: { userId: "usr_stranger", role: "rep" } },
      "not-a-lead",
      "sales-manager",
    ],
    [
      "a member who is not the lead",
      request(),
      { actor: { userId: "usr_consultant", role: "rep" } },
      "not-a-lead",
      "sales-manager",
    ],
    [
      "the lead of another group",
      request(),
      { actor: { userId: "usr_other_lead", role: "rep" } },
      "not-a-lead",
      "sales-manager",
    ],
    ["the lead's own request", request({ requestedBy: LEAD }), {}, "own-request", "tenant-admin"],
    [
      "a discount above the tenant-only percentage",
      request({ discountPercent: 35 }),
      {},
      "tenant-only",
      "tenant-admin",
    ],
    [
      "a lead without a delegation",
      request(),
      {
        extra: [
          { type: "group.member-set", groupId: G, userId: "usr_new_lead", role: "sales-manager" },
        ],
        actor: { userId: "usr_new_lead", role: "rep" },
      },
      "no-delegation",
      "tenant-admin",
    ],
  ];
  test.each(cases)("%s escalates (%s)", (_, req, opts, reason, escalateTo) => {
    const v = judge(req, opts);
    expect(v.allowed).toBe(false);
    expect(v).toMatchObject({ reason, escalateTo });
    expect(v.why.length).toBeGreaterThan(10);
  });

  test("above a kind's tenant-only amount even a delegation that covers it escalates", () => {
    const policy = ApprovalPolicy.parse({
      kinds: { discount: { tenantOnlyAbove: { value: 10_000_00, currency: "CNY" } } },
    });
    expect(judge(request(), { policy })).toMatchObject({ allowed: false, reason: "tenant-only" });
  });

  test("a manager decides as a tenant decider only when the policy names the role", () => {
    const manager = { userId: "usr_m", role: "manager" };
    expect(judge(request(), { actor: manager }).allowed).toBe(false);
    const policy = ApprovalPolicy.parse({ tenantDeciders: ["admin", "manager"] });
    expect(judge(request(), { actor: manager, policy })).toMatchObject({
      allowed: true,
      path: "tenant-admin",
    });
  });
});

describe("under approvals-simplified the policy's simplified path applies and says so", () => {
  test("within the delegation: approved on the simplified path, which names the mode and asks for review", () => {
    const v = judge(request(), { simplified: true });
    expect(v).toMatchObject({ allowed: true, path: "simplified", delegationId: DLG });
    expect(v.why).toContain("approvals-simplified");
    expect(v.why).toContain("reviewed after the fact");
  });

  test("an expired delegation within the grace period still counts; past it, the request escalates", () => {
    const justExpired = Date.parse(EXPIRES) + 60_000;
    expect(judge(request(), { simplified: true, nowMs: justExpired })).toMatchObject({
      allowed: true,
      path: "simplified",
    });
    expect(judge(request(), { simplified: false, nowMs: justExpired })).toMatchObject({
      allowed: false,
      reason: "expired",
    });
    const pastGrace = Date.parse(EXPIRES) + DEFAULT_APPROVAL_POLICY.simplified.expiryGraceMs;
    expect(judge(request(), { simplified: true, nowMs: pastGrace })).toMatchObject({
      allowed: false,
      reason: "expired",
    });
  });

  test("the limit multiplier widens the limit; revocations, kinds and tenant-only thresholds still hold", () => {
    const policy = ApprovalPolicy.parse({ simplified: { limitMultiplier: 2 } });
    const double = request({ amount: { value: 100_000_00, currency: "CNY" } });
    expect(judge(double, { simplified: true, policy })).toMatchObject({
      allowed: true,
      path: "simplified",
    });
    expect(judge(double, { simplified: true })).toMatchObject({
      allowed: false,
      reason: "above-limit",
    });
    const revoked = { extra: [{ type: "delegation.revoked" as const, delegationId: DLG }] };
    expect(judge(request(), { ...revoked, simplified: true, policy })).toMatchObject({
      allowed: false,
      reason: "revoked",
    });
    expect(judge(request({ kind: "custom-quote" }), { simplified: true, policy }).allowed).toBe(
      false,
    );
    expect(judge(request({ discountPercent: 50 }), { simplified: true, policy }).allowed).toBe(
      false,
    );
  });

  test("a non-member still cannot approve under the mode", () => {
    expect(
      judge(request(), { simplified: true, actor: { userId: "usr_x", role: "rep" } }),
    ).toMatchObject({
      allowed: false,
      reason: "not-a-lead",
    });
  });
});

describe("decisions as commands", () => {
  const requested = ev({
    type: "approval.requested",
    approvalId: "apr_00000000000000000000000001",
    ...request(),
  });
  const state = () => foldGroups([...base, requested]);
  const decideAs = (userId: string, role: string, outcome: "approve" | "reject") =>
    decideGroups(
      state(),
      {
        type: "approval.decide",
        approvalId: "apr_00000000000000000000000001",
        outcome,
        actor: { userId, role },
        simplified: false,
      },
      NOW,
    );

  test("an approval within the delegation records who, what and under which delegation", () => {
    const d = decideAs(LEAD, "rep", "approve");
    expect(d.ok && d.events).toEqual([
      expect.objectContaining({
        type: "approval.decided",
        outcome: "approved",
        by: LEAD,
        role: "sales-manager",
        delegationId: DLG,
        path: "delegated",
      }),
    ]);
  });

  test("an approval the lead may not give is recorded as an escalation naming who decides next", () => {
    const d = decideAs("usr_consultant", "rep", "approve");
    expect(d.ok && d.events[0]).toMatchObject({
      outcome: "escalated",
      path: "escalated",
      escalateTo: "sales-manager",
    });
  });

  test("only the group's lead or a tenant decider rejects; a decided request is not decided again", () => {
    expect(decideAs("usr_consultant", "rep", "reject")).toMatchObject({
      ok: false,
      error: { code: "forbidden" },
    });
    const rejected = decideAs(LEAD, "rep", "reject");
    expect(rejected.ok && rejected.events[0]).toMatchObject({ outcome: "rejected", by: LEAD });
    const after = foldGroups([
      ...base,
      requested,
      ev(rejected.ok ? rejected.events[0]! : requested.data),
    ]);
    expect(approvalView(after, "apr_00000000000000000000000001")?.status).toBe("rejected");
    const again = decideGroups(
      after,
      {
        type: "approval.decide",
        approvalId: "apr_00000000000000000000000001",
        outcome: "approve",
        actor: { userId: "usr_admin", role: "admin" },
        simplified: false,
      },
      NOW,
    );
    expect(again).toMatchObject({ ok: false, error: { code: "invalid-state" } });
  });
});
