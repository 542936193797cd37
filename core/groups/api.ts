// The groups and approvals wire contract: request bodies and the views the API returns
// (zod → OpenAPI → clients), and how ids are derived. An id is never drawn at random: it
// is the client's ULID or derived from (tenant, Idempotency-Key), so a retry, in any
// region, lands on the same group, delegation or request.
import { z } from "zod";
import { sha256 } from "../crypto/sha256.ts";
import { base32 } from "../encoding.ts";
import { ULID } from "../ids.ts";
import { Money, PositiveMoney } from "../money.ts";
import { AccountId, UserId } from "../schemas.ts";
import { FreeText } from "../text.ts";
import { CHI_COMPONENTS, ChiWeights } from "./kpi.ts";
import {
  ApprovalId,
  ApprovalKind,
  DECISION_OUTCOMES,
  DECISION_PATHS,
  DelegationId,
  ESCALATION_TARGETS,
  GroupId,
  GroupRole,
  GroupRoles,
  Instant,
} from "./model.ts";
import { ApprovalPolicy } from "./policy.ts";

export type IdSource = { kind: "client"; ulid: string } | { kind: "idempotencyKey"; key: string };

/** A group, delegation or approval id: the client's ULID, else derived from the key. */
export function groupsIdFor(
  prefix: "grp" | "dlg" | "apr",
  tenantId: string,
  source: IdSource,
): string {
  if (source.kind === "client") return `${prefix}_${source.ulid.toUpperCase()}`;
  const digest = sha256([tenantId, prefix, "idempotency-key", source.key].join("\u0000"));
  return `${prefix}_${base32(digest, 26)}`;
}

const ClientId = z
  .string()
  .regex(ULID, { message: "must be a ULID minted by the client" })
  .optional()
  .meta({
    description: "A ULID the client minted; else the id is derived from the Idempotency-Key",
  });

// ---------------------------------------------------------------- requests

export const RolesSet = z.strictObject({ roles: GroupRoles }).meta({ id: "GroupRolesSet" });

export const GroupCreate = z
  .strictObject({ id: ClientId, name: FreeText(120) })
  .meta({ id: "GroupCreate" });

export const GroupRename = z.strictObject({ name: FreeText(120) }).meta({ id: "GroupRename" });

export const MemberSet = z
  .strictObject({ role: GroupRole.meta({ description: "One of the tenant's group roles" }) })
  .meta({ id: "GroupMemberSet" });

export const DelegationCreate = z
  .strictObject({
    id: ClientId,
    userId: UserId.meta({ description: "The group's sales-manager the delegation is granted to" }),
    kinds: z
      .array(ApprovalKind)
      .min(1)
      .max(3)
      .refine((ks) => new Set(ks).size === ks.length, { message: "kinds must be unique" }),
    maxAmount: PositiveMoney.meta({ description: "The largest amount approved under it" }),
    expiresAt: Instant.meta({ description: "When it stops counting (UTC)" }),
  })
  .meta({ id: "DelegationCreate" });

export const ApprovalCreate = z
  .strictObject({
    id: ClientId,
    accountId: AccountId,
    kind: ApprovalKind,
    amount: PositiveMoney,
    discountPercent: z.number().min(0).max(100).optional().meta({
      description: "Discounts: the discount as a percentage of the list price",
    }),
    reason: FreeText(500),
  })
  .meta({ id: "ApprovalCreate" });

export const DecisionCreate = z
  .strictObject({
    outcome: z.enum(["approve", "reject"]).meta({
      description:
        "`approve` approves when the caller may, and otherwise records an escalation; `reject` needs the group's lead or a tenant decider",
    }),
    note: FreeText(500).optional(),
  })
  .meta({ id: "ApprovalDecisionCreate" });

// ---------------------------------------------------------------- views

export const DelegationViewSchema = z
  .object({
    id: DelegationId,
    groupId: GroupId,
    userId: z.string(),
    kinds: z.array(ApprovalKind),
    maxAmount: Money,
    expiresAt: z.string(),
    status: z.enum(["active", "expired", "revoked"]),
    grantedAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "Delegation" });

export const GroupViewSchema = z
  .object({
    id: GroupId,
    name: z.string(),
    createdAt: z.string(),
    members: z.array(z.object({ userId: z.string(), role: z.string() })),
    accountIds: z.array(AccountId),
    delegations: z.array(DelegationViewSchema),
  })
  .meta({ id: "Group" });

export const GroupList = z.object({ items: z.array(GroupViewSchema) }).meta({ id: "GroupList" });

const DecisionViewSchema = z.object({
  outcome: z.enum(DECISION_OUTCOMES),
  by: z.string(),
  role: z.string(),
  delegationId: DelegationId.nullable(),
  path: z.enum(DECISION_PATHS),
  why: z.string(),
  escalateTo: z.enum(ESCALATION_TARGETS).optional(),
  at: z.string(),
  hlc: z.string(),
});

