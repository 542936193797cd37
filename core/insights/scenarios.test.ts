// The scenario table (scenarios.ts) end to end through analyzeCall: each row's expectations,
// named after the rule it proves; then the invariants every row must keep — no close-now
// while a procurement gate is pending, no product action outside the lines in play, and
// every quote of every reason drawn from a signal kind its template names as evidence.
import { describe, expect, test } from "vitest";
import { evidenceKinds } from "./actions.ts";
import { analyzeCall } from "./analyze.ts";
import { TEST_RULES } from "./fixtures.ts";
import { compileRules } from "./rules.ts";
import { SCENARIO_NOW_MS, SCENARIO_TIME_ZONE, SCENARIOS, type Scenario } from "./scenarios.ts";
import {
  type ActionTemplate,
  type CallAnalysis,
  CustomerProfile,
  type DecisionTrigger,
  InsightRules,
  type SignalKind,
  Transcript,
} from "./schema.ts";

function run(s: Scenario) {
  const rules = compileRules(
    InsightRules.parse({ ...TEST_RULES, actions: { triggers: s.triggers ?? [] } }),
  );
  const transcript = Transcript.parse(
    s.call.map(([who, text]) => ({ speaker: who === "c" ? "customer" : "rep", text })),
  );
  const analysis = analyzeCall({
    transcript,
    sentiment: s.call.map((t) => t[2] ?? null),
    rules,
    profile: CustomerProfile.parse({ ...s.profile, industry: s.industry }),
    nowMs: SCENARIO_NOW_MS,
    timeZone: SCENARIO_TIME_ZONE[s.locale],
    locale: s.locale,
    ...(s.account ? { account: s.account } : {}),
  });
  return { analysis, rules };
}

const QUOTE = /“([^”]*)”/g;
const quotesIn = (text: string) => [...text.matchAll(QUOTE)].map((m) => m[1]!);

/** The kinds a trigger's quotes may come from: the call conditions it names. */
function triggerKinds(t: DecisionTrigger): SignalKind[] {
  return [
    ...(t.when.signals ?? []),
    ...(t.when.competitorNamed ? (["competitor-mention"] as const) : []),
    ...(t.when.priceQuestion ? (["price-sensitivity"] as const) : []),
  ];
}

/**
 * Each quote of `reason` is the match of a signal, in one of the cited utterances, of a
 * kind the template names as its evidence (a product mention of one of its lines).
 */
function expectSupported(
  analysis: CallAnalysis,
  what: { strategy: string; reason: string; evidence: readonly number[] },
  kinds: readonly SignalKind[],
  lines?: ReadonlySet<string>,
) {
  for (const i of what.evidence) expect(analysis.utterances[i]?.speaker).toBe("customer");
  for (const quote of quotesIn(what.reason)) {
    const supporting = what.evidence.some((i) =>
      analysis.utterances[i]!.signals.some(
        (s) =>
          s.match === quote &&
          kinds.includes(s.kind) &&
          (s.kind !== "product-mention" || !lines || lines.has(s.productLine ?? "")),
      ),
    );
    expect(
      supporting,
      `${what.strategy} quotes “${quote}” without a ${kinds.join("/")} signal`,
    ).toBe(true);
  }
}

