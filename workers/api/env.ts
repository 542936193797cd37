// Bindings that wrangler.toml cannot declare: secrets and local-mode switches.
// (Vars and Durable Object bindings are generated into worker-configuration.d.ts.)
declare global {
  namespace Cloudflare {
    interface Env {
      /** HMAC key for rep session tokens; the same in every region. */
      AUTH_TOKEN_SECRET: string;
      LIBSQL_AUTH_TOKEN?: string;
      /** "local" only under `npm start`: enables dev seeding and the benchmark floor route. */
      LIFELINE_MODE?: string;
      /** JSON `{ "<key id>": "<secret>" }`: the active region-to-region HMAC keys (two during rotation). */
      REPLICATION_KEYS: string;
      QSTASH_TOKEN?: string;
      QSTASH_CURRENT_SIGNING_KEY?: string;
      QSTASH_NEXT_SIGNING_KEY?: string;
      /** Local benchmarks only: emulated round trips between regions (see replication/geography.ts). */
      EMULATED_RTT_MS?: string;
      /** Keyed-hash secret for `hash` field policies (masking before data leaves its jurisdiction). */
      MASKING_KEY?: string;
      /** JSON overriding any of the rate limits in middleware/rate-limit.ts (DEFAULT_LIMITS). */
      RATE_LIMITS?: string;
    }
  }
}

export type Principal = { tenantId: string; kind: "apiKey" | "user"; id: string; role: string };

export type AppEnv = { Bindings: Env; Variables: { principal: Principal } };

export const isLocalMode = (env: Env) => env.LIFELINE_MODE === "local";
