// /v1/health: is this region's API up, and how are its read model and its inference
// worker doing. Lifeline writes depend on neither, so either one slow or down makes the
// region "degraded", never "down". Anyone gets the summary (status, region, jurisdiction,
// degradation modes, which every response's Lifeline-Degraded header shows anyway); the
// checks behind it (latencies, dependency error texts, loaded models) are for admins only.
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { every } from "hono/combine";
import { CONDITIONS, MODES, SIGNALS } from "../../../core/degradation.ts";
import { inForce, regionView } from "../../../durable-objects/region/client.ts";
import { within } from "../../shared/timeout.ts";
import { isLocalMode } from "../env.ts";
import { INFERENCE_OFF } from "../insights/inference.ts";
import { authenticate, directory } from "../middleware/auth.ts";
import { requireRole } from "../middleware/roles.ts";
import { BreakerState, json, problem } from "../openapi.ts";
import { readModel } from "../read-model.ts";
import { newRouter } from "../router.ts";
import { viewAsJson } from "./degradation.ts";

const PROBE_TIMEOUT_MS = 500;
/**
 * Inference is asked briefly: a cold isolate loads its models for ~0.5 s, and the router's
 * probe (500 ms) must never see a region as down for that. The warm-up goes on anyway.
 */
const INFERENCE_PROBE_MS = 150;

export const health = newRouter();

const Health = z
  .object({
    status: z.enum(["ok", "degraded", "starting"]),
    region: z.string(),
    jurisdiction: z.string(),
    /** Only with `?detail=1`, for an admin. */
    checks: z
      .object({
        libsql: z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() }),
        /** The credentials worker: logins' password checks. */
        credentials: z.object({
          ok: z.boolean(),
          latencyMs: z.number(),
          error: z.string().optional(),
        }),
        inference: z.object({
          ok: z.boolean(),
          latencyMs: z.number(),
          /** Models loaded in the inference isolate, with their versions and cold starts. */
          models: z
            .record(z.string(), z.object({ modelVersion: z.string(), coldStartMs: z.number() }))
            .optional(),
          error: z.string().optional(),
        }),
      })
      .optional(),
    /**
     * Degradation modes in force and conditions of the moment (also in the
     * `Lifeline-Degraded` header), one spelling: the modes of core/degradation.ts plus
     * `reads-unavailable` and `logins-unavailable`.
     */
    degraded: z.array(z.enum([...MODES, ...CONDITIONS])),
    /** Each mode in force: since when and why (the policies that hold it, or an override). */
    modes: z.array(
      z.object({
        mode: z.enum(MODES),
        since: z.string(),
        why: z.array(z.string()),
      }),
    ),
    /** Only with `?detail=1`: the RegionDO's latest readings of the region's signals. */
    signals: z
      .partialRecord(z.enum(SIGNALS), z.object({ value: z.number(), at: z.string() }))
      .optional(),
    /** Only with `?detail=1`: the region's circuit breakers (libsql, inference, relay, peer:<region>). */
    breakers: z.record(z.string(), z.object({ state: BreakerState, since: z.string() })).optional(),
    /** Only with `?detail=1`: the policies in force for the caller's tenant, and its overrides. */
    policies: z
      .object({
        source: z.enum(["tenant", "region"]),
        version: z.int(),
        set: z.array(z.unknown()),
        overrides: z.array(z.unknown()),
        peers: z.record(z.string(), z.object({ ok: z.boolean(), at: z.string() })),
      })
      .optional(),
  })
  .meta({ id: "Health" });

const route = createRoute({
  method: "get",
  path: "/v1/health",
  operationId: "getHealth",
  tags: ["operations"],
  summary: "Region health: a public summary; `?detail=1` adds the checks (admin only)",
  request: {
    query: z.object({
      detail: z
        .enum(["1"])
        .optional()
        .meta({ description: "Add each dependency's check; needs an admin's credentials" }),
    }),
  },
  responses: {
    200: json(Health, "The region answers; `status` says whether it is degraded"),
    503: json(
      Health,
      "Local mode only: `starting`, the region has no tenant yet (its dev seed is not applied), so it cannot serve one",
    ),
    401: problem("Detail asked for without credentials"),
    403: problem("Detail asked for by a principal that is not an admin"),
  },
});

