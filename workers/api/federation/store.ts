// Federation in the regional libSQL database: the tenant's labelled utterances (their text
// is read here and by the local fine-tune only), the region's participation switch, model
// versions, the coordinator's rounds and the region's serve decisions. Every read is
// bounded (rows per round, versions kept, rounds listed, tenants per scheduled run).
import { and, count, desc, eq, gt, lt, notInArray, sql } from "drizzle-orm";
import type { ReadModelDb } from "../../../db/client.ts";
import {
  federationDecisions,
  federationModels,
  federationParticipation,
  federationRounds,
  labelledUtterances,
} from "../../../db/schema.ts";
import type { DecisionV1, ModelV1 } from "../../../ml/federated/wire.ts";

export type UtteranceRow = typeof labelledUtterances.$inferInsert;

/** Versions a region keeps besides the one it serves: enough to compare, bounded all the same. */
export const VERSIONS_KEPT = 10;

/**
 * Adds rows or replaces them by id (a retried request is the same rows). A row's `use` is
 * fixed when it is first stored: posting it again never moves it between train and holdout,
 * so no row both trains and judges a version.
 */
export async function putUtterances(db: ReadModelDb, rows: UtteranceRow[]): Promise<void> {
  if (rows.length === 0) return;
  const fresh = (column: string) => sql.raw(`excluded.${column}`);
  await db
    .insert(labelledUtterances)
    .values(rows)
    .onConflictDoUpdate({
      target: [labelledUtterances.tenantId, labelledUtterances.id],
      set: {
        lang: fresh("lang"),
        industry: fresh("industry"),
        speaker: fresh("speaker"),
        text: fresh("text"),
        label: fresh("label"),
        addedBy: fresh("added_by"),
        addedAt: fresh("added_at"),
      },
    });
}

/** Who added a row and what it is for, or null when the tenant has no such row here. */
export async function utteranceOf(db: ReadModelDb, tenantId: string, id: string) {
  const [row] = await db
    .select({ addedBy: labelledUtterances.addedBy, use: labelledUtterances.use })
    .from(labelledUtterances)
    .where(and(eq(labelledUtterances.tenantId, tenantId), eq(labelledUtterances.id, id)));
  return row ?? null;
}

export async function deleteUtterance(db: ReadModelDb, tenantId: string, id: string) {
  await db
    .delete(labelledUtterances)
    .where(and(eq(labelledUtterances.tenantId, tenantId), eq(labelledUtterances.id, id)));
}

export async function utteranceCounts(db: ReadModelDb, tenantId: string) {
  const rows = await db
    .select({ use: labelledUtterances.use, n: count() })
    .from(labelledUtterances)
    .where(eq(labelledUtterances.tenantId, tenantId))
    .groupBy(labelledUtterances.use);
  const of = (use: string) => rows.find((r) => r.use === use)?.n ?? 0;
  return { train: of("train"), holdout: of("holdout") };
}

/** At most `limit` rows of one use, in id order (a stable set from round to round). */
export function utterancesFor(
  db: ReadModelDb,
  tenantId: string,
  use: "train" | "holdout",
  limit: number,
): Promise<Array<{ text: string; label: string }>> {
  return db
    .select({ text: labelledUtterances.text, label: labelledUtterances.label })
    .from(labelledUtterances)
    .where(and(eq(labelledUtterances.tenantId, tenantId), eq(labelledUtterances.use, use)))
    .orderBy(labelledUtterances.id)
    .limit(limit);
}

export type Participation = { enabled: boolean; minNoiseMultiplier: number };

export async function participationOf(db: ReadModelDb, tenantId: string): Promise<Participation> {
  const [row] = await db
    .select()
    .from(federationParticipation)
    .where(eq(federationParticipation.tenantId, tenantId));
  return row
    ? { enabled: row.enabled, minNoiseMultiplier: row.minNoiseMultiplier }
    : { enabled: false, minNoiseMultiplier: 0 };
}

export async function setParticipation(
  db: ReadModelDb,
  row: typeof federationParticipation.$inferInsert,
): Promise<void> {
  const { tenantId: _, ...set } = row;
  await db
    .insert(federationParticipation)
    .values(row)
    .onConflictDoUpdate({ target: federationParticipation.tenantId, set });
}

/**
 * The tenants a scheduled run takes, at most `limit`, least recently run first (never run
 * first): those taking part in this region, and those whose rounds made a version since
 * `advancedSince` (their regions take part, whether or not this one does). Round-robin with
 * no cursor to keep: a run's rounds make its tenants the most recently run.
 */
export async function scheduledTenants(
  db: ReadModelDb,
  limit: number,
  advancedSince: string,
): Promise<string[]> {
  const rows = await db.all<{ tenant_id: string }>(sql`
    SELECT tenant_id, (SELECT MAX(started_at) FROM ${federationRounds} r
                       WHERE r.tenant_id = candidates.tenant_id) AS last_run
    FROM (
      SELECT tenant_id FROM ${federationParticipation} WHERE enabled = 1
      UNION
      SELECT tenant_id FROM ${federationRounds}
      WHERE status = 'advanced' AND started_at > ${advancedSince}
    ) AS candidates
    ORDER BY last_run IS NOT NULL, last_run, tenant_id
    LIMIT ${limit}`);
  return rows.map((r) => r.tenant_id);
}

/**
 * Stores a version once; the same version with other bytes is refused (a version names one
 * parameter vector everywhere). Older versions than the last VERSIONS_KEPT go, except the
 * one served here.
 */
