// Every affected answer says what it was given under (core/degradation.ts `affects`): the
// region's degradation modes for the caller's tenant (the RegionDO's policies and overrides, and the deployed ones) join
// whatever the route itself reported (e.g. `replication` on a write acknowledged before a
// peer held it) in one `Lifeline-Degraded` header, in one spelling (core/degradation.ts).
// The isolate's observations of its dependencies go to the RegionDO on the way out.
import type { MiddlewareHandler } from "hono";
import { affects } from "../../../core/degradation.ts";
import { flushObservations, modesFor } from "../../../durable-objects/region/client.ts";
import type { AppEnv } from "../env.ts";
import { editHeaders } from "./headers.ts";

export const DEGRADED_HEADER = "lifeline-degraded";

/** Tokens of a `Lifeline-Degraded` value, in order, without duplicates. */
export function degradedTokens(value: string | null | undefined): string[] {
  return [
    ...new Set(
      (value ?? "")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export function degradationHeaders(): MiddlewareHandler<AppEnv> {
  return async function degradationHeaders(c, next) {
    await next();
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const flushed = flushObservations(c.env);
    if (flushed) waitUntil(flushed);
    const tenantId = (c.get("principal") as AppEnv["Variables"]["principal"] | undefined)?.tenantId;
    const modes = (await modesFor(c.env, tenantId ?? null, waitUntil)).filter((m) =>
      affects(m, c.req.method, c.req.path),
    );
    const tokens = degradedTokens([c.res.headers.get(DEGRADED_HEADER), ...modes].join(","));
    if (tokens.length > 0) editHeaders(c, (h) => h.set(DEGRADED_HEADER, tokens.join(", ")));
  };
}
