// GET /v1/regions at the router: the regions a client may call directly (the shape every
// region answers, without `self`), each with the router's last knowledge of its health:
// its breaker and last probe, as this isolate holds them. Live, so never cached.
import { Hono } from "hono";
import { fieldProblem, unknownKeyMessage } from "../../shared/problem.ts";
import { regionsIn } from "../../shared/regions.ts";
import type { RouterAppEnv } from "../env.ts";
import type { RouterDeps } from "../state.ts";

export function regions(deps: RouterDeps) {
  const routes = new Hono<RouterAppEnv>();
  routes.get("/v1/regions", (c) => {
    const unknown = Object.keys(c.req.queries()).filter((k) => k !== "jurisdiction");
    // As the regions refuse them: an unknown query parameter is a 400, never ignored.
    if (unknown.length > 0)
      throw fieldProblem(
        "query",
        unknown.map((field) => ({ field, message: unknownKeyMessage("query") })),
      );
    const { config, health } = deps.state(c.env);
    const nowMs = deps.nowMs();
    const listed = regionsIn(config.regions, c.req.query("jurisdiction")).map((r) => {
      const { breaker, lastProbe } = health.status(r.region, nowMs);
      const probe = lastProbe && { at: new Date(lastProbe.atMs).toISOString(), ok: lastProbe.ok };
      return { ...r, health: { breaker, lastProbe: probe } };
    });
    c.header("cache-control", "no-store");
    return c.json({ regions: listed });
  });
  return routes;
}
