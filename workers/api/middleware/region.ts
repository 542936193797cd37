// Every response names the region that answered it (DESIGN §2, write path step 6), and a
// request's Lifeline-Region hint must name a region of the topology: a typo is a 400,
// never silently ignored.
import type { MiddlewareHandler } from "hono";
import { regionsOf } from "../../../replication/regions.ts";
import { problemResponse, unknownRegionHint } from "../../shared/problem.ts";
import type { AppEnv } from "../env.ts";

export function regionHeaders(): MiddlewareHandler<AppEnv> {
  return async function regionHeaders(c, next) {
    const hint = c.req.header("lifeline-region");
    if (hint !== undefined) {
      const known = regionsOf(c.env).map((r) => r.region);
      if (!known.includes(hint.trim())) {
        const res = problemResponse(unknownRegionHint(hint, known), c.req.path);
        res.headers.set("lifeline-region", c.env.REGION);
        return res;
      }
    }
    await next();
    c.res.headers.set("lifeline-region", c.env.REGION);
  };
}
