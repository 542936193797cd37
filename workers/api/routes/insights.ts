// /v1/insights: call analysis at the edge (DESIGN §7). Sentiment comes from the inference
// worker within a budget; signals, call metrics and next-best actions from the tenant's
// rules in core. When inference is off, slow or failing, the answer comes at once with
// `insights: null`, the rules-only analysis and `Lifeline-Degraded: inference-off`.
// Feedback on suggested actions feeds per-strategy adoption (A/B flag below 65%).
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { INSIGHT_ID, insightIdFor, regionOfRecord } from "../../../core/ids.ts";
import { AccountId, insights } from "../../../core/index.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { domainProblem, Problem } from "../errors.ts";
import { INFERENCE_OFF, inferTexts, type Shed } from "../insights/inference.ts";
import { replaceTenantRules, type TenantRules, tenantRules } from "../insights/rules.ts";
import {
  recordFeedback,
  recordInsight,
  strategyCounts,
  TOOLING_PREFIX,
} from "../insights/store.ts";
import { jurisdictionTimeZone } from "../insights/time-zone.ts";
import { wrongJurisdiction } from "../lifeline.ts";
import { json, jsonBody, problem, readProblems } from "../openapi.ts";
import { fromReadModel, readModel } from "../read-model.ts";
import { newRouter } from "../router.ts";
import { isLocalTooling } from "./local.ts";

/** Who an insight or an answer is recorded as: local tooling is marked, never counted. */
const recordedAs = (c: Context<AppEnv>, principalId: string) =>
  isLocalTooling(c) ? `${TOOLING_PREFIX}${principalId}` : principalId;

export const insightRoutes = newRouter();

/** The model that scores utterances of each language (others get no sentiment). */
const SENTIMENT_TASK = { zh: "sentiment-zh" } as const;
const RULE_EDITORS = new Set(["manager", "integrator"]);
const RECORD_BUDGET_MS = 150;
const INSIGHTS_UNAVAILABLE = {
  title: "Insights storage is temporarily unavailable",
  detail:
    "The regional database did not answer in time; retry shortly. Analyses and every lifeline flow still work.",
};

const AnalyzeRequest = z
  .strictObject({
    transcript: insights.Transcript,
    customerId: AccountId.optional().meta({
      description: "The customer the call was with; must exist in this tenant",
    }),
    industry: insights.Industry.optional().meta({
      description: "Shorthand for profile.industry",
    }),
    profile: insights.CustomerProfile.optional(),
    locale: insights.Locale.optional().meta({
      description:
        "The language to write actions in; by default that of most utterances (Chinese is zh, any other en)",
    }),
  })
  .meta({ id: "AnalyzeCallRequest" });

const ShedSchema = z.object({
  reason: z.enum(["off", "breaker-open", "timeout", "error", "unavailable"]),
  detail: z.string(),
});

const AnalyzeResponse = z
  .object({
    id: z.string().meta({ description: "Quote it in feedback: /v1/insights/{id}/feedback" }),
    createdAt: z.string(),
    region: z.string(),
    customerId: z.string().nullable(),
    recorded: z.boolean().meta({
      description: "Whether the suggestions were stored for feedback before answering",
    }),
    model: z
      .object({ task: z.string(), version: z.string() })
      .nullable()
      .meta({ description: "The sentiment model used; null when none ran" }),
    rules: z.object({
      engine: z.string(),
      fingerprint: z.string(),
      source: z.enum(["tenant", "default"]),
    }),
    insights: insights.CallAnalysis.nullable().meta({
      description: "null when inference was shed (see `shed` and `rulesOnly`)",
    }),
    rulesOnly: insights.CallAnalysis.optional().meta({
      description:
        "When shed: signals, metrics and actions from the rules alone, without sentiment",
    }),
    shed: ShedSchema.optional(),
  })
  .meta({ id: "CallInsights" });

const analyze = createRoute({
  method: "post",
  path: "/v1/insights/analyze",
  operationId: "analyzeCall",
  tags: ["insights"],
  summary: "Analyse a sales call: sentiment, signals, metrics and next-best actions",
  description:
    "Runs in the region that owns the data; the transcript is not stored. Inference has a budget (INFERENCE_BUDGET_MS, default 300 ms): past it, or with `inference:off`, the answer carries `insights: null`, the rules-only analysis and `Lifeline-Degraded: inference-off`.",
  security: [{ bearer: [] }],
  request: { body: jsonBody(AnalyzeRequest) },
  responses: {
    200: {
      ...json(AnalyzeResponse, "The analysis (or the rules-only one, when inference was shed)"),
      headers: {
        "Lifeline-Inference": {
          description: "When inference was shed: why (as `shed` in the body)",
          schema: { type: "string" },
        },
      },
    },
    ...readProblems,
    409: problem("The customer's data lives in another jurisdiction; analyse the call there"),
  },
});

