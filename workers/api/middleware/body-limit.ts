// How large a request body each route takes, stated once: the middleware that enforces
// it and the OpenAPI document that publishes it read the same numbers.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_FILE_BYTES } from "../../../core/files.ts";
import { MAX_TRANSCRIPT_BYTES } from "../../../core/insights/limits.ts";
import { BodyTooLarge, readBoundedBytes, readBoundedText } from "../../../replication/body.ts";
import { bodyTooLarge } from "../../shared/problem.ts";
import type { AppEnv } from "../env.ts";

/** Every lifeline body is small; a bound keeps a slow or hostile client from holding memory. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The byte limit of a path's bodies; null where the route bounds its own (replication). */
export function bodyLimitOf(path: string): number | null {
  if (path.startsWith("/v1/replication/")) return null;
  if (path === "/v1/insights/analyze") return MAX_TRANSCRIPT_BYTES;
  // A file upload (2 MiB): a declared length past it is refused before a byte is read, a
  // chunked body the moment it passes it (hono's bodyLimit counts the stream).
  if (path.startsWith("/v1/files/")) return MAX_FILE_BYTES;
  return MAX_BODY_BYTES;
}

const limiter = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw bodyTooLarge(maxSize);
    },
  });
const limiters = new Map(
  [MAX_BODY_BYTES, MAX_TRANSCRIPT_BYTES, MAX_FILE_BYTES].map((n) => [n, limiter(n)]),
);

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
  return within413(readBoundedText(req, maxBytes));
}

/** readBodyWithin, as bytes (a peer's file push). */
export async function readBytesWithin(req: Request, maxBytes: number): Promise<Uint8Array> {
  return within413(readBoundedBytes(req, maxBytes));
}

async function within413<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof BodyTooLarge) throw bodyTooLarge(err.limit);
    throw err;
  }
}
