// The router's one error type and the one place errors become responses: RFC 9457
// problem+json, the same shape the regional API speaks, so clients parse one format.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { Problem, problemResponse, reasonOf } from "../shared/problem.ts";

export { Problem, problemResponse };

export function onError(err: Error, c: Context): Response {
  if (err instanceof Problem) return problemResponse(err, c.req.path);
  if (err instanceof HTTPException) {
    // The message may quote a library's error text: logged, never sent.
    console.warn("router: request refused", err.status, err.message);
    return problemResponse(new Problem(err.status, "http", reasonOf(err.status)), c.req.path);
  }
  console.error("router: unhandled", err);
  return problemResponse(
    new Problem(
      500,
      "internal",
      "The router failed to handle the request",
      "The error was logged.",
    ),
    c.req.path,
  );
}
