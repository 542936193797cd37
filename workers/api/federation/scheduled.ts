// The production schedule of federated learning: the coordinator's cron trigger runs one
// round for every tenant that takes part there (bounded per tick); any other region's
// trigger, should one be configured, does nothing. A failing tenant is logged and the next
// one still runs.
import { readModel } from "../read-model.ts";
import { coordinatorOf, runRounds } from "./coordinator.ts";
import { participatingTenants } from "./store.ts";

/** Tenants one tick runs a round for at most; the rest wait for the next tick. */
export const MAX_TENANTS_PER_TICK = 20;

export async function scheduledRounds(env: Env): Promise<void> {
  if (env.REGION !== coordinatorOf(env)) return;
  const tenants = await participatingTenants(readModel(env), MAX_TENANTS_PER_TICK);
  for (const tenantId of tenants) {
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
