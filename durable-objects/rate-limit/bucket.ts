// Token buckets and login lockouts as pure functions of (state, now): the RateLimitDO
// stores the state, the API worker's isolate-local front uses the same arithmetic.

export type BucketPolicy = {
  /** Most tokens the bucket holds: the burst a client may spend at once. */
  burst: number;
  /** Tokens added per second, up to `burst`. */
  perS: number;
};

export type BucketState = { tokens: number; atMs: number };

export type Take =
  | { ok: true; granted: number; remaining: number; state: BucketState }
  | { ok: false; remaining: number; retryAfterMs: number; state: BucketState };

/** The bucket refilled to `nowMs` (a clock that went backwards adds nothing). */
export function refill(policy: BucketPolicy, state: BucketState | undefined, nowMs: number) {
  if (!state) return { tokens: policy.burst, atMs: nowMs };
  const elapsedS = Math.max(0, nowMs - state.atMs) / 1000;
  return {
    tokens: Math.min(policy.burst, state.tokens + elapsedS * policy.perS),
    atMs: Math.max(nowMs, state.atMs),
  };
}

/**
 * Takes up to `want` tokens, at least `min` (else nothing): a lease asks for many and
 * settles for one; a single request asks for one.
 */
export function take(
  policy: BucketPolicy,
  state: BucketState | undefined,
  nowMs: number,
  want = 1,
  min = 1,
): Take {
  const now = refill(policy, state, nowMs);
  const available = Math.floor(now.tokens);
  if (available < min) {
    const retryAfterMs = Math.ceil(((min - now.tokens) / policy.perS) * 1000);
    return { ok: false, remaining: available, retryAfterMs, state: now };
  }
  const granted = Math.min(want, available);
  const next = { tokens: now.tokens - granted, atMs: now.atMs };
  return { ok: true, granted, remaining: Math.floor(next.tokens), state: next };
}

/** Seconds until the bucket is full again: the `t` of the RateLimit header. */
export function secondsToFull(policy: BucketPolicy, tokens: number): number {
  return Math.ceil(Math.max(0, policy.burst - tokens) / policy.perS);
}

export type LockoutPolicy = {
  /** Consecutive failures that cost no wait; the attempt after the last of them waits. */
  freeFailures: number;
  /** The first delay; each further failure doubles it. */
  baseDelayMs: number;
  maxDelayMs: number;
};

export type FailureState = { failures: number; lockedUntilMs: number };

/**
 * After `freeFailures` consecutive failures every further attempt waits: base, 2×base,
 * 4×base… capped (5 free failures: the sixth attempt waits 1 s, the seventh 2 s…). A success resets the count (the caller deletes the state).
 */
export function recordFailure(
  policy: LockoutPolicy,
  state: FailureState | undefined,
  nowMs: number,
): FailureState {
  const failures = Math.min((state?.failures ?? 0) + 1, 1_000);
  const over = failures - policy.freeFailures + 1;
  if (over < 1) return { failures, lockedUntilMs: 0 };
  const delayMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over - 1, 30));
  return { failures, lockedUntilMs: nowMs + delayMs };
}
