// The portal's field catalogue (DESIGN §11): the record the server projects for each
// resource and the class of every field in it. A field absent from here is unknown, and an
// unknown field is never shown: the catalogue is an allow-list, not a deny-list.
import type { z } from "zod";
import type { Money } from "../money.ts";
import { type ContractStatus, Severity } from "../schemas.ts";
import type {
  ChangeKind,
  ChangeStatus,
  ContractStage,
  ContractTerms,
  DeliveryStatus,
  Department,
  DocumentKind,
  InvoiceStatus,
  PortalResource,
  ServiceStatus,
} from "./model.ts";
import {
  CHANGE_KINDS,
  CHANGE_STATUSES,
  CONTRACT_STAGES,
  DELIVERY_STATUSES,
  DOCUMENT_KINDS,
  INVOICE_STATUSES,
  PORTAL_RESOURCES,
  SERVICE_STATUSES,
} from "./model.ts";

/**
 * `identity` is shown whenever its resource is (a record cannot be addressed without it);
 * `shareable` only where a policy rule grants it; `internal` never, whatever a policy says.
 */
export const FIELD_CLASSES = ["identity", "shareable", "internal"] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

/** A JSON value: what a projected field may hold. */
export type Json =
  | string
  | number
  | boolean
  | null
  | readonly Json[]
  | { readonly [k: string]: Json };

/**
 * The records the server builds before projecting them through the policy. Internal fields
 * are optional: a record may carry them (a staff view passed as it is) or not; either way
 * they stay on the server. Keys not listed here are dropped by projection too.
 */
export interface PortalRecords {
  contract: {
    id: string;
    title: string;
    status: z.infer<typeof ContractStatus>;
    stage: ContractStage;
    amount: Money;
    documentHash: string | null;
    signedAt: string | null;
    terms: ContractTerms;
    cost?: Money | null;
    margin?: Money | null;
    internalNotes?: readonly string[];
  };
  /** A delivery milestone (core/schemas.ts MilestoneView, plus its derived status). */
  delivery: {
    id: string;
    contractId: string;
    name: string;
    destination: string;
    quantity: number | null;
    plannedDate: string;
    committedDate: string | null;
    actualDate: string | null;
    status: DeliveryStatus;
    supplier?: string | null;
    costMinor?: number | null;
    internalNote?: string | null;
  };
  invoice: {
    id: string;
    contractId: string;
    /** The invoice's number, which the customer's payment references. */
    number: string;
    amount: Money;
    issuedAt: string;
    dueDate: string;
    status: InvoiceStatus;
    paidAt: string | null;
  };
  payment: {
    id: string;
    contractId: string;
    reference: string;
    amount: Money;
    receivedAt: string | null;
    hasVoucher: boolean;
  };
  document: {
    id: string;
    contractId: string;
    kind: DocumentKind;
    title: string;
    createdAt: string;
    sha256: string;
  };
  "service-request": {
    id: string;
    contractId: string | null;
    title: string | null;
    severity: Severity;
    status: ServiceStatus;
    openedAt: string;
    resolvedAt: string | null;
    /** What was done, written for the customer. */
    resolution: string | null;
    resolutionMs: number | null;
    internalNote?: string | null;
    assignee?: string | null;
  };
  "change-request": {
    id: string;
    contractId: string;
    kind: ChangeKind;
    summary: string | null;
    /** What the customer asks for, field by field (e.g. `{ deliveryDate: "2026-04-30" }`). */
    requested: Readonly<Record<string, string>> | null;
    status: ChangeStatus;
    filedAt: string;
    slaDueAt: string;
    /** The group's answer, without who on the staff gave it. */
    answer: {
      feasible: boolean;
      newCommittedDate: string | null;
      message: string | null;
      answeredAt: string;
    } | null;
    respondedAt: string | null;
    /** The departments' impact checks: how the group decided, not what it decided. */
    checklist?: readonly { department: Department; status: string; note: string | null }[];
    internalNote?: string | null;
  };
}

type Catalogue = {
  readonly [R in PortalResource]: { readonly [K in keyof PortalRecords[R]]-?: FieldClass };
};

/**
 * Every field of every record, classified. `satisfies` makes the compiler refuse a record
 * field left unclassified or a classified field the record does not have, so the two
 * cannot drift apart. Order is display order.
 */
