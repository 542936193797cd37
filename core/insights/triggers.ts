// Decision triggers: tenant-configured conditions over what the customer said and what the
// account holds (no deal won lately, service requests past their response time, a renewal
// coming, the budget being drawn up). Each that holds yields its strategy, rendered like an
// action, with the best window to act when the conditions' dates place one.
import type { AccountFacts } from "./account.ts";
import { addDays, dayAt, isoDay } from "./calendar.ts";
import { type CallFacts, type Hit, hitsOf } from "./call-facts.ts";
import { competitorsOf, quotesOf, render, renderLocale, textIn, WORDING } from "./render.ts";
import {
  type CustomerProfile,
  type DecisionTrigger,
  type Locale,
  MAX_TRIGGERED,
  type TriggeredStrategy,
} from "./schema.ts";

const DAY_MS = 86_400_000;

export interface TriggerInput {
  facts: CallFacts;
  profile: CustomerProfile;
  triggers: readonly DecisionTrigger[];
  account: AccountFacts;
  /** Now, in ms since the epoch: core has no clock. */
  nowMs: number;
  /** The customer's IANA time zone: windows are their calendar days. */
  timeZone: string;
  locale: Locale;
}

type Window = NonNullable<TriggeredStrategy["window"]>;

/** What a trigger's conditions found, or null when one does not hold. */
interface Met {
  hits: Hit[];
  windows: Window[];
  /** Overdue requests, else renewing contracts, when a condition counted them. */
  count?: number;
}

/** The months the customer draws up next year's budget, when now is one of them. */
function budgetPlanning(input: TriggerInput): Window | null {
  const cycle = input.profile.budgetCycle;
  const start = cycle?.fiscalYearStartMonth;
  const months = input.facts.monthsToFiscalYear;
  if (!cycle || start === undefined || months === undefined || months > cycle.planningMonths)
    return null;
  const year = Number(dayAt(input.nowMs, input.timeZone).slice(0, 4));
  // The fiscal year starts `months` months from this one; planning runs up to its eve.
  const fiscalStart = isoDay(year, input.facts.month + months, 1);
  const [fy, fm] = fiscalStart.split("-").map(Number);
  return {
    from: isoDay(fy!, fm! - cycle.planningMonths, 1),
    to: addDays(fiscalStart, -1),
    basis: ["budget-planning"],
  };
}

function meets(t: DecisionTrigger, input: TriggerInput): Met | null {
  const { when } = t;
  const { facts, account, nowMs, timeZone } = input;
  if (t.industry !== "any" && t.industry !== input.profile.industry) return null;
  const met: Met = { hits: [], windows: [] };
  for (const kind of when.signals ?? []) {
    const hits = hitsOf(facts, [kind]);
    if (!hits.length) return null;
    met.hits.push(...hits);
  }
  if (when.competitorNamed) {
    const named = hitsOf(facts, ["competitor-mention"]).filter((h) => h.competitor);
    if (!named.length) return null;
    met.hits.push(...named);
  }
  if (when.priceQuestion) {
    const price = hitsOf(facts, ["price-sensitivity"]);
    if (!price.length) return null;
    met.hits.push(...price);
  }
  if (when.stages && !when.stages.includes(facts.procurement.stage)) return null;
  if (when.budgetMonth) {
    const planning = budgetPlanning(input);
    if (!planning) return null;
    met.windows.push(planning);
  }

  const needsAccount =
    when.noWonDealForDays !== undefined ||
    when.openServiceRequestsPastResponse !== undefined ||
    when.renewalWithinDays !== undefined;
  if (!needsAccount) return met;
  // No account read, no account condition holds: a trigger never guesses a fact.
  if (account.status !== "read") return null;
  const { context } = account;
  if (when.noWonDealForDays !== undefined) {
    const last = context.lastWonDealAtMs;
    if (last !== null && nowMs - last < when.noWonDealForDays * DAY_MS) return null;
  }
  if (when.openServiceRequestsPastResponse) {
    const overdue = context.openServiceRequests.filter((r) => r.dueAtMs <= nowMs);
    if (!overdue.length) return null;
    // Late since the first went past its time; one more response time from now to recover.
    const firstDue = Math.min(...overdue.map((r) => r.dueAtMs));
    const responseMs = Math.min(...overdue.map((r) => r.dueAtMs - r.openedAtMs));
    met.windows.push({
      from: dayAt(firstDue, timeZone),
      to: dayAt(nowMs + responseMs, timeZone),
      basis: ["service-response"],
    });
    met.count = overdue.length;
  }
  if (when.renewalWithinDays !== undefined) {
    const days = when.renewalWithinDays;
    const coming = context.renewals.filter(
      (r) => r.renewsAtMs >= nowMs && r.renewsAtMs <= nowMs + days * DAY_MS,
    );
    if (!coming.length) return null;
    const renewal = dayAt(Math.min(...coming.map((r) => r.renewsAtMs)), timeZone);
    met.windows.push({ from: addDays(renewal, -days), to: renewal, basis: ["renewal"] });
    met.count ??= coming.length;
  }
  return met;
}

/**
 * Where all the windows overlap; null when no condition has dates. Each dated condition
 * holds today and its window contains today, so they always overlap; null guards the rest.
 */
function overlap(windows: readonly Window[]): Window | null {
  if (!windows.length) return null;
  // YYYY-MM-DD sorts as it reads: the latest start, the earliest end.
  const from = windows.map((w) => w.from).sort()[windows.length - 1]!;
  const to = windows.map((w) => w.to).sort()[0]!;
  return from <= to ? { from, to, basis: windows.flatMap((w) => w.basis) } : null;
}

export function decisionTriggers(input: TriggerInput): TriggeredStrategy[] {
  const fired: TriggeredStrategy[] = [];
  for (const t of input.triggers) {
    const met = meets(t, input);
    if (!met) continue;
    const hits = met.hits.sort((a, b) => a.index - b.index || a.start - b.start);
    const evidence = [...new Set(hits.map((h) => h.index))].sort((a, b) => a - b);
    const window = overlap(met.windows);
    const locale = renderLocale(t, input.locale);
    const months = input.facts.monthsToFiscalYear;
    const values: Record<string, string | undefined> = {
      competitor: competitorsOf(hits, locale),
      quotes: quotesOf(hits, locale),
      facility: input.profile.facility ?? WORDING[locale].facility,
      count: String(met.count ?? evidence.length),
      days: t.when.noWonDealForDays === undefined ? undefined : String(t.when.noWonDealForDays),
      months: months === undefined ? undefined : String(months),
      from: window?.from,
      to: window?.to,
    };
    const title = render(textIn(t.title, locale), values);
    const reason = render(textIn(t.reason, locale), values);
    if (title === null || reason === null) continue;
    fired.push({
      strategy: t.strategy,
      title,
      reason,
      locale,
      priority: t.priority,
      evidence,
      window,
    });
  }
  return fired
    .sort((a, b) => b.priority - a.priority || (a.strategy < b.strategy ? -1 : 1))
    .slice(0, MAX_TRIGGERED);
}
