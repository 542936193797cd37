// POST /v1/insights/analyze: call analysis at the edge (DESIGN §7). The work is in
// insights/analyze.ts; here the contract and the answer's headers. When inference is off,
// slow or failing, the answer comes at once with `insights: null`, the rules-only analysis
// and `Lifeline-Degraded: inference-off`.
import { createRoute, z } from "@hono/zod-openapi";
import { AccountId, insights } from "../../../../core/index.ts";
import { analyzeCall } from "../../insights/analyze.ts";
import { INFERENCE_OFF } from "../../insights/inference.ts";
import { json, jsonBody, problem, readProblems } from "../../openapi.ts";
import { newRouter } from "../../router.ts";
import { recordedAs } from "./recorded-as.ts";

export const analyze = newRouter();

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

const route = createRoute({
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
