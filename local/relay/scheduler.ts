// Delivers due messages with at most `maxConcurrentDeliveries` in flight, driven by one timer
// set for the next due time (no polling loop), and records each outcome durably.

import { nextRetryDelayMs } from "./backoff.ts";
import { callbackMessage } from "./callbacks.ts";
import type { RelayContext } from "./context.ts";
import { inTransaction } from "./db.ts";
import { type Attempt, attemptDelivery } from "./deliver.ts";
import { isAllowed } from "./destinations.ts";
import {
  deletePending,
  dueMessages,
  getPending,
  insertMessage,
  type MessageRow,
  moveToDlq,
  nextDueAt,
  scheduleRetry,
  trimDlq,
} from "./message-store.ts";

// Re-plan at least this often, so a far-off message is not at the mercy of one long timer.
const MAX_TIMER_MS = 60_000;
const HOLD_AFTER_ERROR_MS = 5_000;

const isSuccess = (a: Attempt) => a.kind === "response" && a.status >= 200 && a.status < 300;
const isNonRetryable = (a: Attempt) =>
  a.kind === "response" &&
  a.status === 489 &&
  a.header["Upstash-Nonretryable-Error"]?.[0]?.toLowerCase() === "true";

function describe(a: Attempt): string {
  if (a.kind === "response") return `status ${a.status}`;
  return a.kind === "failed" ? a.reason : "aborted";
}

export class Scheduler {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private planQueued = false;
  private closed = false;

  constructor(private readonly ctx: RelayContext) {}

  /** Re-plans on the next tick; repeated calls in one tick coalesce. */
  wake(): void {
    if (this.planQueued || this.closed) return;
    this.planQueued = true;
    setImmediate(() => {
      this.planQueued = false;
      this.plan();
    });
  }

  private plan(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const { db, config } = this.ctx;
    const free = config.maxConcurrentDeliveries - this.inFlight.size;
    if (free > 0) {
      for (const row of dueMessages(db, this.ctx.now(), [...this.inFlight.keys()], free))
        this.start(row);
    }
    // At capacity, the next completion re-plans; otherwise sleep until the next due message.
    if (this.inFlight.size >= config.maxConcurrentDeliveries) return;
    const next = nextDueAt(db, [...this.inFlight.keys()]);
    if (next === null) return;
    const waitMs = Math.min(MAX_TIMER_MS, Math.max(1, next - this.ctx.now()));
    this.timer = setTimeout(() => this.plan(), waitMs);
    this.timer.unref();
  }

  private start(row: MessageRow): void {
    const { config, log } = this.ctx;
    const started = performance.now();
    // Stored under an earlier, wider allow-list: never sent, it fails into the DLQ.
    const attempted: Promise<Attempt> = isAllowed(config.allowedOrigins, row.url)
      ? attemptDelivery(row, {
          signingKey: config.signingKeys.current,
          timeoutMs: row.timeout_ms ?? config.deliveryTimeoutMs,
          shutdown: this.shutdown.signal,
          now: this.ctx.now(),
        })
      : Promise.resolve({ kind: "failed", reason: "destination is not an allowed origin" });
    const run = attempted
      .then((attempt) => {
        const ms = (performance.now() - started).toFixed(1);
        log.debug(
          `deliver ${row.id} ${row.method} ${row.url} retried=${row.retried}: ${describe(attempt)} ${ms}ms`,
        );
        this.settle(row, attempt);
      })
      .catch((e: Error) => {
        // The outcome was not recorded, so the message is still due: hold its slot a while
        // rather than retrying it in a tight loop.
        log.warn(`delivery of ${row.id} failed inside the relay: ${e.stack ?? e}`);
        return this.pause(HOLD_AFTER_ERROR_MS);
      })
      .finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
    this.inFlight.set(row.id, run);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((done) => {
      const stop = () => {
        clearTimeout(timer);
        done();
      };
      const timer = setTimeout(() => {
        this.shutdown.signal.removeEventListener("abort", stop);
        done();
      }, ms);
      this.shutdown.signal.addEventListener("abort", stop, { once: true });
    });
  }

  private settle(row: MessageRow, attempt: Attempt): void {
    if (attempt.kind === "aborted") return;
    const { db, config, log } = this.ctx;
    const now = this.ctx.now();
    const cb = { now, defaultRetries: config.defaultRetries };
    inTransaction(db, () => {
      // Cancelled while in flight: nothing more to do, and no callback for a cancelled message.
      if (!getPending(db, row.id)) return;
      if (row.callback) insertMessage(db, callbackMessage(row.callback, row, attempt, null, cb));
      if (isSuccess(attempt)) {
        deletePending(db, row.id);
        return;
      }
      if (isNonRetryable(attempt) || row.retried >= row.max_retries) {
        const last =
          attempt.kind === "response"
            ? { status: attempt.status, header: attempt.header, body: attempt.body }
            : { status: null, header: null, body: Buffer.from(attempt.reason) };
        const dlqId = moveToDlq(db, row, now, last);
        log.info(`${row.id} → DLQ ${dlqId} after ${row.retried} retries (${describe(attempt)})`);
        if (row.failure_callback)
          insertMessage(db, callbackMessage(row.failure_callback, row, attempt, dlqId, cb));
        const dropped = trimDlq(db, config.maxDlqMessages);
        if (dropped.length > 0)
          log.warn(
            `DLQ is at its cap of ${config.maxDlqMessages}: dropped the oldest ${dropped.length} (${dropped.join(", ")})`,
          );
        return;
      }
      const retryAfter =
        attempt.kind === "response" ? attempt.header["Retry-After"]?.[0] : undefined;
      const delayMs = nextRetryDelayMs({
        retried: row.retried,
        retryDelay: row.retry_delay,
        retryAfter,
        now,
        timeScale: config.timeScale,
      });
      scheduleRetry(db, row.id, row.retried + 1, now + delayMs);
      log.debug(`${row.id} retry ${row.retried + 1}/${row.max_retries} in ${delayMs}ms`);
    });
  }

  /** Stops planning, lets in-flight attempts finish for up to `graceMs`, then aborts the rest. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const all = Promise.allSettled([...this.inFlight.values()]);
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((done) => (grace = setTimeout(done, graceMs)))]);
    clearTimeout(grace);
    this.shutdown.abort();
    await all;
  }
}
