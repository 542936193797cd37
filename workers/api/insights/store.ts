// Insights in the regional libSQL database: which strategies each analysis suggested (and
// in which A/B arm) and the reps' answers, aggregated per strategy. Only ids, strategy and
// arm names are stored; the transcript never is. Bounded reads: a tenant's strategies are
// a short list by design. Experiments themselves are in experiments.ts.
import { and, desc, eq, gte, notLike, type SQL, sql } from "drizzle-orm";
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
export const MAX_STRATEGIES = 500;

export async function recordInsight(db: ReadModelDb, row: InsightRecord): Promise<void> {
  await db.insert(insights).values(row).onConflictDoNothing();
}

export type FeedbackOutcome = "recorded" | "unknown-insight" | "not-suggested";

/**
 * Records (or replaces) a rep's answer on one strategy an analysis suggested, with the
 * experiment arm the insight was assigned (only insights served while an experiment ran
 * have one), so adoption is counted per arm too.
 */
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
    .select({ strategies: insights.strategies, variants: insights.variants })
    .from(insights)
    .where(and(eq(insights.tenantId, answer.tenantId), eq(insights.id, answer.insightId)));
  if (!insight) return "unknown-insight";
  if (!insight.strategies.includes(answer.strategy)) return "not-suggested";
  // Keyed by a strategy the request names: an own property only, never Object's.
  const shown =
    insight.variants && Object.hasOwn(insight.variants, answer.strategy)
      ? insight.variants[answer.strategy]
      : undefined;
  const arm = { experimentId: shown?.experimentId ?? null, variant: shown?.variant ?? null };
  await db
    .insert(insightFeedback)
    .values({ ...answer, ...arm })
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
 * Answers that count: a rep's (not local tooling's), on an analysis a rep asked for. The
 * conditions every adoption count shares, per strategy or per experiment arm.
 */
export function countedAnswers(tenantId: string): SQL {
  return and(
    eq(insightFeedback.tenantId, tenantId),
    notLike(insightFeedback.answeredBy, TOOLING_LIKE),
    // An answer on a tooling analysis is no rep's answer either.
    sql`${insightFeedback.insightId} NOT IN (SELECT ${insights.id} FROM ${insights}
      WHERE ${insights.tenantId} = ${tenantId} AND ${insights.createdBy} LIKE ${TOOLING_LIKE})`,
  )!;
}

/** One strategy's answers since `since`: what its A/B flag is judged on. */
export async function strategyAnswers(
  db: ReadModelDb,
  tenantId: string,
  strategy: string,
  since: string,
): Promise<{ answered: number; adopted: number }> {
  const [row] = await db
    .select({
      answered: sql<number>`count(*)`,
      adopted: sql<number>`coalesce(sum(${insightFeedback.adopted}), 0)`,
    })
    .from(insightFeedback)
    .where(
      and(
        countedAnswers(tenantId),
        eq(insightFeedback.strategy, strategy),
        gte(insightFeedback.answeredAt, since),
      ),
    );
  return { answered: Number(row?.answered ?? 0), adopted: Number(row?.adopted ?? 0) };
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
      .where(and(countedAnswers(tenantId), gte(insightFeedback.answeredAt, since)))
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