export const ApprovalViewSchema = z
  .object({
    id: ApprovalId,
    accountId: AccountId,
    groupId: GroupId,
    kind: ApprovalKind,
    amount: Money,
    discountPercent: z.number().optional(),
    reason: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    status: z.enum(["pending", "escalated", "approved", "rejected"]),
    decision: DecisionViewSchema.nullable().meta({
      description: "The decision in force: the first approval or rejection by HLC",
    }),
    awaiting: z.enum(ESCALATION_TARGETS).nullable().meta({
      description: "While escalated: who decides next",
    }),
    history: z.array(DecisionViewSchema).meta({ description: "Every decision, escalations too" }),
    reviewRequired: z.boolean().meta({
      description: "Approved on the simplified path (approvals-simplified): to be reviewed",
    }),
    conflicts: z.array(
      z.object({
        kind: z.enum(["approval-decision", "approval-request"]),
        subject: z.string(),
        kept: z.unknown(),
        other: z.unknown(),
      }),
    ),
  })
  .meta({ id: "Approval" });

export const ApprovalList = z
  .object({ items: z.array(ApprovalViewSchema) })
  .meta({ id: "ApprovalList" });

export const DecisionAnswer = z
  .object({
    approval: ApprovalViewSchema,
    decision: DecisionViewSchema.extend({
      reason: z.string().optional().meta({
        description:
          "On an escalation: above-limit, expired, kind-not-delegated, currency, revoked, no-delegation, own-request, tenant-only or not-a-lead",
      }),
    }),
  })
  .meta({ id: "ApprovalDecision" });

export const RolesView = z
  .object({ roles: z.array(z.string()), source: z.enum(["default", "tenant"]) })
  .meta({ id: "GroupRoles" });

export const PolicyView = z
  .object({ policy: ApprovalPolicy, source: z.enum(["default", "tenant"]) })
  .meta({ id: "ApprovalPolicyView" });

export const WeightsView = z
  .object({ weights: ChiWeights, source: z.enum(["default", "tenant"]) })
  .meta({ id: "ChiWeightsView" });

export const MyGroups = z
  .object({
    items: z.array(
      z.object({
        groupId: GroupId,
        name: z.string(),
        role: z.string(),
        accountIds: z.array(AccountId),
      }),
    ),
  })
  .meta({ id: "MyGroups" });

export const GroupsStateHash = z
  .object({
    hash: z.string(),
    version: z.string().nullable(),
    pending: z.int().meta({ description: "Events some peer region has not acknowledged yet" }),
  })
  .meta({ id: "GroupsStateHash" });

const ChiPartSchema = z.object({
  component: z.enum(CHI_COMPONENTS),
  score: z.number().nullable(),
  weight: z.number(),
  effectiveWeight: z.number(),
  detail: z.string(),
});

export const Workbench = z
  .object({
    group: GroupViewSchema,
    generatedAt: z.string(),
    weights: ChiWeights,
    accounts: z.array(
      z.object({
        accountId: AccountId,
        name: z.string().nullable(),
        status: z.enum(["ok", "unavailable", "not-found"]).meta({
          description: "`unavailable`: its object did not answer in time; left out of the KPIs",
        }),
        chi: z
          .object({ score: z.number().nullable(), components: z.array(ChiPartSchema) })
          .nullable(),
        signedContracts: z.int().nullable(),
      }),
    ),
    truncated: z.boolean().meta({ description: "More accounts than one workbench reads" }),
    kpis: z.object({
      chiGroup: z.number().nullable(),
      crossSellRate: z.object({
        rate: z.number().nullable(),
        accounts: z.int(),
        crossSold: z.int(),
        definition: z.enum(["product-lines", "signed-contracts"]),
      }),
      serviceResolution: z.object({
        p50Hours: z.number().nullable(),
        p90Hours: z.number().nullable(),
        resolved: z.int(),
        open: z.int(),
      }),
      adoption: z.object({
        rate: z.number().nullable(),
        interval95: z.tuple([z.number(), z.number()]).nullable(),
        answered: z.int(),
        adopted: z.int(),
        scope: z.enum(["members", "unavailable"]).meta({
          description:
            "`members`: the group's members' answers; `unavailable`: the read model did not answer",
        }),
        windowDays: z.int(),
      }),
    }),
    openApprovals: z.array(ApprovalViewSchema),
    openChangeRequests: z
      .array(
        z.object({
          id: z.string(),
          accountId: AccountId,
          accountName: z.string().nullable(),
          contractId: z.string(),
          kind: z.string(),
          summary: z.string().nullable(),
          filedAt: z.string(),
          slaWarnAt: z.string(),
          slaDueAt: z.string(),
          sla: z.enum(["on-track", "warning", "violated"]).meta({
            description:
              "At this read: `violated` past its due time (or marked so), `warning` past 75% of its business time, else `on-track`",
          }),
        }),
      )
      .meta({
        description: "Unanswered change requests of the group's accounts, most urgent first",
      }),
  })
  .meta({ id: "GroupWorkbench" });
