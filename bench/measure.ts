// Timing primitives: run a bounded list of requests at a fixed concurrency, keep each
// latency, and summarise as nearest-rank percentiles plus throughput.

export interface Sample {
  ok: boolean;
  latencyMs: number;
  /** For failures: what came back instead, for the report. */
  problem?: string;
  /** Not attempted because a step it depends on failed. */
  skipped?: boolean;
}

export interface PhaseResult {
  samples: Sample[];
  wallMs: number;
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. Each task is
 * timed on its own; the phase's wall time gives throughput. Stops early once aborted.
 */
export async function runPhase(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<{ ok: boolean; problem?: string; skipped?: boolean }>,
  signal?: AbortSignal,
): Promise<PhaseResult> {
  const samples: Sample[] = new Array(count);
  let next = 0;
  const startedMs = performance.now();
  const lane = async () => {
    while (next < count && !signal?.aborted) {
      const i = next++;
      const t0 = performance.now();
      let outcome: { ok: boolean; problem?: string; skipped?: boolean };
      try {
        outcome = await task(i);
      } catch (err) {
        outcome = { ok: false, problem: (err as Error).message };
      }
      samples[i] = { ...outcome, latencyMs: performance.now() - t0 };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  signal?.throwIfAborted();
  return { samples, wallMs: performance.now() - startedMs };
}

export interface Stats {
  count: number;
  errors: number;
  skipped: number;
  latencyMsP50: number;
  latencyMsP90: number;
  latencyMsP99: number;
  latencyMsMax: number;
  latencyMsMean: number;
  throughputOpsPerS: number;
}

/** Latency statistics over successful requests only; failures are counted, not timed. */
export function summarise({ samples, wallMs }: PhaseResult): Stats {
  const ok = samples.filter((s) => s.ok).map((s) => s.latencyMs);
  ok.sort((a, b) => a - b);
  const pct = (p: number) =>
    ok.length ? ok[Math.max(0, Math.ceil((p / 100) * ok.length) - 1)]! : NaN;
  const mean = ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
  return {
    count: ok.length,
    skipped: samples.filter((s) => s.skipped).length,
    errors: samples.filter((s) => !s.ok && !s.skipped).length,
    latencyMsP50: round(pct(50)),
    latencyMsP90: round(pct(90)),
    latencyMsP99: round(pct(99)),
    latencyMsMax: round(ok.at(-1) ?? NaN),
    latencyMsMean: round(mean),
    throughputOpsPerS: round(ok.length / (wallMs / 1000), 1),
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
