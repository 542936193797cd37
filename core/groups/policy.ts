// Delegated approvals (DESIGN §11): who may approve a request, under which delegation, and
// where it goes when they may not. Pure: the state, the tenant's policy, the time and
// whether `approvals-simplified` is in force are all parameters.
//
// The normal path: a tenant decider (by tenant role, `admin` by default) approves anything;
// a group lead (a member of the request's group with the `sales-manager` role) approves
// within one of their delegations: the kind is listed, the amount is at most the limit in
// the same currency, the delegation has not expired and is not revoked. Above a kind's
// tenant-only threshold, only a tenant decider approves. A requester never approves their
// own request. Everything else escalates, to the group's lead or to a tenant decider.
//
// The simplified path (`approvals-simplified`, entered when a region is cut off from its
// peers): the region cannot know whether a delegation was renewed or extended elsewhere,
// so a lead's approval is judged against the last delegations it knows with slack: up to
// `limitMultiplier` × the limit, and a delegation that expired at most `expiryGraceMs` ago
// still counts. Revocations it knows still apply, and so do tenant-only thresholds. Every
// approval a lead makes under the mode takes this path, says so (`path: "simplified"`) and
// is marked for review after the fact.
import { z } from "zod";
import { format, type Money, PositiveMoney } from "../money.ts";
import { type ApprovalKind, LEAD_ROLE } from "./model.ts";
import { type Grant, type GroupsState, own, type Request } from "./state.ts";
import { grantOf, isRevoked, roleIn } from "./views.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export const KindRule = z.strictObject({
  /** Above this amount only a tenant decider approves, whatever a delegation says. */
  tenantOnlyAbove: PositiveMoney.nullable().default(null),
  /** Discounts: above this percentage only a tenant decider approves. */
  tenantOnlyAbovePercent: z.number().min(0).max(100).nullable().default(null),
});
export type KindRule = z.infer<typeof KindRule>;

export const TENANT_DECIDER_ROLES = ["admin", "manager"] as const;

export const ApprovalPolicy = z
  .strictObject({
    kinds: z
      .strictObject({
        discount: KindRule.prefault({ tenantOnlyAbovePercent: 30 }),
        "spare-part-transfer": KindRule.prefault({}),
        "custom-quote": KindRule.prefault({}),
      })
      .prefault({}),
    /** Tenant roles that decide any request, escalated ones included. */
    tenantDeciders: z
      .array(z.enum(TENANT_DECIDER_ROLES))
      .min(1)
      .refine((rs) => new Set(rs).size === rs.length, { message: "roles must be unique" })
      .default(["admin"]),
    /** What applies under `approvals-simplified` (see above). */
    simplified: z
      .strictObject({
        limitMultiplier: z.number().min(1).max(10).default(1),
        expiryGraceMs: z
          .int()
          .min(0)
          .max(30 * DAY_MS)
          .default(7 * DAY_MS),
      })
      .prefault({}),
  })
  .meta({ id: "ApprovalPolicy" });
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

export const DEFAULT_APPROVAL_POLICY: ApprovalPolicy = ApprovalPolicy.parse({});

/** The tenant's policy as stored, or the default (a stored one a newer build wrote too). */
export function approvalPolicyOf(state: GroupsState): ApprovalPolicy {
  if (state.policy === null) return DEFAULT_APPROVAL_POLICY;
  const parsed = ApprovalPolicy.safeParse(state.policy.value);
  return parsed.success ? parsed.data : DEFAULT_APPROVAL_POLICY;
}

/** Why a request escalates, as a code clients and tests branch on. */
export type EscalationReason =
  | "not-a-lead"
  | "own-request"
  | "tenant-only"
  | "no-delegation"
  | "kind-not-delegated"
  | "currency"
  | "above-limit"
  | "expired"
  | "revoked";

