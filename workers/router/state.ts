// What the router remembers between requests, per isolate: region health and the account
// jurisdiction cache. Rebuilt when the configuration changes (a new deployment's vars).
import { configKey, parseConfig, type RouterConfig } from "./config.ts";
import type { RouterEnv } from "./env.ts";
import type { Fetcher } from "./forward.ts";
import { AccountJurisdictions } from "./jurisdictions.ts";
import { RegionHealth } from "./region-health.ts";

export type RouterState = {
  config: RouterConfig;
  health: RegionHealth;
  accounts: AccountJurisdictions;
};

export function isolateState(): (env: RouterEnv) => RouterState {
  let held: { key: string; state: RouterState } | null = null;
  return function stateOf(env) {
    const key = configKey(env);
    if (held?.key !== key) held = { key, state: newState(parseConfig(env)) };
    return held.state;
  };
}

function newState(config: RouterConfig): RouterState {
  return {
    config,
    health: new RegionHealth({
      failureThreshold: config.failureThreshold,
      coolDownMs: config.coolDownMs,
      trialLeaseMs: config.attemptTimeoutMs + 1_000,
    }),
    accounts: new AccountJurisdictions(config.accountCacheEntries, config.jurisdictions),
  };
}

/** What the router needs from its runtime; tests substitute a fake network and clock. */
export type RouterDeps = {
  fetch: Fetcher;
  nowMs: () => number;
  state: (env: RouterEnv) => RouterState;
};
