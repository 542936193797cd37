// /v1/insights/strategies: adoption per strategy over the last `days` days in this region,
// the 65% A/B flag, and each strategy's experiment (its arms, their answers and intervals,
// the winner) with the two admin actions on it, promote and revert. One resource, so the
// three answer with the same row.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { insights } from "../../../../core/index.ts";
import {
  armResults,
  CONTROL,
  EXPERIMENT_RULE,
  type Experiment,
  variantsOf,
  winnerOf,
} from "../../../../core/insights/experiments.ts";
import type { AppEnv } from "../../env.ts";
import { Problem } from "../../errors.ts";
import {
  armCounts,
  type ChangeRequest,
  changeExperiment,
  experimentChanges,
  FLAG_WINDOW_DAYS,
  tenantExperiments,
} from "../../insights/experiments.ts";
import { tenantRules } from "../../insights/rules.ts";
import { INSIGHTS_UNAVAILABLE, strategyCounts } from "../../insights/store.ts";
import { requireRole } from "../../middleware/roles.ts";
import {
  header,
  IdempotencyHeaders,
  json,
  jsonBody,
  NoQuery,
  problem,
  readProblems,
} from "../../openapi.ts";
import { fromReadModel, readModel } from "../../read-model.ts";
import { newRouter } from "../../router.ts";
import { insightRoute } from "./shared.ts";

export const strategies = newRouter();

const Interval = z.tuple([z.number(), z.number()]);
const Wording = z
  .union([z.string(), z.object({ zh: z.string().optional(), en: z.string().optional() })])
  .nullable()
  .meta({ description: "As the rules give it; null when the rules no longer have this arm" });

const ArmView = z.object({
  variant: z.string().meta({ description: "`control` is the template's own text" }),
  control: z.boolean(),
  title: Wording,
  reason: Wording,
  answered: z.number().int(),
  adopted: z.number().int(),
  adoptionRate: z.number().nullable(),
  interval95: Interval.nullable(),
});

const ExperimentView = z
  .object({
    id: z.string(),
    status: z.enum(["running", "promoted", "reverted"]).meta({
      description:
        "running: each insight is shown one arm, by a hash of the experiment and insight ids; promoted: every insight is shown `promoted`; reverted: every insight is shown the control",
    }),
    promoted: z.string().nullable(),
    winner: z.string().nullable().meta({
      description:
        "The arm that wins under `experimentRule` on the running phase's answers; null: none yet",
    }),
    countedUntil: z.string().nullable().meta({
      description:
        "When the experiment stopped running (its first promotion or revert); null while it runs. Arms count answers only on insights assigned an arm before then: an insight served a promoted or the control text afterwards was not drawn at random and counts for no arm, so a later promotion is judged on the same answers",
    }),
    startedAt: z.string(),
    updatedAt: z.string(),
    variants: z.array(ArmView).meta({
      description:
        "The control first, then the variants; answers counted while the experiment ran (see `countedUntil`)",
    }),
    changes: z
      .array(
        z.object({
          action: z.enum(["promote", "revert"]),
          variant: z.string().nullable(),
          by: z.string(),
          at: z.string(),
        }),
      )
      .meta({ description: "Promotions and reversals, newest first (the last 10)" }),
  })
  .meta({ id: "StrategyExperiment" });

const StrategyRow = z
  .object({
    strategy: z.string(),
    suggested: z.number().int(),
    answered: z.number().int(),
    adopted: z.number().int(),
    adoptionRate: z.number().nullable(),
    interval95: Interval.nullable(),
    flag: z.enum(["ab-test"]).nullable(),
    assessment: z.enum(["ab-test", "too-few-answers", "inconclusive", "adopted"]).meta({
      description: "Why the strategy is or is not flagged, under `rule`",
    }),
    experiment: ExperimentView.nullable().meta({
      description:
        "Its A/B experiment in this region, its arms counted over the insights assigned while it ran; null: none",
    }),
  })
  .meta({ id: "StrategyAdoptionRow" });
type StrategyRow = z.infer<typeof StrategyRow>;

const AdoptionRule = z
  .object({
    threshold: z.number(),
    minAnswers: z.number().int(),
    confidence: z.number(),
    statement: z.string(),
  })
  .meta({ id: "AdoptionRule", description: "When a strategy is flagged for A/B testing" });

