// The router's bindings, mirroring [vars] in workers/router/wrangler.toml (a test keeps the
// two in step). Hand-written because `wrangler types` would merge into the API's global Env.

export interface RouterEnv {
  /** JSON `[{ region, jurisdiction, url }]`: the same map every regional API carries. */
  REGIONS: string;
  /** Where a request goes when nothing says which jurisdiction it belongs to. */
  ROUTER_DEFAULT_JURISDICTION: string;
  /** Tuning knobs with defaults in config.ts; tests shorten them to keep the suite fast. */
  ROUTER_ATTEMPT_TIMEOUT_MS?: string;
  ROUTER_COOL_DOWN_MS?: string;
  ROUTER_PROBE_INTERVAL_MS?: string;
}

/** The region that answered, for the Lifeline-Routed-To header; unset when none did. */
export type RouterVariables = { routedTo?: string };

export type RouterAppEnv = { Bindings: RouterEnv; Variables: RouterVariables };
