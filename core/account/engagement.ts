// The customer's engagement as account facts (DESIGN §11): the days its portal users used
// the portal and the sentiment insights inferred of calls with it, how the state keeps them
// bounded, and how the views read them for the health index (core/groups/kpi.ts: portal
// activity, call-sentiment trend). Pure: time and zones are parameters.
import { z } from "zod";
import { SHA256_HEX } from "../crypto/sha256.ts";
import { MAX_CALL_UTTERANCES } from "../events.ts";
import type { Residency } from "../schemas.ts";
import { JURISDICTION_TIME_ZONES } from "../sla/calendar.ts";
import { localDateAt } from "../sla/zone.ts";
import { earlier, type Horizon, joinNewest } from "./lattice.ts";
import type { AccountState, CallSentiment, Fact } from "./state.ts";

const DAY_MS = 86_400_000;
/** The portal-activity window: days active among the last 30 (today included). */
export const PORTAL_ACTIVITY_DAYS = 30;
/** The sentiment a view carries: the last 60 days, the CHI's two 30-day windows. */
export const SENTIMENT_VIEW_DAYS = 60;

/**
 * Active days a portal user keeps: those of the 60 up to their newest. Twice the window the
 * view reads, so a day another region's clock has already reached never pushes one out.
 */
export const ACTIVE_DAYS_KEPT = 60;
/**
 * Calls an account keeps: the newest 500 of the 120 days up to its newest call. Twice the
 * days the trend reads, so a call re-analysed after the trend stopped reading it is still
 * known (and not counted again); 500 bounds a busy account (the newest calls win).
 */
export const CALL_DAYS_KEPT = 120;
export const CALLS_KEPT = 500;

const ACTIVE_DAYS: Horizon = { keep: ACTIVE_DAYS_KEPT, span: ACTIVE_DAYS_KEPT * DAY_MS };
const CALLS: Horizon = { keep: CALLS_KEPT, span: CALL_DAYS_KEPT * DAY_MS };

/**
 * How far a call's `at` (its analysis, by the worker's clock) may be from the account's
 * clock when it is recorded: the newest call anchors what the account keeps, so one from
 * the far future would push every real one out.
 */
export const CALL_AT_AHEAD_MS = 60_000;
export const CALL_AT_BEHIND_MS = DAY_MS;

/** The call's sentiment as one number: what `callSentimentOf` reads from its utterances. */
export const CallScore = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  score: z.number().min(-1).max(1),
  utterances: z.int().min(1).max(MAX_CALL_UTTERANCES),
});
export type CallScore = z.infer<typeof CallScore>;

/** What the insights pipeline hands an account for one call: never a word of it. */
export const CallSentimentInput = CallScore.extend({
  /** SHA-256 (hex) of `canonicalTranscript`: the call, not this analysis of it. */
  transcriptHash: z.string().regex(SHA256_HEX),
});
export type CallSentimentInput = z.infer<typeof CallSentimentInput>;

/**
 * The text a call's transcript hash is taken of: each utterance's speaker and words, the
 * words NFKC-normalised with runs of white space made one space and the ends trimmed, so
 * the same call pasted again (full-width letters, another line break) is the same call.
 * Timings are left out: they say when words were said, not which call it was.
 */
