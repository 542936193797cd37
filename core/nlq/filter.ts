// The structured filter a portal question becomes [NQ9]: strict and canonical (absent
// constraints are absent keys, statuses sorted and unique), so "the same question" is
// deep equality, and every constraint is one the resource can carry.
import { z } from "zod";
import { canonicalJson } from "../encoding.ts";

import {
  CHANGE_STATUSES,
  DELIVERY_STATUSES,
  DocumentKind,
  INVOICE_STATUSES,
  type PortalResource,
  PortalResource as PortalResourceSchema,
  SERVICE_STATUSES,
} from "../portal/model.ts";
import { ContractStatus } from "../schemas.ts";
import { parseIsoDate } from "./calendar.ts";

/** The date fields of the projected records (core/portal/fields.ts). */
export const TIME_FIELDS = [
  "signedAt",
  "plannedDate",
  "committedDate",
  "actualDate",
  "issuedAt",
  "dueDate",
  "paidAt",
  "receivedAt",
  "createdAt",
  "openedAt",
  "resolvedAt",
  "filedAt",
  "respondedAt",
] as const;
export const TimeField = z.enum(TIME_FIELDS);
export type TimeField = z.infer<typeof TimeField>;

type ResourceRules = {
  /** The date a bare time expression constrains [NQ5]; first of `timeFields`. */
  timeFields: readonly [TimeField, ...TimeField[]];
  statuses: readonly string[];
  amount: boolean;
};

/** What each resource can be filtered by: the shape of its projected records. */
export const RESOURCE_RULES: Readonly<Record<PortalResource, ResourceRules>> = {
  contract: { timeFields: ["signedAt"], statuses: ContractStatus.options, amount: true },
  delivery: {
    timeFields: ["plannedDate", "committedDate", "actualDate"],
    statuses: DELIVERY_STATUSES,
    amount: false,
  },
  invoice: {
    timeFields: ["issuedAt", "dueDate", "paidAt"],
    statuses: INVOICE_STATUSES,
    amount: true,
  },
  payment: { timeFields: ["receivedAt"], statuses: [], amount: true },
  document: { timeFields: ["createdAt"], statuses: [], amount: false },
  "service-request": {
    timeFields: ["openedAt", "resolvedAt"],
    statuses: SERVICE_STATUSES,
    amount: false,
  },
  "change-request": {
    timeFields: ["filedAt", "respondedAt"],
    statuses: CHANGE_STATUSES,
    amount: false,
  },
};

export const defaultTimeField = (resource: PortalResource): TimeField =>
  RESOURCE_RULES[resource].timeFields[0];

const LocalDate = z
  .string()
  .refine((s) => parseIsoDate(s) !== null, "must be a calendar date YYYY-MM-DD");

export const AMOUNT_OPS = [">", ">=", "<", "<=", "="] as const;
export const FILTER_CURRENCIES = ["CNY", "EUR", "USD"] as const;

export const TimeRange = z
  .strictObject({
    field: TimeField,
    /** Inclusive local date in the customer's time zone; absent = no lower bound. */
    from: LocalDate.optional(),
    /** Inclusive local date in the customer's time zone; absent = no upper bound. */
    to: LocalDate.optional(),
  })
  .refine((t) => t.from !== undefined || t.to !== undefined, "needs from or to")
  .refine((t) => !t.from || !t.to || t.from <= t.to, "from must not be after to");

export const AmountCondition = z.strictObject({
  op: z.enum(AMOUNT_OPS),
  /** Major units (yuan, euro, dollar). */
  value: z.number().finite().nonnegative().max(1e15),
  /** Absent: compared in each record's own currency. */
  currency: z.enum(FILTER_CURRENCIES).optional(),
});

export const PortalFilter = z
  .strictObject({
    resource: PortalResourceSchema,
    time: TimeRange.optional(),
    /** A canonical gazetteer name. */
    destination: z.string().min(1).max(100).optional(),
    status: z.array(z.string().min(1).max(20)).min(1).max(10).optional(),
    amount: AmountCondition.optional(),
    documentKind: DocumentKind.optional(),
    contractId: z.string().min(1).max(100).optional(),
  })
  .superRefine((f, ctx) => {
    const rules = RESOURCE_RULES[f.resource];
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: "custom", path: [path], message });
    if (f.time && !rules.timeFields.includes(f.time.field))
      problem("time", `a ${f.resource} has no ${f.time.field}`);
    if (f.destination !== undefined && f.resource !== "delivery")
      problem("destination", "only deliveries have a destination");
    if (f.status) {
      for (const s of f.status)
        if (!rules.statuses.includes(s)) problem("status", `a ${f.resource} is never "${s}"`);
      const canonical = [...new Set(f.status)].sort();
      if (canonical.join() !== f.status.join()) problem("status", "must be sorted and unique");
    }
    if (f.amount && !rules.amount) problem("amount", `a ${f.resource} has no amount`);
    if (f.documentKind && f.resource !== "document")
      problem("documentKind", "only documents have a kind");
  })
  .meta({ id: "PortalFilter" });
export type PortalFilter = z.infer<typeof PortalFilter>;
export type AmountOp = (typeof AMOUNT_OPS)[number];
export type FilterCurrency = (typeof FILTER_CURRENCIES)[number];

/** Exact match of two filters (the labelled set's measure): equal canonical JSON. */
export const sameFilter = (a: PortalFilter, b: PortalFilter): boolean =>
  canonicalJson(a) === canonicalJson(b);
