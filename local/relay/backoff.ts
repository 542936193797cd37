// When a failed message is tried next: the destination's Retry-After if it asks for at most a
// day, else the message's Upstash-Retry-Delay expression, else QStash's min(1 day, e^(2.5n)) s.

import { ONE_DAY_MS, retryAfterMs } from "./durations.ts";
import { parseRetryDelay } from "./retry-delay.ts";

/** QStash's default backoff before retry number `n` (1 for the first retry), in ms. */
export const defaultBackoffMs = (n: number): number => Math.min(86_400, Math.exp(2.5 * n)) * 1000;

export interface RetryInput {
  /** Retries already made before the attempt that just failed (its Upstash-Retried). */
  retried: number;
  retryDelay: string | null;
  retryAfter: string | undefined;
  now: number;
  timeScale: number;
}

function expressionMs(source: string, retried: number): number | null {
  const ms = parseRetryDelay(source).delayMs(retried);
  return Number.isNaN(ms) ? null : Math.min(ONE_DAY_MS, Math.max(0, ms));
}

/** The wait before the next attempt in ms, already multiplied by the time scale. */
export function nextRetryDelayMs(input: RetryInput): number {
  const fromDestination = retryAfterMs(input.retryAfter, input.now);
  const fromExpression =
    input.retryDelay === null ? null : expressionMs(input.retryDelay, input.retried);
  const ms = fromDestination ?? fromExpression ?? defaultBackoffMs(input.retried + 1);
  return Math.round(ms * input.timeScale);
}
