// Next-best actions: who can sign, how big the buyer is, where the budget cycle stands,
// what the customer said and felt, and the language each action is written in.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { z } from "zod";
import {
  type ActionInput,
  budgetState,
  monthsToFiscalYear,
  nextBestActions,
  renderLocale,
} from "./actions.ts";
import {
  ActionTemplate,
  CustomerProfile,
  Industry,
  Locale,
  ProcurementAuthority,
  Scale,
  type Sentiment,
  type Signal,
  SignalKind,
  type Speaker,
} from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

type Turn = ActionInput["utterances"][number];
const sig = (kind: SignalKind, match: string = kind, competitor?: string): Signal =>
  competitor
    ? { kind, match, start: 0, end: match.length, competitor }
    : { kind, match, start: 0, end: match.length };
const turn = (speaker: Speaker, signals: Signal[], sentiment: Sentiment | null = null): Turn => ({
  speaker,
  signals,
  sentiment,
});
const customer = (...kinds: SignalKind[]) =>
  turn(
    "customer",
    kinds.map((k) => sig(k)),
  );
const profile = (p: z.input<typeof CustomerProfile>) => CustomerProfile.parse(p);
const strategies = (utterances: Turn[], p: z.input<typeof CustomerProfile>, month = 6) =>
  nextBestActions({ locale: "en", utterances, profile: profile(p), month }).map((a) => a.strategy);

const medical = { industry: "medical-devices" } as const;
const product = (productLine: string, match: string): Signal => ({
  ...sig("product-mention", match),
  productLine,
});
const wantsLine = (line: string) => [
  turn("customer", [sig("purchase-intent", "想换"), product(line, "设备")]),
];
const intent = [customer("purchase-intent")];

describe("procurement authority", () => {
  test("a recommender gets a business case for the decision makers, never a contract to sign", () => {
    const s = strategies(intent, { procurementAuthority: "recommender" });
    expect(s).toContain("generic.champion-business-case");
    expect(s).not.toContain("generic.close-now");
  });

  test("a budget holder with money approved is sent the contract now", () => {
    const s = strategies(intent, {
      procurementAuthority: "budget-holder",
      budgetCycle: { budgetApproved: true },
    });
    expect(s[0]).toBe("generic.close-now");
  });

  test("a public tender gets tender preparation; for medical devices, registration and parameters", () => {
    expect(strategies(intent, { procurementAuthority: "tender" })).toContain("generic.tender-prep");
    const s = strategies(intent, { ...medical, procurementAuthority: "tender" });
    expect(s).toContain("medical.tender-compliance");
    expect(s).not.toContain("generic.tender-prep");
  });

  test("a committee gets a presentation slot", () => {
    expect(strategies(intent, { procurementAuthority: "committee" })).toContain(
      "generic.committee-presentation",
    );
  });

  test("an unknown or powerless contact is qualified before any offer", () => {
    for (const procurementAuthority of [undefined, "none"] as const) {
      const s = strategies(intent, { procurementAuthority });
      expect(s).toContain("generic.qualify-decision");
      expect(s).not.toContain("generic.close-now");
    }
  });
});

