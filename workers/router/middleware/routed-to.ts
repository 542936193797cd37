// Every response says which region produced it (Lifeline-Routed-To), "none" when the
// router answered itself, so clients and the chaos suite can see failover happen.
import type { MiddlewareHandler } from "hono";
import type { RouterAppEnv } from "../env.ts";

export function routedTo(): MiddlewareHandler<RouterAppEnv> {
  return async function routedTo(c, next) {
    await next();
    c.res.headers.set("lifeline-routed-to", c.get("routedTo") ?? "none");
  };
}
