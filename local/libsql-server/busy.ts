// busy_timeout without blocking: the engine is synchronous, so a native busy wait would freeze
// the event loop — including the request that would release the lock. Waits happen here instead.

import { setTimeout as sleep } from "node:timers/promises";
import { isRetryableBusy } from "./errors.ts";

export interface BusyPolicy {
  /** How long one statement may keep retrying while the database is locked. */
  timeoutMs: number;
  /** Aborted at shutdown so waiting requests fail fast instead of holding it up. */
  signal: AbortSignal;
}

// SQLite's own busy handler backs off along a similar curve.
const DELAYS_MS = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/** Runs `attempt` until it stops failing with SQLITE_BUSY or the policy's time runs out. */
export async function withBusyRetry<T>(attempt: () => T, busy: BusyPolicy): Promise<T> {
  const deadline = performance.now() + busy.timeoutMs;
  for (let i = 0; ; i++) {
    try {
      return attempt();
    } catch (e) {
      const left = deadline - performance.now();
      if (!isRetryableBusy(e) || left <= 0 || busy.signal.aborted) throw e;
      try {
        await sleep(Math.min(DELAYS_MS[i] ?? 100, left), undefined, { signal: busy.signal });
      } catch {
        throw e;
      }
    }
  }
}
