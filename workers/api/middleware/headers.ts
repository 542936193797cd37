// Changing a finished answer's headers on the way out (CORS, Lifeline-Degraded), whatever
// produced the response: one passed through from elsewhere has immutable headers.
import type { Context } from "hono";

/**
 * Applies `edit` to the response's headers. Immutable headers (a response passed through
 * from a fetch or a service binding) refuse their first change, so nothing was applied:
 * the response is copied and `edit` runs on the copy.
 */
export function editHeaders(c: Context, edit: (headers: Headers) => void): void {
  try {
    edit(c.res.headers);
  } catch {
    c.res = new Response(c.res.body, c.res);
    edit(c.res.headers);
  }
}
