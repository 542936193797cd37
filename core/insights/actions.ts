// Next-best actions: the templates whose constraints the call and the customer meet, at
// most one per topic and three in all, ranked by priority with the strategy id breaking ties;
// each rendered in the locale asked for, or in the fallback when its template lacks that one.
import { languageOf } from "./language.ts";
import {
  type ActionTemplate,
  type BudgetCycle,
  type BudgetState,
  type CustomerProfile,
  FALLBACK_LOCALE,
  type Locale,
  type LocalisedText,
  localesOf,
  MAX_ACTIONS,
  type NextBestAction,
  type SignalKind,
  type UtteranceInsight,
} from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

/** Below this the model is guessing; such an utterance is evidence of nothing. */
export const SENTIMENT_CONFIDENCE = 0.7;
/** One priority point per supporting utterance, up to this many. */
const EVIDENCE_BONUS_MAX = 5;
const MAX_QUOTES = 3;
const MAX_NAMED_COMPETITORS = 3;
const PLACEHOLDER = /\{(\w+)\}/g;

/** How values are joined and what stands in for an unknown one, per locale. */
const WORDING: Record<Locale, { list: string; facility: string; competitor: string }> = {
  en: { list: ", ", facility: "the customer", competitor: "the competitor" },
  zh: { list: "、", facility: "客户", competitor: "竞品" },
};

export interface ActionInput {
  utterances: ReadonlyArray<Pick<UtteranceInsight, "speaker" | "signals" | "sentiment">>;
  profile: CustomerProfile;
  /** The current month, 1–12, in the customer's time zone. */
  month: number;
  /** The language to write actions in; required so that no caller gets English by forgetting. */
  locale: Locale;
  templates?: readonly ActionTemplate[];
}

/** Months until the next fiscal year starts: 12 in its first month, 1 in its last. */
export function monthsToFiscalYear(month: number, fiscalYearStartMonth: number): number {
  return (fiscalYearStartMonth - month + 12) % 12 || 12;
}

/** Without a fiscal-year start the planning window cannot be placed: not approved is all we know. */
export function budgetState(cycle: BudgetCycle | undefined, month: number): BudgetState {
  if (cycle?.budgetApproved === undefined) return "unknown";
  if (cycle.budgetApproved) return "approved";
  if (cycle.fiscalYearStartMonth === undefined) return "unapproved";
  const months = monthsToFiscalYear(month, cycle.fiscalYearStartMonth);
  return months <= cycle.planningMonths ? "planning" : "unapproved";
}

/**
 * The locale a template is rendered in: the one asked for if both its title and reason
 * have it (a plain string has every locale), else the fallback, else the one they share.
 * A template of plain strings alone is in whatever language its tenant wrote: read from
 * the text, so that lists, stand-ins and the reported locale match it.
 */
export function renderLocale(
  template: Pick<ActionTemplate, "title" | "reason">,
  wanted: Locale,
): Locale {
  const { title, reason } = template;
  if (typeof title === "string" && typeof reason === "string") {
    return languageOf(`${title} ${reason}`.replace(PLACEHOLDER, " ")) === "zh" ? "zh" : "en";
  }
  const shared = localesOf(template.title).filter((l) => localesOf(template.reason).includes(l));
  if (shared.includes(wanted)) return wanted;
  if (shared.includes(FALLBACK_LOCALE)) return FALLBACK_LOCALE;
  // The schema refuses templates whose per-locale title and reason share none.
  if (shared[0] === undefined) throw new Error("template title and reason share no locale");
  return shared[0];
}

const textIn = (text: LocalisedText, locale: Locale): string =>
  typeof text === "string" ? text : text[locale]!;

/** `text` with its placeholders filled, or null when one has no value or a brace is stray. */
function render(text: string, values: Record<string, string | undefined>): string | null {
  // The schema refuses stray braces; templates handed in directly are held to it too.
  if (/[{}]/u.test(text.replace(PLACEHOLDER, "").normalize("NFKC"))) return null;
  let missing = false;
  const out = text.replace(PLACEHOLDER, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) missing = true;
    return value ?? "";
  });
  return missing ? null : out;
}

