// What a tenant's groups state reads as: groups with members, accounts and delegations,
// approval requests with their status (derived from grow-only decisions, never stored),
// and the conflict records concurrent regions left [LF6]. Time is a parameter.
import { effective, sortedVariants, type Variant } from "../account/lattice.ts";
import type { Money } from "../money.ts";
import type { ApprovalKind } from "./model.ts";
import {
  type Decision,
  type Grant,
  type GroupsState,
  hlcTime,
  own,
  type Request,
} from "./state.ts";

export type DelegationStatus = "active" | "expired" | "revoked";

export type DelegationView = {
  id: string;
  groupId: string;
  userId: string;
  kinds: ApprovalKind[];
  maxAmount: Money;
  expiresAt: string;
  status: DelegationStatus;
  grantedAt: string;
  revokedAt: string | null;
};

export type GroupView = {
  id: string;
  name: string;
  createdAt: string;
  members: Array<{ userId: string; role: string }>;
  accountIds: string[];
  delegations: DelegationView[];
};

export function groupExists(state: GroupsState, groupId: string): boolean {
  return own(state.groups, groupId)?.created != null;
}

/** The group's members (removed ones left out), by user id. */
export function membersOf(
  state: GroupsState,
  groupId: string,
): Array<{ userId: string; role: string }> {
  const prefix = `${groupId}/`;
  const out: Array<{ userId: string; role: string }> = [];
  for (const [key, reg] of Object.entries(state.members)) {
    if (key.startsWith(prefix) && reg.value !== null)
      out.push({ userId: key.slice(prefix.length), role: reg.value });
  }
  return out.sort((a, b) => (a.userId < b.userId ? -1 : 1));
}

/** A user's role in a group, null when they are not a member. */
export function roleIn(state: GroupsState, groupId: string, userId: string): string | null {
  return own(state.members, `${groupId}/${userId}`)?.value ?? null;
}

export function accountsOf(state: GroupsState, groupId: string): string[] {
  return Object.entries(state.accounts)
    .filter(([, reg]) => reg.value === groupId)
    .map(([id]) => id)
    .sort();
}

export function groupOfAccount(state: GroupsState, accountId: string): string | null {
  return own(state.accounts, accountId)?.value ?? null;
}

/** The effective grant of a delegation id (the earliest, if regions wrote two). */
export function grantOf(state: GroupsState, delegationId: string): Variant<Grant> | null {
  const vs = own(state.delegations, delegationId);
  return vs ? effective(vs) : null;
}

export function isRevoked(state: GroupsState, delegationId: string): boolean {
  return own(state.revocations, delegationId) !== undefined;
}

export function delegationStatus(
  state: GroupsState,
  delegationId: string,
  grant: Grant,
  nowMs: number,
): DelegationStatus {
  if (isRevoked(state, delegationId)) return "revoked";
  return nowMs < Date.parse(grant.expiresAt) ? "active" : "expired";
}

export function delegationView(
  state: GroupsState,
  delegationId: string,
  nowMs: number,
): DelegationView | null {
  const fact = grantOf(state, delegationId);
  if (!fact) return null;
  const g = fact.value;
  const revoked = own(state.revocations, delegationId);
  return {
    id: delegationId,
    groupId: g.groupId,
    userId: g.userId,
    kinds: g.kinds,
    maxAmount: g.maxAmount,
    expiresAt: g.expiresAt,
    status: delegationStatus(state, delegationId, g, nowMs),
    grantedAt: hlcTime(fact.hlc),
    revokedAt: revoked ? hlcTime(revoked.hlc) : null,
  };
}

export function delegationsOf(
  state: GroupsState,
  groupId: string,
  nowMs: number,
): DelegationView[] {
  const out: DelegationView[] = [];
  for (const id of Object.keys(state.delegations).sort()) {
    const view = delegationView(state, id, nowMs);
    if (view?.groupId === groupId) out.push(view);
  }
  return out;
}

