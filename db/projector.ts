// Writes an AccountDO projection into the read model in one libSQL batch. Upserts are
// guarded by the HLC `version`, so duplicate, late or reordered projections are harmless.
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteUpdateSetSource } from "drizzle-orm/sqlite-core";
import type { Projection } from "../durable-objects/account/engine.ts";
import type { ReadModelDb } from "./client.ts";
import { changeRequests, contracts, customers, deliveryMilestones, payments } from "./schema.ts";

/** A milestone's row id: milestone ids are unique only within their contract. */
export const milestoneRowId = (contractId: string, milestoneId: string) =>
  `${contractId}/${milestoneId}`;

type Versioned =
  | typeof customers
  | typeof contracts
  | typeof payments
  | typeof changeRequests
  | typeof deliveryMilestones;

/** Insert, or overwrite a row only with a newer version of it. */
function upsert<T extends Versioned>(db: ReadModelDb, table: T, row: T["$inferInsert"]) {
  return db
    .insert(table)
    .values(row)
    .onConflictDoUpdate({
      target: [table.tenantId, table.id],
      // The whole row is the update: a newer version replaces every column.
      set: row as SQLiteUpdateSetSource<T>,
      setWhere: sql`excluded.version > ${table.version}`,
    });
}

export async function writeProjection(db: ReadModelDb, p: Projection): Promise<void> {
  const { tenantId, version } = p;
  const c = p.customer;
  const statements: BatchItem<"sqlite">[] = [
    ...(c
      ? [
          upsert(db, customers, {
            tenantId,
            id: c.id,
            name: c.name,
            taxId: c.taxId,
            residency: c.residency,
            tier: c.tier,
            contacts: c.contacts,
            ownerId: c.ownerId,
            createdAt: c.createdAt,
            updatedAt: c.updatedAt,
            version,
          }),
        ]
      : []),
    ...p.contracts.map((k) =>
      upsert(db, contracts, {
        tenantId,
        id: k.id,
        customerId: k.customerId,
        title: k.title,
        amountValue: k.amount.value,
        currency: k.amount.currency,
        status: k.status,
        documentHash: k.documentHash,
        paidValue: k.paid.value,
        signatures: k.signatures,
        createdAt: k.createdAt,
        updatedAt: k.updatedAt,
        version,
      }),
    ),
    ...p.payments.map((pay) =>
      upsert(db, payments, {
        tenantId,
        id: pay.id,
        contractId: pay.contractId,
        customerId: p.accountId,
        reference: pay.reference,
        amountValue: pay.amount.value,
        currency: pay.amount.currency,
        receivedAt: pay.receivedAt,
        confirmedAt: pay.confirmedAt,
        overpayment: pay.overpayment,
        version,
      }),
    ),
    ...p.changeRequests.map((cr) =>
      upsert(db, changeRequests, {
        tenantId,
        id: cr.id,
        accountId: p.accountId,
        contractId: cr.contractId,
        kind: cr.kind,
        status: cr.status,
        tier: cr.tier,
        summary: cr.summary,
        filedBy: cr.filedBy,
        filedAt: cr.filedAt,
        slaWarnAt: cr.slaWarnAt,
        slaDueAt: cr.slaDueAt,
        slaWarnedAt: cr.slaMarks.warning,
        slaViolatedAt: cr.slaMarks.violation,
        answeredAt: cr.answer?.answeredAt ?? null,
        feasible: cr.answer?.feasible ?? null,
        newCommittedDate: cr.answer?.newCommittedDate ?? null,
        respondedAt: cr.response?.respondedAt ?? null,
        updatedAt: cr.updatedAt,
        version,
      }),
    ),
    ...p.milestones.map((m) =>
      upsert(db, deliveryMilestones, {
        tenantId,
        id: milestoneRowId(m.contractId, m.id),
        contractId: m.contractId,
        milestoneId: m.id,
        accountId: p.accountId,
        name: m.name,
        destination: m.destination,
        quantity: m.quantity,
        plannedDate: m.plannedDate,
        committedDate: m.committedDate,
        actualDate: m.actualDate,
        supplier: m.supplier,
        costMinor: m.costMinor,
        updatedAt: m.updatedAt,
        version,
      }),
    ),
  ];
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
