// Group KPIs computed from facts (DESIGN §11), pure and explained: the customer health
// index with each component's sub-score and weight, cross-sell rate, service-request
// resolution time and recommendation adoption. The formulas are stated in README.md
// beside this file; the tests hand-compute them. Time is a parameter (`nowMs`).
import { z } from "zod";
import { wilson } from "../insights/adoption.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

const Weight = z.number().min(0).max(1);

export const CHI_COMPONENTS = [
  "paymentsOnTime",
  "openChangeRequests",
  "slaAdherence",
  "sentimentTrend",
  "portalActivity",
] as const;
export type ChiComponent = (typeof CHI_COMPONENTS)[number];

/** A tenant's weights of the five components; they sum to 1. */
export const ChiWeights = z
  .strictObject({
    paymentsOnTime: Weight.default(0.3),
    openChangeRequests: Weight.default(0.15),
    slaAdherence: Weight.default(0.2),
    sentimentTrend: Weight.default(0.2),
    portalActivity: Weight.default(0.15),
  })
  .refine((w) => Math.abs(CHI_COMPONENTS.reduce((s, k) => s + w[k], 0) - 1) < 1e-6, {
    message: "the weights must sum to 1",
  })
  .meta({ id: "ChiWeights" });
export type ChiWeights = z.infer<typeof ChiWeights>;

export const DEFAULT_CHI_WEIGHTS: ChiWeights = ChiWeights.parse({});

/** The scales the sub-scores use (README: "Customer health index"). */
export const CHI_SCALES = {
  /** Open change requests at which that sub-score reaches 0. */
  openChangeRequestsAtZero: 5,
  /** Portal days active in the last 30 at which that sub-score reaches 100. */
  portalDaysForFull: 8,
  /** Sentiment windows: the last 30 days against the 30 before. */
  sentimentWindowDays: 30,
} as const;

/**
 * What is known of one account. null: not known (the account's view does not carry it),
 * which leaves the component out; an empty list is known and says "none".
 */
export type AccountFacts = {
  /** `dueDate` a date (due by the end of that UTC day) or an instant. */
  invoices: ReadonlyArray<{ dueDate: string; paidAt: string | null }> | null;
  openChangeRequests: number | null;
  changeRequestSla: { met: number; missed: number } | null;
  /** Call sentiment from insights, each score in [-1, 1]. */
  sentiment: ReadonlyArray<{ at: string; score: number }> | null;
  portalActivity: { activeDays30: number } | null;
};

export const UNKNOWN_FACTS: AccountFacts = {
  invoices: null,
  openChangeRequests: null,
  changeRequestSla: null,
  sentiment: null,
  portalActivity: null,
};

export type ChiPart = {
  component: ChiComponent;
  /** 0–100, null when the account has no facts for it. */
  score: number | null;
  /** The tenant's weight, and its share once components without facts are left out. */
  weight: number;
  effectiveWeight: number;
  detail: string;
};

export type Chi = { score: number | null; components: ChiPart[] };

const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function dueMs(dueDate: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(dueDate)
    ? Date.parse(`${dueDate}T00:00:00Z`) + DAY_MS - 1
    : Date.parse(dueDate);
}

type Sub = { score: number | null; detail: string };

function paymentsOnTime(facts: AccountFacts, nowMs: number): Sub {
  if (facts.invoices === null) return { score: null, detail: "no invoice facts" };
  let counted = 0;
  let onTime = 0;
  for (const inv of facts.invoices) {
    const due = dueMs(inv.dueDate);
    const paid = inv.paidAt === null ? null : Date.parse(inv.paidAt);
    if (Number.isNaN(due) || (paid !== null && Number.isNaN(paid))) continue;
    // An invoice counts once it is paid or due; one paid by its due date is on time.
    if (paid === null && due > nowMs) continue;
    counted++;
    if (paid !== null && paid <= due) onTime++;
  }
  if (counted === 0) return { score: null, detail: "no invoice paid or due yet" };
  return { score: (100 * onTime) / counted, detail: `${onTime} of ${counted} paid on time` };
}

function openChangeRequests(facts: AccountFacts): Sub {
  const open = facts.openChangeRequests;
  if (open === null) return { score: null, detail: "no change-request facts" };
  const zeroAt = CHI_SCALES.openChangeRequestsAtZero;
  return { score: 100 * Math.max(0, 1 - open / zeroAt), detail: `${open} open (0 at ${zeroAt})` };
}

function slaAdherence(facts: AccountFacts): Sub {
  const sla = facts.changeRequestSla;
  const total = sla ? sla.met + sla.missed : 0;
  if (!sla || total === 0) return { score: null, detail: "no change request answered yet" };
  return { score: (100 * sla.met) / total, detail: `${sla.met} of ${total} within SLA` };
}

/**
 * Trend = mean score of the last 30 days minus the mean of the 30 before; both windows
 * need a call. Sub-score 50 + 50 × trend, clamped: steady is 50, a whole point better
 * (neutral → positive) is 100.
 */
