// CORS for the rep's PWA: served from the router's origin, it calls the regions directly so
// it can fail over between them. Only the exact origins of WEB_ORIGINS are answered
// (never `*`, never an unlisted origin echoed); credentials are bearer tokens, never
// cookies, so Allow-Credentials is never sent. Preflights are answered here, before
// authentication and rate limits: a browser sends them without credentials. Peer and
// operator routes get no CORS at all. Not hono/cors: it sends Expose-Headers to every
// origin, answers preflights of unlisted ones, and cannot leave paths out.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { editHeaders } from "./headers.ts";

export const ALLOW_METHODS = ["GET", "POST", "PUT", "DELETE"];
/** Every request header the API reads from a client (the others are CORS-safelisted). */
export const ALLOW_HEADERS = [
  "authorization",
  "content-type",
  "idempotency-key",
  "lifeline-region",
  "accept-language",
];
/** The response headers a client acts on (retry, failover, durability, staleness, paging). */
export const EXPOSE_HEADERS = [
  "location",
  "retry-after",
  "idempotent-replayed",
  "lifeline-region",
  "lifeline-routed-to",
  "lifeline-degraded",
  "lifeline-durability",
  "lifeline-hlc",
  "lifeline-masked",
  "lifeline-stale-age",
  "lifeline-jurisdiction",
  "lifeline-inference",
  "ratelimit",
  "ratelimit-policy",
  "www-authenticate",
];
export const PREFLIGHT_MAX_AGE_S = 600;

// As sent: joined once per isolate, not per request.
const PREFLIGHT_HEADERS: ReadonlyArray<[string, string]> = [
  ["access-control-allow-methods", ALLOW_METHODS.join(", ")],
  ["access-control-allow-headers", ALLOW_HEADERS.join(", ")],
  ["access-control-max-age", String(PREFLIGHT_MAX_AGE_S)],
];
const EXPOSED = EXPOSE_HEADERS.join(", ");

/** Region-to-region and local operator routes: no browser has business there. */
const NO_CORS = [/^\/v1\/replication\//, /^\/__local\//];

let parsed: { raw: string | undefined; origins: ReadonlySet<string> } | null = null;

/**
 * The origins of WEB_ORIGINS (comma-separated). An entry that is not exactly an origin
 * (`scheme://host[:port]`, no path, no trailing slash; never `null`) could never equal a
 * browser's Origin header: it is left out, and said once per isolate.
 */
export function webOrigins(env: { WEB_ORIGINS?: string }): ReadonlySet<string> {
  if (parsed && parsed.raw === env.WEB_ORIGINS) return parsed.origins;
  const origins = new Set<string>();
  for (const entry of (env.WEB_ORIGINS ?? "").split(",")) {
    const origin = entry.trim();
    if (origin === "") continue;
    if (URL.parse(origin)?.origin === origin) origins.add(origin);
    else console.warn(`WEB_ORIGINS: ${origin} is not an origin (scheme://host[:port]); ignored`);
  }
  parsed = { raw: env.WEB_ORIGINS, origins };
  return origins;
}

export function cors(): MiddlewareHandler<AppEnv> {
  return async function cors(c, next) {
    if (NO_CORS.some((re) => re.test(c.req.path))) return next();
    const origin = c.req.header("origin");
    const allowed = origin !== undefined && webOrigins(c.env).has(origin) ? origin : null;
    if (
      c.req.method === "OPTIONS" &&
      origin !== undefined &&
      c.req.header("access-control-request-method") !== undefined
    ) {
      const headers = new Headers({ vary: "Origin" });
      if (allowed) {
        headers.set("access-control-allow-origin", allowed);
        for (const [name, value] of PREFLIGHT_HEADERS) headers.set(name, value);
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    // Vary: Origin on every answer (it depends on the origin); the rest only for a listed one.
    editHeaders(c, (h) => {
      const vary = h.get("vary");
      if (!vary?.split(",").some((v) => v.trim().toLowerCase() === "origin"))
        h.set("vary", vary ? `${vary}, Origin` : "Origin");
      if (allowed) {
        h.set("access-control-allow-origin", allowed);
        h.set("access-control-expose-headers", EXPOSED);
      }
    });
  };
}
