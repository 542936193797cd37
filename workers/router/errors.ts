// The router's one error type and the one place errors become responses: RFC 9457
// problem+json, the same shape the regional API speaks, so clients parse one format.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export function problemResponse(p: Problem, instance: string): Response {
  const body = {
    type: `urn:lifeline:problem:${p.slug}`,
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    instance,
    ...p.extra,
  };
  return new Response(JSON.stringify(body), {
    status: p.status,
    headers: {
      "content-type": "application/problem+json",
      "cache-control": "no-store",
      ...p.headers,
    },
  });
}

export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemResponse(err, c.req.path);
  if (err instanceof HTTPException) {
    return problemResponse(new Problem(err.status, "http", err.message), c.req.path);
  }
  console.error("router: unhandled", err);
  return problemResponse(
    new Problem(500, "internal", "Internal error", "The router failed; the error was logged."),
    c.req.path,
  );
}
