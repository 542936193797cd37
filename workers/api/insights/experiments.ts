// A/B experiments of strategy wordings in the regional libSQL database, like the insights
// whose answers they count (core/insights/experiments.ts decides; this file stores). Three
// paths touch them: an analysis reads the experiments to serve (cached per isolate, within
// a budget, never holding the analysis), an answer may start one, and an admin promotes or
// reverts one (Idempotency-Key, audited).
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { fingerprint } from "../../../core/idempotency.ts";
import { insights } from "../../../core/index.ts";
import {
  type ArmResult,
  armResults,
  EXPERIMENT_RULE,
  type Experiment,
  type ExperimentRefusal,
  MAX_RUNNING_EXPERIMENTS,
  promote,
  revert,
  startExperiment,
  type Transition,
  variantsOf,
} from "../../../core/insights/experiments.ts";
import type { ReadModelDb } from "../../../db/client.ts";
import {
  insightExperimentChanges,
  insightExperiments,
  insightFeedback,
  insights as insightRows,
} from "../../../db/schema.ts";
import { auditStub, idempotencyKeyStub } from "../../../durable-objects/stubs.ts";
import { within } from "../../shared/timeout.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { inFlight, keyReused, requireIdempotencyKey } from "../lifeline.ts";
import { fromReadModel, readModel } from "../read-model.ts";
import { tenantRules } from "./rules.ts";
import { countedAnswers, INSIGHTS_UNAVAILABLE, MAX_STRATEGIES, strategyAnswers } from "./store.ts";

/** The window a strategy's A/B flag is judged over: the strategies report's default. */
export const FLAG_WINDOW_DAYS = 90;
/** An isolate's copy of a tenant's experiments is refreshed, behind an answer, past this age. */
const SERVE_TTL_MS = 30_000;
/** An analysis without a copy waits this long at most; past it, it shows every control text. */
const SERVE_BUDGET_MS = 100;
const MAX_CACHED = 256;
/** Changes listed per experiment in the strategies report, newest first. */
export const MAX_CHANGES_SHOWN = 10;

type Row = typeof insightExperiments.$inferSelect;

const experimentOf = (r: Row): Experiment => ({
  id: r.id,
  strategy: r.strategy,
  arms: r.arms,
  status: r.status,
  promoted: r.promoted,
  startedAt: r.startedAt,
  updatedAt: r.updatedAt,
  version: r.version,
});

export async function tenantExperiments(db: ReadModelDb, tenantId: string): Promise<Experiment[]> {
  const rows = await db
    .select()
    .from(insightExperiments)
    .where(eq(insightExperiments.tenantId, tenantId))
    .limit(MAX_STRATEGIES);
  return rows.map(experimentOf);
}

async function experimentOfStrategy(
  db: ReadModelDb,
  tenantId: string,
  strategy: string,
): Promise<Experiment | null> {
  const [row] = await db
    .select()
    .from(insightExperiments)
    .where(
      and(eq(insightExperiments.tenantId, tenantId), eq(insightExperiments.strategy, strategy)),
    );
  return row ? experimentOf(row) : null;
}

export type ArmCounts = Map<string, { answered: number; adopted: number }>;

/** An experiment's comparison: its running phase's answers per arm, and when that phase ended. */
export type ExperimentCounts = {
  arms: ArmCounts;
  /** The experiment's first promotion or revert, past which no insight counts; null: running. */
  countedUntil: string | null;
};

/**
 * Counted answers per experiment and arm, for the given experiments: only answers on
 * insights assigned an arm while their experiment ran, i.e. made before its first change
 * (every change leaves `running`, and nothing returns to it). Core records no arm for an
 * insight served a promoted text; this also drops arms recorded by an isolate whose copy
 * of the experiment had not yet seen the change.
 */
