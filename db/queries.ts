// List and search queries over the read model, with keyset pagination: a cursor names
// the last row seen, so pages stay stable while rows are inserted.
import { and, asc, eq, gt, or, sql } from "drizzle-orm";
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

function page<T, R>(
  rows: R[],
  limit: number,
  view: (r: R) => T,
  cursorOf: (r: R) => string[],
): Page<T> {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: more && last ? encodeCursor(cursorOf(last)) : null };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lists read the regional read model, which carries no conflict records (single reads do). */
export type CustomerSummary = Omit<CustomerView, "conflicts">;

export async function listCustomers(
  db: ReadModelDb,
  tenantId: string,
  opts: { q?: string | undefined; after?: string[] | null; limit: number },
): Promise<Page<CustomerSummary>> {
  const conditions = [eq(customers.tenantId, tenantId)];
  if (opts.q) {
    const pattern = `%${escapeLike(opts.q)}%`;
    conditions.push(
      or(
        sql`${customers.name} LIKE ${pattern} ESCAPE '\\'`,
        eq(customers.taxId, opts.q.toUpperCase()),
      )!,
    );
  }
  if (opts.after) {
    const [name, id] = opts.after as [string, string];
    conditions.push(
      or(gt(customers.name, name), and(eq(customers.name, name), gt(customers.id, id)))!,
    );
  }
  const rows = await db
    .select()
    .from(customers)
    .where(and(...conditions))
    .orderBy(asc(customers.name), asc(customers.id))
    .limit(opts.limit + 1);
  return page(
    rows,
    opts.limit,
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
    (r) => [r.name, r.id],
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
  const conditions = [eq(contracts.tenantId, tenantId)];
  if (opts.customerId) conditions.push(eq(contracts.customerId, opts.customerId));
  if (opts.after) {
    const [createdAt, id] = opts.after as [string, string];
    conditions.push(
      or(
        gt(contracts.createdAt, createdAt),
        and(eq(contracts.createdAt, createdAt), gt(contracts.id, id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(contracts)
    .where(and(...conditions))
    .orderBy(asc(contracts.createdAt), asc(contracts.id))
    .limit(opts.limit + 1);
  return page(
    rows,
    opts.limit,
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
    (r) => [r.createdAt, r.id],
  );
}

export async function listPayments(
  db: ReadModelDb,
  tenantId: string,
  opts: { contractId?: string | undefined; after?: string[] | null; limit: number },
): Promise<Page<PaymentView>> {
  const conditions = [eq(payments.tenantId, tenantId)];
  if (opts.contractId) conditions.push(eq(payments.contractId, opts.contractId));
  if (opts.after) {
    const [confirmedAt, id] = opts.after as [string, string];
    conditions.push(
      or(
        gt(payments.confirmedAt, confirmedAt),
        and(eq(payments.confirmedAt, confirmedAt), gt(payments.id, id)),
      )!,
    );
  }
  const rows = await db
    .select()
    .from(payments)
    .where(and(...conditions))
    .orderBy(asc(payments.confirmedAt), asc(payments.id))
    .limit(opts.limit + 1);
  return page(
    rows,
    opts.limit,
    (r): PaymentView => ({
      id: r.id,
      contractId: r.contractId,
      reference: r.reference,
      amount: { value: r.amountValue, currency: r.currency },
      receivedAt: r.receivedAt,
      confirmedAt: r.confirmedAt,
      overpayment: r.overpayment,
    }),
    (r) => [r.confirmedAt, r.id],
  );
}