export async function putModel(
  db: ReadModelDb,
  tenantId: string,
  model: ModelV1,
  at: string,
): Promise<"stored" | "held" | "conflict"> {
  const held = await modelMeta(db, tenantId, model.version);
  if (held) return held.hash === model.hash ? "held" : "conflict";
  await db
    .insert(federationModels)
    .values({ tenantId, ...model, createdAt: at })
    .onConflictDoNothing();
  // The served version and the best ever served are kept: the serve check scores both.
  const kept = [await servedDecision(db, tenantId), await bestServedDecision(db, tenantId)];
  await db.delete(federationModels).where(
    and(
      eq(federationModels.tenantId, tenantId),
      lt(federationModels.version, model.version - VERSIONS_KEPT),
      notInArray(
        federationModels.version,
        kept.flatMap((d) => (d ? [d.version] : [])),
      ),
    ),
  );
  return "stored";
}

async function modelMeta(db: ReadModelDb, tenantId: string, version: number) {
  const [row] = await db
    .select({ hash: federationModels.hash })
    .from(federationModels)
    .where(and(eq(federationModels.tenantId, tenantId), eq(federationModels.version, version)));
  return row ?? null;
}

export async function modelAt(
  db: ReadModelDb,
  tenantId: string,
  version: number,
): Promise<ModelV1 | null> {
  const [row] = await db
    .select()
    .from(federationModels)
    .where(and(eq(federationModels.tenantId, tenantId), eq(federationModels.version, version)));
  return row ? modelOf(row) : null;
}

export async function latestModel(db: ReadModelDb, tenantId: string): Promise<ModelV1 | null> {
  const [row] = await db
    .select()
    .from(federationModels)
    .where(eq(federationModels.tenantId, tenantId))
    .orderBy(desc(federationModels.version))
    .limit(1);
  return row ? modelOf(row) : null;
}

const modelOf = (row: typeof federationModels.$inferSelect): ModelV1 => ({
  version: row.version,
  parent: row.parent,
  round: row.round,
  hash: row.hash,
  params: row.params,
});

export async function recordDecision(
  db: ReadModelDb,
  tenantId: string,
  decision: DecisionV1,
  at: string,
): Promise<void> {
  await db
    .insert(federationDecisions)
    .values({ tenantId, ...decision, decidedAt: at })
    .onConflictDoNothing();
}

export async function decisionFor(db: ReadModelDb, tenantId: string, version: number) {
  const [row] = await db
    .select()
    .from(federationDecisions)
    .where(
      and(eq(federationDecisions.tenantId, tenantId), eq(federationDecisions.version, version)),
    );
  return row ?? null;
}

/** The newest version this region decided to serve, if any. */
export async function servedDecision(db: ReadModelDb, tenantId: string) {
  const [row] = await db
    .select()
    .from(federationDecisions)
    .where(and(eq(federationDecisions.tenantId, tenantId), eq(federationDecisions.serve, true)))
    .orderBy(desc(federationDecisions.version))
    .limit(1);
  return row ?? null;
}

/** The version this region served with the highest macro-F1 when it was judged (the newest of equals). */
export async function bestServedDecision(db: ReadModelDb, tenantId: string) {
  const [row] = await db
    .select()
    .from(federationDecisions)
    .where(and(eq(federationDecisions.tenantId, tenantId), eq(federationDecisions.serve, true)))
    .orderBy(desc(federationDecisions.candidateMacroF1), desc(federationDecisions.version))
    .limit(1);
  return row ?? null;
}

export async function recentDecisions(db: ReadModelDb, tenantId: string, limit: number) {
  return db
    .select()
    .from(federationDecisions)
    .where(eq(federationDecisions.tenantId, tenantId))
    .orderBy(desc(federationDecisions.version))
    .limit(limit);
}

export type RoundRow = typeof federationRounds.$inferSelect;

export async function lastRound(db: ReadModelDb, tenantId: string): Promise<RoundRow | null> {
  const [row] = await db
    .select()
    .from(federationRounds)
    .where(eq(federationRounds.tenantId, tenantId))
    .orderBy(desc(federationRounds.round))
    .limit(1);
  return row ?? null;
}

/** Claims round `round` by inserting its row; false when another trigger holds it already. */
export async function claimRound(
  db: ReadModelDb,
  row: { tenantId: string; round: number; baseVersion: number; startedAt: string },
): Promise<boolean> {
  const inserted = await db
    .insert(federationRounds)
    .values({ ...row, status: "running" })
    .onConflictDoNothing()
    .returning({ round: federationRounds.round });
  return inserted.length === 1;
}

export async function finishRound(
  db: ReadModelDb,
  tenantId: string,
  round: number,
  done: Pick<RoundRow, "status" | "version" | "finishedAt" | "summary">,
): Promise<void> {
  await db
    .update(federationRounds)
    .set(done)
    .where(and(eq(federationRounds.tenantId, tenantId), eq(federationRounds.round, round)));
}

/** Rounds of the tenant from `baseVersion` started after `since` (ISO time). */
export async function roundsFromBase(
  db: ReadModelDb,
  tenantId: string,
  baseVersion: number,
  since: string,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(federationRounds)
    .where(
      and(
        eq(federationRounds.tenantId, tenantId),
        eq(federationRounds.baseVersion, baseVersion),
        gt(federationRounds.startedAt, since),
      ),
    );
  return row?.n ?? 0;
}

export async function recentRounds(db: ReadModelDb, tenantId: string, limit: number) {
  return db
    .select()
    .from(federationRounds)
    .where(eq(federationRounds.tenantId, tenantId))
    .orderBy(desc(federationRounds.round))
    .limit(limit);
}
