// Every region's breaker and probe clock, held in the isolate. That is enough: breakers
// are advisory (they only order and skip regions), and correctness never rests on them —
// a retried lifeline write is safe because it carries its Idempotency-Key [LF2]. Each
// isolate learns region health on its own within a few requests or one probe interval.
import {
  admit,
  type Breaker,
  type BreakerPolicy,
  CLOSED,
  current,
  isAvailable,
  record,
  type Signal,
} from "../../core/breaker.ts";
import type { Standing } from "./candidates.ts";

export type RegionStatus = {
  region: string;
  breaker: Breaker["state"];
  consecutiveFailures: number;
  /** Until the open breaker lets a trial through; 0 unless open. */
  retryInMs: number;
  lastProbe: { atMs: number; ok: boolean } | null;
};

export class RegionHealth {
  readonly #breakers = new Map<string, Breaker>();
  readonly #probeStartedMs = new Map<string, number>();
  readonly #probeResults = new Map<string, { atMs: number; ok: boolean }>();

  constructor(readonly policy: BreakerPolicy) {}

  breaker(region: string, nowMs: number): Breaker {
    return current(this.#breakers.get(region) ?? CLOSED, nowMs);
  }

  standing(region: string, nowMs: number): Standing {
    const b = this.breaker(region, nowMs);
    if (!isAvailable(b, nowMs)) return "out";
    return b.state === "closed" ? "closed" : "trial";
  }

  /** Takes the region for one request or probe; false if its breaker turns it away. */
  admit(region: string, nowMs: number): boolean {
    const { admitted, breaker } = admit(this.breaker(region, nowMs), nowMs, this.policy);
    this.#breakers.set(region, breaker);
    return admitted;
  }

  record(region: string, signal: Signal, nowMs: number): void {
    this.#breakers.set(region, record(this.breaker(region, nowMs), signal, nowMs, this.policy));
    if (signal === "probe-ok" || signal === "probe-failed") {
      this.#probeResults.set(region, { atMs: nowMs, ok: signal === "probe-ok" });
    }
  }

  /**
   * The regions to probe now, already admitted: at most one probe per region per
   * interval, none while a breaker is open (nothing to learn before its cool-down), and a
   * half-open region's probe is its one trial.
   */
  takeDueProbes(regions: readonly string[], nowMs: number, intervalMs: number): string[] {
    return regions.filter((region) => {
      const last = this.#probeStartedMs.get(region);
      if (last !== undefined && nowMs - last < intervalMs) return false;
      if (!this.admit(region, nowMs)) return false;
      this.#probeStartedMs.set(region, nowMs);
      return true;
    });
  }

  /** How long until one of these regions may take traffic again (0 if one already may). */
  retryInMs(regions: readonly string[], nowMs: number): number {
    const waits = regions.map((r) => {
      const b = this.breaker(r, nowMs);
      if (b.state === "open") return b.untilMs - nowMs;
      if (b.state === "half-open" && b.trialUntilMs !== null)
        return Math.max(0, b.trialUntilMs - nowMs);
      return 0;
    });
    return waits.length ? Math.min(...waits) : this.policy.coolDownMs;
  }

  status(region: string, nowMs: number): RegionStatus {
    const b = this.breaker(region, nowMs);
    return {
      region,
      breaker: b.state,
      consecutiveFailures: b.state === "closed" ? b.failures : 0,
      retryInMs: b.state === "open" ? b.untilMs - nowMs : 0,
      lastProbe: this.#probeResults.get(region) ?? null,
    };
  }
}
