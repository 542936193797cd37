// The one entry point behind POST /v1/insights/analyze: per-utterance sentiment and signals,
// call metrics and next-best actions in the caller's locale, stamped with the engine version
// and rules fingerprint.
import { nextBestActions } from "./actions.ts";
import { callMetrics } from "./metrics.ts";
import type { CompiledRules } from "./rules.ts";
import type { CallAnalysis, CustomerProfile, Locale, Sentiment, Utterance } from "./schema.ts";
import { detectSignals } from "./signals.ts";

export interface AnalyzeInput {
  transcript: readonly Utterance[];
  /**
   * One per utterance from the sentiment model (null for an utterance no model covers,
   * e.g. a language without one), or null for all when inference was shed.
   */
  sentiment: ReadonlyArray<Sentiment | null> | null;
  rules: CompiledRules;
  profile: CustomerProfile;
  /** The current month, 1–12: core has no clock. */
  month: number;
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
  month,
  locale,
}: AnalyzeInput): CallAnalysis {
  if (sentiment && sentiment.length !== transcript.length) {
    throw new RangeError(`${sentiment.length} sentiments for ${transcript.length} utterances`);
  }
  const utterances = transcript.map((u, index) => ({
    index,
    speaker: u.speaker,
    sentiment: sentiment?.[index] ?? null,
    signals: detectSignals(u.text, rules),
  }));
  return {
    utterances,
    call: callMetrics(transcript),
    locale,
    actions: nextBestActions({ utterances, profile, month, locale, templates: rules.templates }),
    rules: { engine: rules.engine, fingerprint: rules.fingerprint },
  };
}
