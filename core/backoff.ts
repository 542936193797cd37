// Bounded exponential backoff with jitter for every retry loop (outbox, peers, relay).
// Randomness is a parameter so runs reproduce from a seed.

export type BackoffPolicy = { baseMs: number; maxMs: number };

export const OUTBOX_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 60_000 };

/** Delay before retry number `attempt` (1-based): base·2^(attempt-1), capped, jittered to [50%, 100%]. */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random01: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp * (0.5 + 0.5 * Math.min(1, Math.max(0, random01))));
}
