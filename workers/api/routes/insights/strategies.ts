// GET /v1/insights/strategies: adoption per strategy over the last `days` days in this
// region; strategies shown, by enough answers, to be adopted less than 65% of the time are
// flagged for an A/B test.
import { z } from "@hono/zod-openapi";
import { insights } from "../../../../core/index.ts";
import { INSIGHTS_UNAVAILABLE, strategyCounts } from "../../insights/store.ts";
import { json, problem, readProblems } from "../../openapi.ts";
import { fromReadModel, readModel } from "../../read-model.ts";
import { newRouter } from "../../router.ts";
import { insightRoute } from "./shared.ts";

export const strategies = newRouter();

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

const route = insightRoute({
  method: "get",
  path: "/v1/insights/strategies",
  operationId: "listStrategyAdoption",
  summary:
    "Adoption per strategy; strategies shown, by enough answers, to be adopted less than 65% of the time are flagged",
  description:
    "Over the analyses and answers of the last `days` days, in this region (insights are regional records). A strategy is flagged only with at least 20 answers and a 95% Wilson interval wholly below 65% (`rule` states it). Analyses and answers sent by local tooling are not counted.",
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

strategies.openapi(route, async (c) => {
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
