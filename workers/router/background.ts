// Work that must not delay the response (probes, learning from bodies) goes to
// ctx.waitUntil; its failures are logged, never thrown at a client that has left.
import type { Context } from "hono";

export function background(c: Context, task: Promise<unknown>): void {
  const guarded = task.catch((err: unknown) => console.error("router: background task", err));
  let ctx: { waitUntil(p: Promise<unknown>): void } | undefined;
  try {
    ctx = c.executionCtx;
  } catch {
    // No ExecutionContext (app.request() without one): the promise runs on its own.
  }
  ctx?.waitUntil(guarded);
}
