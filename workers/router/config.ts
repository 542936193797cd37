// The router's configuration, parsed from its bindings once per isolate: the region map
// and the tuning knobs. A malformed map is a deployment bug and fails every request loudly.
import type { RouterEnv } from "./env.ts";

export type RegionInfo = { region: string; jurisdiction: string; url: string };

// Checked by hand rather than with zod: the router is every client's first hop, and
// importing zod added ~1 s to a cold isolate's first request (local workerd, wrangler 4.86).
const REGION_NAME = /^[a-z0-9-]{1,32}$/;
const JURISDICTION = /^[a-z]{2,8}$/;

function parseRegions(raw: string): RegionInfo[] {
  const list: unknown = JSON.parse(raw);
  if (!Array.isArray(list) || list.length === 0) throw new Error("REGIONS: not a non-empty array");
  const regions = list.map((entry: unknown, i): RegionInfo => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const { region, jurisdiction, url } = e;
    if (typeof region !== "string" || !REGION_NAME.test(region)) {
      throw new Error(`REGIONS[${i}].region: expected ${REGION_NAME}`);
    }
    if (typeof jurisdiction !== "string" || !JURISDICTION.test(jurisdiction)) {
      throw new Error(`REGIONS[${i}].jurisdiction: expected ${JURISDICTION}`);
    }
    if (typeof url !== "string" || !/^https?:$/.test(URL.parse(url)?.protocol ?? "")) {
      throw new Error(`REGIONS[${i}].url: expected an http(s) URL`);
    }
    return { region, jurisdiction, url };
  });
  if (new Set(regions.map((r) => r.region)).size !== regions.length) {
    throw new Error("REGIONS: region names repeat");
  }
  return regions;
}

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