/**
 * The checks name dependencies and carry their error texts, so only an admin sees them.
 * Authentication runs only when detail is asked for: the summary stays anonymous.
 */
const asAdmin = every(authenticate(), requireRole("admin"));
health.use("/v1/health", (c, next) => (c.req.query("detail") === "1" ? asAdmin(c, next) : next()));

type Check = { ok: boolean; latencyMs: number; error?: string };

/** Runs one probe within PROBE_TIMEOUT_MS; a throw or a timeout is a failed check. */
async function probe<T extends object>(
  run: () => Promise<T>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<Check & Partial<T>> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  try {
    const value = await within(run(), timeoutMs);
    return { ...value, ok: true, latencyMs: latencyMs() };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { ok: false, latencyMs: latencyMs(), error } as Check & Partial<T>;
  }
}

health.openapi(route, async (c) => {
  const detail = c.req.valid("query").detail === "1";
  const tenantId = detail ? c.get("principal").tenantId : null;
  const view = await regionView(c.env, tenantId, (p) => c.executionCtx.waitUntil(p));
  const modes = new Set<string>(inForce(c.env, view));
  const inferenceOff = modes.has(INFERENCE_OFF);
  const [libsql, credentials, inference] = await Promise.all([
    // The isolate's own read-model client, the one the routes use: a probe then reports
    // what a request would meet, and does not open a new connection each time. A query
    // past the probe's wait is abandoned to the client's own 2 s timeout.
    probe(async () => {
      await readModel(c.env).run(sql`SELECT 1`);
      return {};
    }),
    probe(async () => {
      const res = await c.env.CREDENTIALS.fetch("https://credentials/health");
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the credentials worker answered ${res.status}`);
      return {};
    }),
    inferenceOff
      ? Promise.resolve({
          ok: false,
          latencyMs: 0,
          error: "inference-off is in force in this region",
        })
      : probe(async () => {
          // Also warms the models, so the first analysis after a start is not a cold one;
          // the warm-up outlives this probe's short wait.
          const warming = c.env.INFERENCE.health();
          c.executionCtx.waitUntil(
            warming.then(
              () => undefined,
              () => undefined,
            ),
          );
          const h = await warming;
          if (!h.ok) throw new Error(`models failed to load: ${h.failed.join(", ")}`);
          return { models: h.loaded };
        }, INFERENCE_PROBE_MS),
  ]);
  const degraded = [
    ...MODES.filter((m) => modes.has(m) || (m === INFERENCE_OFF && !inference.ok)),
    ...(libsql.ok ? [] : (["reads-unavailable"] as const)),
    ...(credentials.ok ? [] : (["logins-unavailable"] as const)),
  ];
  const shown = view ? viewAsJson(view) : null;
  c.header("cache-control", "no-store");
  if (degraded.length) c.header("lifeline-degraded", degraded.join(", "));
  // A local region is ready once it can serve a tenant: before its dev seed it cannot, and
  // the router and `npm start` must not count it up. (Production has no seed.)
  const starting = isLocalMode(c.env) && !(await directory(c.env).hasTenants());
  const body = {
    region: c.env.REGION,
    jurisdiction: c.env.JURISDICTION,
    ...(detail ? { checks: { libsql, credentials, inference } } : {}),
    degraded,
    modes: shown?.modes ?? [],
    ...(detail && shown
      ? {
          signals: shown.signals,
          breakers: shown.breakers,
          policies: { ...shown.policies, overrides: shown.overrides, peers: shown.peers },
        }
      : {}),
  };
  if (starting) return c.json({ status: "starting" as const, ...body }, 503);
  return c.json(
    {
      status: degraded.length ? ("degraded" as const) : ("ok" as const),
      ...body,
    },
    200,
  );
});