export type ApprovalVerdict =
  | {
      allowed: true;
      path: "delegated" | "simplified" | "tenant-admin";
      /** The decider's role: their group role, or their tenant role on the tenant-admin path. */
      role: string;
      delegationId: string | null;
      why: string;
    }
  | {
      allowed: false;
      escalateTo: "tenant-admin" | "sales-manager";
      reason: EscalationReason;
      role: string | null;
      /** The delegation that came closest, if any. */
      delegationId: string | null;
      why: string;
    };

export type DecideContext = {
  /** `role` is the caller's tenant role (admin, manager, rep, …). */
  actor: { userId: string; role: string };
  state: GroupsState;
  policy: ApprovalPolicy;
  nowMs: number;
  simplified: boolean;
};

/** Whether an amount is above a threshold; another currency cannot be compared: it is. */
const above = (amount: Money, limit: Money) =>
  amount.currency !== limit.currency || amount.value > limit.value;

/** Judges whether the actor may approve `request` now, and under what. */
export function decideApproval(request: Request, ctx: DecideContext): ApprovalVerdict {
  const { actor, state, policy } = ctx;
  if ((policy.tenantDeciders as readonly string[]).includes(actor.role))
    return {
      allowed: true,
      path: "tenant-admin",
      role: actor.role,
      delegationId: null,
      why: `A tenant ${actor.role} decides any request.`,
    };
  const role = roleIn(state, request.groupId, actor.userId);
  const escalate = (
    escalateTo: "tenant-admin" | "sales-manager",
    reason: EscalationReason,
    why: string,
    delegationId: string | null = null,
  ): ApprovalVerdict => ({ allowed: false, escalateTo, reason, role, delegationId, why });

  const rule = own(policy.kinds, request.kind) ?? KindRule.parse({});
  if (rule.tenantOnlyAbove && above(request.amount, rule.tenantOnlyAbove))
    return escalate(
      "tenant-admin",
      "tenant-only",
      `A ${request.kind} above ${format(rule.tenantOnlyAbove)} is decided by a tenant ${policy.tenantDeciders.join(" or ")} only.`,
    );
  if (
    rule.tenantOnlyAbovePercent !== null &&
    request.discountPercent !== undefined &&
    request.discountPercent > rule.tenantOnlyAbovePercent
  )
    return escalate(
      "tenant-admin",
      "tenant-only",
      `A discount above ${rule.tenantOnlyAbovePercent}% is decided by a tenant ${policy.tenantDeciders.join(" or ")} only.`,
    );
  if (role !== LEAD_ROLE)
    return escalate(
      "sales-manager",
      "not-a-lead",
      role === null
        ? `${actor.userId} is not a member of group ${request.groupId}; its ${LEAD_ROLE} decides.`
        : `A ${role} does not approve; the group's ${LEAD_ROLE} decides.`,
    );
  if (request.requestedBy === actor.userId)
    return escalate(
      "tenant-admin",
      "own-request",
      "Nobody approves their own request; a tenant decider does.",
    );

  const judged = delegationsFor(state, request.groupId, actor.userId)
    .map(([id, grant]) => ({ id, grant, ...judge(request, id, grant, ctx) }))
    // Best first: within the limit, then the tightest limit, then the id.
    .sort(
      (a, b) =>
        RANK[a.reason] - RANK[b.reason] ||
        a.grant.maxAmount.value - b.grant.maxAmount.value ||
        (a.id < b.id ? -1 : 1),
    );
  const best = judged[0];
  if (!best)
    return escalate(
      "tenant-admin",
      "no-delegation",
      `${actor.userId} holds no delegation in group ${request.groupId}.`,
    );
  if (best.reason === "within") {
    const limit = format(best.grant.maxAmount);
    if (ctx.simplified)
      return {
        allowed: true,
        path: "simplified",
        role,
        delegationId: best.id,
        why: `approvals-simplified is in force: approved on the policy's simplified path, within delegation ${best.id} (${request.kind} up to ${limit}); to be reviewed after the fact.`,
      };
    return {
      allowed: true,
      path: "delegated",
      role,
      delegationId: best.id,
      why: `Within delegation ${best.id}: ${request.kind} up to ${limit} until ${best.grant.expiresAt}.`,
    };
  }
  if (ctx.simplified && best.simplifiedOk) {
    const { limitMultiplier, expiryGraceMs } = policy.simplified;
    return {
      allowed: true,
      path: "simplified",
      role,
      delegationId: best.id,
      why: `approvals-simplified is in force: the policy's simplified path allows up to ${limitMultiplier}× the delegated ${format(best.grant.maxAmount)} and a delegation expired up to ${Math.round(expiryGraceMs / 3_600_000)} h ago (${best.why}); to be reviewed after the fact.`,
    };
  }
  return escalate("tenant-admin", best.reason, best.why, best.id);
}

