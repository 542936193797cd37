// Customer success groups' vocabulary and events (DESIGN §11): the tenant-level facts a
// GroupsDO journals and replicates to every region of the tenant. Staff data only (user
// ids, roles, account ids, amounts): no customer personal data, so nothing is masked.
// The envelope is versioned (`v`) because events cross regions and outlive their code.
import { z } from "zod";
import { Actor } from "../events.ts";
import { isHlc } from "../hlc.ts";
import { PositiveMoney } from "../money.ts";
import { AccountId, UserId } from "../schemas.ts";
import { RegionName } from "../sovereignty/jurisdiction.ts";
import { FreeText } from "../text.ts";

const BODY = "[0-9A-HJKMNP-TV-Z]{26}";
export const GROUP_ID = new RegExp(`^grp_${BODY}$`);
export const DELEGATION_ID = new RegExp(`^dlg_${BODY}$`);
export const APPROVAL_ID = new RegExp(`^apr_${BODY}$`);

export const GroupId = z.string().regex(GROUP_ID, { message: "must be a group id (grp_…)" });
export const DelegationId = z
  .string()
  .regex(DELEGATION_ID, { message: "must be a delegation id (dlg_…)" });
export const ApprovalId = z
  .string()
  .regex(APPROVAL_ID, { message: "must be an approval id (apr_…)" });

/** A member's role in a group: lower-case words joined by dashes. */
export const GroupRole = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,39}$/, { message: "lower-case letters, digits and dashes, 2–40" });

/** The role whose members lead a group: they approve within their delegations. */
export const LEAD_ROLE = "sales-manager";
export const DEFAULT_GROUP_ROLES = [
  LEAD_ROLE,
  "industry-consultant",
  "delivery-coordinator",
  "after-sales-engineer",
] as const;

/** A tenant's configured roles: unique, at most 20, always including the lead role. */
export const GroupRoles = z
  .array(GroupRole)
  .min(1)
  .max(20)
  .refine((rs) => new Set(rs).size === rs.length, { message: "roles must be unique" })
  .refine((rs) => rs.includes(LEAD_ROLE), {
    message: `the roles must include ${LEAD_ROLE}: a group's lead approves within delegations`,
  })
  .meta({ id: "GroupRoles" });

export const APPROVAL_KINDS = ["discount", "spare-part-transfer", "custom-quote"] as const;
export const ApprovalKind = z.enum(APPROVAL_KINDS);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

/** Members, accounts and delegations a group may hold: limits checked before any work. */
export const GROUP_LIMITS = {
  groups: 200,
  membersPerGroup: 100,
  accountsPerGroup: 200,
  delegationsPerGroup: 200,
} as const;

/** A timestamp as the API writes it (UTC, with offset). */
export const Instant = z.iso.datetime({ offset: true });

export const DelegationGrant = z.strictObject({
  delegationId: DelegationId,
  groupId: GroupId,
  userId: UserId,
  kinds: z
    .array(ApprovalKind)
    .min(1)
    .max(APPROVAL_KINDS.length)
    .refine((ks) => new Set(ks).size === ks.length, { message: "kinds must be unique" }),
  maxAmount: PositiveMoney,
  expiresAt: Instant,
});
export type DelegationGrant = z.infer<typeof DelegationGrant>;

export const ApprovalRequest = z.strictObject({
  approvalId: ApprovalId,
  accountId: AccountId,
  groupId: GroupId,
  kind: ApprovalKind,
  amount: PositiveMoney,
  /** Discounts only: the discount as a percentage of the list price (0–100). */
  discountPercent: z.number().min(0).max(100).optional(),
  reason: FreeText(500),
  requestedBy: z.string().min(1).max(80),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const DECISION_OUTCOMES = ["approved", "rejected", "escalated"] as const;
export const DECISION_PATHS = ["delegated", "escalated", "simplified", "tenant-admin"] as const;
export const ESCALATION_TARGETS = ["tenant-admin", "sales-manager"] as const;

export const ApprovalDecision = z.strictObject({
  approvalId: ApprovalId,
  outcome: z.enum(DECISION_OUTCOMES),
  by: z.string().min(1).max(80),
  /** The decider's role: their group role, or their tenant role on the tenant-admin path. */
  role: z.string().min(1).max(40),
  delegationId: DelegationId.nullable(),
  path: z.enum(DECISION_PATHS),
  why: z.string().min(1).max(1000),
  /** On an escalation: who decides next. */
  escalateTo: z.enum(ESCALATION_TARGETS).optional(),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** A bounded JSON document (the portal visibility policy, validated by its own module). */
const JsonDocument = z.unknown().refine(
  (d) => {
    try {
      const text = JSON.stringify(d);
      return text !== undefined && text.length <= 64 * 1024;
    } catch {
      return false;
    }
  },
  { message: "must be a JSON document of at most 64 KiB" },
);

export const GroupEventData = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("roles.set"), roles: GroupRoles }),
  z.strictObject({ type: z.literal("group.created"), groupId: GroupId, name: FreeText(120) }),
  z.strictObject({ type: z.literal("group.renamed"), groupId: GroupId, name: FreeText(120) }),
  z.strictObject({
    type: z.literal("group.member-set"),
    groupId: GroupId,
    userId: UserId,
    /** null removes the member. */
    role: GroupRole.nullable(),
  }),
  z.strictObject({
    type: z.literal("account.group-set"),
    accountId: AccountId,
    /** null takes the account out of every group. */
    groupId: GroupId.nullable(),
  }),
  DelegationGrant.extend({ type: z.literal("delegation.granted") }),
  z.strictObject({ type: z.literal("delegation.revoked"), delegationId: DelegationId }),
  ApprovalRequest.extend({ type: z.literal("approval.requested") }),
  ApprovalDecision.extend({ type: z.literal("approval.decided") }),
  // Validated by policy.ts's schema where it is written; kept as data here so an event
  // written by a newer build with more policy fields still merges.
  z.strictObject({ type: z.literal("approvals.policy-set"), policy: JsonDocument }),
  z.strictObject({ type: z.literal("chi-weights.set"), weights: JsonDocument }),
  z.strictObject({
    type: z.literal("portal-policy.published"),
    version: z.int().min(1),
    document: JsonDocument,
  }),
  /** The tenant's SLA policy (core/sla/tenant.ts, validated where it is written), versioned. */
  z.strictObject({
    type: z.literal("sla-policy.published"),
    version: z.int().min(1),
    policy: JsonDocument,
  }),
]);
export type GroupEventData = z.infer<typeof GroupEventData>;
export type GroupEventType = GroupEventData["type"];

/** An event id is its HLC: one GroupsDO per (region, tenant) ticks strictly. */
export const groupEventId = (hlc: string) => `gev_${hlc}`;

export const GroupEventV1 = z
  .strictObject({
    v: z.literal(1),
    id: z.string().max(80),
    tenantId: z.string().min(1).max(128),
    hlc: z.string().refine(isHlc, { message: "must be an HLC timestamp" }),
    region: RegionName,
    actor: Actor,
    data: GroupEventData,
  })
  .refine((e) => e.id === groupEventId(e.hlc), {
    message: "an event id is gev_ and its HLC",
    path: ["id"],
  })
  .refine((e) => e.hlc.endsWith(`.${e.region}`), {
    message: "an event's HLC names the region that wrote it",
    path: ["hlc"],
  })
  .meta({ id: "GroupEventV1" });
export type GroupEvent = z.infer<typeof GroupEventV1>;
