// POST /v1/insights/{id}/feedback: a rep says whether a suggested action was adopted.
// Insights are regional records, so feedback for another region's insight is a 409 that
// names the region (the router sends it there by itself). An answer is counted for the A/B
// arm its insight was assigned while the experiment ran (an insight served a promoted text
// has none), and may start its strategy's experiment.
import { z } from "@hono/zod-openapi";
import { INSIGHT_ID, regionOfRecord } from "../../../../core/ids.ts";
import { within } from "../../../shared/timeout.ts";
import { Problem } from "../../errors.ts";
import { considerExperiment } from "../../insights/experiments.ts";
import { INSIGHTS_UNAVAILABLE, recordFeedback } from "../../insights/store.ts";
import { json, jsonBody, problem, readProblems } from "../../openapi.ts";
import { fromReadModel, readModel } from "../../read-model.ts";
import { newRouter } from "../../router.ts";
import { insightRoute, recordedAs } from "./shared.ts";

export const feedback = newRouter();

/** How long an answer waits for its strategy's experiment to start; it goes on after. */
const START_BUDGET_MS = 500;

const Feedback = z
  .strictObject({
    strategy: z.string().min(1).max(120).meta({ description: "One of the analysis' actions" }),
    adopted: z.boolean(),
  })
  .meta({ id: "InsightFeedback" });

const route = insightRoute({
  method: "post",
  path: "/v1/insights/{id}/feedback",
  operationId: "recordInsightFeedback",
  summary: "Say whether a suggested action was adopted (answering again replaces the answer)",
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

feedback.openapi(route, async (c) => {
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
        answeredBy: recordedAs(c),
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
  // The answer is recorded whatever happens here: starting an experiment is a follow-up,
  // awaited briefly so the next analysis in this isolate already serves its arms.
  const starting = considerExperiment(c.env, principal.tenantId, body.strategy).catch((err) =>
    console.warn(`experiment of ${body.strategy} not considered: ${(err as Error).message}`),
  );
  c.executionCtx.waitUntil(starting);
  await within(starting, START_BUDGET_MS).catch(() => undefined);
  return c.json({ insightId: id, strategy: body.strategy, adopted: body.adopted }, 200);
});
