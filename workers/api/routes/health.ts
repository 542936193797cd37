// /v1/health: is this region's API up, and how is its read model doing. Lifeline writes
// do not depend on libSQL, so a slow read model is "degraded", never "down".
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { connectReadModel } from "../../../db/client.ts";
import { json } from "../openapi.ts";
import { newRouter } from "../router.ts";

const PROBE_TIMEOUT_MS = 500;

export const health = newRouter();

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    region: z.string(),
    jurisdiction: z.string(),
    checks: z.object({
      libsql: z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() }),
    }),
  })
  .meta({ id: "Health" });

const route = createRoute({
  method: "get",
  path: "/v1/health",
  tags: ["operations"],
  summary: "Region health (no authentication)",
  responses: { 200: json(Health, "The region answers; `status` says whether it is degraded") },
});

health.openapi(route, async (c) => {
  const started = performance.now();
  let libsql: { ok: boolean; latencyMs: number; error?: string };
  try {
    const db = connectReadModel(c.env.LIBSQL_URL, {
      authToken: c.env.LIBSQL_AUTH_TOKEN,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    await db.run(sql`SELECT 1`);
    libsql = { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    libsql = {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  }
  c.header("cache-control", "no-store");
  if (!libsql.ok) c.header("lifeline-degraded", "reads:unavailable");
  return c.json(
    {
      status: libsql.ok ? ("ok" as const) : ("degraded" as const),
      region: c.env.REGION,
      jurisdiction: c.env.JURISDICTION,
      checks: { libsql },
    },
    200,
  );
});
