// List and search queries over the read model, with keyset pagination: a cursor names
// the last row seen, so pages stay stable while rows are inserted.
import { and, asc, eq, gt, inArray, isNotNull, or, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type {
  ChangeRequestView,
  ContractView,
  CustomerView,
  MilestoneView,
  PaymentView,
} from "../core/index.ts";
import type { ReadModelDb } from "./client.ts";
import { changeRequests, contracts, customers, deliveryMilestones, payments } from "./schema.ts";

export type Page<T> = { items: T[]; nextCursor: string | null };

export function encodeCursor(parts: string[]): string {
  return btoa(JSON.stringify(parts)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Null when the cursor is not one we issued (the caller answers 400). */
export function decodeCursor(cursor: string, arity: number): string[] | null {
  try {
    const parts: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === "string"))
      return parts;
  } catch {
    // fall through: malformed
  }
  return null;
}

type ListTable = SQLiteTable & { tenantId: AnySQLiteColumn; id: AnySQLiteColumn };
type ListOptions = { after?: string[] | null | undefined; limit: number };

/**
 * Keyset pages of a tenant's rows of `table`, ordered by (`sortKey`, id), each row shown as
 * `view`: the cursor is the last row's pair, so the next page starts strictly after it and
 * never skips or repeats a row.
 */
function keysetList<Tbl extends ListTable, T>(
  table: Tbl,
  sortKey: keyof Tbl & keyof Tbl["$inferSelect"],
  view: (r: Tbl["$inferSelect"]) => T,
) {
  const sort = table[sortKey] as AnySQLiteColumn;
  return async function page(
    db: ReadModelDb,
    tenantId: string,
    filters: Array<SQL | undefined>,
    opts: ListOptions,
  ): Promise<Page<T>> {
    const conditions = [eq(table.tenantId, tenantId), ...filters];
    if (opts.after) {
      const [sorted, id] = opts.after as [string, string];
      conditions.push(or(gt(sort, sorted), and(eq(sort, sorted), gt(table.id, id))));
    }
    const rows: Array<Tbl["$inferSelect"]> = await db
      .select()
      .from(table as SQLiteTable)
      .where(and(...conditions))
      .orderBy(asc(sort), asc(table.id))
      .limit(opts.limit + 1);
    const more = rows.length > opts.limit;
    const items = rows.slice(0, opts.limit);
    const last = items.at(-1);
    return {
      items: items.map(view),
      nextCursor: more && last ? encodeCursor([String(last[sortKey]), String(last.id)]) : null,
    };
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Lists read the regional read model, which carries no conflict records and no service or
 * change requests (single reads do; change requests have a list of their own).
 */
export type CustomerSummary = Omit<
  CustomerView,
  "conflicts" | "serviceRequests" | "changeRequests"
>;

const customerPage = keysetList(
  customers,
  "name",
  (r): CustomerSummary => ({
    id: r.id,
    name: r.name,
    taxId: r.taxId,
    residency: r.residency as CustomerView["residency"],
    tier: r.tier as CustomerView["tier"],
    contacts: r.contacts as CustomerView["contacts"],
    ownerId: r.ownerId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }),
);

export function listCustomers(
  db: ReadModelDb,
  tenantId: string,
  opts: ListOptions & { q?: string | undefined; ownerId?: string | undefined },
): Promise<Page<CustomerSummary>> {
  const { q, ownerId } = opts;
  const match = q
    ? or(
        sql`${customers.name} LIKE ${`%${escapeLike(q)}%`} ESCAPE '\\'`,
        eq(customers.taxId, q.toUpperCase()),
      )
    : undefined;
  const owned = ownerId === undefined ? undefined : eq(customers.ownerId, ownerId);
  return customerPage(db, tenantId, [match, owned], opts);
}

export type ContractSummary = Omit<
  ContractView,
  "payments" | "outstanding" | "overpaid" | "conflicts" | "terms" | "milestones" | "invoices"
>;

const contractPage = keysetList(
  contracts,
  "createdAt",
  (r): ContractSummary => ({
    id: r.id,
    customerId: r.customerId,
    title: r.title,
    amount: { value: r.amountValue, currency: r.currency },
    documentHash: r.documentHash,
    status: r.status as ContractView["status"],
    signatures: r.signatures as ContractView["signatures"],
    paid: { value: r.paidValue, currency: r.currency },
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }),
);

export const listContracts = (
  db: ReadModelDb,
  tenantId: string,
  opts: ListOptions & { customerId?: string | undefined },
) =>
  contractPage(
    db,
    tenantId,
    [opts.customerId ? eq(contracts.customerId, opts.customerId) : undefined],
    opts,
  );

const paymentPage = keysetList(
  payments,
  "confirmedAt",
  (r): PaymentView => ({
    id: r.id,
    contractId: r.contractId,
    reference: r.reference,
    amount: { value: r.amountValue, currency: r.currency },
    receivedAt: r.receivedAt,
    confirmedAt: r.confirmedAt,
    overpayment: r.overpayment,
  }),
);

export const listPayments = (
  db: ReadModelDb,
  tenantId: string,
  opts: ListOptions & { contractId?: string | undefined },
) =>
  paymentPage(
    db,
    tenantId,
    [opts.contractId ? eq(payments.contractId, opts.contractId) : undefined],
    opts,
  );

/** A change request as lists show it: its clock and state, not what was asked or answered. */
export type ChangeRequestSummary = Pick<
  ChangeRequestView,
  | "id"
  | "customerId"
  | "contractId"
  | "kind"
  | "status"
  | "tier"
  | "summary"
  | "filedBy"
  | "filedAt"
  | "slaWarnAt"
  | "slaDueAt"
  | "slaMarks"
  | "updatedAt"
> & {
  answeredAt: string | null;
  feasible: boolean | null;
  newCommittedDate: string | null;
  respondedAt: string | null;
};

const changeRequestPage = keysetList(
  changeRequests,
  "slaDueAt",
  (r): ChangeRequestSummary => ({
    id: r.id,
    customerId: r.accountId,
    contractId: r.contractId,
    kind: r.kind as ChangeRequestView["kind"],
    status: r.status as ChangeRequestView["status"],
    tier: r.tier as ChangeRequestView["tier"],
    summary: r.summary,
    filedBy: r.filedBy,
    filedAt: r.filedAt,
    slaWarnAt: r.slaWarnAt,
    slaDueAt: r.slaDueAt,
    slaMarks: { warning: r.slaWarnedAt, violation: r.slaViolatedAt },
    answeredAt: r.answeredAt,
    feasible: r.feasible,
    newCommittedDate: r.newCommittedDate,
    respondedAt: r.respondedAt,
    updatedAt: r.updatedAt,
  }),
);

/** A tenant's change requests by SLA due time (the most urgent first), optionally filtered. */
export const listChangeRequests = (
  db: ReadModelDb,
  tenantId: string,
  opts: ListOptions & {
    status?: ChangeRequestView["status"] | undefined;
    accounts?: readonly string[] | undefined;
    /** Only requests the SLA clock marked so. */
    mark?: "warning" | "violation" | undefined;
  },
) =>
  changeRequestPage(
    db,
    tenantId,
    [
      opts.status ? eq(changeRequests.status, opts.status) : undefined,
      opts.accounts ? inArray(changeRequests.accountId, [...opts.accounts]) : undefined,
      opts.mark === "warning" ? isNotNull(changeRequests.slaWarnedAt) : undefined,
      opts.mark === "violation" ? isNotNull(changeRequests.slaViolatedAt) : undefined,
    ],
    opts,
  );

export type MilestoneSummary = Omit<MilestoneView, "internalNote"> & { customerId: string };

const milestonePage = keysetList(
  deliveryMilestones,
  "plannedDate",
  (r): MilestoneSummary => ({
    id: r.milestoneId,
    contractId: r.contractId,
    customerId: r.accountId,
    name: r.name,
    destination: r.destination,
    quantity: r.quantity,
    plannedDate: r.plannedDate,
    committedDate: r.committedDate,
    actualDate: r.actualDate,
    supplier: r.supplier,
    costMinor: r.costMinor,
    updatedAt: r.updatedAt,
  }),
);

/** A tenant's delivery milestones by planned date, optionally of some accounts or still open. */
export const listMilestones = (
  db: ReadModelDb,
  tenantId: string,
  opts: ListOptions & { accounts?: readonly string[] | undefined; open?: boolean | undefined },
) =>
  milestonePage(
    db,
    tenantId,
    [
      opts.accounts ? inArray(deliveryMilestones.accountId, [...opts.accounts]) : undefined,
      opts.open === undefined
        ? undefined
        : opts.open
          ? sql`${deliveryMilestones.actualDate} IS NULL`
          : sql`${deliveryMilestones.actualDate} IS NOT NULL`,
    ],
    opts,
  );
