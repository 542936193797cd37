// Insights in the regional libSQL database: which strategies each analysis suggested and
// the reps' answers, aggregated per strategy. Only ids and strategy names are stored; the
// transcript never is. Bounded reads: a tenant's strategies are a short list by design.
import { and, desc, eq, gte, notLike, sql } from "drizzle-orm";
import type { ReadModelDb } from "../../../db/client.ts";
import { insightFeedback, insights } from "../../../db/schema.ts";

export type InsightRecord = typeof insights.$inferInsert;

/**
 * Analyses and answers sent by local tooling (scripts/time-analyze.ts) are recorded with
 * this prefix on their principal and never counted in adoption statistics.
 */
export const TOOLING_PREFIX = "tooling:";
const TOOLING_LIKE = `${TOOLING_PREFIX}%`;

/** The 503 a feedback or adoption read answers when libSQL does not answer in time. */
export const INSIGHTS_UNAVAILABLE = {
  title: "Insights storage is temporarily unavailable",
  detail:
    "The regional database did not answer in time; retry shortly. Analyses and every lifeline flow still work.",
};

/** Strategies listed at most (templates define a few dozen; a bound all the same). */
const MAX_STRATEGIES = 500;

export async function recordInsight(db: ReadModelDb, row: InsightRecord): Promise<void> {
  await db.insert(insights).values(row).onConflictDoNothing();
}

export type FeedbackOutcome = "recorded" | "unknown-insight" | "not-suggested";

/** Records (or replaces) a rep's answer on one strategy an analysis suggested. */
export async function recordFeedback(
  db: ReadModelDb,
  answer: {
    tenantId: string;
    insightId: string;
    strategy: string;
    adopted: boolean;
    answeredBy: string;
    answeredAt: string;
  },
): Promise<FeedbackOutcome> {
  const [insight] = await db
    .select({ strategies: insights.strategies })
    .from(insights)
    .where(and(eq(insights.tenantId, answer.tenantId), eq(insights.id, answer.insightId)));
  if (!insight) return "unknown-insight";
  if (!insight.strategies.includes(answer.strategy)) return "not-suggested";
  await db
    .insert(insightFeedback)
    .values(answer)
    .onConflictDoUpdate({
      target: [insightFeedback.tenantId, insightFeedback.insightId, insightFeedback.strategy],
      set: {
        adopted: answer.adopted,
        answeredBy: answer.answeredBy,
        answeredAt: answer.answeredAt,
      },
    });
  return "recorded";
}

/**
 * Per strategy, over analyses and answers since `since` (ISO time): how many analyses
 * suggested it, and how many answers adopted it. The window bounds the work: the
 * insights_by_created index limits the rows read to the window.
 */
export async function strategyCounts(
  db: ReadModelDb,
  tenantId: string,
  since: string,
): Promise<{
  suggested: Map<string, number>;
  answers: Map<string, { answered: number; adopted: number }>;
}> {
  const [suggestedRows, answerRows] = await Promise.all([
    db.all<{ strategy: string; n: number }>(sql`
      SELECT s.value AS strategy, count(*) AS n
      FROM ${insights}, json_each(${insights.strategies}) AS s
      WHERE ${insights.tenantId} = ${tenantId} AND ${insights.createdAt} >= ${since}
        AND ${insights.createdBy} NOT LIKE ${TOOLING_LIKE}
      GROUP BY s.value ORDER BY n DESC LIMIT ${MAX_STRATEGIES}`),
    db
      .select({
        strategy: insightFeedback.strategy,
        answered: sql<number>`count(*)`,
        adopted: sql<number>`coalesce(sum(${insightFeedback.adopted}), 0)`,
      })
      .from(insightFeedback)
      .where(
        and(
          eq(insightFeedback.tenantId, tenantId),
          gte(insightFeedback.answeredAt, since),
          notLike(insightFeedback.answeredBy, TOOLING_LIKE),
          // An answer on a tooling analysis is no rep's answer either.
          sql`${insightFeedback.insightId} NOT IN (SELECT ${insights.id} FROM ${insights}
            WHERE ${insights.tenantId} = ${tenantId} AND ${insights.createdBy} LIKE ${TOOLING_LIKE})`,
        ),
      )
      .groupBy(insightFeedback.strategy)
      .orderBy(desc(sql`count(*)`))
      .limit(MAX_STRATEGIES),
  ]);
  return {
    suggested: new Map(suggestedRows.map((r) => [r.strategy, Number(r.n)])),
    answers: new Map(
      answerRows.map((r) => [
        r.strategy,
        { answered: Number(r.answered), adopted: Number(r.adopted) },
      ]),
    ),
  };
}
