// The regional libSQL database. Its read model (customers, contracts, payments, change
// requests, delivery milestones) is what lists, search and reports read, written only by
// AccountDO projections (full-row upserts guarded by `version`), so it can be rebuilt,
// lag, or be down without touching a lifeline write [LF5]. The insights tables are the
// API's own: which strategies a call analysis suggested, whether reps adopted them, and
// the A/B experiments of their wordings (never the transcript itself).
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
    /**
     * Per suggested strategy under an A/B test, the experiment and the arm it was shown
     * with (JSON object); null when none of its strategies was under test.
     */
    variants: text("variants", { mode: "json" }).$type<
      Record<string, { experimentId: string; variant: string }>
    >(),
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
    /** The experiment and arm the action was shown with (copied from the insight), if any. */
    experimentId: text("experiment_id"),
    variant: text("variant"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.insightId, t.strategy] }),
    index("insight_feedback_by_strategy").on(t.tenantId, t.strategy),
    index("insight_feedback_by_experiment").on(t.tenantId, t.experimentId, t.variant),
  ],
);

/**
 * A/B tests of strategy wordings (core/insights/experiments.ts), one per strategy and
 * tenant in this region, like the insights they count. `version` guards concurrent changes;
 * `last_change_key` names the change that made it (insight_experiment_changes).
 */
export const insightExperiments = sqliteTable(
  "insight_experiments",
  {
    tenantId: text("tenant_id").notNull(),
    strategy: text("strategy").notNull(),
    id: text("id").notNull(),
    /** `control` first, then the variants' ids (JSON array). */
    arms: text("arms", { mode: "json" }).notNull().$type<string[]>(),
    status: text("status").notNull().$type<"running" | "promoted" | "reverted">(),
    promoted: text("promoted"),
    startedAt: text("started_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    version: integer("version").notNull(),
    lastChangeKey: text("last_change_key"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.strategy] }),
    index("insight_experiments_by_status").on(t.tenantId, t.status),
  ],
);

/**
 * Promotions and reversals, keyed by the request's Idempotency-Key: a retried request finds
 * its change here, and the strategies report shows the history. `detail` is what the audit
 * entry says, so a retry after a lost audit append writes the same entry.
 */
export const insightExperimentChanges = sqliteTable(
  "insight_experiment_changes",
  {
    tenantId: text("tenant_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    experimentId: text("experiment_id").notNull(),
    strategy: text("strategy").notNull(),
    action: text("action").notNull().$type<"promote" | "revert">(),
    variant: text("variant"),
    by: text("by").notNull(),
    at: text("at").notNull(),
    detail: text("detail", { mode: "json" }).notNull().$type<Record<string, unknown>>(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.idempotencyKey] }),
    index("insight_experiment_changes_by_experiment").on(t.tenantId, t.experimentId, t.at),
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

// ---------------------------------------------------------------- federated learning
// (ml/federated, workers/api/federation). A region's labelled utterances stay in this
// region's database: no outbox, projection or peer route reads them, and a round sends
// only a clipped weight update computed from them. Model versions are parameter vectors
// (base64 Float32), never text.

/** A rep's corrected sentiment label (or an imported one) for one utterance of the tenant. */
export const labelledUtterances = sqliteTable(
  "labelled_utterances",
  {
    tenantId: text("tenant_id").notNull(),
    /** The client's id for the row: adding it again replaces it (a retry is one row). */
    id: text("id").notNull(),
    lang: text("lang").notNull().$type<"zh" | "en">(),
    industry: text("industry"),
    speaker: text("speaker").$type<"customer" | "rep">(),
    text: text("text").notNull(),
    label: text("label").notNull().$type<"negative" | "neutral" | "positive">(),
    /** `holdout` rows only judge new global versions; `train` rows train the region's updates. */
    use: text("use").notNull().$type<"train" | "holdout">(),
    addedBy: text("added_by").notNull(),
    addedAt: text("added_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("labelled_utterances_by_use").on(t.tenantId, t.use, t.id),
  ],
);

/** Whether this region's rows of a tenant take part in rounds (its admins decide, per region). */
export const federationParticipation = sqliteTable("federation_participation", {
  tenantId: text("tenant_id").primaryKey(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  /** The least noise (σ) this region adds to its updates, whatever a round asks for. */
  minNoiseMultiplier: real("min_noise_multiplier").notNull(),
  updatedBy: text("updated_by").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/** Global versions: made here on the coordinator, received elsewhere (same hash everywhere). */
export const federationModels = sqliteTable(
  "federation_models",
  {
    tenantId: text("tenant_id").notNull(),
    version: integer("version").notNull(),
    parent: integer("parent"),
    round: integer("round").notNull(),
    hash: text("hash").notNull(),
    params: text("params").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.version] })],
);

/** The coordinator's rounds: claimed by inserting the row, so two triggers never run one round twice. */
export const federationRounds = sqliteTable(
  "federation_rounds",
  {
    tenantId: text("tenant_id").notNull(),
    round: integer("round").notNull(),
    status: text("status").notNull().$type<"running" | "advanced" | "stalled" | "failed">(),
    baseVersion: integer("base_version").notNull(),
    version: integer("version"),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    /** What arrived from each region (n, norms, clipping) and each region's decision (JSON). */
    summary: text("summary", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.round] })],
);

/** This region's held-out check of each version it was offered, and whether it serves it. */
export const federationDecisions = sqliteTable(
  "federation_decisions",
  {
    tenantId: text("tenant_id").notNull(),
    version: integer("version").notNull(),
    serve: integer("serve", { mode: "boolean" }).notNull(),
    reason: text("reason").notNull(),
    holdout: integer("holdout").notNull(),
    candidateMacroF1: real("candidate_macro_f1"),
    servedVersion: integer("served_version"),
    servedMacroF1: real("served_macro_f1"),
    decidedAt: text("decided_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.version] }),
    index("federation_decisions_served").on(t.tenantId, t.serve, t.version),
  ],
);