export function groupView(state: GroupsState, groupId: string, nowMs: number): GroupView | null {
  const g = own(state.groups, groupId);
  if (!g?.created) return null;
  return {
    id: groupId,
    name: g.name.value,
    createdAt: hlcTime(g.created.hlc),
    members: membersOf(state, groupId),
    accountIds: accountsOf(state, groupId),
    delegations: delegationsOf(state, groupId, nowMs),
  };
}

export function groupIds(state: GroupsState): string[] {
  return Object.keys(state.groups)
    .filter((id) => groupExists(state, id))
    .sort();
}

// --- Approvals -------------------------------------------------------------------------

export type ApprovalStatus = "pending" | "escalated" | "approved" | "rejected";

export type DecisionView = Flat<Decision & { at: string; hlc: string }>;

/** Flattened (no intersection), so Durable Object RPC types carry it. */
export type ApprovalView = Flat<
  Request & {
    id: string;
    status: ApprovalStatus;
    requestedAt: string;
    /** The decision in force: the first approval or rejection by HLC. */
    decision: DecisionView | null;
    /** Who decides now, while the request is escalated. */
    awaiting: "sales-manager" | "tenant-admin" | null;
    /** Every decision recorded, oldest first (escalations included). */
    history: DecisionView[];
    /** Decided on the simplified path: an approver must review it after the fact. */
    reviewRequired: boolean;
    conflicts: GroupConflict[];
  }
>;

type Flat<T> = { [K in keyof T]: T[K] };

export type GroupConflict =
  | {
      kind: "approval-decision";
      subject: string;
      /** The decision in force and the later, different one that lost by HLC. */
      kept: DecisionView;
      other: DecisionView;
    }
  | {
      kind: "approval-request" | "delegation-grant";
      subject: string;
      kept: unknown;
      other: unknown;
    };

const isFinal = (d: Decision) => d.outcome === "approved" || d.outcome === "rejected";

function decisionViews(state: GroupsState, approvalId: string): DecisionView[] {
  const facts = Object.values(own(state.decisions, approvalId) ?? {});
  return facts
    .sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.eventId < b.eventId ? -1 : 1))
    .map((f) => ({ ...f.value, at: hlcTime(f.hlc), hlc: f.hlc }));
}

export function approvalView(state: GroupsState, approvalId: string): ApprovalView | null {
  const vs = own(state.requests, approvalId);
  const request = vs ? effective(vs) : null;
  if (!vs || !request) return null;
  const history = decisionViews(state, approvalId);
  const finals = history.filter(isFinal);
  const decision = finals[0] ?? null;
  const lastEscalation = history.filter((d) => d.outcome === "escalated").at(-1) ?? null;
  const conflicts: GroupConflict[] = finals
    .slice(1)
    .filter((d) => d.outcome !== decision!.outcome)
    .map((other) => ({ kind: "approval-decision", subject: approvalId, kept: decision!, other }));
  for (const other of sortedVariants(vs).slice(1))
    conflicts.push({
      kind: "approval-request",
      subject: approvalId,
      kept: request.value,
      other: other.value,
    });
  return {
    id: approvalId,
    ...request.value,
    status: decision
      ? (decision.outcome as "approved" | "rejected")
      : lastEscalation
        ? "escalated"
        : "pending",
    requestedAt: hlcTime(request.hlc),
    decision,
    awaiting: decision ? null : (lastEscalation?.escalateTo ?? null),
    history,
    reviewRequired: decision?.path === "simplified" && decision.outcome === "approved",
    conflicts,
  };
}

export function approvalIds(state: GroupsState): string[] {
  return Object.keys(state.requests).sort();
}

/** Every conflict record of the tenant's groups state [LF6]. */
export function groupConflicts(state: GroupsState): GroupConflict[] {
  const out: GroupConflict[] = [];
  for (const id of approvalIds(state)) out.push(...(approvalView(state, id)?.conflicts ?? []));
  for (const [id, vs] of Object.entries(state.delegations)) {
    const [kept, ...others] = sortedVariants(vs);
    for (const other of others)
      out.push({ kind: "delegation-grant", subject: id, kept: kept!.value, other: other.value });
  }
  return out;
}