/** One model result as a sentiment; its labels were checked against SentimentLabel. */
function sentimentOf(
  labels: string[],
  result: { label: string; probabilities: number[] },
): insights.Sentiment {
  const label = result.label as insights.Sentiment["label"];
  return { label, probability: result.probabilities[labels.indexOf(result.label)] ?? 0 };
}

insightRoutes.openapi(analyze, async (c) => {
  const input = c.req.valid("json");
  const principal = c.get("principal");
  const { tenantId } = principal;
  const profile = insights.CustomerProfile.parse({
    ...input.profile,
    ...(input.industry ? { industry: input.industry } : {}),
  });
  // The customer first: a call is analysed only in its customer's jurisdiction, like every
  // write. A region outside it holds only the masked projection, and the transcript must
  // not reach its inference worker either.
  const customer = input.customerId
    ? await accountStub(c.env, tenantId, input.customerId).getCustomer()
    : null;
  if (input.customerId && !customer) {
    // As everywhere in the API: a missing entity named in the body is a 422 naming the field.
    throw domainProblem({
      code: "not-found",
      entity: "customer",
      id: input.customerId,
      field: "customerId",
    });
  }
  if (customer && customer.residency !== c.env.JURISDICTION) {
    throw wrongJurisdiction(
      c.env,
      customer.residency,
      `Analyse calls with this customer in a ${customer.residency} region: transcripts stay in their jurisdiction.`,
    );
  }

  // Only utterances a model covers go to inference; the rest get no sentiment.
  const zh = input.transcript.flatMap((u, i) => (insights.languageOf(u.text) === "zh" ? [i] : []));
  const [rules, inferred] = await Promise.all([
    tenantRules(c.env, tenantId),
    zh.length
      ? inferTexts(
          c.env,
          SENTIMENT_TASK.zh,
          zh.map((i) => input.transcript[i]!.text),
        )
      : null,
  ]);

  let shed: Shed | undefined;
  let sentiment: Array<insights.Sentiment | null> | null = input.transcript.map(() => null);
  let model: { task: string; version: string } | null = null;
  const foreignLabel = inferred?.ok
    ? inferred.value.labels.find((l) => !insights.SentimentLabel.safeParse(l).success)
    : undefined;
  if (inferred?.ok && foreignLabel === undefined) {
    const { labels, results, modelVersion, task } = inferred.value;
    zh.forEach((at, k) => {
      sentiment![at] = sentimentOf(labels, results[k]!);
    });
    model = { task, version: modelVersion };
  } else if (inferred) {
    shed = inferred.ok
      ? {
          reason: "error",
          detail: `the sentiment model has a label "${foreignLabel}" this API does not know`,
        }
      : inferred.shed;
    sentiment = null;
  }
  const now = new Date();
  const analysis = insights.analyzeCall({
    transcript: input.transcript,
    sentiment,
    rules: rules.compiled,
    profile,
    // The buyer's own zone when the profile gives one; else the jurisdiction's (a call with
    // a customer is analysed only in its customer's jurisdiction), the best guess there.
    nowMs: now.getTime(),
    timeZone: profile.timeZone ?? jurisdictionTimeZone(c.env.JURISDICTION),
    locale: input.locale ?? insights.callLocale(input.transcript),
  });
  const id = insightIdFor(c.env.REGION, crypto.randomUUID().replaceAll("-", ""));
  const createdAt = now.toISOString();

  // Recorded before the answer so feedback can follow at once, but within RECORD_BUDGET_MS:
  // a slow or dead libSQL never holds an analysis. Past the budget the write goes on in
  // the background and the answer says `recorded: false` (feedback may then 404).
  const record = recordInsight(readModel(c.env), {
    tenantId,
    id,
    customerId: input.customerId ?? null,
    industry: profile.industry,
    strategies: analysis.actions.map((a) => a.strategy),
    modelVersion: model?.version ?? null,
    rulesFingerprint: rules.compiled.fingerprint,
    createdBy: recordedAs(c, principal.id),
    createdAt,
  }).then(
    () => true,
    (err: Error) => {
      console.warn(`insight ${id} not recorded: ${err.message}`);
      return false;
    },
  );
  c.executionCtx.waitUntil(record);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), RECORD_BUDGET_MS);
  });
  const recorded = await Promise.race([record, late]).finally(() => clearTimeout(timer));

  c.header("cache-control", "no-store");
  if (shed) {
    c.header("lifeline-degraded", INFERENCE_OFF);
    c.header("lifeline-inference", shed.reason);
  }
  return c.json(
    {
      id,
      createdAt,
      region: c.env.REGION,
      customerId: input.customerId ?? null,
      recorded,
      model,
      rules: { ...analysis.rules, source: rules.source },
      insights: shed ? null : analysis,
      ...(shed ? { rulesOnly: analysis, shed } : {}),
    },
    200,
  );
});

