// The router's configuration, parsed from its bindings once per isolate: the region map
// and the tuning knobs. A malformed map is a deployment bug and fails every request loudly.
import { parseRegions, type RegionInfo } from "../../replication/regions.ts";
import type { RouterEnv } from "./env.ts";

export type { RegionInfo };

function millis(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer`);
  return n;
}

export type RouterConfig = {
  regions: readonly RegionInfo[];
  jurisdictions: ReadonlySet<string>;
  defaultJurisdiction: string;
  /** One forwarded attempt, until response headers arrive. */
  attemptTimeoutMs: number;
  /** All attempts of one request together [LF5]: a failover only starts within it. */
  budgetMs: number;
  failureThreshold: number;
  coolDownMs: number;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  accountCacheEntries: number;
};

/** Identifies a configuration, so per-isolate state is rebuilt only when it changes. */
export function configKey(env: RouterEnv): string {
  return JSON.stringify([
    env.REGIONS,
    env.ROUTER_DEFAULT_JURISDICTION,
    env.ROUTER_ATTEMPT_TIMEOUT_MS,
    env.ROUTER_COOL_DOWN_MS,
    env.ROUTER_PROBE_INTERVAL_MS,
  ]);
}

export function parseConfig(env: RouterEnv): RouterConfig {
  const regions = parseRegions(env.REGIONS);
  const jurisdictions = new Set(regions.map((r) => r.jurisdiction));
  const defaultJurisdiction = env.ROUTER_DEFAULT_JURISDICTION;
  if (!jurisdictions.has(defaultJurisdiction)) {
    throw new Error(`ROUTER_DEFAULT_JURISDICTION ${defaultJurisdiction} has no region in REGIONS`);
  }
  const attemptTimeoutMs = millis(
    "ROUTER_ATTEMPT_TIMEOUT_MS",
    env.ROUTER_ATTEMPT_TIMEOUT_MS,
    10_000,
  );
  return {
    regions,
    jurisdictions,
    defaultJurisdiction,
    attemptTimeoutMs,
    budgetMs: 2 * attemptTimeoutMs,
    failureThreshold: 3,
    coolDownMs: millis("ROUTER_COOL_DOWN_MS", env.ROUTER_COOL_DOWN_MS, 5_000),
    probeIntervalMs: millis("ROUTER_PROBE_INTERVAL_MS", env.ROUTER_PROBE_INTERVAL_MS, 2_000),
    probeTimeoutMs: 500,
    accountCacheEntries: 10_000,
  };
}

export function regionNamed(config: RouterConfig, name: string | undefined | null) {
  return name ? config.regions.find((r) => r.region === name.trim()) : undefined;
}
