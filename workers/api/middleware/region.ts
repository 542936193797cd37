// Every response names the region that answered it (DESIGN §2, write path step 6).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

export function regionHeaders(): MiddlewareHandler<AppEnv> {
  return async function regionHeaders(c, next) {
    await next();
    c.res.headers.set("lifeline-region", c.env.REGION);
  };
}
