// After each request, probe the regions whose probe is due (at most one per region per
// interval) in the background. After, not before: a half-open region's one trial should
// go to a waiting request rather than to a probe.
import type { MiddlewareHandler } from "hono";
import { background } from "../background.ts";
import type { RouterAppEnv } from "../env.ts";
import { probe } from "../probe.ts";
import type { RouterDeps } from "../state.ts";

export function probeRegions(deps: RouterDeps): MiddlewareHandler<RouterAppEnv> {
  return async function probeRegions(c, next) {
    await next();
    const { config, health } = deps.state(c.env);
    const names = config.regions.map((r) => r.region);
    for (const name of health.takeDueProbes(names, deps.nowMs(), config.probeIntervalMs)) {
      const region = config.regions.find((r) => r.region === name)!;
      background(
        c,
        probe(deps.fetch, region, config.probeTimeoutMs).then((ok) =>
          health.record(name, ok ? "probe-ok" : "probe-failed", deps.nowMs()),
        ),
      );
    }
  };
}
