// What a call says, gathered once for templates and triggers alike: the customer's signals
// by kind, their confident sentiment, and what those imply beside the profile — where the
// budget cycle stands, which procurement gates are pending, which product lines are in
// play. What the rep says is no evidence: only the customer's utterances count.
import {
  type BudgetCycle,
  type BudgetState,
  type CustomerProfile,
  PROCUREMENT_GATES,
  type Procurement,
  type ProcurementAuthority,
  type ProcurementGate,
  type Scale,
  type SentimentLabel,
  type SignalKind,
  type UtteranceInsight,
} from "./schema.ts";

/** Below this the model is guessing; such an utterance is evidence of nothing. */
export const SENTIMENT_CONFIDENCE = 0.7;

/** One signal the customer gave, where they gave it. */
export interface Hit {
  index: number;
  start: number;
  end: number;
  match: string;
  competitor?: string | undefined;
  productLine?: string | undefined;
}

export interface CallFacts {
  said: ReadonlyMap<SignalKind, readonly Hit[]>;
  felt: Readonly<Record<SentimentLabel, readonly number[]>>;
  /** The current month, 1–12, in the customer's time zone. */
  month: number;
  scale: Scale | "unknown";
  authority: ProcurementAuthority | "unknown";
  /** Months to the next fiscal year; undefined without a fiscal-year start on file. */
  monthsToFiscalYear: number | undefined;
  procurement: Procurement;
  lines: { call: string[]; profile: string[] };
  /** The lines product-specific actions may speak of: the call's and the profile's. */
  touched: ReadonlySet<string>;
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

/** The gate a profile's procurement authority implies whatever the call says. */
const PROFILE_GATE: Partial<Record<ProcurementAuthority, ProcurementGate>> = {
  tender: "tender",
  committee: "committee-review",
};

export function callFacts(
  utterances: ReadonlyArray<Pick<UtteranceInsight, "speaker" | "signals" | "sentiment">>,
  profile: CustomerProfile,
  month: number,
): CallFacts {
  if (!Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`month must be 1–12, got ${month}`);
  }
  const said = new Map<SignalKind, Hit[]>();
  const felt = { negative: [] as number[], neutral: [] as number[], positive: [] as number[] };
  for (const [index, u] of utterances.entries()) {
    if (u.speaker !== "customer") continue;
    for (const { kind, match, start, end, competitor, productLine } of u.signals) {
      const hits = said.get(kind) ?? [];
      hits.push({ index, start, end, match, competitor, productLine });
      said.set(kind, hits);
    }
    if (u.sentiment && u.sentiment.probability >= SENTIMENT_CONFIDENCE)
      felt[u.sentiment.label].push(index);
  }

  const authority = profile.procurementAuthority ?? "unknown";
  const profileGate = authority === "unknown" ? undefined : PROFILE_GATE[authority];
  const gates = PROCUREMENT_GATES.filter((g) => said.has(g) || g === profileGate);
  const evidenceKinds: SignalKind[] = [...PROCUREMENT_GATES, "budget-approved"];
  const evidence = evidenceKinds.flatMap((k) => (said.get(k) ?? []).map((h) => h.index));
  // What the customer says today is newer than the profile: "the budget is approved" is.
  const budget = said.has("budget-approved") ? "approved" : budgetState(profile.budgetCycle, month);

  const call = [
    ...new Set((said.get("product-mention") ?? []).flatMap((h) => h.productLine ?? [])),
  ];
  const own = [...new Set(profile.productLines ?? [])];
  const start = profile.budgetCycle?.fiscalYearStartMonth;
  return {
    said,
    felt,
    month,
    scale: profile.scale ?? "unknown",
    authority,
    monthsToFiscalYear: start === undefined ? undefined : monthsToFiscalYear(month, start),
    procurement: {
      stage: gates[0] ?? "none",
      gates,
      budget,
      evidence: [...new Set(evidence)].sort((a, b) => a - b),
    },
    lines: { call, profile: own },
    touched: new Set([...call, ...own]),
  };
}

/**
 * The customer's hits of `kinds`, in call order; product mentions only of `lines` when
 * given. What an action or a trigger quotes and cites, so it quotes only what supports it.
 */
export function hitsOf(
  facts: CallFacts,
  kinds: readonly SignalKind[],
  lines?: ReadonlySet<string>,
): Hit[] {
  return [...new Set(kinds)]
    .flatMap((kind) =>
      (facts.said.get(kind) ?? []).filter(
        (h) => kind !== "product-mention" || !lines || lines.has(h.productLine ?? ""),
      ),
    )
    .sort((a, b) => a.index - b.index || a.start - b.start);
}
