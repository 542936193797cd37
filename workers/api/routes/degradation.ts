// Degradation for a tenant's admins (role "admin", checked for /v1/admin/* and /v1/audit/*
// in index.ts): what the region's RegionDO sees and decides for the tenant (signals, modes
// in force with since and why, the policies and overrides), the tenant's own policy set,
// a mode forced or cleared for a bounded time, and the audit entries that record it all.
// Everything here acts on the caller's tenant only: an admin is a tenant's admin, and no
// tenant's rules may change another tenant's service (durable-objects/region/index.ts).
import { z } from "@hono/zod-openapi";
import { type AuditEntry, AuditKind } from "../../../core/audit/chain.ts";
import { MODES, Mode, Override, PolicySet, SIGNALS } from "../../../core/degradation.ts";
import { regionHealth } from "../../../durable-objects/region/client.ts";
import type { RegionView } from "../../../durable-objects/region/index.ts";
import { auditStub } from "../../../durable-objects/stubs.ts";
import { Problem } from "../errors.ts";
import { BreakerState, bearerRoutes, json, problem } from "../openapi.ts";
import { newRouter } from "../router.ts";
import { adminProblems } from "./admin.ts";

export const degradation = newRouter();
const route = bearerRoutes("operations");

/** An override lasts at most a day: a forgotten force must not degrade a tenant for good. */
export const MAX_OVERRIDE_MS = 24 * 60 * 60 * 1000;

const iso = (ms: number) => new Date(ms).toISOString();

const DegradationView = z
  .object({
    region: z.string(),
    modes: z.array(z.object({ mode: Mode, since: z.string(), why: z.array(z.string()) })),
    signals: z.partialRecord(z.enum(SIGNALS), z.object({ value: z.number(), at: z.string() })),
    peers: z.record(z.string(), z.object({ ok: z.boolean(), at: z.string() })),
    /** The region's circuit breakers: libsql, inference, relay, peer:<region>. */
    breakers: z.record(z.string(), z.object({ state: BreakerState, since: z.string() })),
    policies: z.object({
      source: z.enum(["tenant", "region"]),
      version: z.int(),
      set: PolicySet,
    }),
    overrides: z.array(
      z.object({
        mode: Mode,
        action: z.enum(["force", "clear"]),
        until: z.string(),
        by: z.string(),
        reason: z.string(),
        at: z.string(),
      }),
    ),
  })
  .meta({ id: "Degradation" });

const viewRoute = route({
  method: "get",
  path: "/v1/admin/degradation",
  operationId: "getDegradation",
  summary: "Signals, modes in force (since, why), policies and overrides for the caller's tenant",
  responses: { 200: json(DegradationView, "What this region sees and decides"), ...adminProblems },
});

/** A RegionDO view as the API shows it (times as ISO-8601): here and in /v1/health. */
export function viewAsJson(v: RegionView): z.infer<typeof DegradationView> {
  return {
    region: v.region,
    modes: v.modes.map((m) => ({ mode: m.mode, since: iso(m.sinceMs), why: m.why })),
    breakers: Object.fromEntries(
      Object.entries(v.breakers).map(([k, b]) => [k, { state: b.state, since: iso(b.sinceMs) }]),
    ),
    signals: Object.fromEntries(
      Object.entries(v.signals).map(([k, r]) => [k, { value: r.value, at: iso(r.atMs) }]),
    ),
    peers: Object.fromEntries(
      Object.entries(v.peers).map(([k, p]) => [k, { ok: p.ok, at: iso(p.atMs) }]),
    ),
    policies: v.policies,
    overrides: v.overrides.map((o) => ({
      mode: o.mode,
      action: o.action,
      until: iso(o.untilMs),
      by: o.by,
      reason: o.reason,
      at: iso(o.atMs),
    })),
  };
}

async function currentView(env: Env, tenantId: string): Promise<z.infer<typeof DegradationView>> {
  return viewAsJson(await regionHealth(env).view(tenantId));
}

degradation.openapi(viewRoute, async (c) => {
  c.header("cache-control", "no-store");
  return c.json(await currentView(c.env, c.get("principal").tenantId), 200);
});

async function audited(env: Env, key: string, detail: Record<string, unknown>): Promise<void> {
  await auditStub(env).append({ key, kind: "degradation-mode", detail });
}

const putPolicies = route({
  method: "put",
  path: "/v1/admin/degradation/policies",
  operationId: "putDegradationPolicies",
  summary: "Replace the region's policy set for the caller's tenant (audited)",
  description:
    "A policy: `{ id, when: { signal, op, value, forMs }, then: [modes], recoverForMs }`. The tenant's set replaces the region's shipped set for its answers only; it starts with no running clocks. Versioned; every change is an audit entry.",
  request: { body: { required: true, content: { "application/json": { schema: PolicySet } } } },
  responses: {
    200: json(DegradationView, "The set is in force"),
    400: problem("The set is not a valid policy set"),
    507: problem("This region holds its maximum of tenant policy sets"),
    ...adminProblems,
  },
});

degradation.openapi(putPolicies, async (c) => {
  const p = c.get("principal");
  const set = c.req.valid("json");
  const version = await regionHealth(c.env).setPolicies(p.tenantId, set, p.id);
  if (version === null)
    throw new Problem(
      507,
      "too-many-scopes",
      "No room for another tenant's policies",
      "This region holds the most tenant policy sets it may; remove one first.",
    );
  await audited(c.env, `degradation-policies/${p.tenantId}/${version}`, {
    tenantId: p.tenantId,
    by: p.id,
    policies: { version, ids: set.map((x) => x.id) },
    set,
  });
  return c.json(await currentView(c.env, p.tenantId), 200);
});

