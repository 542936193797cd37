// Commands on a tenant's groups: each is judged against the current state and becomes
// events, or a typed refusal that takes no effect. Limits are checked here, before any
// work, and the approval decision is taken here, inside the GroupsDO's transaction, so
// two decisions in one region never race.
import type { TenantSlaPolicy } from "../sla/tenant.ts";
import { DEFAULT_GROUP_ROLES, GROUP_LIMITS, type GroupEventData, LEAD_ROLE } from "./model.ts";
import {
  type ApprovalPolicy,
  type ApprovalVerdict,
  approvalPolicyOf,
  decideApproval,
  mayReject,
} from "./policy.ts";
import { type GroupsState, own } from "./state.ts";
import {
  accountsOf,
  approvalView,
  delegationsOf,
  grantOf,
  groupExists,
  groupIds,
  groupOfAccount,
  isRevoked,
  membersOf,
  roleIn,
} from "./views.ts";

type Data<K extends GroupEventData["type"]> = Omit<Extract<GroupEventData, { type: K }>, "type">;
type CommandOf<K extends GroupCommand["type"]> = Extract<GroupCommand, { type: K }>;

export type GroupCommand =
  | { type: "roles.set"; roles: string[] }
  | { type: "group.create"; groupId: string; name: string }
  | { type: "group.rename"; groupId: string; name: string }
  | { type: "member.set"; groupId: string; userId: string; role: string | null }
  /** `groupId` null takes the account out of `fromGroupId` (and only of it). */
  | { type: "account.set"; accountId: string; groupId: string | null; fromGroupId?: string }
  | ({ type: "delegation.grant" } & Data<"delegation.granted">)
  | { type: "delegation.revoke"; groupId: string; delegationId: string }
  | { type: "policy.set"; policy: ApprovalPolicy }
  | { type: "weights.set"; weights: unknown }
  | ({ type: "approval.request" } & Data<"approval.requested">)
  | {
      type: "approval.decide";
      approvalId: string;
      outcome: "approve" | "reject";
      note?: string | undefined;
      /** The caller and their tenant role. */
      actor: { userId: string; role: string };
      /** Whether `approvals-simplified` is in force for the tenant in this region now. */
      simplified: boolean;
    }
  | { type: "portal-policy.publish"; version: number; document: unknown }
  | { type: "sla-policy.publish"; policy: TenantSlaPolicy };

export type GroupError =
  | {
      code: "not-found";
      entity: "group" | "approval" | "delegation" | "member" | "account";
      id: string;
      /** Where it was looked for, when not the tenant as a whole. */
      within?: string;
    }
  | { code: "invalid-state"; message: string }
  | { code: "limit"; message: string }
  | { code: "unprocessable"; field: string; message: string }
  | { code: "forbidden"; message: string };

export type Target =
  | { kind: "roles" | "policy" | "weights" | "portal-policy" | "sla-policy" }
  | { kind: "group"; id: string }
  | { kind: "delegation"; id: string }
  | { kind: "approval"; id: string; verdict?: ApprovalVerdict };

export type GroupDecision =
  | { ok: true; events: GroupEventData[]; created: boolean; target: Target }
  | { ok: false; error: GroupError };

const refuse = (error: GroupError): GroupDecision => ({ ok: false, error });
const accept = (events: GroupEventData[], target: Target, created = false): GroupDecision => ({
  ok: true,
  events,
  created,
  target,
});
const groupMissing = (id: string) => refuse({ code: "not-found", entity: "group", id });

/** The tenant's roles as configured, or the defaults. */
export function rolesOf(state: GroupsState): readonly string[] {
  return state.roles?.value ?? DEFAULT_GROUP_ROLES;
}

