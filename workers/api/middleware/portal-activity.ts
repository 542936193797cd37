// Portal use as a fact (DESIGN §11: the health index's portal activity): after a portal
// session is authenticated, the account's object is asked in the background to note the
// user's day (a date in the jurisdiction's time zone). At most once per user and day per
// isolate, by a bounded cache; the object itself writes no event for a day it holds.
import type { Context, MiddlewareHandler } from "hono";
import { JURISDICTION_TIME_ZONES } from "../../../core/sla/calendar.ts";
import { localDateAt } from "../../../core/sla/zone.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import type { AppEnv } from "../env.ts";

/** User-days this isolate has asked for: the oldest is forgotten past it. */
export const NOTED_MAX = 5_000;
const noted = new Set<string>();

export type PortalUser = { tenantId: string; accountId: string; userId: string };

/**
 * Asks the account to note `who`'s day unless this isolate already did today; never fails
 * the request (a failure is logged, and the next request asks again).
 */
export function notePortalActivity(c: Context<AppEnv>, who: PortalUser): void {
  // The portal serves an account only in its own jurisdiction (its logins are indexed
  // there), so this region's zone is the account's; the object checks both.
  const zone = (JURISDICTION_TIME_ZONES as Record<string, string | undefined>)[c.env.JURISDICTION];
  const day = zone ? localDateAt(zone, Date.now()) : new Date().toISOString().slice(0, 10);
  const key = `${who.tenantId}/${who.accountId}/${who.userId}/${day}`;
  if (noted.has(key)) return;
  if (noted.size >= NOTED_MAX) noted.delete(noted.values().next().value!);
  noted.add(key);
  const work = accountStub(c.env, who.tenantId, who.accountId)
    .notePortalActivity(who.tenantId, who.accountId, who.userId)
    .then((result) => {
      if (result.kind === "recorded" || result.kind === "unchanged") return;
      noted.delete(key);
      console.warn(`portal activity of ${who.userId} not noted: ${result.kind}`);
    })
    .catch((err: unknown) => {
      noted.delete(key);
      console.warn(
        `portal activity of ${who.userId} not noted`,
        err instanceof Error ? err.message : err,
      );
    });
  c.executionCtx.waitUntil(work);
}

/** After authenticatePortal: notes the principal's day, then goes on at once. */
export function portalActivity(): MiddlewareHandler<AppEnv> {
  return async function portalActivity(c, next) {
    const p = c.get("principal");
    if (p.kind === "portal")
      notePortalActivity(c, { tenantId: p.tenantId, accountId: p.accountId, userId: p.id });
    await next();
  };
}