interface Candidate extends NextBestAction {
  specific: boolean;
}

/** Within a topic an industry template replaces the generic one; then priority, then id. */
function better(a: Candidate, b: Candidate): boolean {
  if (a.specific !== b.specific) return a.specific;
  return a.priority !== b.priority ? a.priority > b.priority : a.strategy < b.strategy;
}

interface Hit {
  index: number;
  match: string;
  competitor?: string | undefined;
}

export function nextBestActions(input: ActionInput): NextBestAction[] {
  const { utterances, profile, month, locale: wanted, templates = DEFAULT_TEMPLATES } = input;
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`month must be 1–12, got ${month}`);
  }
  // What the customer said and felt, gathered once; templates only select from it.
  const said = new Map<SignalKind, Hit[]>();
  const felt = { negative: [] as number[], neutral: [] as number[], positive: [] as number[] };
  for (const [index, u] of utterances.entries()) {
    if (u.speaker !== "customer") continue;
    for (const { kind, match, competitor } of u.signals) {
      const hits = said.get(kind) ?? [];
      hits.push({ index, match, competitor });
      said.set(kind, hits);
    }
    if (u.sentiment && u.sentiment.probability >= SENTIMENT_CONFIDENCE)
      felt[u.sentiment.label].push(index);
  }
  const scale = profile.scale ?? "unknown";
  const authority = profile.procurementAuthority ?? "unknown";
  const budget = budgetState(profile.budgetCycle, month);
  const start = profile.budgetCycle?.fiscalYearStartMonth;
  const months = start === undefined ? undefined : String(monthsToFiscalYear(month, start));

  const best = new Map<string, Candidate>();
  for (const t of templates) {
    const { when } = t;
    if (t.industry !== "any" && t.industry !== profile.industry) continue;
    if (when.scales && !when.scales.includes(scale)) continue;
    if (when.authorities && !when.authorities.includes(authority)) continue;
    if (when.budget && !when.budget.includes(budget)) continue;
    const hits = (when.signals ?? []).flatMap((kind) => said.get(kind) ?? []);
    if (when.signals && hits.length === 0) continue;
    const moved = when.sentiment ? felt[when.sentiment.label] : [];
    if (when.sentiment && moved.length < when.sentiment.atLeast) continue;

    hits.sort((a, b) => a.index - b.index);
    const evidence = [...new Set([...hits.map((h) => h.index), ...moved])].sort((a, b) => a - b);
    const named = [...new Set(hits.flatMap((h) => (h.competitor ? [h.competitor] : [])))];
    const quoted = [...new Set(hits.flatMap((h) => (h.match.trim() ? [`“${h.match}”`] : [])))];
    const locale = renderLocale(t, wanted);
    const words = WORDING[locale];
    // A value is missing rather than invented: no quotes without a quotable hit, no months
    // without a fiscal-year start. Names have a neutral stand-in; numbers and quotes do not.
    const values: Record<string, string | undefined> = {
      months,
      facility: profile.facility ?? words.facility,
      count: String(evidence.length),
      competitor: named.slice(0, MAX_NAMED_COMPETITORS).join(words.list) || words.competitor,
      quotes: quoted.slice(0, MAX_QUOTES).join(words.list) || undefined,
    };
    const title = render(textIn(t.title, locale), values);
    const reason = render(textIn(t.reason, locale), values);
    // A template that would show a hole or a made-up figure is not offered: another of its
    // topic may be.
    if (title === null || reason === null) continue;
    const candidate: Candidate = {
      strategy: t.strategy,
      topic: t.topic,
      title,
      reason,
      locale,
      evidence,
      priority: t.priority + Math.min(evidence.length, EVIDENCE_BONUS_MAX),
      specific: t.industry !== "any",
    };
    const current = best.get(t.topic);
    if (!current || better(candidate, current)) best.set(t.topic, candidate);
  }

  return [...best.values()]
    .sort((a, b) => b.priority - a.priority || (a.strategy < b.strategy ? -1 : 1))
    .slice(0, MAX_ACTIONS)
    .map(({ specific: _, ...action }) => action);
}
