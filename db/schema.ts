// The regional libSQL database. Its read model (customers, contracts, payments, change
// requests, delivery milestones) is what lists, search and reports read, written only by
// AccountDO projections (full-row upserts guarded by `version`), so it can be rebuilt,
// lag, or be down without touching a lifeline write [LF5]. The insights tables are the
// API's own: which strategies a call analysis suggested and whether reps adopted them
// (never the transcript itself).
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const customers = sqliteTable(
  "customers",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    name: text("name").notNull(),
    taxId: text("tax_id"),
    residency: text("residency").notNull(),
    tier: text("tier").notNull(),
    contacts: text("contacts", { mode: "json" }).notNull(),
    /** The owning rep's user id; null when none was named. */
    ownerId: text("owner_id"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    version: text("version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("customers_by_name").on(t.tenantId, t.name, t.id),
    // A rep's own list (`?owner=me`), in the same (name, id) order as every customer page.
    index("customers_by_owner").on(t.tenantId, t.ownerId, t.name, t.id),
  ],
);

export const contracts = sqliteTable(
  "contracts",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    customerId: text("customer_id").notNull(),
    title: text("title").notNull(),
    amountValue: integer("amount_value").notNull(),
    currency: text("currency").notNull(),
    status: text("status").notNull(),
    documentHash: text("document_hash").notNull(),
    paidValue: integer("paid_value").notNull(),
    signatures: text("signatures", { mode: "json" }).notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    version: text("version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("contracts_by_customer").on(t.tenantId, t.customerId, t.createdAt, t.id),
  ],
);

export const payments = sqliteTable(
  "payments",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    contractId: text("contract_id").notNull(),
    customerId: text("customer_id").notNull(),
    reference: text("reference").notNull(),
    amountValue: integer("amount_value").notNull(),
    currency: text("currency").notNull(),
    receivedAt: text("received_at"),
    confirmedAt: text("confirmed_at").notNull(),
    overpayment: integer("overpayment", { mode: "boolean" }).notNull(),
    version: text("version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("payments_by_contract").on(t.tenantId, t.contractId, t.confirmedAt, t.id),
  ],
);

/** One call analysis: what it suggested and what produced it. Transcripts are not kept. */
export const insights = sqliteTable(
  "insights",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    customerId: text("customer_id"),
    industry: text("industry"),
    /** The suggested actions' strategy ids, in order (JSON array). */
    strategies: text("strategies", { mode: "json" }).notNull().$type<string[]>(),
    modelVersion: text("model_version"),
    rulesFingerprint: text("rules_fingerprint").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("insights_by_created").on(t.tenantId, t.createdAt),
  ],
);

/** A rep's answer on one suggested action; answering again replaces the answer. */
export const insightFeedback = sqliteTable(
  "insight_feedback",
  {
    tenantId: text("tenant_id").notNull(),
    insightId: text("insight_id").notNull(),
    strategy: text("strategy").notNull(),
    adopted: integer("adopted", { mode: "boolean" }).notNull(),
    answeredBy: text("answered_by").notNull(),
    answeredAt: text("answered_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.insightId, t.strategy] }),
    index("insight_feedback_by_strategy").on(t.tenantId, t.strategy),
  ],
);

/**
 * Change requests across accounts (DESIGN §11), for lists a workbench pages through (a
 * group's open requests by SLA due time). The AccountDO is authoritative; a row is its
 * projection, replaced whole by a newer account version.
 */
export const changeRequests = sqliteTable(
  "change_requests",
  {
    tenantId: text("tenant_id").notNull(),
    id: text("id").notNull(),
    accountId: text("account_id").notNull(),
    contractId: text("contract_id").notNull(),
    kind: text("kind").notNull(),
    status: text("status").notNull(),
    tier: text("tier").notNull(),
    /** Null in a region that holds the masked copy (withheld abroad). */
    summary: text("summary"),
    filedBy: text("filed_by").notNull(),
    filedAt: text("filed_at").notNull(),
    slaWarnAt: text("sla_warn_at").notNull(),
    slaDueAt: text("sla_due_at").notNull(),
    slaWarnedAt: text("sla_warned_at"),
    slaViolatedAt: text("sla_violated_at"),
    answeredAt: text("answered_at"),
    feasible: integer("feasible", { mode: "boolean" }),
    newCommittedDate: text("new_committed_date"),
    respondedAt: text("responded_at"),
    updatedAt: text("updated_at").notNull(),
    version: text("version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    // The workbench's list: open (or any status) requests, the most urgent first.
    index("change_requests_by_status").on(t.tenantId, t.status, t.slaDueAt, t.id),
    index("change_requests_by_account").on(t.tenantId, t.accountId, t.slaDueAt, t.id),
  ],
);

/** Delivery milestones across accounts (staff data: supplier and cost included). */
export const deliveryMilestones = sqliteTable(
  "delivery_milestones",
  {
    tenantId: text("tenant_id").notNull(),
    /** `<contract id>/<milestone id>`: milestone ids are only unique within their contract. */
    id: text("id").notNull(),
    contractId: text("contract_id").notNull(),
    milestoneId: text("milestone_id").notNull(),
    accountId: text("account_id").notNull(),
    name: text("name").notNull(),
    destination: text("destination").notNull(),
    quantity: integer("quantity"),
    plannedDate: text("planned_date").notNull(),
    committedDate: text("committed_date"),
    actualDate: text("actual_date"),
    supplier: text("supplier"),
    costMinor: integer("cost_minor"),
    updatedAt: text("updated_at").notNull(),
    version: text("version").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("delivery_milestones_by_planned").on(t.tenantId, t.plannedDate, t.id),
    index("delivery_milestones_by_account").on(t.tenantId, t.accountId, t.plannedDate, t.id),
  ],
);