describe("scenarios", () => {
  test("the table has at least 48 scenarios in four industries and both languages", () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(48);
    expect(new Set(SCENARIOS.map((s) => s.industry))).toEqual(
      new Set(["medical-devices", "education", "manufacturing", "software", "other"]),
    );
    for (const locale of ["zh", "en"]) {
      expect(SCENARIOS.filter((s) => s.locale === locale).length).toBeGreaterThanOrEqual(20);
    }
    expect(new Set(SCENARIOS.map((s) => s.rule)).size).toBe(SCENARIOS.length);
  });

  test.each(SCENARIOS.map((s) => [s.rule, s] as const))("%s", (_, s) => {
    const { analysis } = run(s);
    const actions = analysis.actions.map((a) => a.strategy);
    const fired = analysis.triggers.map((t) => t.strategy);
    const { expect: want } = s;
    if (want.actions) expect(actions).toEqual(want.actions);
    for (const strategy of want.offered ?? []) expect(actions).toContain(strategy);
    for (const strategy of want.notOffered ?? []) expect(actions).not.toContain(strategy);
    if (want.stage) expect(analysis.procurement.stage).toBe(want.stage);
    if (want.triggers) expect([...fired].sort()).toEqual([...want.triggers].sort());
    if (want.account) expect(analysis.account.status).toBe(want.account);
    if (want.lines) expect(analysis.productLines).toEqual(want.lines);
    const rendered = [...analysis.actions, ...analysis.triggers];
    const reasonOf = (strategy: string) => rendered.find((r) => r.strategy === strategy)?.reason;
    for (const [strategy, window] of Object.entries(want.windows ?? {})) {
      const trigger = analysis.triggers.find((t) => t.strategy === strategy);
      expect(trigger, strategy).toBeDefined();
      expect(trigger!.window && { from: trigger!.window.from, to: trigger!.window.to }).toEqual(
        window,
      );
    }
    for (const [strategy, text] of Object.entries(want.reasonIncludes ?? {}))
      expect(reasonOf(strategy)).toContain(text);
    for (const [strategy, words] of Object.entries(want.notQuoted ?? {})) {
      const reason = reasonOf(strategy);
      expect(reason, strategy).toBeDefined();
      for (const word of words) expect(quotesIn(reason!)).not.toContain(word);
    }
    for (const r of rendered)
      for (const word of want.notSaid ?? []) expect(r.reason, r.strategy).not.toContain(word);
  });

  test("every scenario expects something an empty analysis would not give", () => {
    // A row of only negative expectations passes on an analysis that found nothing.
    const empty = SCENARIOS.filter(({ expect: w }) => {
      const positive =
        (w.actions?.length ?? 0) > 0 ||
        (w.offered?.length ?? 0) > 0 ||
        (w.triggers?.length ?? 0) > 0 ||
        (w.stage !== undefined && w.stage !== "none") ||
        (w.lines !== undefined && w.lines.call.length + w.lines.profile.length > 0) ||
        Object.keys(w.reasonIncludes ?? {}).length > 0;
      return !positive;
    });
    // The greeting is the one row whose point is that nothing is found.
    expect(empty.map((s) => s.rule)).toEqual([
      "[S2] a greeting is evidence of nothing: no action, no trigger",
    ]);
  });
});

describe("invariants of every scenario", () => {
  const runs = SCENARIOS.map((s) => ({ s, ...run(s) }));

  test("[P] close-now is never offered while a tender, quotes, committee or approval is pending", () => {
    for (const { analysis } of runs) {
      if (analysis.procurement.stage === "none") continue;
      expect(analysis.actions.map((a) => a.strategy)).not.toContain("generic.close-now");
    }
  });

  test("[L] a product-specific action is offered only for a line the call or the profile touches", () => {
    for (const { s, analysis, rules } of runs) {
      const touched = new Set([...analysis.productLines.call, ...analysis.productLines.profile]);
      for (const a of analysis.actions) {
        const t = rules.templates.find((x) => x.strategy === a.strategy)!;
        const reach = t.upgradeFrom ?? t.lines;
        if (!reach) continue;
        expect(
          reach.some((l) => touched.has(l)),
          `${s.rule}: ${a.strategy}`,
        ).toBe(true);
        if (t.upgradeFrom) expect(a.reason).toMatch(/升级路径|upgrade path/);
      }
    }
  });

  test("[E] each quoted evidence of every action and trigger comes from a signal kind its template names as evidence", () => {
    let quotes = 0;
    for (const { analysis, rules } of runs) {
      for (const a of analysis.actions) {
        const t: ActionTemplate = rules.templates.find((x) => x.strategy === a.strategy)!;
        const lines = t.lines ? new Set([...t.lines, ...(t.upgradeFrom ?? [])]) : undefined;
        expectSupported(analysis, a, evidenceKinds(t), lines);
        quotes += quotesIn(a.reason).length;
      }
      for (const fired of analysis.triggers) {
        const t = rules.triggers.find((x) => x.strategy === fired.strategy)!;
        expectSupported(analysis, fired, triggerKinds(t));
        quotes += quotesIn(fired.reason).length;
      }
    }
    // The check has teeth: the table quotes plenty.
    expect(quotes).toBeGreaterThan(60);
  });
});
