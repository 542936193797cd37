// How large a request body each route takes, stated once: the middleware that enforces
// it and the OpenAPI document that publishes it read the same numbers.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_TRANSCRIPT_BYTES } from "../../../core/insights/limits.ts";
import { BodyTooLarge, readBoundedText } from "../../../replication/body.ts";
import { bodyTooLarge } from "../../shared/problem.ts";
import type { AppEnv } from "../env.ts";

/** Every lifeline body is small; a bound keeps a slow or hostile client from holding memory. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The byte limit of a path's bodies; null where the route bounds its own (replication). */
export function bodyLimitOf(path: string): number | null {
  if (path.startsWith("/v1/replication/")) return null;
  if (path === "/v1/insights/analyze") return MAX_TRANSCRIPT_BYTES;
  return MAX_BODY_BYTES;
}

const limiter = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw bodyTooLarge(maxSize);
    },
  });
const limiters = new Map([MAX_BODY_BYTES, MAX_TRANSCRIPT_BYTES].map((n) => [n, limiter(n)]));

export function limitBodies(): MiddlewareHandler<AppEnv> {
  return async function limitBodies(c, next) {
    const limit = bodyLimitOf(c.req.path);
    if (limit === null) return next();
    return limiters.get(limit)!(c, next);
  };
}

/**
 * A body a route bounds itself (peer requests: the signature covers the raw bytes), read
 * under `maxBytes` whatever its framing; past it, the same 413 as every other route.
 */
export async function readBodyWithin(req: Request, maxBytes: number): Promise<string> {
  try {
    return await readBoundedText(req, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw bodyTooLarge(err.limit);
    throw err;
  }
}