const ExperimentRule = z
  .object({
    minAnswersPerArm: z.number().int(),
    confidence: z.number(),
    maxRunning: z.number().int(),
    maxVariants: z.number().int(),
    statement: z.string(),
  })
  .meta({ id: "ExperimentRule", description: "When an arm of an experiment wins" });

type ArmCounts = Awaited<ReturnType<typeof armCounts>>;
type Changes = Awaited<ReturnType<typeof experimentChanges>>;
type Templates = readonly insights.ActionTemplate[];

function experimentView(e: Experiment, templates: Templates, counts: ArmCounts, changes: Changes) {
  const template = templates.find((t) => t.strategy === e.strategy);
  const variants = template ? variantsOf(template) : [];
  const counted = counts.get(e.id);
  const results = armResults(e.arms, counted?.arms ?? new Map());
  return {
    id: e.id,
    status: e.status,
    promoted: e.promoted,
    winner: winnerOf(results),
    countedUntil: counted?.countedUntil ?? null,
    startedAt: e.startedAt,
    updatedAt: e.updatedAt,
    variants: results.map((r) => {
      const text = r.variant === CONTROL ? template : variants.find((v) => v.id === r.variant);
      return {
        ...r,
        control: r.variant === CONTROL,
        title: text?.title ?? null,
        reason: text?.reason ?? null,
      };
    }),
    changes: changes.get(e.id) ?? [],
  };
}

/** Adoption rows, flagged first; a strategy under test is listed even with no answer in the window. */
async function report(env: Env, tenantId: string, since: string): Promise<StrategyRow[]> {
  const db = readModel(env);
  // The rules (for the arms' texts) come from the DirectoryDO, not libSQL: their failure
  // is no "insights storage unavailable".
  const [[{ suggested, answers }, experiments], rules] = await Promise.all([
    fromReadModel(
      () => Promise.all([strategyCounts(db, tenantId, since), tenantExperiments(db, tenantId)]),
      INSIGHTS_UNAVAILABLE,
    ),
    tenantRules(env, tenantId),
  ]);
  const ids = experiments.map((e) => e.id);
  const [counts, changes] = await fromReadModel(
    () => Promise.all([armCounts(db, tenantId, ids), experimentChanges(db, tenantId, ids)]),
    INSIGHTS_UNAVAILABLE,
  );
  const listed = new Map(suggested);
  for (const e of experiments) if (!listed.has(e.strategy)) listed.set(e.strategy, 0);
  const byStrategy = new Map(experiments.map((e) => [e.strategy, e]));
  return insights.adoptionReport(listed, answers).map((row) => {
    const e = byStrategy.get(row.strategy);
    return {
      ...row,
      experiment: e ? experimentView(e, rules.compiled.templates, counts, changes) : null,
    };
  });
}

const sinceDays = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

const listRoute = insightRoute({
  method: "get",
  path: "/v1/insights/strategies",
  operationId: "listStrategyAdoption",
  summary:
    "Adoption per strategy; strategies shown, by enough answers, to be adopted less than 65% of the time are flagged and A/B-tested",
  description: `Over the analyses and answers of the last \`days\` days, in this region (insights are regional records). A strategy is flagged only with at least 20 answers and a 95% Wilson interval wholly below 65% (\`rule\` states it). A flagged strategy with variants (its own, or built-in ones for a few built-in strategies) starts an experiment: while it runs each insight is shown one arm, adoption is counted per arm over those insights only (not over insights served a promoted text after it: \`countedUntil\`), and an arm wins under \`experimentRule\`. Analyses and answers sent by local tooling are not counted.`,
  request: {
    query: z.object({
      days: z.coerce.number().int().min(1).max(365).default(FLAG_WINDOW_DAYS),
    }),
  },
  responses: {
    200: json(
      z
        .object({
          threshold: z.number(),
          rule: AdoptionRule,
          experimentRule: ExperimentRule,
          since: z.string(),
          strategies: z.array(StrategyRow),
        })
        .meta({ id: "StrategyAdoption" }),
      "Flagged strategies first, worst first",
    ),
    ...readProblems,
    503: problem("The regional database is unavailable; analyses are unaffected"),
  },
});

