// Operator routes for quarantined replication events [LF8]: list a tenant's quarantined
// events, redrive one (checked again against today's state — e.g. its tenant now exists —
// and applied if it passes), or drop it. Admin role only (requireRole on /v1/admin/*); an
// admin sees only their own tenant's events, and only a count of events naming no tenant.
import { createRoute, z } from "@hono/zod-openapi";
import { QUARANTINE_PAGE } from "../../../durable-objects/quarantine/index.ts";
import { checkEvents } from "../../../replication/receive.ts";
import { Problem } from "../errors.ts";
import { json, problem } from "../openapi.ts";
import { newRouter } from "../router.ts";
import { receiverDeps } from "./replication.ts";

export const quarantine = newRouter();

const QuarantinedEvent = z
  .object({
    id: z.number().int(),
    at: z.string(),
    from: z.string(),
    rule: z.string(),
    reason: z.string(),
    tenantId: z.string().nullable(),
    eventId: z.string().nullable(),
    raw: z.string().meta({ description: "The event as it arrived (JSON)" }),
    forwarded: z.boolean(),
    redrives: z.number().int(),
  })
  .meta({ id: "QuarantinedEvent" });

const adminProblems = {
  401: problem("Missing or invalid credentials"),
  403: problem("The caller is not an admin"),
} as const;

const stub = (env: Env) => env.QUARANTINE.get(env.QUARANTINE.idFromName("quarantine"));

const list = createRoute({
  method: "get",
  path: "/v1/admin/replication/quarantine",
  operationId: "listQuarantinedEvents",
  tags: ["admin"],
  summary: "List this region's quarantined replication events of the caller's tenant",
  request: {
    query: z.strictObject({
      cursor: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(QUARANTINE_PAGE).default(50),
    }),
  },
  responses: {
    200: json(
      z.object({
        region: z.string(),
        items: z.array(QuarantinedEvent),
        nextCursor: z.number().int().nullable(),
        unattributed: z.number().int(),
        dropped: z.number().int(),
      }),
      "A page of quarantined events, oldest first",
    ),
    ...adminProblems,
  },
});

quarantine.openapi(list, async (c) => {
  const principal = c.get("principal");
  const { cursor, limit } = c.req.valid("query");
  const page = await stub(c.env).list(principal.tenantId, cursor, limit);
  c.header("cache-control", "no-store");
  return c.json(
    {
      region: c.env.REGION,
      items: page.events,
      nextCursor: page.events.length === limit ? page.events.at(-1)!.id : null,
      unattributed: page.unattributed,
      dropped: page.dropped,
    },
    200,
  );
});

const IdParam = z.object({ id: z.coerce.number().int().min(1) });

const redrive = createRoute({
  method: "post",
  path: "/v1/admin/replication/quarantine/{id}/redrive",
  operationId: "redriveQuarantinedEvent",
  tags: ["admin"],
  summary: "Check a quarantined event again and apply it if it now passes",
  request: { params: IdParam },
  responses: {
    200: json(
      z.object({
        applied: z.boolean(),
        rule: z.string().optional(),
        reason: z.string().optional(),
      }),
      "Applied, or still failing (with the rule it failed)",
    ),
    404: problem("No such quarantined event in this tenant"),
    ...adminProblems,
  },
});

quarantine.openapi(redrive, async (c) => {
  const principal = c.get("principal");
  const { id } = c.req.valid("param");
  const entry = await stub(c.env).get(principal.tenantId, id);
  if (!entry) throw new Problem(404, "not-found", "No such quarantined event");
  const deps = receiverDeps(c.env);
  const event = JSON.parse(entry.raw) as unknown;
  const { valid, quarantined } = await checkEvents(
    c.env,
    {
      from: entry.from,
      to: c.env.REGION,
      events: [event],
      forwarded: entry.forwarded && entry.eventId ? [entry.eventId] : [],
    },
    deps,
  );
  const failed = quarantined[0];
  if (failed || !valid[0]) {
    await stub(c.env).noteRedrive(id, failed?.rule ?? "schema", failed?.reason ?? "invalid");
    return c.json({ applied: false, rule: failed?.rule, reason: failed?.reason }, 200);
  }
  const e = valid[0];
  if (e.tenantId !== principal.tenantId)
    throw new Problem(404, "not-found", "No such quarantined event");
  // A redriven event carries no ledger entry: a retry of its write is still one effect.
  await deps.sink(e.tenantId, e.accountId, [e], entry.from, []);
  await stub(c.env).remove(principal.tenantId, id);
  return c.json({ applied: true }, 200);
});

const drop = createRoute({
  method: "delete",
  path: "/v1/admin/replication/quarantine/{id}",
  operationId: "dropQuarantinedEvent",
  tags: ["admin"],
  summary: "Drop a quarantined event",
  request: { params: IdParam },
  responses: {
    204: { description: "Dropped" },
    404: problem("No such quarantined event in this tenant"),
    ...adminProblems,
  },
});

quarantine.openapi(drop, async (c) => {
  const principal = c.get("principal");
  const { id } = c.req.valid("param");
  if (!(await stub(c.env).remove(principal.tenantId, id)))
    throw new Problem(404, "not-found", "No such quarantined event");
  return c.body(null, 204);
});
