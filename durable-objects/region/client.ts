// An isolate's side of its region's RegionDO: the modes in force (cached briefly, so no
// request waits on the RegionDO and one object is not asked once per request), and the
// samples its own dependency calls produced (sent in small batches).
//
// [LF5] Lifeline writes never depend on this object: an answer is never held for it
// longer than FIRST_ASK_MS, and a RegionDO that does not answer means "no modes known",
// never an error.
import { type Dependency, MODES, type Mode } from "../../core/degradation.ts";
import type { RegionDO, RegionView } from "./index.ts";

/** How long an isolate reuses a view before asking again (stale answers refresh behind). */
export const MODES_TTL_MS = 250;
/** A view older than this is not served while it refreshes: the request waits (briefly). */
const SERVE_STALE_MS = 2_000;
const FIRST_ASK_MS = 300;
const MAX_CACHED_TENANTS = 1_000;
const MAX_PENDING_SAMPLES = 256;
const FLUSH_EVERY_MS = 500;

export function regionHealth(env: Env): DurableObjectStub<RegionDO> {
  return env.REGION_HEALTH.get(env.REGION_HEALTH.idFromName("region"));
}

type Cached = { atMs: number; view: RegionView | null; refreshing: Promise<void> | null };
const cache = new Map<string, Cached>();

const keyOf = (tenantId: string | null) => tenantId ?? "";

/** Modes forced region-wide at deploy time (DEGRADATION_MODES), in the one spelling. */
export function deployedModes(env: Pick<Env, "DEGRADATION_MODES">): Mode[] {
  const named = new Set(
    (env.DEGRADATION_MODES ?? "")
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean),
  );
  for (const m of named)
    if (!(MODES as readonly string[]).includes(m))
      console.warn(
        `DEGRADATION_MODES names an unknown mode ${JSON.stringify(m)}: ${MODES.join(", ")}`,
      );
  return MODES.filter((m) => named.has(m));
}

function refresh(env: Env, tenantId: string | null, entry: Cached): Promise<void> {
  entry.refreshing ??= regionHealth(env)
    .view(tenantId)
    .then(
      (view) => {
        entry.view = view;
        entry.atMs = Date.now();
      },
      (err: unknown) => {
        // Keep the last view; ask again after the TTL.
        entry.atMs = Date.now();
        console.warn("RegionDO did not answer", err instanceof Error ? err.message : err);
      },
    )
    .finally(() => {
      entry.refreshing = null;
    });
  return entry.refreshing;
}

/**
 * The region's view for a tenant (null: anonymous, the region's own policies), as fresh as
 * MODES_TTL_MS; a stale one is returned at once and refreshed behind (`waitUntil`).
 */
export async function regionView(
  env: Env,
  tenantId: string | null,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<RegionView | null> {
  const key = keyOf(tenantId);
  let entry = cache.get(key);
  if (!entry) {
    if (cache.size >= MAX_CACHED_TENANTS) cache.delete(cache.keys().next().value!);
    entry = { atMs: 0, view: null, refreshing: null };
    cache.set(key, entry);
  }
  if (Date.now() - entry.atMs < MODES_TTL_MS) return entry.view;
  const pending = refresh(env, tenantId, entry);
  if (entry.view && Date.now() - entry.atMs < SERVE_STALE_MS) {
    waitUntil(pending);
    return entry.view;
  }
  await Promise.race([pending, new Promise((r) => setTimeout(r, FIRST_ASK_MS))]);
  return entry.view;
}

/** The modes a tenant's answers are under: the RegionDO's and the deployed ones. */
export async function modesFor(
  env: Env,
  tenantId: string | null,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Mode[]> {
  return inForce(env, await regionView(env, tenantId, waitUntil));
}

/** The deployed modes and a view's, in the one order of MODES. */
export function inForce(env: Pick<Env, "DEGRADATION_MODES">, view: RegionView | null): Mode[] {
  const on = new Set<Mode>([...deployedModes(env), ...(view?.modes.map((m) => m.mode) ?? [])]);
  return MODES.filter((m) => on.has(m));
}

let pending: Array<{ dependency: Dependency; atMs: number; latencyMs: number; ok: boolean }> = [];
let lastFlushMs = 0;

/** One call to a dependency, as this isolate saw it. Bounded: past the cap, samples drop. */
export function observe(dependency: Dependency, latencyMs: number, ok: boolean): void {
  if (pending.length >= MAX_PENDING_SAMPLES) return;
  pending.push({ dependency, atMs: Date.now(), latencyMs: Math.round(latencyMs), ok });
}

/** Sends what this isolate saw, at most every FLUSH_EVERY_MS; null when nothing is due. */
export function flushObservations(env: Env): Promise<void> | null {
  if (pending.length === 0 || Date.now() - lastFlushMs < FLUSH_EVERY_MS) return null;
  const samples = pending;
  pending = [];
  lastFlushMs = Date.now();
  return regionHealth(env)
    .report({ samples })
    .catch((err: unknown) =>
      console.warn("RegionDO report failed", err instanceof Error ? err.message : err),
    );
}

/** Whether the region's breaker for a dependency is open, as last known here (no asking). */
export function breakerOpen(tenantId: string | null, name: string): boolean {
  return cache.get(keyOf(tenantId))?.view?.breakers[name]?.state === "open";
}
