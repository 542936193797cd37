// The customer portal's shared vocabulary (DESIGN §11): the resources a portal user may
// see, the stages a contract goes through from the customer's point of view, and the
// portal terms a contract carries. The visibility policy (policy.ts), the natural-language
// query (core/nlq) and the account facts (core/account) all speak in these words, so a
// filter the query understood is always one the policy can judge.
import { z } from "zod";

/** What a portal user can ask for; each is a list of records of one shape. */
export const PORTAL_RESOURCES = [
  /** A contract (the customer's "order"): title, amount, status, stage. */
  "contract",
  /** A delivery milestone of a contract: planned / committed / actual dates, destination. */
  "delivery",
  /** An invoice issued on a contract: amount, due date, paid or not (derived from payments). */
  "invoice",
  /** A confirmed payment: reference, amount, date. */
  "payment",
  /** A document: the contract document, signed copies, vouchers, delivery notes. */
  "document",
  /** A service request (after-sales): opened, resolved, resolution time. */
  "service-request",
  /** A change request the customer filed, with its SLA clock and the group's answer. */
  "change-request",
] as const;
export const PortalResource = z.enum(PORTAL_RESOURCES);
export type PortalResource = z.infer<typeof PortalResource>;

/**
 * A contract's stage as the customer lives it, derived from facts (never stored):
 * `proposal` drafted or sent, not signed by both; `fulfilment` signed by both and some
 * delivery milestone not yet reached; `after-sales` signed and every delivery milestone
 * reached (at least one); `closed` voided.
 */
export const CONTRACT_STAGES = ["proposal", "fulfilment", "after-sales", "closed"] as const;
export const ContractStage = z.enum(CONTRACT_STAGES);
export type ContractStage = z.infer<typeof ContractStage>;

/** What the contract promises the customer about the portal; absent terms are the defaults. */
export const ContractTerms = z
  .strictObject({
    /** The customer may follow delivery milestones. */
    deliveryTracking: z.boolean().default(true),
    /** Documents (the contract, signed copies, delivery notes) are shared in the portal. */
    documentSharing: z.boolean().default(true),
    /** Invoices and payments are shown. */
    paymentVisibility: z.boolean().default(true),
    /** The customer may file change requests on this contract. */
    changeRequests: z.boolean().default(true),
  })
  .meta({ id: "ContractTerms" });
export type ContractTerms = z.infer<typeof ContractTerms>;
export const DEFAULT_TERMS: ContractTerms = ContractTerms.parse({});

/** What a change request asks to change. */
export const CHANGE_KINDS = ["delivery-date", "address", "contact", "quantity", "scope"] as const;
export const ChangeKind = z.enum(CHANGE_KINDS);
export type ChangeKind = z.infer<typeof ChangeKind>;

/** A change request's life: filed → answered → accepted | declined (or withdrawn). */
export const CHANGE_STATUSES = ["open", "answered", "accepted", "declined", "withdrawn"] as const;
export const ChangeStatus = z.enum(CHANGE_STATUSES);
export type ChangeStatus = z.infer<typeof ChangeStatus>;

/** The departments whose impact check a change request needs (DESIGN §11). */
export const DEPARTMENTS = ["rnd", "supply-chain", "quality"] as const;
export const Department = z.enum(DEPARTMENTS);
export type Department = z.infer<typeof Department>;

export const SERVICE_STATUSES = ["open", "resolved"] as const;
export const ServiceStatus = z.enum(SERVICE_STATUSES);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

export const INVOICE_STATUSES = ["unpaid", "paid", "overdue"] as const;
export const InvoiceStatus = z.enum(INVOICE_STATUSES);
export type InvoiceStatus = z.infer<typeof InvoiceStatus>;

export const DOCUMENT_KINDS = ["contract", "signature", "voucher", "delivery-note"] as const;
export const DocumentKind = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKind>;

/**
 * A delivery milestone's state as the customer sees it: `planned` has no committed date
 * yet, `committed` has one not yet passed, `late` passed it undelivered, `delivered` has an
 * actual date.
 */
export const DELIVERY_STATUSES = ["planned", "committed", "late", "delivered"] as const;
export const DeliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;
