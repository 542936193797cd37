// The customer's engagement as account facts (DESIGN §11): the days its portal users used
// the portal and the sentiment insights inferred of calls with it, and how the views read
// them for the health index (core/groups/kpi.ts: portal activity, call-sentiment trend).
// Pure: time and zones are parameters.
import { z } from "zod";
import { MAX_CALL_UTTERANCES } from "../events.ts";
import type { Residency } from "../schemas.ts";
import { JURISDICTION_TIME_ZONES } from "../sla/calendar.ts";
import { localDateAt } from "../sla/zone.ts";
import type { AccountState } from "./state.ts";

const DAY_MS = 86_400_000;
/** The portal-activity window: days active among the last 30 (today included). */
export const PORTAL_ACTIVITY_DAYS = 30;
/** The sentiment a view carries: the last 60 days, the CHI's two 30-day windows. */
export const SENTIMENT_VIEW_DAYS = 60;
/** Calls one view lists at most (the newest): bounds an answer whatever the account holds. */
export const MAX_SENTIMENT_CALLS = 500;

/** What the insights pipeline hands an account for one call: never a word of it. */
export const CallSentimentInput = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  score: z.number().min(-1).max(1),
  utterances: z.int().min(1).max(MAX_CALL_UTTERANCES),
});
export type CallSentimentInput = z.infer<typeof CallSentimentInput>;

type Utterance = {
  speaker: string;
  sentiment: { label: "negative" | "neutral" | "positive"; probability: number } | null;
};

const SIGN = { negative: -1, neutral: 0, positive: 1 } as const;

/**
 * The call's sentiment as one number: the mean over the customer's utterances that have a
 * sentiment of +p (positive), −p (negative) or 0 (neutral), p the model's probability.
 * Null when no utterance of the customer has one (sentiment shed, or no model read them).
 */
export function callSentimentOf(
  utterances: readonly Utterance[],
  at: string,
): CallSentimentInput | null {
  let sum = 0;
  let n = 0;
  for (const u of utterances) {
    if (u.speaker !== "customer" || u.sentiment === null) continue;
    const p = Math.min(1, Math.max(0, u.sentiment.probability));
    sum += SIGN[u.sentiment.label] * p;
    n++;
  }
  if (n === 0) return null;
  // Rounded so the fact reads the same wherever it is printed; clamped against float drift.
  const score = Math.min(1, Math.max(-1, Math.round((sum / n) * 1e6) / 1e6));
  return { at, score: score === 0 ? 0 : score, utterances: n };
}

/** The date it is in the account's jurisdiction at `nowMs`: the day a portal visit counts for. */
export function portalDay(residency: Residency, nowMs: number): string {
  return localDateAt(JURISDICTION_TIME_ZONES[residency], nowMs);
}

export type EngagementView = {
  /**
   * Null while the account has no portal user (nobody could have used the portal: no
   * signal either way). `activeDays30`: distinct days among the last PORTAL_ACTIVITY_DAYS,
   * today included, on which any of its users used the portal.
   */
  portalActivity: { activeDays30: number; lastActiveDay: string | null } | null;
  /**
   * Calls of the last SENTIMENT_VIEW_DAYS with their score, oldest first (at most
   * MAX_SENTIMENT_CALLS, the newest). `withheld`: calls held here without their score (a
   * copy abroad); a reader must not take the rest for the whole.
   */
  sentiment: {
    calls: Array<{ insightId: string; at: string; score: number; utterances: number }>;
    withheld: number;
  };
};

/** The account's engagement at `nowMs`. */
export function engagementView(state: AccountState, nowMs: number): EngagementView {
  return { portalActivity: portalActivityOf(state, nowMs), sentiment: sentimentOf(state, nowMs) };
}

function portalActivityOf(state: AccountState, nowMs: number): EngagementView["portalActivity"] {
  const users = Object.values(state.portalUsers ?? {});
  if (!state.customer || !users.some((u) => u.invite)) return null;
  const residency = state.customer.residency;
  const today = portalDay(residency, nowMs);
  // Dates compare as text; the window's first day is 29 days before today, in local dates.
  const first = new Date(Date.parse(`${today}T00:00:00Z`) - (PORTAL_ACTIVITY_DAYS - 1) * DAY_MS)
    .toISOString()
    .slice(0, 10);
  const days = new Set<string>();
  let last: string | null = null;
  for (const u of users)
    for (const day of Object.keys(u.activeDays ?? {})) {
      if (day > today) continue; // a day another region's clock has already reached
      if (last === null || day > last) last = day;
      if (day >= first) days.add(day);
    }
  return { activeDays30: days.size, lastActiveDay: last };
}

function sentimentOf(state: AccountState, nowMs: number): EngagementView["sentiment"] {
  const since = nowMs - SENTIMENT_VIEW_DAYS * DAY_MS;
  const calls: EngagementView["sentiment"]["calls"] = [];
  let withheld = 0;
  for (const [insightId, { value }] of Object.entries(state.callSentiments ?? {})) {
    const at = Date.parse(value.at);
    if (!(at > since && at <= nowMs)) continue;
    if (value.score === undefined) withheld++;
    else calls.push({ insightId, at: value.at, score: value.score, utterances: value.utterances });
  }
  calls.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.insightId < b.insightId ? -1 : 1));
  return { calls: calls.slice(-MAX_SENTIMENT_CALLS), withheld };
}