export function decideGroups(state: GroupsState, cmd: GroupCommand, nowMs: number): GroupDecision {
  switch (cmd.type) {
    case "roles.set":
      return accept([{ type: "roles.set", roles: cmd.roles }], { kind: "roles" });
    case "group.create": {
      if (groupExists(state, cmd.groupId))
        return accept([], { kind: "group", id: cmd.groupId }, false);
      if (groupIds(state).length >= GROUP_LIMITS.groups)
        return refuse({
          code: "limit",
          message: `A tenant has at most ${GROUP_LIMITS.groups} groups.`,
        });
      const event = { type: "group.created" as const, groupId: cmd.groupId, name: cmd.name };
      return accept([event], { kind: "group", id: cmd.groupId }, true);
    }
    case "group.rename": {
      if (!groupExists(state, cmd.groupId)) return groupMissing(cmd.groupId);
      const same = own(state.groups, cmd.groupId)?.name.value === cmd.name;
      const event = { type: "group.renamed" as const, groupId: cmd.groupId, name: cmd.name };
      return accept(same ? [] : [event], { kind: "group", id: cmd.groupId });
    }
    case "member.set":
      return setMember(state, cmd);
    case "account.set":
      return setAccount(state, cmd);
    case "delegation.grant": {
      const { type: _, ...grant } = cmd;
      if (!groupExists(state, grant.groupId)) return groupMissing(grant.groupId);
      if (grantOf(state, grant.delegationId))
        return accept([], { kind: "delegation", id: grant.delegationId });
      if (roleIn(state, grant.groupId, grant.userId) !== LEAD_ROLE)
        return refuse({
          code: "unprocessable",
          field: "userId",
          message: `delegations are granted to the group's ${LEAD_ROLE}`,
        });
      if (Date.parse(grant.expiresAt) <= nowMs)
        return refuse({
          code: "unprocessable",
          field: "expiresAt",
          message: "must be in the future",
        });
      if (delegationsOf(state, grant.groupId, nowMs).length >= GROUP_LIMITS.delegationsPerGroup)
        return refuse({
          code: "limit",
          message: `A group holds at most ${GROUP_LIMITS.delegationsPerGroup} delegations.`,
        });
      return accept(
        [{ type: "delegation.granted", ...grant }],
        { kind: "delegation", id: grant.delegationId },
        true,
      );
    }
    case "delegation.revoke": {
      const grant = grantOf(state, cmd.delegationId)?.value;
      if (!grant || grant.groupId !== cmd.groupId)
        return refuse({ code: "not-found", entity: "delegation", id: cmd.delegationId });
      const events: GroupEventData[] = isRevoked(state, cmd.delegationId)
        ? []
        : [{ type: "delegation.revoked", delegationId: cmd.delegationId }];
      return accept(events, { kind: "delegation", id: cmd.delegationId });
    }
    case "policy.set":
      return accept([{ type: "approvals.policy-set", policy: cmd.policy }], { kind: "policy" });
    case "weights.set":
      return accept([{ type: "chi-weights.set", weights: cmd.weights }], { kind: "weights" });
    case "approval.request": {
      const { type: _, ...request } = cmd;
      if (approvalView(state, request.approvalId))
        return accept([], { kind: "approval", id: request.approvalId });
      if (!groupExists(state, request.groupId)) return groupMissing(request.groupId);
      if (groupOfAccount(state, request.accountId) !== request.groupId)
        return refuse({
          code: "unprocessable",
          field: "accountId",
          message: `the account is not in group ${request.groupId}`,
        });
      return accept(
        [{ type: "approval.requested", ...request }],
        { kind: "approval", id: request.approvalId },
        true,
      );
    }
    case "approval.decide":
      return decide(state, cmd, nowMs);
    case "portal-policy.publish": {
      const current = state.portalPolicy;
      if (current && current.version >= cmd.version)
        return refuse({
          code: "invalid-state",
          message: `version ${current.version} is published; publish a higher version`,
        });
      return accept(
        [{ type: "portal-policy.published", version: cmd.version, document: cmd.document }],
        { kind: "portal-policy" },
      );
    }
    case "sla-policy.publish": {
      // Versioned like the portal policy: two admins editing one version cannot both win.
      const current = state.slaPolicy;
      if (current && current.version >= cmd.policy.version)
        return refuse({
          code: "invalid-state",
          message: `SLA policy version ${current.version} is published; publish version ${current.version + 1} or higher (GET it first to see what changed)`,
        });
      return accept(
        [{ type: "sla-policy.published", version: cmd.policy.version, policy: cmd.policy }],
        { kind: "sla-policy" },
      );
    }
  }
}

