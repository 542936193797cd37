// Next-best actions: the templates whose constraints the call and the customer meet, at
// most one per topic and three in all, ranked by priority with the strategy id breaking ties;
// each rendered in the locale asked for, or in the fallback when its template lacks that one.
// An action quotes only the signals its template names as evidence, and a product-specific
// one speaks only of the product lines the call or the profile touches.
import { type CallFacts, callFacts, hitsOf } from "./call-facts.ts";
import { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
import { competitorsOf, quotesOf, render, renderLocale, textIn, WORDING } from "./render.ts";
import {
  type ActionTemplate,
  type CustomerProfile,
  type Locale,
  MAX_ACTIONS,
  type NextBestAction,
  type ProductLine,
  type SignalKind,
  type UtteranceInsight,
} from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

export {
  budgetState,
  monthsToFiscalYear,
  SENTIMENT_CONFIDENCE,
} from "./call-facts.ts";
export { renderLocale } from "./render.ts";

/** One priority point per supporting utterance, up to this many. */
const EVIDENCE_BONUS_MAX = 5;

export interface ActionInput {
  utterances: ReadonlyArray<Pick<UtteranceInsight, "speaker" | "signals" | "sentiment">>;
  profile: CustomerProfile;
  /** The current month, 1–12, in the customer's time zone. */
  month: number;
  /** The language to write actions in; required so that no caller gets English by forgetting. */
  locale: Locale;
  templates?: readonly ActionTemplate[];
  /** The vocabulary an upgrade path names its lines from; default the built-in one. */
  productLines?: readonly ProductLine[];
}

interface Candidate extends NextBestAction {
  specific: boolean;
}

/** Within a topic an industry template replaces the generic one; then priority, then id. */
function better(a: Candidate, b: Candidate): boolean {
  if (a.specific !== b.specific) return a.specific;
  return a.priority !== b.priority ? a.priority > b.priority : a.strategy < b.strategy;
}

/** The kinds a template quotes and cites: its evidence, else the signals it needs. */
export function evidenceKinds(t: Pick<ActionTemplate, "evidence" | "when">): SignalKind[] {
  return t.evidence ?? t.when.signals ?? [];
}

/** "升级路径：X光 → CT": the lines touched that it upgrades from, and those it upgrades to. */
function upgradePath(
  t: ActionTemplate,
  facts: CallFacts,
  vocabulary: readonly ProductLine[],
  locale: Locale,
): string | undefined {
  if (!t.upgradeFrom || !t.lines) return undefined;
  const label = (id: string) => vocabulary.find((l) => l.id === id)?.label[locale] ?? id;
  const list = (ids: readonly string[]) => ids.map(label).join(WORDING[locale].list);
  const from = list(t.upgradeFrom.filter((id) => facts.touched.has(id)));
  const to = list(t.lines);
  return locale === "zh" ? `升级路径：${from} → ${to}` : `an upgrade path from ${from} to ${to}`;
}

/** Whether a template's constraints hold for the call, before any text is rendered. */
function eligible(t: ActionTemplate, facts: CallFacts, profile: CustomerProfile): boolean {
  const { when } = t;
  if (t.industry !== "any" && t.industry !== profile.industry) return false;
  if (when.scales && !when.scales.includes(facts.scale)) return false;
  if (when.authorities && !when.authorities.includes(facts.authority)) return false;
  if (when.budget && !when.budget.includes(facts.procurement.budget)) return false;
  if (when.stages && !when.stages.includes(facts.procurement.stage)) return false;
  // A product-specific action stays within the lines in play; an upgrade path starts from one.
  const reach = t.upgradeFrom ?? t.lines;
  if (reach && !reach.some((line) => facts.touched.has(line))) return false;
  if (when.signals && !when.signals.some((kind) => facts.said.has(kind))) return false;
  if (when.sentiment && facts.felt[when.sentiment.label].length < when.sentiment.atLeast)
    return false;
  return true;
}

export function nextBestActions(input: ActionInput): NextBestAction[] {
  return actionsFor(callFacts(input.utterances, input.profile, input.month), input);
}

/** The actions for a call already gathered (analyzeCall shares the facts with triggers). */
export function actionsFor(
  facts: CallFacts,
  {
    profile,
    locale: wanted,
    templates = DEFAULT_TEMPLATES,
    productLines = DEFAULT_PRODUCT_LINES,
  }: Omit<ActionInput, "utterances" | "month">,
): NextBestAction[] {
  const best = new Map<string, Candidate>();
  for (const t of templates) {
    if (!eligible(t, facts, profile)) continue;
    const lines = t.lines ? new Set([...t.lines, ...(t.upgradeFrom ?? [])]) : undefined;
    const hits = hitsOf(facts, evidenceKinds(t), lines);
    // An action backed by signals cites one of its evidence kinds, or is not offered.
    if (t.when.signals && hits.length === 0) continue;
    const moved = t.when.sentiment ? facts.felt[t.when.sentiment.label] : [];
    const evidence = [...new Set([...hits.map((h) => h.index), ...moved])].sort((a, b) => a - b);
    const locale = renderLocale(t, wanted);
    // A value is missing rather than invented: no quotes without a quotable hit, no months
    // without a fiscal-year start. Names have a neutral stand-in; numbers and quotes do not.
    const values: Record<string, string | undefined> = {
      months: facts.monthsToFiscalYear === undefined ? undefined : String(facts.monthsToFiscalYear),
      facility: profile.facility ?? WORDING[locale].facility,
      count: String(evidence.length),
      competitor: competitorsOf(hits, locale),
      quotes: quotesOf(hits, locale),
      upgrade: upgradePath(t, facts, productLines, locale),
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
