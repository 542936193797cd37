// /v1/insights/rules: the tenant's insight rules, read (GET) and replaced whole (PUT, by
// managers and integrators). One path, so its two methods share the view they answer with.
import { z } from "@hono/zod-openapi";
import { insights } from "../../../../core/index.ts";
import { Problem } from "../../errors.ts";
import { replaceTenantRules, type TenantRules, tenantRules } from "../../insights/rules.ts";
import { json, jsonBody, problem, readProblems } from "../../openapi.ts";
import { newRouter } from "../../router.ts";
import { insightRoute } from "./shared.ts";

export const rules = newRouter();

const RULE_EDITORS = new Set(["manager", "integrator"]);

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

const getRules = insightRoute({
  method: "get",
  path: "/v1/insights/rules",
  operationId: "getInsightRules",
  summary: "The tenant's insight rules (signal keywords and patterns, competitor gazetteer)",
  responses: { 200: json(RulesView, "The rules in force"), ...readProblems },
});

rules.openapi(getRules, async (c) => {
  const r = await tenantRules(c.env, c.get("principal").tenantId);
  c.header("cache-control", "no-store");
  return c.json(rulesView(r), 200);
});

const putRules = insightRoute({
  method: "put",
  path: "/v1/insights/rules",
  operationId: "putInsightRules",
  summary: "Replace the tenant's insight rules (managers and integrators)",
  description:
    "Send back what GET returned, with `rules` edited: the rules are a whole document and replace the defaults (GET them first to start from the defaults). `source`, `engine` and `fingerprint` are read-only and ignored. Patterns that could backtrack catastrophically are refused.",
  request: { body: jsonBody(RulesDocument) },
  responses: {
    200: json(RulesView, "The rules now in force"),
    ...readProblems,
    403: problem("Only managers and integrators edit rules"),
  },
});

rules.openapi(putRules, async (c) => {
  const principal = c.get("principal");
  if (!RULE_EDITORS.has(principal.role))
    throw new Problem(403, "forbidden", "Not allowed", "Only managers and integrators edit rules.");
  const { rules } = c.req.valid("json");
  await replaceTenantRules(c.env, principal.tenantId, rules);
  const r = await tenantRules(c.env, principal.tenantId);
  return c.json(rulesView(r), 200);
});