function setMember(state: GroupsState, cmd: CommandOf<"member.set">): GroupDecision {
  const target: Target = { kind: "group", id: cmd.groupId };
  if (!groupExists(state, cmd.groupId)) return groupMissing(cmd.groupId);
  const current = roleIn(state, cmd.groupId, cmd.userId);
  if (cmd.role === null) {
    if (current === null)
      return refuse({
        code: "not-found",
        entity: "member",
        id: cmd.userId,
        within: `group ${cmd.groupId}`,
      });
  } else {
    if (!rolesOf(state).includes(cmd.role))
      return refuse({
        code: "unprocessable",
        field: "role",
        message: `not a role of this tenant (${rolesOf(state).join(", ")})`,
      });
    if (current === null && membersOf(state, cmd.groupId).length >= GROUP_LIMITS.membersPerGroup)
      return refuse({
        code: "limit",
        message: `A group has at most ${GROUP_LIMITS.membersPerGroup} members.`,
      });
  }
  if (current === cmd.role) return accept([], target);
  const { groupId, userId, role } = cmd;
  return accept([{ type: "group.member-set", groupId, userId, role }], target);
}

function setAccount(state: GroupsState, cmd: CommandOf<"account.set">): GroupDecision {
  const current = groupOfAccount(state, cmd.accountId);
  if (cmd.groupId === null) {
    const from = cmd.fromGroupId ?? current;
    if (from === null || !groupExists(state, from)) return groupMissing(from ?? "(none)");
    if (current !== from)
      return refuse({
        code: "not-found",
        entity: "group",
        id: `${from}/accounts/${cmd.accountId}`,
      });
    return accept([{ type: "account.group-set", accountId: cmd.accountId, groupId: null }], {
      kind: "group",
      id: from,
    });
  }
  const target: Target = { kind: "group", id: cmd.groupId };
  if (!groupExists(state, cmd.groupId)) return groupMissing(cmd.groupId);
  if (current === cmd.groupId) return accept([], target);
  if (accountsOf(state, cmd.groupId).length >= GROUP_LIMITS.accountsPerGroup)
    return refuse({
      code: "limit",
      message: `A group owns at most ${GROUP_LIMITS.accountsPerGroup} accounts.`,
    });
  return accept(
    [{ type: "account.group-set", accountId: cmd.accountId, groupId: cmd.groupId }],
    target,
  );
}

function decide(
  state: GroupsState,
  cmd: CommandOf<"approval.decide">,
  nowMs: number,
): GroupDecision {
  const view = approvalView(state, cmd.approvalId);
  if (!view) return refuse({ code: "not-found", entity: "approval", id: cmd.approvalId });
  if (view.decision)
    return refuse({
      code: "invalid-state",
      message: `The request was already ${view.decision.outcome} by ${view.decision.by}.`,
    });
  const policy = approvalPolicyOf(state);
  const target = (verdict: ApprovalVerdict): Target => ({
    kind: "approval",
    id: cmd.approvalId,
    verdict,
  });
  const note = cmd.note ? ` Note: ${cmd.note}` : "";
  if (cmd.outcome === "reject") {
    const may = mayReject(view, cmd.actor, state, policy);
    if (!may.allowed)
      return refuse({
        code: "forbidden",
        message: `Only the group's ${LEAD_ROLE} or a tenant ${policy.tenantDeciders.join(" or ")} rejects a request.`,
      });
    const why = `Rejected by the ${may.role}.${note}`;
    const verdict: ApprovalVerdict = {
      allowed: true,
      path: may.path,
      role: may.role,
      delegationId: null,
      why,
    };
    return accept(
      [
        {
          type: "approval.decided",
          approvalId: cmd.approvalId,
          outcome: "rejected",
          by: cmd.actor.userId,
          role: may.role,
          delegationId: null,
          path: may.path,
          why: clip(why),
        },
      ],
      target(verdict),
    );
  }
  const verdict = decideApproval(view, {
    actor: cmd.actor,
    state,
    policy,
    nowMs,
    simplified: cmd.simplified,
  });
  const event: GroupEventData = verdict.allowed
    ? {
        type: "approval.decided",
        approvalId: cmd.approvalId,
        outcome: "approved",
        by: cmd.actor.userId,
        role: verdict.role,
        delegationId: verdict.delegationId,
        path: verdict.path,
        why: clip(`${verdict.why}${note}`),
      }
    : {
        type: "approval.decided",
        approvalId: cmd.approvalId,
        outcome: "escalated",
        by: cmd.actor.userId,
        role: verdict.role ?? cmd.actor.role,
        delegationId: verdict.delegationId,
        path: "escalated",
        why: clip(`${verdict.why}${note}`),
        escalateTo: verdict.escalateTo,
      };
  return accept([event], target(verdict));
}

const clip = (text: string) => (text.length <= 1000 ? text : `${text.slice(0, 999)}…`);