describe("facility scale", () => {
  test("a community clinic is never offered a flagship imaging system", () => {
    const turns = fc.array(
      fc.record({
        speaker: fc.constantFrom<Speaker>("customer", "rep"),
        signals: fc.subarray([...SignalKind.options]).map((ks) => ks.map((k) => sig(k))),
        sentiment: fc.option(
          fc.record({
            label: fc.constantFrom("negative", "positive"),
            probability: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { nil: null },
        ),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(
        turns,
        fc.constantFrom("small", undefined),
        fc.constantFrom(...ProcurementAuthority.options, undefined),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.integer({ min: 1, max: 12 }),
        (utterances, scale, procurementAuthority, budgetApproved, month) => {
          const s = strategies(
            utterances,
            { ...medical, scale, procurementAuthority, budgetCycle: { budgetApproved } },
            month,
          );
          expect(s).not.toContain("medical.flagship-imaging-demo");
        },
      ),
      { numRuns: 500 },
    );
  });

  // Product actions need their product line in the call or the profile since issue 12: an
  // intent alone no longer picks a product for the customer.
  const wants = wantsLine;
  test("a clinic that wants an ultrasound is offered an entry-level trial; a tertiary hospital wanting MRI the flagship", () => {
    expect(strategies(wants("ultrasound"), { ...medical, scale: "small" })).toContain(
      "medical.entry-ultrasound-trial",
    );
    expect(strategies(wants("ultrasound"), { ...medical, scale: "medium" })).toContain(
      "medical.mid-range-upgrade-path",
    );
    expect(strategies(wants("mri"), { ...medical, scale: "large" })).toContain(
      "medical.flagship-imaging-demo",
    );
  });

  test("an intent with no product line in the call or the profile gets no product-specific action", () => {
    for (const scale of ["small", "medium", "large"] as const) {
      const s = strategies(intent, { ...medical, scale });
      expect(
        s.filter((x) => x.startsWith("medical.") && x !== "medical.tender-compliance"),
      ).toEqual([]);
    }
    // The profile's lines count like the call's.
    expect(
      strategies(intent, { ...medical, scale: "small", productLines: ["ultrasound"] }),
    ).toContain("medical.entry-ultrasound-trial");
  });
});

describe("procurement stage and product lines (issue 12)", () => {
  const gates = ["tender", "three-quotes", "committee-review", "approval-pending"] as const;
  const anyTurns = fc.array(
    fc.record({
      speaker: fc.constantFrom<Speaker>("customer", "rep"),
      signals: fc
        .subarray([...SignalKind.options])
        .map((ks) =>
          ks.map((k) =>
            k === "product-mention"
              ? product(["ultrasound", "ct", "mri", "x-ray", "cnc", "crm"][k.length % 6]!, k)
              : sig(k, k, k === "competitor-mention" ? "华康医疗" : undefined),
          ),
        ),
      sentiment: fc.constant(null),
    }),
    { maxLength: 10 },
  );

  test("[P] close-now is never offered while the customer names a gate or the profile implies one", () => {
    fc.assert(
      fc.property(callWith(anyTurns), (call) => {
        const actions = nextBestActions(call).map((a) => a.strategy);
        const said = call.utterances
          .filter((u) => u.speaker === "customer")
          .flatMap((u) => u.signals.map((x) => x.kind));
        const authority = call.profile.procurementAuthority;
        const gated =
          gates.some((g) => said.includes(g)) ||
          authority === "tender" ||
          authority === "committee";
        if (gated) expect(actions).not.toContain("generic.close-now");
      }),
      { numRuns: 500 },
    );
  });

  test("[P] each gate named by a budget holder gets its process action instead of close-now", () => {
    const expected = {
      tender: "generic.tender-process",
      "three-quotes": "generic.three-quotes",
      "committee-review": "generic.committee-review",
      "approval-pending": "generic.approval-follow-up",
    } as const;
    for (const gate of gates) {
      const s = strategies([customer("purchase-intent", gate)], {
        procurementAuthority: "budget-holder",
        budgetCycle: { budgetApproved: true },
      });
      expect(s, gate).toContain(expected[gate]);
      expect(s, gate).not.toContain("generic.close-now");
    }
  });

  test("[L] a product-specific action is offered only for a line the customer named or the profile lists", () => {
    const lined = new Map(
      DEFAULT_TEMPLATES.filter((t) => t.lines).map((t) => [t.strategy, t.upgradeFrom ?? t.lines!]),
    );
    fc.assert(
      fc.property(callWith(anyTurns), (call) => {
        const touched = new Set([
          ...call.utterances
            .filter((u) => u.speaker === "customer")
            .flatMap((u) => u.signals.flatMap((x) => x.productLine ?? [])),
          ...(call.profile.productLines ?? []),
        ]);
        for (const a of nextBestActions(call)) {
          const reach = lined.get(a.strategy);
          if (reach)
            expect(
              reach.some((l) => touched.has(l)),
              a.strategy,
            ).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("[L] an ultrasound call at a tertiary hospital gets no MRI / CT; an X-ray one an upgrade path that says so", () => {
    const large = { ...medical, scale: "large" } as const;
    expect(strategies(wantsLine("ultrasound"), large)).not.toContain(
      "medical.flagship-imaging-demo",
    );
    const upgrade = nextBestActions({
      locale: "zh",
      utterances: wantsLine("x-ray"),
      profile: profile(large),
      month: 6,
    }).find((a) => a.strategy === "medical.ct-upgrade-from-x-ray");
    expect(upgrade?.reason).toContain("升级路径：X光（DR） → CT");
  });
});

describe("budget cycle", () => {
  test.each([
    [10, 1, 3],
    [12, 1, 1],
    [1, 1, 12],
    [3, 4, 1],
    [5, 4, 11],
  ])(
    "in month %i with the fiscal year starting in month %i, it starts in %i month(s)",
    (month, start, months) => {
      expect(monthsToFiscalYear(month, start)).toBe(months);
    },
  );

  test("the budget state follows approval and the planning window", () => {
    const cycle = (budgetApproved?: boolean) => ({
      fiscalYearStartMonth: 1,
      budgetApproved,
      planningMonths: 4,
    });
    expect(budgetState(undefined, 10)).toBe("unknown");
    expect(budgetState(cycle(), 10)).toBe("unknown");
    expect(budgetState(cycle(true), 10)).toBe("approved");
    expect(budgetState(cycle(false), 9)).toBe("planning");
    expect(budgetState(cycle(false), 8)).toBe("unapproved");
  });

  test("an unapproved budget with next year's plan being drawn up gets a budget-plan action, not a discount", () => {
    const actions = nextBestActions({
      locale: "en",
      utterances: [customer("price-sensitivity"), customer("purchase-intent")],
      profile: profile({
        industry: "manufacturing",
        scale: "large",
        budgetCycle: { fiscalYearStartMonth: 1, budgetApproved: false },
      }),
      month: 10,
    });
    const s = actions.map((a) => a.strategy);
    expect(s).toContain("generic.budget-plan");
    for (const discount of [
      "generic.value-case",
      "generic.phased-payment",
      "manufacturing.downtime-payback",
      "manufacturing.group-framework",
    ]) {
      expect(s).not.toContain(discount);
    }
    expect(actions.find((a) => a.strategy === "generic.budget-plan")!.reason).toMatch(
      /starts in 3 month\(s\)/,
    );
  });

  test("outside the planning window an unapproved budget gets phased payment; an approved one the value case", () => {
    const price = [customer("price-sensitivity")];
    expect(strategies(price, { budgetCycle: { budgetApproved: false } }, 3)).toContain(
      "generic.phased-payment",
    );
    expect(strategies(price, { budgetCycle: { budgetApproved: true } }, 3)).toContain(
      "generic.value-case",
    );
  });
});

describe("evidence", () => {
  test("actions work from rules alone when the sentiment model was shed", () => {
    const s = strategies([customer("service-concern"), customer("objection")], {});
    expect(s).toEqual(["generic.sla-commitment", "generic.objection-discovery"]);
  });

  test("three clearly negative customer turns escalate to a manager; unsure or rep negativity does not", () => {
    const sure = { label: "negative", probability: 0.9 } as const;
    const unsure = { label: "negative", probability: 0.6 } as const;
    const manager = (turns: Turn[]) => strategies(turns, {}).includes("generic.manager-call");
    expect(
      manager([turn("customer", [], sure), turn("customer", [], sure), turn("customer", [], sure)]),
    ).toBe(true);
    expect(
      manager([
        turn("customer", [], sure),
        turn("customer", [], sure),
        turn("customer", [], unsure),
      ]),
    ).toBe(false);
    expect(
      manager([turn("customer", [], sure), turn("customer", [], sure), turn("rep", [], sure)]),
    ).toBe(false);
  });

  test("what the rep says is no evidence", () => {
    expect(
      strategies([turn("rep", [sig("purchase-intent"), sig("price-sensitivity")])], {}),
    ).toEqual([]);
  });

  test("the comparison names the competitors in the order the customer mentioned them", () => {
    const actions = nextBestActions({
      locale: "en",
      utterances: [
        turn("customer", [sig("competitor-mention", "瑞声", "瑞声影像")]),
        turn("customer", [
          sig("competitor-mention", "华康", "华康医疗"),
          sig("competitor-mention", "瑞声", "瑞声影像"),
        ]),
      ],
      profile: profile({}),
      month: 1,
    });
    expect(actions[0]).toEqual({
      strategy: "generic.competitor-comparison",
      topic: "competitor",
      title: "Send a side-by-side comparison with 瑞声影像, 华康医疗",
      reason: "The customer brought up 瑞声影像, 华康医疗 (“瑞声”, “华康”).",
      locale: "en",
      evidence: [0, 1],
      priority: 78,
    });
    expect(strategies([customer("competitor-mention")], {})).toEqual([
      "generic.competitor-comparison",
    ]);
    expect(
      nextBestActions({
        locale: "en",
        utterances: [customer("competitor-mention")],
        profile: profile({}),
        month: 1,
      })[0]!.title,
    ).toBe("Send a side-by-side comparison with the competitor");
  });

  test("each supporting utterance raises priority by one, up to five", () => {
    const priority = (n: number) =>
      nextBestActions({
        locale: "en",
        utterances: Array.from({ length: n }, () => customer("objection")),
        profile: profile({}),
        month: 1,
      })[0]!.priority;
    expect([1, 2, 5, 9].map(priority)).toEqual([61, 62, 65, 65]);
  });

  test("an industry template replaces the generic one of the same topic", () => {
    const s = strategies([customer("service-concern")], medical);
    expect(s).toEqual(["medical.local-engineer"]);
  });
});

/** Any buyer profile the schema accepts (with and without each optional part). */
const anyProfile = fc
  .record(
    {
      industry: fc.constantFrom(...Industry.options),
      scale: fc.constantFrom(...Scale.options),
      productLines: fc.subarray(["ultrasound", "ct", "x-ray", "interactive-displays", "crm"]),
      facility: fc.constantFrom("社区卫生服务中心", "Plant 3"),
      procurementAuthority: fc.constantFrom(...ProcurementAuthority.options),
      budgetCycle: fc.record(
        {
          fiscalYearStartMonth: fc.integer({ min: 1, max: 12 }),
          budgetApproved: fc.boolean(),
          planningMonths: fc.integer({ min: 0, max: 11 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map((p) => CustomerProfile.parse(p));

/** What nextBestActions takes: `turns`, with any profile, month and locale. */
const callWith = (turns: fc.Arbitrary<Turn[]>) =>
  fc.record({
    utterances: turns,
    profile: anyProfile,
    month: fc.integer({ min: 1, max: 12 }),
    locale: fc.constantFrom(...Locale.options),
  });

describe("ranking", () => {
  const turns = fc.array(
    fc.record({
      speaker: fc.constantFrom<Speaker>("customer", "rep"),
      signals: fc
        .subarray([...SignalKind.options])
        .map((ks) => ks.map((k) => sig(k, k, k === "competitor-mention" ? "华康医疗" : undefined))),
      sentiment: fc.option(
        fc.record({
          label: fc.constantFrom("negative", "positive"),
          probability: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { nil: null },
      ),
    }),
    { maxLength: 20 },
  );

  test("at most three actions, one per topic, by priority then strategy id, whatever the template order", () => {
    fc.assert(
      fc.property(callWith(turns), (call) => {
        const { utterances, locale } = call;
        const actions = nextBestActions(call);
        expect(actions.length).toBeLessThanOrEqual(3);
        expect(new Set(actions.map((a) => a.topic)).size).toBe(actions.length);
        for (let i = 1; i < actions.length; i++) {
          const [a, b] = [actions[i - 1]!, actions[i]!];
          expect(
            a.priority > b.priority || (a.priority === b.priority && a.strategy < b.strategy),
          ).toBe(true);
        }
        for (const a of actions) {
          expect(a.evidence.length).toBeGreaterThan(0);
          expect(a.evidence.every((i) => utterances[i]?.speaker === "customer")).toBe(true);
          expect(a.title + a.reason).not.toMatch(/\{\w+\}/);
          expect(a.locale).toBe(locale);
        }
        const reversed = nextBestActions({
          ...call,
          templates: [...DEFAULT_TEMPLATES].reverse(),
        });
        expect(reversed).toEqual(actions);
      }),
      { numRuns: 500 },
    );
  });

  test("a month outside 1–12 is a caller's bug and throws", () => {
    expect(() =>
      nextBestActions({ locale: "en", utterances: intent, profile: profile({}), month: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      nextBestActions({ locale: "en", utterances: intent, profile: profile({}), month: 6.5 }),
    ).toThrow(RangeError);
  });
});

describe("placeholders", () => {
  const mood = (label: "negative" | "positive") =>
    turn("customer", [], { label, probability: 0.95 });
  const tenant = (over: Record<string, unknown>) =>
    ActionTemplate.parse({
      strategy: "acme.tenant",
      industry: "any",
      topic: "relationship",
      priority: 100,
      when: { sentiment: { label: "negative", atLeast: 1 } },
      title: "Call back",
      reason: "Why",
      ...over,
    });

  test("a template whose {quotes} has nothing to quote is not offered; another of its topic is", () => {
    const quoting = tenant({ reason: { en: "They said {quotes}", zh: "客户说了{quotes}" } });
    const actions = nextBestActions({
      locale: "en",
      utterances: [mood("negative"), mood("negative"), mood("negative")],
      profile: profile({}),
      month: 6,
      templates: [quoting, ...DEFAULT_TEMPLATES],
    });
    expect(actions.map((a) => a.strategy)).toEqual(["generic.manager-call"]);
    // A blank match quotes nothing either.
    const blank = nextBestActions({
      locale: "en",
      utterances: [turn("customer", [sig("objection", " ")])],
      profile: profile({}),
      month: 6,
    });
    expect(blank).toEqual([]);
  });

  test("a months figure is never derived from a missing fiscal-year start: no budget-plan action, no {months} template", () => {
    const months = tenant({
      topic: "budget",
      when: { signals: ["price-sensitivity"] },
      reason: "The fiscal year starts in {months} month(s)",
    });
    const unknownStart = profile({ budgetCycle: { budgetApproved: false } });
    expect(budgetState(unknownStart.budgetCycle, 10)).toBe("unapproved");
    const actions = nextBestActions({
      locale: "en",
      utterances: [customer("price-sensitivity"), customer("purchase-intent")],
      profile: unknownStart,
      month: 10,
      templates: [months, ...DEFAULT_TEMPLATES],
    });
    const s = actions.map((a) => a.strategy);
    expect(s).not.toContain("acme.tenant");
    expect(s).not.toContain("generic.budget-plan");
    expect(s).toContain("generic.phased-payment");
    const known = nextBestActions({
      locale: "en",
      utterances: [customer("price-sensitivity")],
      profile: profile({ budgetCycle: { fiscalYearStartMonth: 4, budgetApproved: false } }),
      month: 10,
      templates: [months],
    });
    expect(known[0]!.reason).toBe("The fiscal year starts in 6 month(s)");
  });

  test("no rendered action has a hole: no brace, no empty quote list, no months figure without a fiscal-year start", () => {
    const MONTHS = /\{months\}/;
    const extras = [
      tenant({ strategy: "acme.mood-quotes", reason: "They said {quotes}" }),
      tenant({
        strategy: "acme.months-any",
        topic: "budget",
        when: { signals: ["objection", "price-sensitivity"] },
        title: { en: "Plan for {facility}", zh: "为{facility}做计划" },
        reason: { en: "{months} month(s) to go ({quotes})", zh: "还有{months}个月（{quotes}）" },
      }),
      tenant({
        strategy: "acme.count",
        topic: "close",
        when: { signals: ["purchase-intent"] },
        reason: "{count} signals: {quotes} from {competitor}",
      }),
    ];
    const templates = [...extras, ...DEFAULT_TEMPLATES];
    const usesMonths = new Set(
      templates
        .filter((t) => MONTHS.test(JSON.stringify([t.title, t.reason])))
        .map((t) => t.strategy),
    );
    const hits = fc.array(
      fc.record({
        kind: fc.constantFrom(...SignalKind.options),
        match: fc.constantFrom("", " ", "　", "太贵", "price", "华康"),
      }),
      { maxLength: 3 },
    );
    const turns = fc.array(
      fc.record({
        speaker: fc.constantFrom<Speaker>("customer", "rep"),
        signals: hits.map((hs) => hs.map((h) => sig(h.kind, h.match))),
        sentiment: fc.option(
          fc.record({
            label: fc.constantFrom("negative", "positive"),
            probability: fc.constantFrom(0.5, 0.9),
          }),
          { nil: null },
        ),
      }),
      { maxLength: 10 },
    );
    fc.assert(
      fc.property(callWith(turns), (call) => {
        const start = call.profile.budgetCycle?.fiscalYearStartMonth;
        for (const a of nextBestActions({ ...call, templates })) {
          const text = `${a.title} ${a.reason}`;
          expect(text).not.toMatch(/[{}]/);
          expect(text).not.toMatch(/“\s*”|\(\s*\)|（\s*）|: from|They said$/);
          if (!usesMonths.has(a.strategy)) continue;
          expect(start).toBeDefined();
          expect(text).toContain(String(monthsToFiscalYear(call.month, start!)));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("locale", () => {
  const rivals = [
    turn("customer", [sig("competitor-mention", "瑞声", "瑞声影像")]),
    turn("customer", [
      sig("competitor-mention", "华康", "华康医疗"),
      sig("price-sensitivity", "太贵"),
    ]),
  ];
  const clinic = profile({ ...medical, scale: "small", facility: "社区卫生服务中心" });
  const demo = (title: unknown, reason: unknown) =>
    ActionTemplate.parse({
      strategy: "acme.demo",
      industry: "any",
      topic: "product",
      priority: 99,
      when: { signals: ["purchase-intent"] },
      title,
      reason,
    });
  const render = (templates: ActionTemplate[], locale: Locale) =>
    nextBestActions({ utterances: intent, profile: clinic, month: 6, locale, templates })[0]!;

  test("in Chinese, quotes stay as said and names and quotes are listed with 、", () => {
    const actions = nextBestActions({
      utterances: rivals,
      profile: clinic,
      month: 6,
      locale: "zh",
    });
    expect(actions.find((a) => a.topic === "competitor")).toEqual({
      strategy: "generic.competitor-comparison",
      topic: "competitor",
      title: "发送与瑞声影像、华康医疗的逐项对比资料",
      reason: "客户提到了瑞声影像、华康医疗（“瑞声”、“华康”）。",
      locale: "zh",
      evidence: [0, 1],
      priority: 78,
    });
    const ultrasound = [
      turn("customer", [sig("purchase-intent", "想换"), product("ultrasound", "超声")]),
    ];
    expect(
      nextBestActions({ utterances: ultrasound, profile: clinic, month: 6, locale: "zh" }).find(
        (a) => a.strategy === "medical.entry-ultrasound-trial",
      ),
    ).toMatchObject({
      title: "安排入门级便携超声现场试用",
      reason:
        "社区卫生服务中心在考虑超声设备（“想换”、“超声”）；对规模较小的机构，入门级便携超声与其检查量和预算相匹配。",
    });
  });

  test("an unknown facility or competitor is named in the action's language", () => {
    const zh = nextBestActions({
      utterances: [customer("competitor-mention")],
      profile: profile({}),
      month: 1,
      locale: "zh",
    })[0]!;
    expect(zh.title).toBe("发送与竞品的逐项对比资料");
    const anonymous = nextBestActions({
      utterances: intent,
      profile: profile({}),
      month: 1,
      locale: "zh",
      templates: [demo({ zh: "给{facility}演示", en: "Demo for {facility}" }, "{quotes}")],
    })[0]!;
    expect(anonymous.title).toBe("给客户演示");
  });

  test("a template without Chinese text falls back to English", () => {
    const action = render(
      [demo({ en: "Demo for {facility}" }, { en: "They said {quotes}" })],
      "zh",
    );
    expect(action).toMatchObject({
      title: "Demo for 社区卫生服务中心",
      reason: "They said “purchase-intent”",
      locale: "en",
    });
  });

  test("a template with Chinese text only is shown in Chinese whatever the locale", () => {
    const action = render([demo({ zh: "演示" }, { zh: "客户说了{quotes}" })], "en");
    expect(action).toMatchObject({ title: "演示", locale: "zh" });
  });

  test("a tenant template given as one string is used for every locale", () => {
    const template = demo("Demo for {facility}", "They said {quotes}");
    for (const locale of Locale.options) {
      expect(render([template], locale)).toMatchObject({
        title: "Demo for 社区卫生服务中心",
        reason: "They said “purchase-intent”",
        locale: "en",
      });
    }
    const chinese = demo("给{facility}演示", "客户说了{quotes}");
    expect(render([chinese], "en")).toMatchObject({
      title: "给社区卫生服务中心演示",
      locale: "zh",
    });
  });

  test("a plain string beside per-locale text follows the per-locale side", () => {
    expect(renderLocale({ title: "Demo", reason: { zh: "原因" } }, "en")).toBe("zh");
    expect(renderLocale({ title: { zh: "演示", en: "Demo" }, reason: "Why" }, "zh")).toBe("zh");
  });
});
