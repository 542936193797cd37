// analyzeCall end to end on the fixtures: the Chinese clinic call, the rules in force, their
// fingerprint, and actions in the language the call was asked for.
import { describe, expect, test } from "vitest";
import { analyzeCall } from "./analyze.ts";
import {
  CLINIC_CALL,
  CLINIC_CALL_NOW_MS,
  CLINIC_CALL_SENTIMENT,
  CLINIC_PROFILE,
  CLINIC_TIME_ZONE,
  TEST_RULES,
} from "./fixtures.ts";
import { callLocale, languageOf } from "./language.ts";
import { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
import {
  compileRules,
  effectiveTemplates,
  effectiveTriggers,
  RULES_ENGINE_VERSION,
  rulesFingerprint,
} from "./rules.ts";
import { DEFAULT_RULES } from "./rules-default.ts";
import { CallAnalysis, CustomerProfile, InsightRules, Transcript } from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";
import { DEFAULT_TRIGGERS } from "./triggers-default.ts";

const rules = compileRules(TEST_RULES);
const clinic = (over: Partial<Parameters<typeof analyzeCall>[0]> = {}) =>
  analyzeCall({
    transcript: CLINIC_CALL,
    sentiment: CLINIC_CALL_SENTIMENT,
    rules,
    profile: CLINIC_PROFILE,
    nowMs: CLINIC_CALL_NOW_MS,
    timeZone: CLINIC_TIME_ZONE,
    locale: "zh",
    ...over,
  });

describe("analyzing a call", () => {
  test("the 20-utterance Chinese clinic call yields sentiment, signals, metrics, actions and the rules used", () => {
    expect(CLINIC_CALL).toHaveLength(20);
    const result = clinic();
    expect(CallAnalysis.parse(result)).toEqual(result);
    expect(result.utterances.map((u) => u.sentiment)).toEqual(CLINIC_CALL_SENTIMENT);
    expect(result.utterances[4]!.signals).toEqual([
      { kind: "price-sensitivity", match: "价格", start: 0, end: 2 },
      { kind: "competitor-mention", match: "华康", start: 7, end: 9, competitor: "华康医疗" },
      { kind: "price-sensitivity", match: "报价", start: 16, end: 18 },
    ]);
    expect(result.utterances[10]!.signals[0]!.competitor).toBe("瑞声影像");
    expect(result.call).toMatchObject({ basis: "time", utterances: { rep: 11, customer: 9 } });
    expect(result.actions.map((a) => a.strategy)).toEqual([
      "generic.budget-plan",
      "generic.champion-business-case",
      "medical.entry-ultrasound-trial",
    ]);
    expect(result.locale).toBe("zh");
    expect(result.actions[0]).toMatchObject({
      title: "争取列入明年预算",
      reason:
        "客户谈到了这笔采购（“想换”、“价格”、“报价”），但预算尚未批复，距下一财年开始还有3个月；与其现在降价，不如协助社区卫生服务中心把它做进预算。",
      locale: "zh",
    });
    // "要院里开会决定": a committee decides; the clinic's head recommends (the business case).
    expect(result.procurement).toEqual({
      stage: "committee-review",
      gates: ["committee-review"],
      budget: "planning",
      evidence: [12],
    });
    expect(result.productLines).toEqual({ call: ["ultrasound"], profile: [] });
    // No customer named: no account facts, and the budget month is the only trigger.
    expect(result.account).toEqual({ status: "none" });
    expect(result.triggers.map((t) => [t.strategy, t.window])).toEqual([
      [
        "trigger.budget-month",
        { from: "2026-09-01", to: "2026-12-31", basis: ["budget-planning"] },
      ],
    ]);
    expect(result.rules).toEqual({ engine: RULES_ENGINE_VERSION, fingerprint: rules.fingerprint });
  });

  test("a Chinese call gets its actions in Chinese", () => {
    const locale = callLocale(CLINIC_CALL);
    expect(locale).toBe("zh");
    const { actions } = clinic({ locale });
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) {
      expect(a.locale).toBe("zh");
      expect(languageOf(a.title)).toBe("zh");
      expect(languageOf(a.reason)).toBe("zh");
    }
  });

  test("the same call asked for in English gets the same actions in English", () => {
    const [zh, en] = [clinic(), clinic({ locale: "en" })];
    expect(en.locale).toBe("en");
    expect(en.actions.map((a) => a.strategy)).toEqual(zh.actions.map((a) => a.strategy));
    expect(en.actions.map((a) => a.evidence)).toEqual(zh.actions.map((a) => a.evidence));
    expect(en.actions[0]).toMatchObject({
      title: "Get the purchase into next year's budget plan",
      reason:
        "The customer talked about this purchase (“想换”, “价格”, “报价”) but the budget is not approved and the next fiscal year starts in 3 month(s); help 社区卫生服务中心 plan it instead of discounting now.",
      locale: "en",
    });
  });

  test("with the sentiment model shed, every utterance says so and actions still come from rules", () => {
    const shed = clinic({ sentiment: null });
    expect(shed.utterances.every((u) => u.sentiment === null)).toBe(true);
    expect(shed.actions).toEqual(clinic().actions);
  });

  test("the same call and rules always give the same analysis", () => {
    expect(JSON.stringify(clinic())).toBe(JSON.stringify(clinic()));
  });

  test("sentiment that does not line up with the utterances is a caller's bug and throws", () => {
    expect(() => clinic({ sentiment: CLINIC_CALL_SENTIMENT.slice(1) })).toThrow(RangeError);
  });

  test("an English call to a budget holder is asked to sign, in English", () => {
    const transcript = Transcript.parse([
      { speaker: "rep", text: "Thanks for your time. How is the pilot going?" },
      { speaker: "customer", text: "Great. We'd like to move forward and sign this quarter." },
      { speaker: "customer", text: "Can you send the contract by Friday?" },
    ]);
    const result = analyzeCall({
      transcript,
      sentiment: null,
      rules,
      profile: CustomerProfile.parse({ procurementAuthority: "budget-holder" }),
      nowMs: Date.UTC(2026, 4, 12),
      timeZone: "Europe/Berlin",
      locale: callLocale(transcript),
    });
    expect(result.actions[0]).toMatchObject({
      strategy: "generic.close-now",
      title: "Send the quote and contract for signature now",
      locale: "en",
      evidence: [1, 2],
    });
    expect(result.call.questionRate).toEqual({ rep: 1, customer: 0.5 });
  });
});

