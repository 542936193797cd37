// The tenant's SLA policy for change requests (DESIGN §11, core/sla/SPEC.md SLA11–SLA13):
// admins read the policy in force (the defaults until one is published, and why) with the
// calendar each jurisdiction's requests are counted in, and publish a new version. Like the
// portal policy it is versioned (a version not above the published one is a 409), journaled
// in the tenant's GroupsDO, replicated to every region and audited (`group-change`). It
// applies to change requests filed from then on; a filed request keeps its due time.
import type { Context } from "hono";
import {
  SlaPolicyView,
  type SlaSetting,
  slaPolicyView,
  TenantSlaPolicy,
} from "../../../core/sla/tenant.ts";
import { groupsStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";
import { renderWritten, runGroupsCommand } from "../groups/run.ts";
import { requireRole } from "../middleware/roles.ts";
import {
  bearerRoutes,
  IdempotencyHeaders,
  json,
  jsonBody,
  NoQuery,
  problem,
  readProblems,
  writeProblems,
  written,
} from "../openapi.ts";
import { newRouter, raw } from "../router.ts";

export const slaPolicy = newRouter();
const route = bearerRoutes("change-requests");

const forbidden = problem("Not an admin");
const stub = (c: Context<AppEnv>) => groupsStub(c.env, c.get("principal").tenantId);

const get = route({
  method: "get",
  path: "/v1/admin/sla-policy",
  operationId: "getSlaPolicy",
  summary: "The change requests' SLA policy in force: hours per tier, warning share, calendars",
  description:
    "The tenant's published policy, or the defaults (4 business hours, 2 for strategic customers, warning at 75 %, the jurisdiction's calendar) and why (`reason`). `calendars` is what each jurisdiction's requests are counted in: its time zone, public holidays and make-up working days with the tenant's working days, hours and closed dates.",
  middleware: [requireRole("admin")] as const,
  request: { query: NoQuery },
  responses: {
    200: json(SlaPolicyView, "The policy in force"),
    401: readProblems[401],
    403: forbidden,
  },
});

slaPolicy.openapi(get, async (c) => {
  c.header("cache-control", "no-store");
  // The RPC stub's promise type does not narrow on a union; the value is the plain setting.
  const setting = await (stub(c).slaSetting() as unknown as Promise<SlaSetting>);
  return c.json(slaPolicyView(setting), 200);
});

const put = route({
  method: "put",
  path: "/v1/admin/sla-policy",
  operationId: "publishSlaPolicy",
  summary: "Publish a new version of the change requests' SLA policy (admins; audited)",
  description:
    "A whole policy with a `version` higher than the published one (the defaults are version 0). Refused (400) when a calendar it makes in some jurisdiction would leave too little business time in 400 days for its longest SLA. Applies to requests filed from then on, in every region once replicated.",
  middleware: [requireRole("admin")] as const,
  request: { headers: IdempotencyHeaders, query: NoQuery, body: jsonBody(TenantSlaPolicy) },
  responses: {
    200: written(SlaPolicyView, "Published: the policy in force"),
    ...writeProblems,
    403: forbidden,
    409: problem("The version is not higher than the published one, or the key is in flight"),
  },
});

slaPolicy.openapi(put, async (c) => {
  const policy = c.req.valid("json");
  return raw(
    renderWritten(await runGroupsCommand(c, { type: "sla-policy.publish", policy }, policy)),
  );
});
