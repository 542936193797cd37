// A circuit breaker as a pure state machine (time is a parameter), shared by the router (one per
// region) and the API (one per dependency, e.g. inference): closed →
// open after `failureThreshold` consecutive failures or one failed probe; open → half-open
// when the cool-down ends; half-open lets one trial (request or probe) through at a time.

export type BreakerPolicy = {
  failureThreshold: number;
  coolDownMs: number;
  /** A trial that never reports (its request was cancelled) frees the breaker after this. */
  trialLeaseMs: number;
};

export type Breaker =
  | { state: "closed"; failures: number }
  | { state: "open"; untilMs: number }
  | { state: "half-open"; trialUntilMs: number | null };

/**
 * `failure`: network error, timeout, 502/504, or a 503 that is not a region's own
 * problem+json. `success`: the region answered anything else (even 4xx: it is alive).
 */
export type Signal = "success" | "failure" | "probe-ok" | "probe-failed";

export const CLOSED: Breaker = { state: "closed", failures: 0 };

/** The breaker as it stands at `nowMs`: an open breaker past its cool-down is half-open. */
export function current(b: Breaker, nowMs: number): Breaker {
  if (b.state === "open" && nowMs >= b.untilMs) return { state: "half-open", trialUntilMs: null };
  return b;
}

/** Whether a request or probe could be let through now (without taking the trial). */
export function isAvailable(b: Breaker, nowMs: number): boolean {
  const c = current(b, nowMs);
  switch (c.state) {
    case "closed":
      return true;
    case "open":
      return false;
    case "half-open":
      return c.trialUntilMs === null || nowMs >= c.trialUntilMs;
  }
}

/** Lets one request or probe through if the breaker allows it; a half-open one leases its trial. */
export function admit(
  b: Breaker,
  nowMs: number,
  policy: BreakerPolicy,
): { admitted: boolean; breaker: Breaker } {
  const c = current(b, nowMs);
  if (!isAvailable(c, nowMs)) return { admitted: false, breaker: c };
  if (c.state === "half-open") {
    return {
      admitted: true,
      breaker: { state: "half-open", trialUntilMs: nowMs + policy.trialLeaseMs },
    };
  }
  return { admitted: true, breaker: c };
}

export function record(b: Breaker, signal: Signal, nowMs: number, policy: BreakerPolicy): Breaker {
  const c = current(b, nowMs);
  const open: Breaker = { state: "open", untilMs: nowMs + policy.coolDownMs };
  switch (c.state) {
    case "closed":
      return whenClosed(c.failures, signal, open, policy);
    // Outcomes of requests admitted before the breaker opened neither close it early
    // nor stretch its cool-down.
    case "open":
      return c;
    case "half-open":
      return signal === "success" || signal === "probe-ok" ? CLOSED : open;
  }
}

function whenClosed(
  failures: number,
  signal: Signal,
  open: Breaker,
  policy: BreakerPolicy,
): Breaker {
  switch (signal) {
    case "success":
      return CLOSED;
    // A healthy /v1/health says nothing about the requests that failed, so it does not
    // reset their count: a region can answer probes while its writes time out.
    case "probe-ok":
      return { state: "closed", failures };
    case "failure":
      return failures + 1 >= policy.failureThreshold
        ? open
        : { state: "closed", failures: failures + 1 };
    case "probe-failed":
      return open;
  }
}
