// [LF3] The groups state is a join: whatever order, duplication or grouping the events of
// a tenant arrive in, every region that holds them holds one state and one state hash;
// and [LF6] two different decisions of one request are both kept, the first by HLC in
// force and the other a conflict record, in every region.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson } from "../encoding.ts";
import { encodeHlc } from "../hlc.ts";
import type { GroupEvent, GroupEventData } from "./model.ts";
import { groupEventId } from "./model.ts";
import {
  emptyGroups,
  evolveGroups,
  foldGroups,
  type GroupsState,
  groupsStateHash,
  joinGroups,
  stateOf,
} from "./state.ts";
import { approvalView, groupConflicts, groupView, membersOf } from "./views.ts";

const REGIONS = ["cn-east", "cn-south", "eu-central"] as const;
const GROUPS = ["grp_00000000000000000000000001", "grp_00000000000000000000000002"];
const USERS = ["usr_a", "usr_b", "usr_c"];
const ACCOUNTS = ["acc_00000000000000000000000001", "acc_00000000000000000000000002"];
const DELEGATIONS = ["dlg_00000000000000000000000001", "dlg_00000000000000000000000002"];
const APPROVALS = ["apr_00000000000000000000000001", "apr_00000000000000000000000002"];
const T0 = 1_700_000_000_000;