const CATALOGUE = {
  contract: {
    id: "identity",
    title: "shareable",
    status: "shareable",
    stage: "shareable",
    amount: "shareable",
    documentHash: "shareable",
    signedAt: "shareable",
    terms: "shareable",
    cost: "internal",
    margin: "internal",
    internalNotes: "internal",
  },
  delivery: {
    id: "identity",
    contractId: "identity",
    name: "shareable",
    destination: "shareable",
    quantity: "shareable",
    plannedDate: "shareable",
    committedDate: "shareable",
    actualDate: "shareable",
    status: "shareable",
    supplier: "internal",
    costMinor: "internal",
    internalNote: "internal",
  },
  invoice: {
    id: "identity",
    contractId: "identity",
    number: "shareable",
    amount: "shareable",
    issuedAt: "shareable",
    dueDate: "shareable",
    status: "shareable",
    paidAt: "shareable",
  },
  payment: {
    id: "identity",
    contractId: "identity",
    reference: "shareable",
    amount: "shareable",
    receivedAt: "shareable",
    hasVoucher: "shareable",
  },
  document: {
    id: "identity",
    contractId: "identity",
    kind: "shareable",
    title: "shareable",
    createdAt: "shareable",
    sha256: "shareable",
  },
  "service-request": {
    id: "identity",
    contractId: "identity",
    title: "shareable",
    severity: "shareable",
    status: "shareable",
    openedAt: "shareable",
    resolvedAt: "shareable",
    resolution: "shareable",
    resolutionMs: "shareable",
    internalNote: "internal",
    assignee: "internal",
  },
  "change-request": {
    id: "identity",
    contractId: "identity",
    kind: "shareable",
    summary: "shareable",
    requested: "shareable",
    status: "shareable",
    filedAt: "shareable",
    slaDueAt: "shareable",
    answer: "shareable",
    respondedAt: "shareable",
    checklist: "internal",
    internalNote: "internal",
  },
} as const satisfies Catalogue;

for (const r of PORTAL_RESOURCES) Object.freeze(CATALOGUE[r]);
/** The catalogue as data (frozen); read it with `classify` or `fieldsOf`, never by indexing. */
export const PORTAL_FIELDS: Catalogue = Object.freeze(CATALOGUE);

/** The fields of resource R whose class is C, as a type. */
export type FieldsOfClass<R extends PortalResource, C extends FieldClass> = {
  [K in keyof (typeof CATALOGUE)[R]]: (typeof CATALOGUE)[R][K] extends C ? K : never;
}[keyof (typeof CATALOGUE)[R]];

/** What a projection of R can hold: any identity or shareable field, never an internal one. */
export type PortalView<R extends PortalResource> = Partial<
  Omit<PortalRecords[R], FieldsOfClass<R, "internal">>
>;

/**
 * The class of `resource.field`, or null when either is unknown. Both come from input
 * (policies, explain requests), so only own properties count: `constructor` or `__proto__`
 * are unknown fields, not Object.prototype's.
 */
export function classify(resource: string, field: string): FieldClass | null {
  if (!Object.hasOwn(PORTAL_FIELDS, resource)) return null;
  const fields: Readonly<Record<string, FieldClass>> = PORTAL_FIELDS[resource as PortalResource];
  return Object.hasOwn(fields, field) ? fields[field]! : null;
}

/** The fields of a resource in catalogue order, all of them or those of one class. */
export function fieldsOf(resource: PortalResource, cls?: FieldClass): readonly string[] {
  if (!Object.hasOwn(PORTAL_FIELDS, resource)) return [];
  const all = Object.entries(PORTAL_FIELDS[resource] as Readonly<Record<string, FieldClass>>);
  return all.filter(([, c]) => cls === undefined || c === cls).map(([f]) => f);
}

/**
 * Fields a rule may filter rows on (`where`), with the values they take. Only closed
 * vocabularies qualify: a filter on free text or on an internal field would let the
 * presence of a row reveal what its fields say.
 */
export const FILTERABLE: {
  readonly [R in PortalResource]: Readonly<Record<string, readonly string[]>>;
} = Object.freeze({
  contract: Object.freeze({ stage: CONTRACT_STAGES }),
  delivery: Object.freeze({ status: DELIVERY_STATUSES }),
  invoice: Object.freeze({ status: INVOICE_STATUSES }),
  payment: Object.freeze({}),
  document: Object.freeze({ kind: DOCUMENT_KINDS }),
  "service-request": Object.freeze({ severity: Severity.options, status: SERVICE_STATUSES }),
  "change-request": Object.freeze({ kind: CHANGE_KINDS, status: CHANGE_STATUSES }),
});

/** The values `resource.field` may be filtered on, or null when it is not filterable. */
export function filterValues(resource: string, field: string): readonly string[] | null {
  if (!Object.hasOwn(FILTERABLE, resource)) return null;
  const fields = FILTERABLE[resource as PortalResource];
  return Object.hasOwn(fields, field) ? fields[field]! : null;
}
