// The one entry point behind POST /v1/insights/analyze: per-utterance sentiment and signals,
// call metrics, where the purchase stands, next-best actions and decision triggers in the
// caller's locale, stamped with the engine version and rules fingerprint.
import type { AccountFacts } from "./account.ts";
import { actionsFor } from "./actions.ts";
import { monthAt } from "./calendar.ts";
import { callFacts } from "./call-facts.ts";
import { callMetrics } from "./metrics.ts";
import type { CompiledRules } from "./rules.ts";
import type { CallAnalysis, CustomerProfile, Locale, Sentiment, Utterance } from "./schema.ts";
import { detectSignals, patternBudget } from "./signals.ts";
import { decisionTriggers } from "./triggers.ts";

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
  /** The customer's account facts for decision triggers; default none (no customer named). */
  account?: AccountFacts;
}

export function analyzeCall({
  transcript,
  sentiment,
  rules,
  profile,
  nowMs,
  timeZone,
  locale,
  account = { status: "none" },
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
  const facts = callFacts(utterances, profile, month);
  const { templates, triggers, productLines } = rules;
  return {
    utterances,
    call: callMetrics(transcript),
    locale,
    actions: actionsFor(facts, { profile, locale, templates, productLines }),
    procurement: facts.procurement,
    productLines: facts.lines,
    triggers: decisionTriggers({ facts, profile, triggers, account, nowMs, timeZone, locale }),
    account: account.status === "read" ? { status: "read" } : account,
    signalsTruncated: budget.truncated,
    rules: { engine: rules.engine, fingerprint: rules.fingerprint },
  };
}