let seq = 0;
function event(data: GroupEventData, region = "cn-east", wallMs = T0 + seq++): GroupEvent {
  const hlc = encodeHlc({ wallMs, counter: 0, region });
  return {
    v: 1,
    id: groupEventId(hlc),
    tenantId: "ten_demo",
    hlc,
    region,
    actor: { kind: "user", id: "usr_admin" },
    data,
  };
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const money = fc.record({
  value: fc.integer({ min: 1, max: 1_000 }),
  currency: pick(["CNY", "EUR"]),
});

/** Every event type, with few enough ids that concurrent writes collide. */
const dataArb: fc.Arbitrary<GroupEventData> = fc.oneof(
  fc.record({
    type: fc.constant("roles.set" as const),
    roles: fc
      .constantFrom(["sales-manager"], ["sales-manager", "industry-consultant"])
      .map((r) => [...r]),
  }),
  fc.record({
    type: fc.constant("group.created" as const),
    groupId: pick(GROUPS),
    name: pick(["East", "South"]),
  }),
  fc.record({
    type: fc.constant("group.renamed" as const),
    groupId: pick(GROUPS),
    name: pick(["East 2", "South 2"]),
  }),
  fc.record({
    type: fc.constant("group.member-set" as const),
    groupId: pick(GROUPS),
    userId: pick(USERS),
    role: fc.constantFrom("sales-manager", "industry-consultant", null),
  }),
  fc.record({
    type: fc.constant("account.group-set" as const),
    accountId: pick(ACCOUNTS),
    groupId: fc.constantFrom(...GROUPS, null),
  }),
  fc.record({
    type: fc.constant("delegation.granted" as const),
    delegationId: pick(DELEGATIONS),
    groupId: pick(GROUPS),
    userId: pick(USERS),
    kinds: fc.constantFrom("discount" as const, "custom-quote" as const).map((k) => [k]),
    maxAmount: money,
    expiresAt: pick(["2030-01-01T00:00:00.000Z", "2031-01-01T00:00:00.000Z"]),
  }),
  fc.record({ type: fc.constant("delegation.revoked" as const), delegationId: pick(DELEGATIONS) }),
  fc.record({
    type: fc.constant("approval.requested" as const),
    approvalId: pick(APPROVALS),
    accountId: pick(ACCOUNTS),
    groupId: pick(GROUPS),
    kind: fc.constant("discount" as const),
    amount: money,
    reason: pick(["tender", "renewal"]),
    requestedBy: pick(USERS),
  }),
  fc.record({
    type: fc.constant("approval.decided" as const),
    approvalId: pick(APPROVALS),
    outcome: fc.constantFrom("approved" as const, "rejected" as const, "escalated" as const),
    by: pick(USERS),
    role: fc.constant("sales-manager"),
    delegationId: fc.constantFrom(...DELEGATIONS, null),
    path: fc.constantFrom("delegated" as const, "simplified" as const),
    why: fc.constant("because"),
  }),
  fc.record({
    type: fc.constant("approvals.policy-set" as const),
    policy: fc.constantFrom({ a: 1 }, { a: 2 }),
  }),
  fc.record({
    type: fc.constant("portal-policy.published" as const),
    version: fc.integer({ min: 1, max: 3 }),
    document: fc.constantFrom({ tiers: 1 }, { tiers: 2 }),
  }),
  fc.record({
    type: fc.constant("sla-policy.published" as const),
    version: fc.integer({ min: 1, max: 3 }),
    policy: fc.constantFrom({ warnAtFraction: 0.5 }, { warnAtFraction: 0.8 }),
  }),
);

/** Events of three regions with colliding wall times (ties broken by region in the HLC). */
const eventsArb = fc
  .array(fc.tuple(dataArb, pick(REGIONS), fc.integer({ min: 0, max: 20 })), {
    minLength: 1,
    maxLength: 40,
  })
  .map((xs) => {
    const used = new Set<string>();
    return xs.flatMap(([data, region, dt]) => {
      const e = event(data, region, T0 + dt);
      if (used.has(e.id)) return [];
      used.add(e.id);
      return [e];
    });
  });

const same = (a: GroupsState, b: GroupsState) => {
  if (canonicalJson(a) !== canonicalJson(b)) expect(a).toEqual(b);
};

describe("[LF3] the groups state is a join", () => {
  test("[LF3] any order and any duplication of a tenant's events folds to one state and one hash", () => {
    fc.assert(
      fc.property(eventsArb, fc.infiniteStream(fc.nat()), (events, rnd) => {
        const shuffled = [...events, ...events.slice(0, 5)]
          .map((e) => ({ e, k: rnd.next().value }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.e);
        const a = foldGroups(events);
        const b = foldGroups(shuffled);
        same(a, b);
        expect(groupsStateHash(a)).toBe(groupsStateHash(b));
      }),
      { numRuns: 300 },
    );
  });

  test("[LF3] join is commutative, associative and idempotent", () => {
    fc.assert(
      fc.property(eventsArb, eventsArb, eventsArb, (xs, ys, zs) => {
        const [a, b, c] = [foldGroups(xs), foldGroups(ys), foldGroups(zs)];
        same(joinGroups(a, b), joinGroups(b, a));
        same(joinGroups(joinGroups(a, b), c), joinGroups(a, joinGroups(b, c)));
        same(joinGroups(a, a), a);
        // And it is the fold of the union: folding in parts then joining changes nothing.
        same(joinGroups(a, b), foldGroups([...xs, ...ys]));
      }),
      { numRuns: 200 },
    );
  });

  test("[LF3] a state joined with the empty state is itself, and an event applied twice counts once", () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const s = foldGroups(events);
        same(joinGroups(s, emptyGroups()), s);
        same(evolveGroups(s, events[0]!), s);
      }),
    );
  });

  test("[LF3] the hash differs when the state differs", () => {
    const a = foldGroups([event({ type: "group.created", groupId: GROUPS[0]!, name: "East" })]);
    const b = foldGroups([event({ type: "group.created", groupId: GROUPS[0]!, name: "West" })]);
    expect(groupsStateHash(a)).not.toBe(groupsStateHash(b));
    expect(groupsStateHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("merge rules", () => {
  const g = GROUPS[0]!;

  test("a member set later by HLC wins, and a removal (null) after it takes the member out", () => {
    const added = event(
      { type: "group.member-set", groupId: g, userId: "usr_a", role: "industry-consultant" },
      "cn-east",
      T0 + 1,
    );
    const promoted = event(
      { type: "group.member-set", groupId: g, userId: "usr_a", role: "sales-manager" },
      "cn-south",
      T0 + 2,
    );
    const removed = event(
      { type: "group.member-set", groupId: g, userId: "usr_a", role: null },
      "cn-east",
      T0 + 3,
    );
    expect(membersOf(foldGroups([promoted, added]), g)).toEqual([
      { userId: "usr_a", role: "sales-manager" },
    ]);
    expect(membersOf(foldGroups([removed, added, promoted]), g)).toEqual([]);
  });

  test("an account belongs to one group: the later assignment by HLC wins in every order", () => {
    const created = GROUPS.map((id) => event({ type: "group.created", groupId: id, name: id }));
    const toFirst = event(
      { type: "account.group-set", accountId: ACCOUNTS[0]!, groupId: GROUPS[0]! },
      "cn-south",
      T0 + 100,
    );
    const toSecond = event(
      { type: "account.group-set", accountId: ACCOUNTS[0]!, groupId: GROUPS[1]! },
      "cn-east",
      T0 + 100,
    );
    for (const order of [
      [toFirst, toSecond],
      [toSecond, toFirst],
    ]) {
      const s = foldGroups([...created, ...order]);
      // Equal wall times: the HLC's region breaks the tie (cn-south > cn-east).
      expect(groupView(s, GROUPS[0]!, T0)?.accountIds).toEqual([ACCOUNTS[0]]);
      expect(groupView(s, GROUPS[1]!, T0)?.accountIds).toEqual([]);
    }
  });

  test("a revocation wins over its grant whatever the order they arrive in", () => {
    const created = event({ type: "group.created", groupId: g, name: "East" });
    const grant = event({
      type: "delegation.granted",
      delegationId: DELEGATIONS[0]!,
      groupId: g,
      userId: "usr_a",
      kinds: ["discount"],
      maxAmount: { value: 100, currency: "CNY" },
      expiresAt: "2030-01-01T00:00:00.000Z",
    });
    const revoked = event({ type: "delegation.revoked", delegationId: DELEGATIONS[0]! });
    for (const order of [
      [created, grant, revoked],
      [revoked, created, grant],
    ]) {
      expect(groupView(foldGroups(order), g, T0)?.delegations[0]?.status).toBe("revoked");
    }
  });

  test("[LF6] two different decisions of one request: the first by HLC is in force, the other a conflict record, in both regions", () => {
    const request = event({
      type: "approval.requested",
      approvalId: APPROVALS[0]!,
      accountId: ACCOUNTS[0]!,
      groupId: g,
      kind: "discount",
      amount: { value: 500, currency: "CNY" },
      reason: "tender",
      requestedBy: "usr_c",
    });
    const decision = (outcome: "approved" | "rejected", region: string, at: number) =>
      event(
        {
          type: "approval.decided",
          approvalId: APPROVALS[0]!,
          outcome,
          by: outcome === "approved" ? "usr_a" : "usr_b",
          role: "sales-manager",
          delegationId: null,
          path: "delegated",
          why: "x",
        },
        region,
        at,
      );
    const approved = decision("approved", "cn-east", T0 + 500);
    const rejected = decision("rejected", "cn-south", T0 + 501);
    const east = foldGroups([request, approved, rejected]);
    const south = foldGroups([rejected, request, approved]);
    same(east, south);
    const view = approvalView(east, APPROVALS[0]!)!;
    expect(view.status).toBe("approved");
    expect(view.history.map((d) => d.outcome)).toEqual(["approved", "rejected"]);
    expect(view.conflicts).toEqual([
      expect.objectContaining({
        kind: "approval-decision",
        subject: APPROVALS[0],
        other: expect.objectContaining({ outcome: "rejected", by: "usr_b" }),
      }),
    ]);
    expect(groupConflicts(east)).toHaveLength(1);
  });

  test("an escalation is history, not a decision: the request waits for whom it names", () => {
    const request = event({
      type: "approval.requested",
      approvalId: APPROVALS[1]!,
      accountId: ACCOUNTS[0]!,
      groupId: g,
      kind: "discount",
      amount: { value: 500, currency: "CNY" },
      reason: "tender",
      requestedBy: "usr_c",
    });
    const escalated = event({
      type: "approval.decided",
      approvalId: APPROVALS[1]!,
      outcome: "escalated",
      by: "usr_a",
      role: "sales-manager",
      delegationId: null,
      path: "escalated",
      why: "above",
      escalateTo: "tenant-admin",
    });
    const view = approvalView(foldGroups([request, escalated]), APPROVALS[1]!)!;
    expect(view).toMatchObject({
      status: "escalated",
      awaiting: "tenant-admin",
      decision: null,
      conflicts: [],
    });
  });

  test("the portal policy with the highest version wins, then the later HLC", () => {
    const v2 = event(
      { type: "portal-policy.published", version: 2, document: { a: 2 } },
      "cn-east",
      T0 + 1,
    );
    const v1late = event(
      { type: "portal-policy.published", version: 1, document: { a: 1 } },
      "cn-south",
      T0 + 9,
    );
    expect(foldGroups([v2, v1late]).portalPolicy?.document).toEqual({ a: 2 });
    expect(stateOf(v1late).portalPolicy?.version).toBe(1);
  });

  test("the SLA policy with the highest version wins, then the later HLC; a tenant without one hashes as before", () => {
    const v2 = event(
      { type: "sla-policy.published", version: 2, policy: { version: 2 } },
      "cn-east",
      T0 + 1,
    );
    const v1late = event(
      { type: "sla-policy.published", version: 1, policy: { version: 1 } },
      "cn-south",
      T0 + 9,
    );
    for (const order of [
      [v2, v1late],
      [v1late, v2],
    ])
      expect(foldGroups(order).slaPolicy).toEqual({
        version: 2,
        document: { version: 2 },
        hlc: v2.hlc,
      });
    // Absent until published: a state without one hashes as it did before SLA policies
    // existed (pinned: lifeline.groups-state.v1 of this one event, computed before them).
    const created = event(
      { type: "group.created", groupId: GROUPS[0]!, name: "East" },
      "cn-east",
      T0,
    );
    expect(Object.keys(foldGroups([created]))).not.toContain("slaPolicy");
    expect(groupsStateHash(foldGroups([created]))).toBe(
      "0be52c0926b09d608676c01634c49ba7b627482a5bad69a60e50cca8ba93321f",
    );
  });
});
