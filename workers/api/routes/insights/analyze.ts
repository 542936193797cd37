// POST /v1/insights/analyze: call analysis at the edge (DESIGN §7). The work is in
// insights/analyze.ts; here the contract and the answer's headers. When inference is off,
// slow or failing, the answer comes at once with `insights: null`, the rules-only analysis
// and `Lifeline-Degraded: inference-off`.
import { analyzeCall } from "../../insights/analyze.ts";
import { AnalyzeRequest, AnalyzeResponse } from "../../insights/contract.ts";
import { INFERENCE_OFF } from "../../insights/inference.ts";
import { json, jsonBody, problem, readProblems } from "../../openapi.ts";
import { newRouter } from "../../router.ts";
import { insightRoute, recordedAs } from "./shared.ts";

export const analyze = newRouter();

const route = insightRoute({
  method: "post",
  path: "/v1/insights/analyze",
  operationId: "analyzeCall",
  summary: "Analyse a sales call: sentiment, signals, metrics and next-best actions",
  description:
    "Runs in the region that owns the data; the transcript is not stored. Inference has a budget (INFERENCE_BUDGET_MS, default 300 ms): past it, or with the `inference-off` mode in force, the answer carries `insights: null`, the rules-only analysis and `Lifeline-Degraded: inference-off`.",
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

analyze.openapi(route, async (c) => {
  const answer = await analyzeCall(
    c.env,
    (p) => c.executionCtx.waitUntil(p),
    { tenantId: c.get("principal").tenantId, recordedAs: recordedAs(c) },
    c.req.valid("json"),
  );
  c.header("cache-control", "no-store");
  if (answer.shed) {
    c.header("lifeline-degraded", INFERENCE_OFF);
    c.header("lifeline-inference", answer.shed.reason);
  }
  return c.json(answer, 200);
});
