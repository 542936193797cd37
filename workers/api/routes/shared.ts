// What the routes share: one page from the regional read model for the caller's tenant
// (the cursor decoded first, 400; a dead read model, 503) and a single read that says
// whether it is the masked copy.
import type { Context } from "hono";
import type { ReadModelDb } from "../../../db/client.ts";
import { breakerOpen, modesFor } from "../../../durable-objects/region/client.ts";
import { within } from "../../shared/timeout.ts";
import type { AppEnv, Principal } from "../env.ts";
import { Problem } from "../errors.ts";
import { cursorParts, fromReadModel, readModel } from "../read-model.ts";

export async function readPage<Q extends { cursor?: string | undefined }, T>(
  c: Context<AppEnv>,
  { cursor, ...query }: Q,
  list: (
    db: ReadModelDb,
    tenantId: string,
    opts: Omit<Q, "cursor"> & { after: string[] | null },
  ) => Promise<T>,
): Promise<T> {
  const after = cursorParts(cursor, 2);
  const principal = c.get("principal");
  const modes = await modesFor(c.env, principal.tenantId, (p) => c.executionCtx.waitUntil(p));
  const key = staleKey(principal, c.req.url);
  const read = () => list(readModel(c.env), principal.tenantId, { ...query, after });
  if (!modes.includes("reads-stale-ok")) {
    // The region's libSQL breaker is open (its probes and reads keep failing): answer the
    // 503 at once instead of waiting out the read's deadline.
    if (breakerOpen(principal.tenantId, "libsql"))
      throw new Problem(
        503,
        "read-model-unavailable",
        "Lists are temporarily unavailable",
        "The regional read model keeps failing (its circuit breaker is open). Single reads and all writes still work.",
        {},
        { "retry-after": "10" },
      );
    const page = await fromReadModel(read);
    rememberPage(key, page);
    return page;
  }
  // reads-stale-ok: the read model is known to be slow or failing, so a list waits only
  // briefly and falls back to the last answer this isolate gave the same caller for the
  // same query, marked with its age. Nothing cached: the usual 503.
  try {
    const page = await fromReadModel(() => within(read(), STALE_OK_WAIT_MS));
    rememberPage(key, page);
    return page;
  } catch (err) {
    const stale = stalePage<T>(key);
    if (!stale) throw err;
    c.header("lifeline-stale-age", String(Math.round((Date.now() - stale.atMs) / 1000)));
    return stale.page;
  }
}

/** Under reads-stale-ok, how long a list waits for the read model before it goes stale. */
export const STALE_OK_WAIT_MS = 300;
/** Pages remembered per isolate (most recent first out when full); each is one API page. */
const MAX_STALE_PAGES = 256;
/** Older answers are not offered, even marked: past this they would mislead. */
const MAX_STALE_AGE_MS = 10 * 60_000;
const stalePages = new Map<string, { atMs: number; page: unknown }>();

/** The caller (not only its tenant: lists may become per-rep) and the exact query. */
const staleKey = (p: Principal, url: string) => JSON.stringify([p.tenantId, p.kind, p.id, url]);

function rememberPage(key: string, page: unknown): void {
  stalePages.delete(key);
  if (stalePages.size >= MAX_STALE_PAGES) stalePages.delete(stalePages.keys().next().value!);
  stalePages.set(key, { atMs: Date.now(), page });
}

function stalePage<T>(key: string): { atMs: number; page: T } | null {
  const hit = stalePages.get(key);
  if (!hit || Date.now() - hit.atMs > MAX_STALE_AGE_MS) return null;
  return hit as { atMs: number; page: T };
}

/**
 * A single read as this region holds it. Outside the record's jurisdiction a region holds
 * only the masked copy [LF4]; the answer says so (`masked: true`, `Lifeline-Masked: true`)
 * so nobody mistakes `138****5678` for the number. A full copy reads exactly as its write
 * answered (no field added).
 */
export function served<V extends object>(
  c: Context<AppEnv>,
  view: V,
  residency: string | null,
): V & { masked?: true } {
  if (!isMaskedHere(c, residency)) return view;
  c.header("lifeline-masked", "true");
  return { ...view, masked: true };
}

/** Whether this region holds the masked copy of a record of that residency. */
export function isMaskedHere(c: Context<AppEnv>, residency: string | null): boolean {
  return residency !== null && residency !== c.env.JURISDICTION;
}
