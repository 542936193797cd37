// The one entry point behind POST /v1/insights/analyze: per-utterance sentiment and signals,
// call metrics and next-best actions in the caller's locale, stamped with the engine version
// and rules fingerprint.
import { nextBestActions } from "./actions.ts";
import { monthAt } from "./calendar.ts";
import { callMetrics } from "./metrics.ts";
import type { CompiledRules } from "./rules.ts";
import type { CallAnalysis, CustomerProfile, Locale, Sentiment, Utterance } from "./schema.ts";
import { detectSignals, patternBudget } from "./signals.ts";

export interface AnalyzeInput {
  transcript: readonly Utterance[];
  /**
   * One per utterance from the sentiment model (null for an utterance no model covers,
   * e.g. a language without one), or null for all when inference was shed.
   */
  sentiment: ReadonlyArray<Sentiment | null> | null;
  rules: CompiledRules;
  profile: CustomerProfile;
  /** Now, in ms since the epoch: core has no clock. */
  nowMs: number;
  /**
   * The IANA time zone the customer's calendar runs in (e.g. Asia/Shanghai): it decides
   * which month it is, and so where the budget cycle stands, around month ends.
   */
  timeZone: string;
  /**
   * The language to write actions in. Required: the caller knows the rep (see
   * `callLocale` for a default from the transcript); a template without text in it
   * falls back to English, or to the only language it has.
   */
  locale: Locale;
}

export function analyzeCall({
  transcript,
  sentiment,
  rules,
  profile,
  nowMs,
  timeZone,
  locale,
}: AnalyzeInput): CallAnalysis {
  if (sentiment && sentiment.length !== transcript.length) {
    throw new RangeError(`${sentiment.length} sentiments for ${transcript.length} utterances`);
  }
  const month = monthAt(nowMs, timeZone);
  // One budget for the whole call: adversarial text cannot buy more regex work per utterance.
  const budget = patternBudget();
  const utterances = transcript.map((u, index) => ({
    index,
    speaker: u.speaker,
    sentiment: sentiment?.[index] ?? null,
    signals: detectSignals(u.text, rules, budget),
  }));
  return {
    utterances,
    call: callMetrics(transcript),
    locale,
    actions: nextBestActions({ utterances, profile, month, locale, templates: rules.templates }),
    signalsTruncated: budget.truncated,
    rules: { engine: rules.engine, fingerprint: rules.fingerprint },
  };
}
