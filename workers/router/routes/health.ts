// GET /router/health: the router is up if it answers; the body shows each region's
// breaker as this isolate sees it (other isolates may differ: breakers are per isolate).
import { Hono } from "hono";
import type { RouterAppEnv } from "../env.ts";
import type { RouterDeps } from "../state.ts";

export function health(deps: RouterDeps) {
  const routes = new Hono<RouterAppEnv>();
  routes.get("/router/health", (c) => {
    const { config, health, accounts } = deps.state(c.env);
    const nowMs = deps.nowMs();
    const regions = config.regions.map((r) => ({
      jurisdiction: r.jurisdiction,
      ...health.status(r.region, nowMs),
    }));
    c.header("cache-control", "no-store");
    return c.json({
      status: regions.every((r) => r.breaker === "closed") ? "ok" : "degraded",
      defaultJurisdiction: config.defaultJurisdiction,
      regions,
      accountsCached: accounts.size,
    });
  });
  return routes;
}
