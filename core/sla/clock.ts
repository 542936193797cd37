// A change request's SLA clock (SPEC.md SLA6–SLA9): when it warns and falls due in business
// time, its status at an instant, the next instant a Durable Object alarm must wake for, and
// the figures a group is judged by. Pure: every instant is a parameter.
import { z } from "zod";
import type { Tier } from "../schemas.ts";
import { addBusinessTime, type BusinessCalendar, businessTimeBetween } from "./calendar.ts";

const HOUR_MS = 3_600_000;
/** An SLA longer than this (about five working weeks) is a configuration mistake. */
export const MAX_SLA_HOURS = 240;
/** slaFigures' bound on the items it is given at once. */
export const MAX_FIGURE_ITEMS = 100_000;

const SlaHours = z.number().positive().max(MAX_SLA_HOURS);

/**
 * Business hours to answer a change request, per account tier. The 4 h is the default
 * (standard and key accounts); strategic accounts are promised 2 h.
 */
export const SlaPolicy = z
  .strictObject({
    hoursByTier: z
      .strictObject({
        standard: SlaHours.default(4),
        key: SlaHours.default(4),
        strategic: SlaHours.default(2),
      })
      .default({ standard: 4, key: 4, strategic: 2 }),
    /** Share of the SLA's business time after which the group is warned. */
    warnAtFraction: z.number().gt(0).lt(1).default(0.75),
  })
  .meta({ id: "SlaPolicy" });
export type SlaPolicy = z.infer<typeof SlaPolicy>;
export const DEFAULT_SLA_POLICY: SlaPolicy = SlaPolicy.parse({});

export interface SlaClock {
  readonly filedAtMs: number;
  /** The instant `warnAtFraction` of the SLA's business time has elapsed. */
  readonly warnAtMs: number;
  /** The deadline itself: an answer at this instant is on time. */
  readonly dueAtMs: number;
}

export function slaClock(input: {
  filedAtMs: number;
  tier: Tier;
  policy: SlaPolicy;
  calendar: BusinessCalendar;
}): SlaClock {
  const { filedAtMs, tier, policy, calendar } = input;
  const slaMs = Math.round(policy.hoursByTier[tier] * HOUR_MS);
  return {
    filedAtMs,
    warnAtMs: addBusinessTime(filedAtMs, Math.round(slaMs * policy.warnAtFraction), calendar),
    dueAtMs: addBusinessTime(filedAtMs, slaMs, calendar),
  };
}

export const SLA_STATUSES = ["on-track", "warning", "violated", "met", "missed"] as const;
export type SlaStatus = (typeof SLA_STATUSES)[number];

/** Open: on-track before warnAt, warning from warnAt through dueAt, violated after. Answered: met by dueAt. */
export function slaStatus(
  clock: Pick<SlaClock, "warnAtMs" | "dueAtMs">,
  at: { nowMs: number; answeredAtMs: number | null },
): SlaStatus {
  if (at.answeredAtMs !== null) return at.answeredAtMs <= clock.dueAtMs ? "met" : "missed";
  if (at.nowMs > clock.dueAtMs) return "violated";
  if (at.nowMs >= clock.warnAtMs) return "warning";
  return "on-track";
}

/**
 * The earliest instant after `nowMs` at which an open clock changes status: its warnAt, or
 * dueAt + 1 ms (the first violated instant). null when no open clock will change. The alarm
 * handler judges every clock with slaStatus at its own now, so instants ≤ now are not returned.
 */
export function nextAlarmMs(
  clocks: ReadonlyArray<Pick<SlaClock, "warnAtMs" | "dueAtMs"> & { answeredAtMs?: number | null }>,
  nowMs: number,
): number | null {
  let next: number | null = null;
  for (const clock of clocks) {
    if (clock.answeredAtMs != null) continue;
    for (const t of [clock.warnAtMs, clock.dueAtMs + 1]) {
      if (t > nowMs && (next === null || t < next)) next = t;
    }
  }
  return next;
}

export interface SlaFigures {
  readonly count: number;
  readonly answered: number;
  /** Nearest-rank percentiles of business time from filing to answer; null with no answers. */
  readonly p50AnswerMs: number | null;
  readonly p90AnswerMs: number | null;
  /** On-time answers / (answers + open requests past due); null when both are zero. */
  readonly withinSlaShare: number | null;
  /** Open requests past due at `nowMs`. */
  readonly openViolations: number;
}

/** The nearest-rank `p`-th percentile (0 < p ≤ 100) of ascending `sorted`; null when empty. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

export function slaFigures(
  items: ReadonlyArray<{ filedAtMs: number; answeredAtMs: number | null; dueAtMs: number }>,
  calendar: BusinessCalendar,
  nowMs: number,
): SlaFigures {
  if (items.length > MAX_FIGURE_ITEMS) {
    throw new RangeError(`slaFigures takes at most ${MAX_FIGURE_ITEMS} items; window the query`);
  }
  const answerMs: number[] = [];
  let onTime = 0;
  let openViolations = 0;
  for (const item of items) {
    if (item.answeredAtMs === null) {
      if (nowMs > item.dueAtMs) openViolations++;
      continue;
    }
    answerMs.push(businessTimeBetween(item.filedAtMs, item.answeredAtMs, calendar));
    if (item.answeredAtMs <= item.dueAtMs) onTime++;
  }
  answerMs.sort((a, b) => a - b);
  const judged = answerMs.length + openViolations;
  return {
    count: items.length,
    answered: answerMs.length,
    p50AnswerMs: nearestRank(answerMs, 50),
    p90AnswerMs: nearestRank(answerMs, 90),
    withinSlaShare: judged === 0 ? null : onTime / judged,
    openViolations,
  };
}