describe("time zone", () => {
  test("a cn customer's budget month turns at Beijing midnight: late on 31 August UTC it is already planning season", () => {
    // 17:00 UTC on 31 August is 01:00 on 1 September in Shanghai: four months to a January
    // fiscal year, inside the clinic's four-month planning window.
    const nowMs = Date.UTC(2026, 7, 31, 17);
    const strategies = (timeZone: string) =>
      clinic({ nowMs, timeZone }).actions.map((a) => a.strategy);
    expect(strategies("Asia/Shanghai")).toContain("generic.budget-plan");
    expect(strategies("UTC")).not.toContain("generic.budget-plan");
  });
});

describe("rules in force", () => {
  test("a tenant template replaces the built-in of its id; disabled strategies are gone; extras follow", () => {
    const own = { ...DEFAULT_TEMPLATES[0]!, title: "立即发送合同" };
    const extra = { ...DEFAULT_TEMPLATES[1]!, strategy: "acme.tender-hotline" };
    const templates = effectiveTemplates(
      InsightRules.parse({
        ...DEFAULT_RULES,
        actions: { disabled: ["generic.manager-call"], templates: [extra, own] },
      }),
    );
    expect(templates[0]).toEqual(own);
    expect(templates.at(-1)).toEqual(extra);
    expect(templates.map((t) => t.strategy)).not.toContain("generic.manager-call");
    expect(templates).toHaveLength(DEFAULT_TEMPLATES.length);
  });

  test("a tenant's reworded flagship template keeps its eligibility: a community clinic is still never offered it", () => {
    const flagship = DEFAULT_TEMPLATES.find((t) => t.strategy.startsWith("medical.flagship"))!;
    const { scales: _dropped, ...when } = flagship.when;
    const reworded = { ...flagship, priority: 99, title: "旗舰影像参观", when };
    const rules = InsightRules.parse({ ...TEST_RULES, actions: { templates: [reworded] } });
    const effective = effectiveTemplates(rules).find((t) => t.strategy === flagship.strategy)!;
    expect(effective.when.scales).toEqual(flagship.when.scales);
    expect(effective.title).toBe("旗舰影像参观");
    const strategies = clinic({ rules: compileRules(rules) }).actions.map((a) => a.strategy);
    expect(strategies).not.toContain(flagship.strategy);
  });

  test("a tenant's reworded close-now keeps its procurement stage: still never offered during a tender", () => {
    const close = DEFAULT_TEMPLATES.find((t) => t.strategy === "generic.close-now")!;
    const { stages: _dropped, ...when } = close.when;
    const reworded = { ...close, title: "马上签", when };
    const tenant = InsightRules.parse({ ...TEST_RULES, actions: { templates: [reworded] } });
    expect(
      effectiveTemplates(tenant).find((t) => t.strategy === close.strategy)!.when.stages,
    ).toEqual(["none"]);
    const tender = analyzeCall({
      transcript: Transcript.parse([
        { speaker: "customer", text: "预算已经批了，但是要走招标流程。" },
      ]),
      sentiment: null,
      rules: compileRules(tenant),
      profile: CustomerProfile.parse({ procurementAuthority: "budget-holder" }),
      nowMs: CLINIC_CALL_NOW_MS,
      timeZone: CLINIC_TIME_ZONE,
      locale: "zh",
    });
    expect(tender.actions.map((a) => a.strategy)).toEqual(["generic.tender-process"]);
  });

  test("a tenant's reworded product template keeps its product lines", () => {
    const flagship = DEFAULT_TEMPLATES.find((t) => t.strategy === "medical.flagship-imaging-demo")!;
    const { lines: _dropped, ...unlined } = flagship;
    const tenant = InsightRules.parse({ ...TEST_RULES, actions: { templates: [unlined] } });
    expect(effectiveTemplates(tenant).find((t) => t.strategy === flagship.strategy)!.lines).toEqual(
      ["mri", "ct"],
    );
  });

  test("tenant triggers replace built-ins of their id and add to them; a disabled trigger never fires", () => {
    const renewal = DEFAULT_TRIGGERS.find((t) => t.strategy === "trigger.renewal-window")!;
    const tenant = InsightRules.parse({
      ...TEST_RULES,
      actions: {
        disabled: ["trigger.budget-month"],
        triggers: [
          { ...renewal, when: { renewalWithinDays: 120 } },
          { ...renewal, strategy: "acme.renewal-call", priority: 10 },
        ],
      },
    });
    const triggers = effectiveTriggers(tenant);
    expect(triggers.map((t) => t.strategy)).toEqual([
      "trigger.competitor-price-win-back",
      "trigger.service-recovery",
      "trigger.renewal-window",
      "acme.renewal-call",
    ]);
    expect(triggers[2]!.when).toEqual({ renewalWithinDays: 120 });
    expect(clinic({ rules: compileRules(tenant) }).triggers).toEqual([]);
  });

  test("account facts feed the triggers; an unreadable account leaves the rest of the analysis whole and says why", () => {
    const context = {
      lastWonDealAtMs: CLINIC_CALL_NOW_MS - 400 * 86_400_000,
      openServiceRequests: [],
      renewals: [],
    };
    const withFacts = clinic({ account: { status: "read", context } });
    expect(withFacts.account).toEqual({ status: "read" });
    expect(withFacts.triggers.map((t) => t.strategy)).toEqual([
      "trigger.competitor-price-win-back",
      "trigger.budget-month",
    ]);
    const unreadable = clinic({ account: { status: "unavailable", reason: "timeout" } });
    expect(unreadable.account).toEqual({ status: "unavailable", reason: "timeout" });
    expect(unreadable.triggers.map((t) => t.strategy)).toEqual(["trigger.budget-month"]);
    expect(unreadable.actions).toEqual(withFacts.actions);
    expect(CallAnalysis.parse(withFacts)).toEqual(withFacts);
  });

  test("a disabled strategy is never suggested", () => {
    const tenant = compileRules(
      InsightRules.parse({ ...TEST_RULES, actions: { disabled: ["generic.budget-plan"] } }),
    );
    const strategies = clinic({ rules: tenant }).actions.map((a) => a.strategy);
    expect(strategies).not.toContain("generic.budget-plan");
    expect(strategies).toHaveLength(3);
  });

  test("the fingerprint is 16 hex digits, blind to key order and changed by any rule", () => {
    const fp = (r: unknown) => {
      const parsed = InsightRules.parse(r);
      return rulesFingerprint(parsed, effectiveTemplates(parsed));
    };
    const base = fp(TEST_RULES);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(base).toBe(rules.fingerprint);
    const reordered = Object.fromEntries(Object.entries(TEST_RULES).reverse());
    expect(fp(reordered)).toBe(base);
    const variants = [
      { ...TEST_RULES, competitors: [] },
      { ...TEST_RULES, productLines: DEFAULT_PRODUCT_LINES.slice(1) },
      { ...TEST_RULES, accountFacts: { contractTermMonths: 24 } },
      { ...TEST_RULES, actions: { disabled: ["trigger.budget-month"] } },
      { ...TEST_RULES, negations: ["不"] },
      { ...TEST_RULES, signals: TEST_RULES.signals.slice(1) },
      { ...TEST_RULES, actions: { disabled: ["generic.value-case"] } },
    ];
    for (const v of variants) expect(fp(v)).not.toBe(base);
  });

  test("the fingerprint changes when any template text changes, in either locale", () => {
    const fp = (templates: unknown[]) => {
      const parsed = InsightRules.parse({ ...TEST_RULES, actions: { templates } });
      return rulesFingerprint(parsed, effectiveTemplates(parsed));
    };
    const base = fp([]);
    const close = DEFAULT_TEMPLATES[0]!;
    expect(typeof close.title).toBe("object");
    const title = close.title as { zh: string; en: string };
    const reason = close.reason as { zh: string; en: string };
    const variants = [
      { ...close, title: { ...title, zh: `${title.zh}。` } },
      { ...close, title: { ...title, en: `${title.en}.` } },
      { ...close, reason: { ...reason, zh: `${reason.zh}！` } },
      { ...close, title: title.en },
    ];
    const prints = variants.map((v) => fp([v]));
    for (const p of prints) expect(p).not.toBe(base);
    expect(new Set(prints).size).toBe(variants.length);
    expect(fp([close])).toBe(base);
  });
});