const deletePolicies = route({
  method: "delete",
  path: "/v1/admin/degradation/policies",
  operationId: "deleteDegradationPolicies",
  summary: "Go back to the region's shipped policy set (audited)",
  responses: { 200: json(DegradationView, "The region's set is in force"), ...adminProblems },
});

degradation.openapi(deletePolicies, async (c) => {
  const p = c.get("principal");
  await regionHealth(c.env).setPolicies(p.tenantId, null, p.id);
  await audited(c.env, `degradation-policies/${p.tenantId}/reset/${Date.now()}`, {
    tenantId: p.tenantId,
    by: p.id,
    policies: "region",
  });
  return c.json(await currentView(c.env, p.tenantId), 200);
});

const OverrideBody = z
  .strictObject({
    action: z.enum(["force", "clear"]),
    /** How long it lasts; at most a day. */
    forMs: z.int().min(1_000).max(MAX_OVERRIDE_MS),
    reason: z.string().trim().min(1).max(500),
  })
  .meta({ id: "DegradationOverrideRequest" });

const modeParam = z.object({
  mode: z.enum(MODES).meta({ param: { name: "mode", in: "path" }, example: "inference-off" }),
});

const putOverride = route({
  method: "put",
  path: "/v1/admin/degradation/modes/{mode}",
  operationId: "overrideDegradationMode",
  summary: "Force a mode on, or keep it off, for the caller's tenant until it expires (audited)",
  request: {
    params: modeParam,
    body: { required: true, content: { "application/json": { schema: OverrideBody } } },
  },
  responses: {
    200: json(DegradationView, "The override is in force"),
    400: problem("Unknown mode or invalid body"),
    507: problem("This region holds its maximum of tenant scopes"),
    ...adminProblems,
  },
});

degradation.openapi(putOverride, async (c) => {
  const p = c.get("principal");
  const { mode } = c.req.valid("param");
  const body = c.req.valid("json");
  const now = Date.now();
  const o = Override.parse({
    mode,
    action: body.action,
    untilMs: now + body.forMs,
    by: p.id,
    reason: body.reason,
    atMs: now,
  });
  if (!(await regionHealth(c.env).override(p.tenantId, o)))
    throw new Problem(
      507,
      "too-many-scopes",
      "No room for another tenant's overrides",
      "This region holds the most tenant scopes it may.",
    );
  await audited(c.env, `degradation-override/${p.tenantId}/${mode}/${now}`, {
    tenantId: p.tenantId,
    by: p.id,
    modes: [mode],
    override: body.action,
    until: iso(o.untilMs),
    reason: body.reason,
  });
  return c.json(await currentView(c.env, p.tenantId), 200);
});

const deleteOverride = route({
  method: "delete",
  path: "/v1/admin/degradation/modes/{mode}",
  operationId: "liftDegradationOverride",
  summary: "Lift the caller's tenant's override of a mode (audited)",
  request: { params: modeParam },
  responses: {
    200: json(DegradationView, "The policies decide the mode again"),
    404: problem("The tenant has no override of this mode"),
    ...adminProblems,
  },
});

degradation.openapi(deleteOverride, async (c) => {
  const p = c.get("principal");
  const { mode } = c.req.valid("param");
  if (!(await regionHealth(c.env).lift(p.tenantId, mode)))
    throw new Problem(404, "not-found", "No override", `The tenant has no override of ${mode}.`);
  await audited(c.env, `degradation-override/${p.tenantId}/${mode}/lift/${Date.now()}`, {
    tenantId: p.tenantId,
    by: p.id,
    modes: [mode],
    override: "lifted",
  });
  return c.json(await currentView(c.env, p.tenantId), 200);
});

const AuditEntries = z
  .object({
    entries: z.array(
      z.object({
        seq: z.int(),
        at: z.string(),
        kind: AuditKind,
        detail: z.unknown(),
      }),
    ),
    /** Pass as `after` to continue; null when the log's end was reached. */
    nextAfter: z.int().nullable(),
  })
  .meta({ id: "AuditEntries" });

const entriesRoute = route({
  method: "get",
  path: "/v1/audit/entries",
  operationId: "listAuditEntries",
  summary: "This region's audit entries about the caller's tenant (and region-wide mode changes)",
  request: {
    query: z.object({
      kind: AuditKind.optional(),
      after: z.coerce.number().int().min(0).default(0),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: { 200: json(AuditEntries, "Oldest first"), ...adminProblems },
});

degradation.openapi(entriesRoute, async (c) => {
  const { kind, after, limit } = c.req.valid("query");
  // An entry's detail is `unknown`, which RPC's types cannot carry: the shape is the log's.
  const page = (await auditStub(c.env).entriesFor(
    c.get("principal").tenantId,
    after,
    limit,
    kind,
  )) as unknown as { entries: AuditEntry[]; nextAfter: number | null };
  c.header("cache-control", "no-store");
  return c.json(
    {
      entries: page.entries.map((e) => ({ seq: e.seq, at: e.at, kind: e.kind, detail: e.detail })),
      nextAfter: page.nextAfter,
    },
    200,
  );
});