function sentimentTrend(facts: AccountFacts, nowMs: number): Sub {
  if (facts.sentiment === null) return { score: null, detail: "no call-sentiment facts" };
  const windowMs = CHI_SCALES.sentimentWindowDays * DAY_MS;
  const recent: number[] = [];
  const previous: number[] = [];
  for (const s of facts.sentiment) {
    const at = Date.parse(s.at);
    if (Number.isNaN(at) || !Number.isFinite(s.score) || at > nowMs) continue;
    const score = clamp(s.score, -1, 1);
    if (at > nowMs - windowMs) recent.push(score);
    else if (at > nowMs - 2 * windowMs) previous.push(score);
  }
  // The counts say which window lacks a call, and that each call counted once.
  if (recent.length === 0 || previous.length === 0)
    return {
      score: null,
      detail: `needs a call in each of the last two 30-day windows (${recent.length} recent, ${previous.length} earlier)`,
    };
  const trend = mean(recent) - mean(previous);
  return {
    score: clamp(50 + 50 * trend, 0, 100),
    detail: `trend ${trend >= 0 ? "+" : ""}${trend.toFixed(2)} (${recent.length} recent, ${previous.length} earlier calls)`,
  };
}

function portalActivity(facts: AccountFacts): Sub {
  if (facts.portalActivity === null) return { score: null, detail: "no portal-activity facts" };
  const days = facts.portalActivity.activeDays30;
  const full = CHI_SCALES.portalDaysForFull;
  return {
    score: 100 * Math.min(1, days / full),
    detail: `${days} active days of 30 (100 at ${full})`,
  };
}

/**
 * CHI = Σ weight × sub-score / Σ weight, over the components the account has facts for;
 * null when it has none. Sub-scores and the index are 0–100, rounded to one decimal.
 */
export function customerHealthIndex(facts: AccountFacts, weights: ChiWeights, nowMs: number): Chi {
  const subs: Record<ChiComponent, Sub> = {
    paymentsOnTime: paymentsOnTime(facts, nowMs),
    openChangeRequests: openChangeRequests(facts),
    slaAdherence: slaAdherence(facts),
    sentimentTrend: sentimentTrend(facts, nowMs),
    portalActivity: portalActivity(facts),
  };
  const present = CHI_COMPONENTS.filter((k) => subs[k].score !== null && weights[k] > 0);
  const total = present.reduce((s, k) => s + weights[k], 0);
  const components = CHI_COMPONENTS.map((k): ChiPart => {
    const { score, detail } = subs[k];
    return {
      component: k,
      score: score === null ? null : round1(score),
      weight: weights[k],
      effectiveWeight: total > 0 && present.includes(k) ? round3(weights[k] / total) : 0,
      detail,
    };
  });
  if (total === 0) return { score: null, components };
  const score = present.reduce((s, k) => s + weights[k] * subs[k].score!, 0) / total;
  return { score: round1(score), components };
}

/** The group's CHI: the unweighted mean of its accounts' indexes (those that have one). */
export function groupHealthIndex(scores: ReadonlyArray<number | null>): number | null {
  const known = scores.filter((s): s is number => s !== null);
  return known.length === 0 ? null : round1(mean(known));
}

export type CrossSell = {
  rate: number | null;
  accounts: number;
  crossSold: number;
  /**
   * `product-lines`: ≥ 2 distinct product lines among an account's signed contracts;
   * `signed-contracts` (when no contract of the group names a product line): ≥ 2 signed.
   */
  definition: "product-lines" | "signed-contracts";
};

const SIGNED = new Set(["signed", "active"]);

export function crossSellRate(
  accounts: ReadonlyArray<{
    contracts: ReadonlyArray<{ status: string; productLine?: string | null | undefined }>;
  }>,
): CrossSell {
  const byLine = accounts.some((a) => a.contracts.some((c) => c.productLine));
  const crossSold = accounts.filter((a) => {
    const signed = a.contracts.filter((c) => SIGNED.has(c.status));
    return byLine
      ? new Set(signed.map((c) => c.productLine).filter(Boolean)).size >= 2
      : signed.length >= 2;
  }).length;
  return {
    rate: accounts.length === 0 ? null : round3(crossSold / accounts.length),
    accounts: accounts.length,
    crossSold,
    definition: byLine ? "product-lines" : "signed-contracts",
  };
}

export type Resolution = {
  /** Hours from opened to resolved, nearest-rank percentiles; null with nothing resolved. */
  p50Hours: number | null;
  p90Hours: number | null;
  resolved: number;
  open: number;
};

/** The nearest-rank percentile: the value at rank ⌈p·n⌉ of the sorted sample. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export function serviceResolution(
  requests: ReadonlyArray<{ openedAt: string; resolvedAt: string | null }>,
): Resolution {
  const hours: number[] = [];
  let open = 0;
  for (const r of requests) {
    if (r.resolvedAt === null) {
      open++;
      continue;
    }
    const ms = Date.parse(r.resolvedAt) - Date.parse(r.openedAt);
    if (Number.isFinite(ms) && ms >= 0) hours.push(ms / HOUR_MS);
  }
  hours.sort((a, b) => a - b);
  const p = (q: number) => {
    const v = nearestRank(hours, q);
    return v === null ? null : round1(v);
  };
  return { p50Hours: p(0.5), p90Hours: p(0.9), resolved: hours.length, open };
}

export type Adoption = {
  rate: number | null;
  interval95: [number, number] | null;
  answered: number;
  adopted: number;
};

/** Adopted / answered recommendations, with the Wilson 95% interval insights reports use. */
export function adoptionRate(counts: { answered: number; adopted: number }): Adoption {
  const { answered, adopted } = counts;
  if (answered <= 0) return { rate: null, interval95: null, answered: 0, adopted: 0 };
  const [lo, hi] = wilson(adopted, answered);
  return {
    rate: round3(adopted / answered),
    interval95: [round3(lo), round3(hi)],
    answered,
    adopted,
  };
}

export function chiWeightsOf(stored: unknown): ChiWeights {
  const parsed = ChiWeights.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_CHI_WEIGHTS;
}