const RANK: Record<"within" | EscalationReason, number> = {
  within: 0,
  expired: 1,
  "above-limit": 2,
  currency: 3,
  "kind-not-delegated": 4,
  revoked: 5,
  "not-a-lead": 6,
  "own-request": 6,
  "tenant-only": 6,
  "no-delegation": 6,
};

/** The actor's delegations in the group (revoked ones too: they say why). */
function delegationsFor(state: GroupsState, groupId: string, userId: string): [string, Grant][] {
  const out: [string, Grant][] = [];
  for (const id of Object.keys(state.delegations)) {
    const grant = grantOf(state, id)?.value;
    if (grant && grant.groupId === groupId && grant.userId === userId) out.push([id, grant]);
  }
  return out;
}

type Judgement = {
  reason: "within" | "kind-not-delegated" | "currency" | "above-limit" | "expired" | "revoked";
  why: string;
  /** Whether the simplified path's slack would cover it. */
  simplifiedOk: boolean;
};

function judge(request: Request, id: string, grant: Grant, ctx: DecideContext): Judgement {
  const { limitMultiplier, expiryGraceMs } = ctx.policy.simplified;
  const expiresMs = Date.parse(grant.expiresAt);
  if (isRevoked(ctx.state, id))
    return { reason: "revoked", why: `Delegation ${id} was revoked.`, simplifiedOk: false };
  if (!grant.kinds.includes(request.kind as ApprovalKind))
    return {
      reason: "kind-not-delegated",
      why: `Delegation ${id} covers ${grant.kinds.join(", ")}, not ${request.kind}.`,
      simplifiedOk: false,
    };
  if (grant.maxAmount.currency !== request.amount.currency)
    return {
      reason: "currency",
      why: `Delegation ${id} is in ${grant.maxAmount.currency}; the request is in ${request.amount.currency}.`,
      simplifiedOk: false,
    };
  const withinSlack =
    request.amount.value <= grant.maxAmount.value * limitMultiplier &&
    ctx.nowMs < expiresMs + expiryGraceMs;
  if (request.amount.value > grant.maxAmount.value)
    return {
      reason: "above-limit",
      why: `${format(request.amount)} is above delegation ${id}'s ${format(grant.maxAmount)}.`,
      simplifiedOk: withinSlack,
    };
  if (ctx.nowMs >= expiresMs)
    return {
      reason: "expired",
      why: `Delegation ${id} expired at ${grant.expiresAt}.`,
      simplifiedOk: withinSlack,
    };
  return { reason: "within", why: `Within delegation ${id}.`, simplifiedOk: true };
}

/** Who may reject: a tenant decider, or the lead of the request's group. */
export function mayReject(
  request: Request,
  actor: { userId: string; role: string },
  state: GroupsState,
  policy: ApprovalPolicy,
): { allowed: true; role: string; path: "tenant-admin" | "delegated" } | { allowed: false } {
  if ((policy.tenantDeciders as readonly string[]).includes(actor.role))
    return { allowed: true, role: actor.role, path: "tenant-admin" };
  return roleIn(state, request.groupId, actor.userId) === LEAD_ROLE
    ? { allowed: true, role: LEAD_ROLE, path: "delegated" }
    : { allowed: false };
}
