// The production schedule of federated learning: each cron tick of the coordinator runs one
// round for at most MAX_TENANTS_PER_TICK tenants, least recently run first (round-robin, so
// no tenant waits behind the same first few forever), one after another, and starts none
// after TICK_BUDGET_MS; any other region's trigger, should one be configured, does nothing.
// A failing tenant is logged and the next one still runs.
import { readModel } from "../read-model.ts";
import { coordinatorOf, runRounds } from "./coordinator.ts";
import { scheduledTenants } from "./store.ts";

/**
 * Tenants one tick runs a round for at most. A round takes up to ~60 s (every region's
 * fine-tune, the coordinator's own in-process, then the held-out checks), so ten stay well
 * inside a cron invocation's 15 minutes; with more tenants each gets a round every
 * ⌈tenants / 10⌉ ticks.
 */
export const MAX_TENANTS_PER_TICK = 10;
/** No tenant's round starts this long after the tick began (a slow one does not push the rest past the limit). */
export const TICK_BUDGET_MS = 10 * 60_000;
/** A tenant not taking part in the coordinator's region stays scheduled this long after its last version. */
export const ADVANCED_WITHIN_MS = 30 * 24 * 60 * 60_000;

export async function scheduledRounds(env: Env, nowMs: () => number = Date.now): Promise<void> {
  if (env.REGION !== coordinatorOf(env)) return;
  const started = nowMs();
  const since = new Date(started - ADVANCED_WITHIN_MS).toISOString();
  let tenants: string[];
  try {
    tenants = await scheduledTenants(readModel(env), MAX_TENANTS_PER_TICK, since);
  } catch (err) {
    console.error("federation: no scheduled rounds, the database did not answer:", err);
    return;
  }
  for (const [i, tenantId] of tenants.entries()) {
    if (nowMs() - started > TICK_BUDGET_MS) {
      console.warn(
        `federation: tick budget spent; ${tenants.length - i} tenants wait for the next tick`,
      );
      return;
    }
    try {
      await runRounds(env, tenantId, 1);
    } catch (err) {
      console.error(
        `federation ${tenantId}: scheduled round failed:`,
        err instanceof Error ? err.message : err,
      );
    }
  }
}
