// The API's side of the inference service binding: every call has a budget, a circuit
// breaker and an off switch, so a slow, failing or disabled inference worker costs an
// insights request at most its budget (and nothing once the breaker is open), and never
// touches a lifeline flow (DESIGN §5, §7).

import { z } from "zod";
import { admit, type Breaker, type BreakerPolicy, CLOSED, record } from "../../../core/breaker.ts";
import { injectInferenceFault } from "../../../durable-objects/local-faults.ts";
import { observe } from "../../../durable-objects/region/client.ts";
import type { AnalyzeResult } from "../../inference/analyze.ts";
import { Timeout, within } from "../../shared/timeout.ts";
import { isLocalMode } from "../env.ts";
import type { SentimentOutcome } from "./contract.ts";

export const DEFAULT_BUDGET_MS = 300;
/** The `Lifeline-Degraded` token while insights are shed, whatever the reason. */
export const INFERENCE_OFF = "inference-off";
/** Bounds on the budget a deployment may configure: shedding must stay prompt. */
const MAX_BUDGET_MS = 5_000;

/**
 * Three misses in a row open the breaker for 10 s; then one trial call decides. While it
 * is open, insights are shed at once instead of each request waiting out its budget.
 */
const POLICY: BreakerPolicy = {
  failureThreshold: 3,
  coolDownMs: 10_000,
  // Longer than any budget, so a half-open breaker never lets a second trial overlap the first.
  trialLeaseMs: MAX_BUDGET_MS + 1_000,
};

/**
 * The answer as this API needs it. The two workers deploy separately, so a skewed answer
 * (other labels, fewer results) is a failure to shed, never a 500.
 */
const Answer = z.object({
  ok: z.literal(true),
  modelVersion: z.string(),
  labels: z.array(z.string()).min(1),
  results: z.array(z.object({ label: z.string(), probabilities: z.array(z.number()) })),
});

/**
 * Per isolate: each isolate learns about its own calls at once. Every call's latency and
 * outcome also goes to the region's RegionDO (observe), whose policies decide
 * `inference-off` for the whole region, so one isolate's bad minute is every isolate's news.
 */
let breaker: Breaker = CLOSED;

export function inferenceBudgetMs(env: Env): number {
  const n = Number(env.INFERENCE_BUDGET_MS);
  return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_BUDGET_MS) : DEFAULT_BUDGET_MS;
}

/**
 * Runs `task` over `texts` through the INFERENCE binding within the budget. Never throws:
 * anything but a timely, well-formed answer is a `Shed` saying why.
 */
export async function inferTexts(
  env: Env,
  task: string,
  texts: string[],
  /** The caller's modes in force (durable-objects/region/client.ts): `inference-off` sheds. */
  modes: readonly string[],
  nowMs: () => number = Date.now,
): Promise<SentimentOutcome> {
  if (modes.includes(INFERENCE_OFF))
    return {
      ok: false,
      shed: { reason: "off", detail: "inference-off is in force in this region" },
    };
  if (!env.INFERENCE)
    return { ok: false, shed: { reason: "unavailable", detail: "no INFERENCE binding" } };
  const admitted = admit(breaker, nowMs(), POLICY);
  breaker = admitted.breaker;
  if (!admitted.admitted) {
    return {
      ok: false,
      shed: { reason: "breaker-open", detail: "inference failed recently; retrying shortly" },
    };
  }
  const budget = inferenceBudgetMs(env);
  const started = performance.now();
  /** Every outcome is one sample for the region's signals, and one step of the breaker. */
  const outcome = (signal: "success" | "failure") => {
    breaker = record(breaker, signal, nowMs(), POLICY);
    observe("inference", performance.now() - started, signal === "success");
  };
  try {
    // The RPC stub's promise type does not narrow on a union; the value is the plain result.
    const call = injectInferenceFault(isLocalMode(env)).then(
      () => env.INFERENCE!.analyzeTexts(task, texts) as unknown as Promise<AnalyzeResult>,
    );
    const answer = await within(call, budget);
    if (!answer.ok) {
      // The worker is alive and said no (bad input, unknown task): not a breaker failure.
      outcome("success");
      return { ok: false, shed: { reason: "error", detail: `${answer.error}: ${answer.detail}` } };
    }
    const parsed = Answer.safeParse(answer);
    const fits =
      parsed.success &&
      parsed.data.results.length === texts.length &&
      parsed.data.results.every(
        (r) =>
          r.probabilities.length === parsed.data.labels.length &&
          parsed.data.labels.includes(r.label),
      );
    if (!parsed.success || !fits) {
      outcome("failure");
      return {
        ok: false,
        shed: { reason: "error", detail: "inference answered in an unexpected shape" },
      };
    }
    outcome("success");
    const { modelVersion, labels, results } = parsed.data;
    return { ok: true, value: { task, modelVersion, labels, results } };
  } catch (err) {
    outcome("failure");
    // The worker's own error text goes to the log; the caller reads why in our words.
    const timedOut = err instanceof Timeout;
    if (!timedOut) console.warn("inference failed", err instanceof Error ? err.message : err);
    const detail = timedOut ? (err as Error).message : "inference failed; the error was logged";
    return { ok: false, shed: { reason: timedOut ? "timeout" : "error", detail } };
  }
}
