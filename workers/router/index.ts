// The global entry worker (DESIGN §2): app assembly only. Routing rules live in their own
// modules (placement in target.ts, candidates.ts, retry.ts; the loop in proxy.ts), and
// errors become problem+json in exactly one place (errors.ts).
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { noRoute } from "../shared/allow.ts";
import { bodyTooLarge } from "../shared/problem.ts";
import type { RouterAppEnv } from "./env.ts";
import { onError, Problem } from "./errors.ts";
import { probeRegions } from "./middleware/probes.ts";
import { routedTo } from "./middleware/routed-to.ts";
import { proxy } from "./proxy.ts";
import { health } from "./routes/health.ts";
import { regions } from "./routes/regions.ts";
import { isolateState, type RouterDeps } from "./state.ts";

/** Bodies are buffered so a failover can resend them; beyond this they are refused. */
const MAX_BODY_BYTES = 1024 * 1024;

export function createRouter(deps: RouterDeps) {
  const app = new Hono<RouterAppEnv>();
  app.use("*", routedTo());
  app.use("*", probeRegions(deps));
  app.onError(onError);
  app.notFound((c) => {
    // Static web assets (the PWA) will be served here; until then only the API is routed.
    throw noRoute(
      app.routes,
      c.req.method,
      c.req.path,
      "The router serves /v1/* and /router/health.",
    );
  });

  app.route("/", health(deps));
  app.route("/", regions(deps));
  // Region-to-region only (replication deliveries are addressed to one region by its URL).
  app.all("/v1/replication/*", () => {
    throw new Problem(
      404,
      "not-found",
      "No such route",
      "Replication goes to a region directly, not through the router.",
    );
  });
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw bodyTooLarge(MAX_BODY_BYTES);
      },
    }),
  );
  app.all("/v1/*", proxy(deps));
  return app;
}

export default createRouter({
  fetch: (request) => fetch(request),
  nowMs: () => Date.now(),
  state: isolateState(),
});