const Feedback = z
  .strictObject({
    strategy: z.string().min(1).max(120).meta({ description: "One of the analysis' actions" }),
    adopted: z.boolean(),
  })
  .meta({ id: "InsightFeedback" });

const feedback = createRoute({
  method: "post",
  path: "/v1/insights/{id}/feedback",
  operationId: "recordInsightFeedback",
  tags: ["insights"],
  summary: "Say whether a suggested action was adopted (answering again replaces the answer)",
  security: [{ bearer: [] }],
  request: {
    params: z.object({ id: z.string().regex(INSIGHT_ID, "must be an insight id") }),
    body: jsonBody(Feedback),
  },
  responses: {
    200: json(
      z.object({ insightId: z.string(), strategy: z.string(), adopted: z.boolean() }),
      "Recorded",
    ),
    ...readProblems,
    409: problem(
      "The insight was made in another region (its id names it); feedback goes there. The router sends it there by itself.",
    ),
    422: problem("The strategy was not among the analysis' suggestions"),
    503: problem("The regional database is unavailable; analyses are unaffected"),
  },
});

insightRoutes.openapi(feedback, async (c) => {
  const { id } = c.req.valid("param");
  const body = c.req.valid("json");
  const principal = c.get("principal");
  const home = regionOfRecord(id);
  if (home !== null && home !== c.env.REGION) {
    // Insights are regional records: this region never had it, so "not found" would be a
    // lie that makes a client drop the feedback. Say where it lives instead.
    throw new Problem(
      // 409 like wrong-jurisdiction, not 421: fetch clients resend a 421 on a new connection.
      409,
      "wrong-region",
      "The insight lives in another region",
      `Insight ${id} was made and stored in ${home}; send its feedback there (through the router it goes there by itself).`,
      { region: home },
    );
  }
  const outcome = await fromReadModel(
    () =>
      recordFeedback(readModel(c.env), {
        tenantId: principal.tenantId,
        insightId: id,
        strategy: body.strategy,
        adopted: body.adopted,
        answeredBy: recordedAs(c, principal.id),
        answeredAt: new Date().toISOString(),
      }),
    INSIGHTS_UNAVAILABLE,
  );
  if (outcome === "unknown-insight")
    throw new Problem(404, "not-found", "insight not found", `No insight ${id} in this tenant.`);
  if (outcome === "not-suggested") {
    throw new Problem(
      422,
      "not-suggested",
      "Strategy was not suggested",
      `Insight ${id} did not suggest ${body.strategy}.`,
      { errors: [{ field: "strategy", pointer: "#/strategy", message: "not in this insight" }] },
    );
  }
  return c.json({ insightId: id, strategy: body.strategy, adopted: body.adopted }, 200);
});

const StrategyRow = z.object({
  strategy: z.string(),
  suggested: z.number().int(),
  answered: z.number().int(),
  adopted: z.number().int(),
  adoptionRate: z.number().nullable(),
  interval95: z.tuple([z.number(), z.number()]).nullable(),
  flag: z.enum(["ab-test"]).nullable(),
  assessment: z.enum(["ab-test", "too-few-answers", "inconclusive", "adopted"]).meta({
    description: "Why the strategy is or is not flagged, under `rule`",
  }),
});

const AdoptionRule = z
  .object({
    threshold: z.number(),
    minAnswers: z.number().int(),
    confidence: z.number(),
    statement: z.string(),
  })
  .meta({ id: "AdoptionRule", description: "When a strategy is flagged for A/B testing" });

