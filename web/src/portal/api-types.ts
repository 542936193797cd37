// The wire shapes of issue 11 as both UIs read them: the customer portal's routes and the
// group workbench's. Hand-written from the API contract until the backend's zod schemas can
// generate them; every optional field is one the server's visibility policy may leave out,
// and the UIs render only what is present.

export type Money = { value: number; currency: string };

/** RFC 9457 problem+json; `type` ends with the problem's code (urn:lifeline:problem:<code>). */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ path?: string; message?: string }>;
};

// ---- Portal (Authorization: Bearer <portal token>) ----

export type PortalLoginRequest = { email: string; password: string };
export type PortalSession = {
  token: string;
  tokenType: "Bearer";
  expiresAt: string;
  user: { id: string; name: string; accountId: string; tenantId: string };
};
export type PortalAcceptRequest = { code: string; password: string };

export type PortalAction =
  | "file-change-request"
  | "respond-to-answer"
  | "query"
  | "download-document"
  | (string & {});

export type PortalMe = {
  user: { id: string; name: string; email: string };
  customer: { id: string; name: string; tier: string };
  timeZone: string;
  actions: PortalAction[];
};

export type ContractStage = "proposal" | "fulfilment" | "after-sales" | "closed";

export type PortalContract = {
  id: string;
  title?: string;
  status?: string;
  stage?: ContractStage | (string & {});
  amount?: Money;
  signedAt?: string | null;
  terms?: Record<string, boolean>;
};

export type DeliveryStatus = "planned" | "committed" | "late" | "delivered";
export type PortalDelivery = {
  id: string;
  contractId: string;
  name?: string;
  destination?: string;
  quantity?: number;
  plannedDate?: string;
  committedDate?: string | null;
  actualDate?: string | null;
  status?: DeliveryStatus | (string & {});
};

export type InvoiceStatus = "unpaid" | "paid" | "overdue";
export type PortalInvoice = {
  id: string;
  contractId: string;
  amount?: Money;
  issuedAt?: string;
  dueDate?: string;
  status?: InvoiceStatus | (string & {});
  paidAt?: string | null;
};

export type PortalPayment = {
  id: string;
  contractId: string;
  reference?: string;
  amount?: Money;
  receivedAt?: string | null;
  hasVoucher?: boolean;
};

export type PortalDocument = {
  id: string;
  contractId: string;
  kind?: string;
  sha256?: string;
  createdAt?: string;
  title?: string;
};

export type ChangeKind = "delivery-date" | "address" | "contact" | "quantity" | "scope";
export const CHANGE_KINDS: readonly ChangeKind[] = [
  "delivery-date",
  "address",
  "contact",
  "quantity",
  "scope",
];
export type ChangeStatus = "open" | "answered" | "accepted" | "declined" | "withdrawn";

export type ChangeAnswer = {
  feasible: boolean;
  newCommittedDate: string | null;
  message: string;
  answeredAt: string;
};

export type PortalChangeRequest = {
  id: string;
  contractId: string;
  kind: ChangeKind;
  summary?: string;
  requested?: Record<string, string>;
  status: ChangeStatus;
  filedAt: string;
  slaDueAt?: string;
  answer?: ChangeAnswer;
  respondedAt?: string | null;
};

export type PortalContractDetail = {
  contract: PortalContract;
  deliveries?: PortalDelivery[];
  invoices?: PortalInvoice[];
  payments?: PortalPayment[];
  documents?: PortalDocument[];
  changeRequests?: PortalChangeRequest[];
  actions: PortalAction[];
};

export type FileChangeRequest = {
  contractId: string;
  kind: ChangeKind;
  summary: string;
  requested: Record<string, string>;
};
export type ChangeResponse = { decision: "accepted" | "declined" };

export type QueryResource =
  | "contract"
  | "delivery"
  | "invoice"
  | "payment"
  | "document"
  | "service-request"
  | "change-request";

export type QueryFilter = {
  resource: QueryResource | (string & {});
  time?: { field: string; from: string; to: string };
  destination?: string;
  status?: string[];
  amount?: { op: string; value: number; currency?: string };
  documentKind?: string;
  contractId?: string;
};

/** POST /v1/portal/query: the text the user typed, or a filter they corrected. */
export type QueryRequest = { text: string } | { filter: QueryFilter };

export type QueryAnswer =
  | {
      kind: "filter";
      filter: QueryFilter;
      understood: { zh: string; en: string };
      items: Array<Record<string, unknown> & { id: string }>;
    }
  | { kind: "unknown"; suggestions: string[]; reason: string }
  | { kind: "refused"; field: string; detail: string };

// ---- Staff (the rep app's session) ----

export type MyGroup = { id: string; name: string; role: string; accountIds: string[] };
export type MyGroups = { groups: MyGroup[] };

export type ChiComponent = { name: string; score: number; weight: number };
export type SlaState = "on-track" | "warning" | "violated";

export type WorkbenchApproval = {
  id: string;
  accountId: string;
  kind: string;
  amount: Money;
  reason: string;
  requestedBy: string;
  requestedAt: string;
};

export type WorkbenchChangeRequest = {
  id: string;
  accountId: string;
  contractId: string;
  kind: ChangeKind;
  summary?: string;
  status: ChangeStatus;
  filedAt: string;
  slaDueAt: string;
  slaWarnAt?: string;
  sla: SlaState;
};

export type Workbench = {
  group: { id: string; name: string };
  members: Array<{ userId: string; role: string }>;
  accounts: Array<{
    id: string;
    name?: string;
    chi?: { score: number; components: ChiComponent[] };
    unavailable?: true;
  }>;
  kpis: {
    chiGroup: number | null;
    /** A share, 0–1. */
    crossSellRate: number | null;
    serviceResolution: { p50Hours: number | null; p90Hours: number | null; open: number };
    /** Shares, 0–1: the adoption rate and its confidence interval. */
    adoption: { rate: number | null; low: number | null; high: number | null; answered: number };
  };
  openApprovals: WorkbenchApproval[];
  openChangeRequests: WorkbenchChangeRequest[];
};

export const DEPARTMENTS = ["rnd", "supply-chain", "quality"] as const;
export type Department = (typeof DEPARTMENTS)[number];
export const CHECK_STATUSES = ["pending", "ok", "impact", "blocked"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];
export type Check = { status: CheckStatus; note: string };

export type StaffChangeRequest = {
  id: string;
  accountId: string;
  contractId: string;
  kind: ChangeKind;
  summary: string;
  requested: Record<string, string>;
  status: ChangeStatus;
  filedAt: string;
  slaDueAt: string;
  checklist: Partial<Record<Department, Check>>;
  answer?: ChangeAnswer;
};

export type CheckRequest = Check;
export type AnswerRequest = { feasible: boolean; newCommittedDate: string | null; message: string };

export type ApprovalDecisionRequest = { decision: "approve" | "reject" };
export type ApprovalDecisionAnswer = {
  outcome: "approved" | "rejected" | "escalated" | (string & {});
  path: "delegated" | "escalated" | "simplified" | "tenant-admin";
  delegationId: string | null;
  why: string;
};
/** 403: beyond the caller's delegation; the request goes to `escalateTo`. */
export type ApprovalEscalation = { escalateTo: string; why: string };
