// List and search queries over the read model, with keyset pagination: a cursor names
// the last row seen, so pages stay stable while rows are inserted.
import { and, asc, eq, gt, or, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { ContractView, CustomerView, PaymentView } from "../core/index.ts";
import type { ReadModelDb } from "./client.ts";
import { contracts, customers, payments } from "./schema.ts";

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

/**
 * One keyset page of a tenant's rows, ordered by (`sort`, id): the cursor is the last row's
 * pair, so the next page starts strictly after it and never skips or repeats a row.
 */
async function keysetPage<Row extends { id: string }, T>(
  db: ReadModelDb,
  list: {
    table: SQLiteTable & { tenantId: AnySQLiteColumn; id: AnySQLiteColumn };
    sort: AnySQLiteColumn;
    sortOf: (r: Row) => string;
  },
  tenantId: string,
  filters: Array<SQL | undefined>,
  opts: { after?: string[] | null | undefined; limit: number },
  view: (r: Row) => T,
): Promise<Page<T>> {
  const conditions = [eq(list.table.tenantId, tenantId), ...filters];
  if (opts.after) {
    const [sorted, id] = opts.after as [string, string];
    conditions.push(or(gt(list.sort, sorted), and(eq(list.sort, sorted), gt(list.table.id, id))));
  }
  const rows = (await db
    .select()
    .from(list.table)
    .where(and(...conditions))
    .orderBy(asc(list.sort), asc(list.table.id))
    .limit(opts.limit + 1)) as Row[];
  const more = rows.length > opts.limit;
  const items = rows.slice(0, opts.limit);
  const last = items.at(-1);
  return {
    items: items.map(view),
    nextCursor: more && last ? encodeCursor([list.sortOf(last), last.id]) : null,
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists read the regional read model, which carries no conflict records (single reads do). */
export type CustomerSummary = Omit<CustomerView, "conflicts">;

export async function listCustomers(
  db: ReadModelDb,
  tenantId: string,
  opts: { q?: string | undefined; after?: string[] | null; limit: number },
): Promise<Page<CustomerSummary>> {
  const pattern = opts.q ? `%${escapeLike(opts.q)}%` : undefined;
  return keysetPage(
    db,
    {
      table: customers,
      sort: customers.name,
      sortOf: (r: typeof customers.$inferSelect) => r.name,
    },
    tenantId,
    [
      opts.q
        ? or(
            sql`${customers.name} LIKE ${pattern} ESCAPE '\\'`,
            eq(customers.taxId, opts.q.toUpperCase()),
          )
        : undefined,
    ],
    opts,
    (r): CustomerSummary => ({
      id: r.id,
      name: r.name,
      taxId: r.taxId,
      residency: r.residency as CustomerView["residency"],
      tier: r.tier as CustomerView["tier"],
      contacts: r.contacts as CustomerView["contacts"],
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    }),
  );
}

export type ContractSummary = Omit<
  ContractView,
  "payments" | "outstanding" | "overpaid" | "conflicts"
>;

export async function listContracts(
  db: ReadModelDb,
  tenantId: string,
  opts: { customerId?: string | undefined; after?: string[] | null; limit: number },
): Promise<Page<ContractSummary>> {
  return keysetPage(
    db,
    {
      table: contracts,
      sort: contracts.createdAt,
      sortOf: (r: typeof contracts.$inferSelect) => r.createdAt,
    },
    tenantId,
    [opts.customerId ? eq(contracts.customerId, opts.customerId) : undefined],
    opts,
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
}

export async function listPayments(
  db: ReadModelDb,
  tenantId: string,
  opts: { contractId?: string | undefined; after?: string[] | null; limit: number },
): Promise<Page<PaymentView>> {
  return keysetPage(
    db,
    {
      table: payments,
      sort: payments.confirmedAt,
      sortOf: (r: typeof payments.$inferSelect) => r.confirmedAt,
    },
    tenantId,
    [opts.contractId ? eq(payments.contractId, opts.contractId) : undefined],
    opts,
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
}
