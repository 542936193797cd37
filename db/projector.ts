// Writes an AccountDO projection into the read model in one libSQL batch. Upserts are
// guarded by the HLC `version`, so duplicate, late or reordered projections are harmless.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Projection } from "../durable-objects/account/engine.ts";
import type { ReadModelDb } from "./client.ts";
import { contracts, customers, payments } from "./schema.ts";

export async function writeProjection(db: ReadModelDb, p: Projection): Promise<void> {
  const statements: BatchItem<"sqlite">[] = [];
  if (p.customer) {
    const c = p.customer;
    const row = {
      tenantId: p.tenantId,
      id: c.id,
      name: c.name,
      taxId: c.taxId,
      residency: c.residency,
      tier: c.tier,
      contacts: c.contacts,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      version: p.version,
    };
    statements.push(
      db
        .insert(customers)
        .values(row)
        .onConflictDoUpdate({
          target: [customers.tenantId, customers.id],
          set: row,
          setWhere: sql`excluded.version > ${customers.version}`,
        }),
    );
  }
  for (const c of p.contracts) {
    const row = {
      tenantId: p.tenantId,
      id: c.id,
      customerId: c.customerId,
      title: c.title,
      amountValue: c.amount.value,
      currency: c.amount.currency,
      status: c.status,
      documentHash: c.documentHash,
      paidValue: c.paid.value,
      signatures: c.signatures,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      version: p.version,
    };
    statements.push(
      db
        .insert(contracts)
        .values(row)
        .onConflictDoUpdate({
          target: [contracts.tenantId, contracts.id],
          set: row,
          setWhere: sql`excluded.version > ${contracts.version}`,
        }),
    );
  }
  for (const pay of p.payments) {
    const row = {
      tenantId: p.tenantId,
      id: pay.id,
      contractId: pay.contractId,
      customerId: p.accountId,
      reference: pay.reference,
      amountValue: pay.amount.value,
      currency: pay.amount.currency,
      receivedAt: pay.receivedAt,
      confirmedAt: pay.confirmedAt,
      overpayment: pay.overpayment,
      version: p.version,
    };
    statements.push(
      db
        .insert(payments)
        .values(row)
        .onConflictDoUpdate({
          target: [payments.tenantId, payments.id],
          set: row,
          setWhere: sql`excluded.version > ${payments.version}`,
        }),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