export async function armCounts(
  db: ReadModelDb,
  tenantId: string,
  experimentIds: readonly string[],
): Promise<Map<string, ExperimentCounts>> {
  const out = new Map<string, ExperimentCounts>(
    experimentIds.map((id) => [id, { arms: new Map(), countedUntil: null }]),
  );
  if (experimentIds.length === 0) return out;
  const ids = [...experimentIds];
  const [rows, ended] = await Promise.all([
    db
      .select({
        experimentId: insightFeedback.experimentId,
        variant: insightFeedback.variant,
        answered: sql<number>`count(*)`,
        adopted: sql<number>`coalesce(sum(${insightFeedback.adopted}), 0)`,
      })
      .from(insightFeedback)
      .innerJoin(
        insightRows,
        and(
          eq(insightRows.tenantId, insightFeedback.tenantId),
          eq(insightRows.id, insightFeedback.insightId),
        ),
      )
      .where(
        and(
          countedAnswers(tenantId),
          inArray(insightFeedback.experimentId, ids),
          sql`NOT EXISTS (SELECT 1 FROM ${insightExperimentChanges}
            WHERE ${insightExperimentChanges.tenantId} = ${tenantId}
              AND ${insightExperimentChanges.experimentId} = ${insightFeedback.experimentId}
              AND ${insightExperimentChanges.at} <= ${insightRows.createdAt})`,
        ),
      )
      .groupBy(insightFeedback.experimentId, insightFeedback.variant),
    db
      .select({
        experimentId: insightExperimentChanges.experimentId,
        at: sql<string>`min(${insightExperimentChanges.at})`,
      })
      .from(insightExperimentChanges)
      .where(
        and(
          eq(insightExperimentChanges.tenantId, tenantId),
          inArray(insightExperimentChanges.experimentId, ids),
        ),
      )
      .groupBy(insightExperimentChanges.experimentId),
  ]);
  for (const r of rows) {
    if (r.experimentId === null || r.variant === null) continue;
    out.get(r.experimentId)?.arms.set(r.variant, {
      answered: Number(r.answered),
      adopted: Number(r.adopted),
    });
  }
  for (const r of ended) {
    const counts = out.get(r.experimentId);
    if (counts) counts.countedUntil = r.at;
  }
  return out;
}

export type ExperimentChange = {
  action: "promote" | "revert";
  variant: string | null;
  by: string;
  at: string;
};

/** The latest changes of each experiment (MAX_CHANGES_SHOWN each), newest first. */
export async function experimentChanges(
  db: ReadModelDb,
  tenantId: string,
  experimentIds: readonly string[],
): Promise<Map<string, ExperimentChange[]>> {
  const out = new Map<string, ExperimentChange[]>(experimentIds.map((id) => [id, []]));
  if (experimentIds.length === 0) return out;
  const rows = await db
    .select()
    .from(insightExperimentChanges)
    .where(
      and(
        eq(insightExperimentChanges.tenantId, tenantId),
        inArray(insightExperimentChanges.experimentId, [...experimentIds]),
      ),
    )
    .orderBy(desc(insightExperimentChanges.at))
    .limit(MAX_CHANGES_SHOWN * experimentIds.length);
  for (const r of rows) {
    const list = out.get(r.experimentId);
    if (list && list.length < MAX_CHANGES_SHOWN)
      list.push({ action: r.action, variant: r.variant, by: r.by, at: r.at });
  }
  return out;
}

// ---- Serving (the analysis path) ----

type Copy = { at: number; value: readonly Experiment[]; refreshing: boolean };
const cache = new Map<string, Copy>();

const served = (all: readonly Experiment[]) => all.filter((e) => e.status !== "reverted");

async function load(env: Env, tenantId: string): Promise<readonly Experiment[]> {
  const value = served(await tenantExperiments(readModel(env), tenantId));
  cache.delete(tenantId);
  cache.set(tenantId, { at: Date.now(), value, refreshing: false });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return value;
}

/**
 * The experiments an analysis serves (running and promoted), never holding it long: the
 * copy this isolate holds is served at once, and refreshed behind the answer once older
 * than SERVE_TTL_MS. Without one the read has SERVE_BUDGET_MS; past it the analysis shows
 * every control text and records no arm, so its answers count for no arm.
 */
