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
      /** Local mode: the secret /__local/* requires in `Lifeline-Local-Admin` (.data/secrets.json). */
      LOCAL_ADMIN_SECRET?: string;
      /** JSON `{ "<key id>": "<secret>" }`: the active region-to-region HMAC keys (two during rotation). */
      REPLICATION_KEYS: string;
      QSTASH_TOKEN?: string;
      QSTASH_CURRENT_SIGNING_KEY?: string;
      QSTASH_NEXT_SIGNING_KEY?: string;
      /** Local benchmarks only: emulated round trips between regions (see replication/geography.ts). */
      EMULATED_RTT_MS?: string;
      /**
       * Keyed-hash secret for `hash` field policies (masking before data leaves its
       * jurisdiction). One per jurisdiction: a region outside it must not hold it, or it
       * could test guesses (tax ids) against the hashes it receives [LF4].
       */
      MASKING_KEY?: string;
      /** JSON: end-to-end keys for batches through the relay, per jurisdiction pair (replication/seal.ts). */
      RELAY_SEAL_KEYS?: string;
      /** How far ahead of this region's clock a received event may be (ms, default 5 min). */
      REPLICATION_MAX_SKEW_MS?: string;
      /** HMAC key of this region's audit chain (≥ 32 bytes); never leaves the region. */
      AUDIT_KEY?: string;
      /**
       * Account id key of this region's jurisdiction (16+ characters): ids derived from tax
       * ids are keyed with it, so a foreign region cannot recover a tax id from an id.
       * The same in every region of the jurisdiction, held by no other region [LF4].
       */
      ACCOUNT_ID_KEY?: string;
      /** JSON overriding any of the rate limits in middleware/rate-limit.ts (DEFAULT_LIMITS). */
      RATE_LIMITS?: string;
    }
  }
}

/** admin: a tenant's operator (audit, state hash); rep/manager: people; integrator: an API key. */
export type Role = "admin" | "manager" | "rep" | "integrator";

/**
 * Who calls. Staff routes only ever see `apiKey` and `user` (their `authenticate()` refuses
 * portal sessions); portal routes only ever see `portal` (`authenticatePortal()`), whose
 * `accountId` is the one customer account it may read.
 */
export type Principal =
  | { tenantId: string; kind: "apiKey" | "user"; id: string; role: string; accountId?: never }
  | { tenantId: string; kind: "portal"; id: string; role: "portal"; accountId: string };

export type AppEnv = { Bindings: Env; Variables: { principal: Principal } };

export const isLocalMode = (env: Env) => env.LIFELINE_MODE === "local";