strategies.openapi(listRoute, async (c) => {
  const since = sinceDays(c.req.valid("query").days);
  const rows = await report(c.env, c.get("principal").tenantId, since);
  c.header("cache-control", "no-store");
  return c.json(
    {
      threshold: insights.AB_TEST_THRESHOLD,
      rule: insights.AB_TEST_RULE,
      experimentRule: EXPERIMENT_RULE,
      since,
      strategies: rows,
    },
    200,
  );
});

// ---- promote / revert ----

const StrategyParams = z.object({
  strategy: insights.StrategyId.max(80).meta({ example: "generic.value-case" }),
});

const changeResponses = {
  200: {
    ...json(StrategyRow, `The strategy's row as the list shows it over ${FLAG_WINDOW_DAYS} days`),
    headers: {
      "Idempotent-Replayed": header(
        "`true` when the Idempotency-Key's change was already made: the row as it now stands",
      ),
    },
  },
  400: problem("Invalid path or body, or a missing Idempotency-Key; `errors` names it"),
  401: problem("Missing or invalid credentials"),
  403: problem("Not an admin"),
  404: problem("The strategy has no experiment in this region"),
  409: problem(
    "Not allowed in the experiment's state (`no-confident-winner`, `invalid-state`), changed meanwhile (`concurrent-change`), or the same Idempotency-Key is in flight",
  ),
  422: problem("Not a variant of the experiment, the control, or an Idempotency-Key reused"),
  503: problem("The regional database is unavailable; analyses are unaffected"),
} as const;

// Admins only, checked before anything else (a promotion changes what every rep of the
// tenant is told); the list above is for every role.
for (const action of ["promote", "revert"])
  strategies.use(`/v1/insights/strategies/:strategy/${action}`, requireRole("admin"));

async function answerChange(c: Context<AppEnv>, strategy: string, request: ChangeRequest) {
  const { replayed } = await changeExperiment(c, strategy, request);
  const rows = await report(c.env, c.get("principal").tenantId, sinceDays(FLAG_WINDOW_DAYS));
  const row = rows.find((r) => r.strategy === strategy);
  // The experiment was just read or written: its row is there unless it vanished meanwhile.
  if (!row) throw new Problem(404, "not-found", "No experiment for this strategy");
  if (replayed) c.header("idempotent-replayed", "true");
  c.header("cache-control", "no-store");
  return row;
}

const promoteRoute = insightRoute({
  method: "post",
  path: "/v1/insights/strategies/{strategy}/promote",
  operationId: "promoteStrategyVariant",
  summary: "Serve an experiment's winning variant to every insight (admins; audited)",
  description: `Only the arm that wins under \`experimentRule\` can be promoted (${EXPERIMENT_RULE.statement}). From then on every analysis shows its wording; revert undoes it. Audited as a \`policy-change\` entry. Promoting the promoted variant again changes nothing.`,
  request: {
    params: StrategyParams,
    headers: IdempotencyHeaders,
    query: NoQuery,
    body: jsonBody(
      z
        .strictObject({ variant: z.string().min(1).max(32).meta({ example: "tco-first" }) })
        .meta({ id: "PromoteVariant" }),
    ),
  },
  responses: changeResponses,
});

strategies.openapi(promoteRoute, async (c) => {
  const { strategy } = c.req.valid("param");
  const { variant } = c.req.valid("json");
  return c.json(await answerChange(c, strategy, { action: "promote", variant }), 200);
});

const revertRoute = insightRoute({
  method: "post",
  path: "/v1/insights/strategies/{strategy}/revert",
  operationId: "revertStrategyExperiment",
  summary:
    "Serve the control text again: undo a promotion or stop a running test (admins; audited)",
  description:
    "Every analysis shows the template's own wording again and no arm is assigned any more; a winner of the answers counted while the experiment ran can still be promoted later. Audited as a `policy-change` entry. Reverting a reverted experiment changes nothing.",
  request: { params: StrategyParams, headers: IdempotencyHeaders, query: NoQuery },
  responses: changeResponses,
});

strategies.openapi(revertRoute, async (c) => {
  const { strategy } = c.req.valid("param");
  return c.json(await answerChange(c, strategy, { action: "revert" }), 200);
});