export async function servingExperiments(
  env: Env,
  tenantId: string,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<readonly Experiment[]> {
  const copy = cache.get(tenantId);
  if (copy) {
    if (Date.now() - copy.at >= SERVE_TTL_MS && !copy.refreshing) {
      copy.refreshing = true;
      waitUntil(
        load(env, tenantId).catch((err: Error) => {
          copy.refreshing = false;
          console.warn(`experiments of ${tenantId} not refreshed: ${err.message}`);
        }),
      );
    }
    return copy.value;
  }
  const loading = load(env, tenantId);
  waitUntil(loading.catch(() => undefined));
  try {
    return await within(loading, SERVE_BUDGET_MS);
  } catch (err) {
    console.warn(`experiments of ${tenantId} not read: ${(err as Error).message}`);
    return [];
  }
}

/**
 * A change made through this isolate is served by it at once (written through its copy);
 * other isolates serve it once their copy is refreshed, SERVE_TTL_MS and a request later.
 */
function remember(tenantId: string, e: Experiment): void {
  const copy = cache.get(tenantId);
  if (copy) copy.value = served([...copy.value.filter((x) => x.strategy !== e.strategy), e]);
}

// ---- Starting (the feedback path) ----

/**
 * After an answer on `strategy`: starts its experiment when core says so. The cap on
 * running experiments is checked again in the INSERT itself, so two answers at once on two
 * strategies cannot both take the last place.
 */
export async function considerExperiment(
  env: Env,
  tenantId: string,
  strategy: string,
): Promise<Experiment | null> {
  const db = readModel(env);
  if (await experimentOfStrategy(db, tenantId, strategy)) return null;
  const template = (await tenantRules(env, tenantId)).compiled.templates.find(
    (t) => t.strategy === strategy,
  );
  if (!template || variantsOf(template).length === 0) return null;
  const now = Date.now();
  const since = new Date(now - FLAG_WINDOW_DAYS * 86_400_000).toISOString();
  const [answers, [running]] = await Promise.all([
    strategyAnswers(db, tenantId, strategy, since),
    db
      .select({ n: sql<number>`count(*)` })
      .from(insightExperiments)
      .where(
        and(eq(insightExperiments.tenantId, tenantId), eq(insightExperiments.status, "running")),
      ),
  ]);
  const [adoption] = insights.adoptionReport(new Map(), new Map([[strategy, answers]]));
  const verdict = startExperiment({
    existing: null,
    adoption,
    template,
    running: Number(running?.n ?? 0),
    id: `exp_${crypto.randomUUID().replaceAll("-", "")}`,
    at: new Date(now).toISOString(),
  });
  if (!verdict.start) return null;
  const e = verdict.start;
  const inserted = await db.run(sql`
    INSERT INTO ${insightExperiments} (tenant_id, strategy, id, arms, status, promoted,
      started_at, updated_at, version, last_change_key)
    SELECT ${tenantId}, ${e.strategy}, ${e.id}, ${JSON.stringify(e.arms)}, ${e.status}, NULL,
      ${e.startedAt}, ${e.updatedAt}, ${e.version}, NULL
    WHERE (SELECT count(*) FROM ${insightExperiments}
      WHERE tenant_id = ${tenantId} AND status = 'running') < ${MAX_RUNNING_EXPERIMENTS}
    ON CONFLICT DO NOTHING`);
  if (inserted.rowsAffected !== 1) return null;
  remember(tenantId, e);
  return e;
}

// ---- Promoting and reverting (the admin path) ----

export type ChangeRequest = { action: "promote"; variant: string } | { action: "revert" };

/**
 * Promotes or reverts `strategy`'s experiment: Idempotency-Key → the tenant's key registry
 * (422 another request, 409 in flight) → core's transition → the experiment and its change
 * row in one batch, the row written only if the experiment's version was the one judged →
 * the audit entry, keyed by the request so a retry is the same entry [LF7]. A retry whose
 * change is stored answers the experiment as it now stands, marked replayed.
 */
export async function changeExperiment(
  c: Context<AppEnv>,
  strategy: string,
  request: ChangeRequest,
): Promise<{ experiment: Experiment; replayed: boolean }> {
  const p = c.get("principal");
  const key = requireIdempotencyKey(c);
  const fp = fingerprint(c.req.method, c.req.path, request);
  const registry = idempotencyKeyStub(c.env, p.tenantId, key);
  const claim = await registry.claim(key, fp);
  if (claim === "mismatch") throw keyReused();
  if (claim === "in-flight") throw inFlight();
  try {
    const db = readModel(c.env);
    const answer = await fromReadModel(
      () => decideAndWrite(db, { tenantId: p.tenantId, by: p.id, key, strategy, request }),
      INSIGHTS_UNAVAILABLE,
    );
    switch (answer.kind) {
      case "refused":
        throw refusalProblem(answer.refusal, strategy);
      case "conflict":
        throw concurrentChange(strategy);
      case "mismatch":
        throw keyReused();
    }
    if (answer.audit) {
      await auditStub(c.env).append({
        key: `insight-experiment/${p.tenantId}/${key}`,
        kind: "policy-change",
        detail: answer.audit,
      });
    }
    remember(p.tenantId, answer.experiment);
    c.executionCtx.waitUntil(registry.complete(key, fp));
    return { experiment: answer.experiment, replayed: answer.kind === "replayed" };
  } catch (err) {
    // Nothing took effect, or what did is found by the key's change row on a retry.
    c.executionCtx.waitUntil(registry.release(key, fp));
    throw err;
  }
}

type Decided =
  | { kind: "done" | "replayed"; experiment: Experiment; audit: Record<string, unknown> | null }
  | { kind: "refused"; refusal: ExperimentRefusal }
  | { kind: "conflict" }
  | { kind: "mismatch" };

async function decideAndWrite(
  db: ReadModelDb,
  q: { tenantId: string; by: string; key: string; strategy: string; request: ChangeRequest },
): Promise<Decided> {
  const [[stored], current] = await Promise.all([
    db
      .select()
      .from(insightExperimentChanges)
      .where(
        and(
          eq(insightExperimentChanges.tenantId, q.tenantId),
          eq(insightExperimentChanges.idempotencyKey, q.key),
        ),
      ),
    experimentOfStrategy(db, q.tenantId, q.strategy),
  ]);
  if (stored) {
    const variant = q.request.action === "promote" ? q.request.variant : null;
    const same =
      stored.strategy === q.strategy &&
      stored.action === q.request.action &&
      stored.variant === variant;
    if (!same || !current) return { kind: "mismatch" };
    return { kind: "replayed", experiment: current, audit: stored.detail };
  }
  // The running phase's answers only, whether promoting for the first time or again.
  const results = current
    ? armResults(
        current.arms,
        (await armCounts(db, q.tenantId, [current.id])).get(current.id)!.arms,
      )
    : [];
  const at = new Date().toISOString();
  const t: Transition =
    q.request.action === "promote"
      ? promote(current, q.request.variant, results, at)
      : revert(current, at);
  if (!t.ok) return { kind: "refused", refusal: t.refusal };
  if (!t.changed || !current) return { kind: "done", experiment: t.experiment, audit: null };
  const next = t.experiment;
  const detail = auditDetail(q, current, next, results);
  const [updated] = await db.batch([
    db
      .update(insightExperiments)
      .set({
        status: next.status,
        promoted: next.promoted,
        updatedAt: next.updatedAt,
        version: next.version,
        lastChangeKey: q.key,
      })
      .where(
        and(
          eq(insightExperiments.tenantId, q.tenantId),
          eq(insightExperiments.strategy, q.strategy),
          eq(insightExperiments.version, current.version),
        ),
      )
      .returning({ version: insightExperiments.version }),
    // Only beside the update above: a concurrent change that won leaves no row of ours.
    db.run(sql`
      INSERT INTO ${insightExperimentChanges} (tenant_id, idempotency_key, experiment_id,
        strategy, action, variant, by, at, detail)
      SELECT ${q.tenantId}, ${q.key}, ${next.id}, ${q.strategy}, ${q.request.action},
        ${next.promoted}, ${q.by}, ${at}, ${JSON.stringify(detail)}
      WHERE EXISTS (SELECT 1 FROM ${insightExperiments} WHERE tenant_id = ${q.tenantId}
        AND strategy = ${q.strategy} AND last_change_key = ${q.key})`),
  ]);
  if (updated.length !== 1) return { kind: "conflict" };
  return { kind: "done", experiment: next, audit: detail };
}

/** What the audit entry says: who changed what, from which state, on which evidence. */
function auditDetail(
  q: { tenantId: string; by: string; strategy: string; request: ChangeRequest },
  from: Experiment,
  to: Experiment,
  results: readonly ArmResult[],
): Record<string, unknown> {
  return {
    tenantId: q.tenantId,
    by: q.by,
    change: `insight-strategy.${q.request.action}`,
    strategy: q.strategy,
    experimentId: to.id,
    from: { status: from.status, promoted: from.promoted },
    to: { status: to.status, promoted: to.promoted },
    arms: results.map(({ variant, answered, adopted }) => ({ variant, answered, adopted })),
  };
}

function refusalProblem(r: ExperimentRefusal, strategy: string): Problem {
  switch (r.code) {
    case "no-experiment":
      return new Problem(
        404,
        "not-found",
        "No experiment for this strategy",
        `${strategy} has no A/B experiment in this region (one starts when the strategy is flagged and has variants).`,
      );
    case "unknown-variant":
      return new Problem(
        422,
        "unknown-variant",
        "Not a variant of this experiment",
        `${r.variant} is not one of ${r.arms.join(", ")}.`,
        { errors: [{ field: "variant", pointer: "#/variant", message: "not an arm" }] },
      );
    case "control-not-promotable":
      return new Problem(
        422,
        "control-not-promotable",
        "The control is not a variant",
        "To serve the template's own text, revert the experiment.",
        { errors: [{ field: "variant", pointer: "#/variant", message: "is the control" }] },
      );
    case "no-confident-winner":
      return new Problem(
        409,
        "no-confident-winner",
        "The variant has not won with confidence",
        r.winner === null
          ? `No arm of ${strategy} has won yet: ${EXPERIMENT_RULE.statement}`
          : `${r.winner} is the winning arm of ${strategy}, not ${r.variant}.`,
        { winner: r.winner },
      );
    case "revert-first":
      return new Problem(
        409,
        "invalid-state",
        "Another variant is promoted",
        `${r.promoted} is promoted for ${strategy}; revert it first.`,
      );
  }
}

const concurrentChange = (strategy: string) =>
  new Problem(
    409,
    "concurrent-change",
    "The experiment changed meanwhile",
    `Another change to ${strategy}'s experiment was made at the same time; read it again and retry with a new Idempotency-Key.`,
  );