const strategies = createRoute({
  method: "get",
  path: "/v1/insights/strategies",
  operationId: "listStrategyAdoption",
  tags: ["insights"],
  summary:
    "Adoption per strategy; strategies shown, by enough answers, to be adopted less than 65% of the time are flagged",
  description:
    "Over the analyses and answers of the last `days` days, in this region (insights are regional records). A strategy is flagged only with at least 20 answers and a 95% Wilson interval wholly below 65% (`rule` states it). Analyses and answers sent by local tooling are not counted.",
  security: [{ bearer: [] }],
  request: {
    query: z.object({ days: z.coerce.number().int().min(1).max(365).default(90) }),
  },
  responses: {
    200: json(
      z
        .object({
          threshold: z.number(),
          rule: AdoptionRule,
          since: z.string(),
          strategies: z.array(StrategyRow),
        })
        .meta({
          id: "StrategyAdoption",
        }),
      "Flagged strategies first, worst first",
    ),
    ...readProblems,
    503: problem("The regional database is unavailable; analyses are unaffected"),
  },
});

insightRoutes.openapi(strategies, async (c) => {
  const { days } = c.req.valid("query");
  const since = new Date(Date.now() - days * 86_400_000).toISOString();
  const { suggested, answers } = await fromReadModel(
    () => strategyCounts(readModel(c.env), c.get("principal").tenantId, since),
    INSIGHTS_UNAVAILABLE,
  );
  c.header("cache-control", "no-store");
  return c.json(
    {
      threshold: insights.AB_TEST_THRESHOLD,
      rule: insights.AB_TEST_RULE,
      since,
      strategies: insights.adoptionReport(suggested, answers),
    },
    200,
  );
});

const RulesView = z
  .object({
    source: z.enum(["tenant", "default"]),
    engine: z.string(),
    fingerprint: z.string(),
    rules: insights.InsightRules,
  })
  .meta({ id: "InsightRulesView" });

/**
 * What a PUT takes is what a GET returns: the view, so a client can GET, edit `rules` and
 * send the document back. Only `rules` is written; the other fields are read-only and
 * ignored (the server derives them), so a stale copy of them is harmless.
 */
const readOnly = (description: string) => ({ readOnly: true, description });
const RulesDocument = z
  .strictObject({
    source: z
      .enum(["tenant", "default"])
      .optional()
      .meta(readOnly("Where the rules come from; ignored on PUT")),
    engine: z.string().max(100).optional().meta(readOnly("Rules engine version; ignored on PUT")),
    fingerprint: z
      .string()
      .max(200)
      .optional()
      .meta(readOnly("Fingerprint of the compiled rules; ignored on PUT")),
    rules: insights.InsightRules,
  })
  .meta({ id: "InsightRulesDocument" });

const rulesView = (r: TenantRules) => ({
  source: r.source,
  engine: r.compiled.engine,
  fingerprint: r.compiled.fingerprint,
  rules: r.rules,
});

const getRules = createRoute({
  method: "get",
  path: "/v1/insights/rules",
  operationId: "getInsightRules",
  tags: ["insights"],
  summary: "The tenant's insight rules (signal keywords and patterns, competitor gazetteer)",
  security: [{ bearer: [] }],
  responses: { 200: json(RulesView, "The rules in force"), ...readProblems },
});

insightRoutes.openapi(getRules, async (c) => {
  const r = await tenantRules(c.env, c.get("principal").tenantId);
  c.header("cache-control", "no-store");
  return c.json(rulesView(r), 200);
});

const putRules = createRoute({
  method: "put",
  path: "/v1/insights/rules",
  operationId: "putInsightRules",
  tags: ["insights"],
  summary: "Replace the tenant's insight rules (managers and integrators)",
  description:
    "Send back what GET returned, with `rules` edited: the rules are a whole document and replace the defaults (GET them first to start from the defaults). `source`, `engine` and `fingerprint` are read-only and ignored. Patterns that could backtrack catastrophically are refused.",
  security: [{ bearer: [] }],
  request: { body: jsonBody(RulesDocument) },
  responses: {
    200: json(RulesView, "The rules now in force"),
    ...readProblems,
    403: problem("Only managers and integrators edit rules"),
  },
});

insightRoutes.openapi(putRules, async (c) => {
  const principal = c.get("principal");
  if (!RULE_EDITORS.has(principal.role))
    throw new Problem(403, "forbidden", "Not allowed", "Only managers and integrators edit rules.");
  const { rules } = c.req.valid("json");
  await replaceTenantRules(c.env, principal.tenantId, rules);
  const r = await tenantRules(c.env, principal.tenantId);
  return c.json(rulesView(r), 200);
});
