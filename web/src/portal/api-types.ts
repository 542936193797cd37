// The wire shapes of issue 11 as both UIs read them, taken from the server's zod schemas in
// core/ by type only (`import type`: nothing of zod reaches a bundle), so a UI cannot drift
// from the API again. The few answers a route declares inline (workers/api/routes/portal*.ts,
// which the web build cannot import) are written out here from those routes, built from
// core's parts; the constants the forms need are checked against core's types.
import type { z } from "zod";
import type {
  ApprovalViewSchema,
  DecisionAnswer,
  DecisionCreate,
  MyGroups as MyGroupsSchema,
  Workbench as WorkbenchSchema,
} from "../../../core/groups/api.ts";
import type { Money as MoneySchema } from "../../../core/money.ts";
import type { PortalFilter } from "../../../core/nlq/filter.ts";
import type { FieldsOfClass, PortalRecords, PortalView } from "../../../core/portal/fields.ts";
import type { ChangeKind, Department, PortalResource } from "../../../core/portal/model.ts";
import type { PortalAction } from "../../../core/portal/policy.ts";
import type {
  ChangeAnswer,
  ChangeRequestFile,
  ChangeRequestView,
  ChangeRespond,
  ChecklistSet,
  ChecklistStatus,
  ContractView,
} from "../../../core/schemas.ts";

export type { ChangeKind, ChecklistStatus as CheckStatus, Department, PortalAction };

/** An amount in minor units (fen, cent) with its ISO 4217 currency. */
export type Money = z.infer<typeof MoneySchema>;

/** RFC 9457 problem+json (workers/api/openapi.ts ProblemSchema); `type` is urn:lifeline:problem:<code>. */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: Array<{ field: string; pointer: string; message: string }>;
};

// ---- Portal (Authorization: Bearer <portal token>) ----

/** POST /v1/portal/auth/login (portal-auth.ts PortalSession). */
export type PortalSession = {
  token: string;
  tokenType: "Bearer";
  expiresAt: string;
  user: { id: string; name: string; accountId: string; tenantId: string };
};

/** GET /v1/portal/me (portal.ts PortalMe). */
export type PortalMe = {
  user: { id: string; name: string; email: string };
  customer: { id: string; name: string; tier: string };
  timeZone: string;
  actions: PortalAction[];
};

/**
 * A record as the visibility policy projects it: every shareable field may be absent (the
 * policy did not grant it), identity fields (id, contractId) never are, internal ones never
 * come.
 */
export type PortalRecord<R extends PortalResource> = PortalView<R> &
  Pick<PortalRecords[R], FieldsOfClass<R, "identity"> & keyof PortalRecords[R]>;

export type PortalContract = PortalRecord<"contract">;
export type PortalDelivery = PortalRecord<"delivery">;
export type PortalInvoice = PortalRecord<"invoice">;
export type PortalPayment = PortalRecord<"payment">;
export type PortalDocument = PortalRecord<"document">;
export type PortalServiceRequest = PortalRecord<"service-request">;
export type PortalChangeRequest = PortalRecord<"change-request">;
export type AnyPortalRecord = { [R in PortalResource]: PortalRecord<R> }[PortalResource];

/** GET /v1/portal/contracts/{id}: a section the policy does not grant here is absent, not empty. */
export type PortalContractDetail = {
  contract: PortalContract;
  actions: PortalAction[];
  deliveries?: PortalDelivery[];
  invoices?: PortalInvoice[];
  payments?: PortalPayment[];
  documents?: PortalDocument[];
  serviceRequests?: PortalServiceRequest[];
  changeRequests?: PortalChangeRequest[];
};

/** GET /v1/portal/contracts, /v1/portal/change-requests, /v1/portal/resources/{resource}. */
export type PortalList<R extends PortalResource> = { items: PortalRecord<R>[] };

export type FileChangeRequest = z.input<typeof ChangeRequestFile>;
export type ChangeResponse = z.input<typeof ChangeRespond>;

/** The structured filter a question becomes; `amount.value` is in MAJOR units (yuan). */
export type QueryFilter = PortalFilter;

/** POST /v1/portal/query: the text the user typed, or a filter they corrected. */
export type QueryRequest = { text: string } | { filter: QueryFilter };

/** POST /v1/portal/query's answer (portal.ts PortalQueryAnswer). */
export type QueryAnswer =
  | {
      kind: "filter";
      filter: QueryFilter;
      understood: { zh: string; en: string };
      items: AnyPortalRecord[];
    }
  | { kind: "unknown"; suggestions: string[]; reason: string }
  | { kind: "refused"; field: string; detail: string };

// ---- Staff (the rep app's session) ----

/** GET /v1/me/groups. */
export type MyGroups = z.infer<typeof MyGroupsSchema>;
export type MyGroup = MyGroups["items"][number];

/** GET /v1/groups/{id}/workbench. */
export type Workbench = z.infer<typeof WorkbenchSchema>;
export type WorkbenchAccount = Workbench["accounts"][number];
export type ChiPart = NonNullable<WorkbenchAccount["chi"]>["components"][number];
export type WorkbenchChangeRequest = Workbench["openChangeRequests"][number];
export type SlaState = WorkbenchChangeRequest["sla"];
export type Approval = z.infer<typeof ApprovalViewSchema>;

/** GET /v1/contracts/{id} (the change request screen reads its title and milestones). */
export type StaffContract = ContractView;

/** GET /v1/change-requests/{id} and the answers of its checklist and answer writes. */
export type StaffChangeRequest = ChangeRequestView;
/** PUT /v1/change-requests/{id}/checklist/{department}. */
export type CheckRequest = z.input<typeof ChecklistSet>;
/** POST /v1/change-requests/{id}/answer. */
export type AnswerRequest = z.input<typeof ChangeAnswer>;

/** POST /v1/approvals/{id}/decision: its body and its answer (200, escalations included). */
export type ApprovalDecisionRequest = z.input<typeof DecisionCreate>;
export type ApprovalDecisionAnswer = z.infer<typeof DecisionAnswer>;

// ---- Constants the forms list, each complete by its type (a Record has every key, once) ----

const KINDS: Readonly<Record<ChangeKind, true>> = {
  "delivery-date": true,
  address: true,
  contact: true,
  quantity: true,
  scope: true,
};
export const CHANGE_KINDS = Object.keys(KINDS) as readonly ChangeKind[];

const DEPARTMENT_ORDER: Readonly<Record<Department, true>> = {
  rnd: true,
  "supply-chain": true,
  quality: true,
};
export const DEPARTMENTS = Object.keys(DEPARTMENT_ORDER) as readonly Department[];

const CHECKS: Readonly<Record<ChecklistStatus, true>> = {
  pending: true,
  ok: true,
  impact: true,
  blocked: true,
};
export const CHECK_STATUSES = Object.keys(CHECKS) as readonly ChecklistStatus[];