export function canonicalTranscript(
  transcript: ReadonlyArray<{ speaker: string; text: string }>,
): string {
  return JSON.stringify(
    transcript.map((u) => [u.speaker, u.text.normalize("NFKC").replace(/\s+/gu, " ").trim()]),
  );
}

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
export function callSentimentOf(utterances: readonly Utterance[], at: string): CallScore | null {
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

// ------------------------------------------------ bounded facts (evolve.ts joins with these)

/**
 * A portal user's active days joined: the union, cut to the ACTIVE_DAYS_KEPT days up to
 * the newest (lattice.ts `joinNewest`: a semilattice still, whose result is a function of
 * the days noted, whatever order they merged in). A day is its own rank.
 */
export function joinActiveDays(
  a: Readonly<Record<string, true>>,
  b: Readonly<Record<string, true>>,
): Readonly<Record<string, true>> {
  return joinNewest(a, b, keepFirst, dayRank, ACTIVE_DAYS);
}

const keepFirst = (x: true) => x;
const dayRank = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * Calls' sentiment joined: the union, cut to the newest CALLS_KEPT within CALL_DAYS_KEPT
 * of the newest call (lattice.ts `joinNewest`). A call ranks by when it was analysed. The
 * copies of one insight are copies of its one event (raw here, masked abroad): equal `at`,
 * so the earlier in the facts' total order holds, as before bounds; were two ever recorded
 * with different times, the later would, as `joinNewest` needs the higher rank to win.
 */
export function joinCallSentiments(
  a: Readonly<Record<string, Fact<CallSentiment>>>,
  b: Readonly<Record<string, Fact<CallSentiment>>>,
): Record<string, Fact<CallSentiment>> {
  return joinNewest(a, b, laterCall, callRank, CALLS);
}

const callRank = (_: string, f: Fact<CallSentiment>) => Date.parse(f.value.at);

function laterCall(x: Fact<CallSentiment>, y: Fact<CallSentiment>): Fact<CallSentiment> {
  const dx = callRank("", x);
  const dy = callRank("", y);
  return dx === dy ? earlier(x, y) : dx > dy ? x : y;
}

/**
 * The call `transcriptHash` names, when the account holds it: the same call analysed
 * again is not recorded again. Only calls kept are known (CALL_DAYS_KEPT).
 */
export function knownCall(state: AccountState, transcriptHash: string): boolean {
  for (const f of Object.values(state.callSentiments ?? {}))
    if (f.value.transcriptHash === transcriptHash) return true;
  return false;
}

/** Whether a call analysed at `at` may be recorded at `nowMs` (CALL_AT_AHEAD_MS, …_BEHIND_MS). */
export function callTimeAcceptable(at: string, nowMs: number): boolean {
  const ms = Date.parse(at);
  return ms <= nowMs + CALL_AT_AHEAD_MS && ms >= nowMs - CALL_AT_BEHIND_MS;
}

// ------------------------------------------------ views

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
   * Calls of the last SENTIMENT_VIEW_DAYS with their score, oldest first, each call once
   * (by its transcript hash; at most CALLS_KEPT, all the account keeps). `withheld`: calls
   * held here without their score (a copy abroad); a reader must not take the rest for the
   * whole.
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

/**
 * A call recorded twice (two regions analysed it while apart, neither knowing of the other)
 * counts once, at its first analysis: resubmitting a call moves it neither into the recent
 * window nor into the mean twice. Copies abroad have no transcript hash (withheld), so each
 * counts as withheld.
 */
function sentimentOf(state: AccountState, nowMs: number): EngagementView["sentiment"] {
  const since = nowMs - SENTIMENT_VIEW_DAYS * DAY_MS;
  const first = new Map<string, { insightId: string; ms: number; value: CallSentiment }>();
  for (const [insightId, { value }] of Object.entries(state.callSentiments ?? {})) {
    const ms = Date.parse(value.at);
    const key = value.transcriptHash ?? insightId;
    const seen = first.get(key);
    if (!seen || ms < seen.ms || (ms === seen.ms && insightId < seen.insightId))
      first.set(key, { insightId, ms, value });
  }
  const counted = [...first.values()].filter(({ ms }) => ms > since && ms <= nowMs);
  counted.sort((a, b) => a.ms - b.ms || (a.insightId < b.insightId ? -1 : 1));
  const calls: EngagementView["sentiment"]["calls"] = [];
  let withheld = 0;
  for (const { insightId, value } of counted) {
    if (value.score === undefined) withheld++;
    else calls.push({ insightId, at: value.at, score: value.score, utterances: value.utterances });
  }
  return { calls, withheld };
}
