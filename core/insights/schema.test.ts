// The insight contract's refusals: each says which field is wrong and why, the way an API
// client reads it.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { z } from "zod";
import { MAX_UTTERANCES } from "./limits.ts";
import { backtrackingRisk } from "./pattern-safety.ts";
import { DEFAULT_RULES } from "./rules-default.ts";
import {
  ActionTemplate,
  CustomerProfile,
  DecisionTrigger,
  InsightRules,
  Pattern,
  Transcript,
} from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

/** Every issue as "path: message", the way an API client would read it. */
function refusal(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a refusal");
  return result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n");
}

const say = (text: string, atMs?: number) => ({ speaker: "customer", text, atMs });

describe("transcripts", () => {
  test("utterances whose start times go backwards are refused, naming both utterances", () => {
    const message = refusal(Transcript, [say("你好", 0), say("价格呢", 5000), say("好的", 4000)]);
    expect(message).toBe(
      "2.atMs: utterance 2 starts at 4000 ms, before utterance 1 (5000 ms); utterances must be in call order",
    );
  });

  test("utterances without start times may sit between timed ones", () => {
    expect(Transcript.safeParse([say("a", 0), say("b"), say("c", 0)]).success).toBe(true);
  });

  test("an empty call, a blank utterance and an over-long call are refused", () => {
    expect(Transcript.safeParse([]).success).toBe(false);
    expect(refusal(Transcript, [say(" \n　")])).toMatch(
      /0.text: must contain more than white space/,
    );
    expect(
      Transcript.safeParse(Array.from({ length: MAX_UTTERANCES + 1 }, () => say("嗯"))).success,
    ).toBe(false);
  });

  test("an utterance within the length limit that folding expands past twice the limit is refused", () => {
    // U+FDFA is one character that NFKC turns into 18.
    expect(refusal(Transcript, [say("\uFDFA".repeat(300))])).toMatch(/when normalised \(NFKC\)/);
    expect(Transcript.safeParse([say("\uFDFA".repeat(200))]).success).toBe(true);
    expect(Transcript.safeParse([say("价".repeat(2000))]).success).toBe(true);
  });
});

describe("tenant patterns", () => {
  test("a pattern that does not compile is refused with the compiler's reason", () => {
    expect(refusal(Pattern, "(价格")).toMatch(
      /^: pattern \/\(价格\/ does not compile: .*Unterminated group/,
    );
  });

  test.each(["(a+)+", "(a*)*", "(a|a)*", "(?:报价|价格)+", "((ab)+)+", "(a+){2,}", "(?<n>\\d+)*x"])(
    "the backtracking-prone pattern %s is refused, naming the repeated group",
    (pattern) => {
      expect(refusal(Pattern, pattern)).toMatch(
        /repeats the group \(.*\), which itself has a quantifier or an alternation/,
      );
    },
  );

  test.each([
    "(什么时候|多久)(能|可以)?到货",
    "价格.{0,10}太贵.*",
    "(太贵|贵了).{0,10}(折扣|优惠)",
    "[(a+)]+",
    "\\(a+\\)",
    "(?:很|太)?贵",
    "a{2,5}b+",
    "\\p{Script=Han}+",
    "(ab){1}",
  ])("the safe pattern %s is accepted", (pattern) => {
    expect(backtrackingRisk(pattern)).toBeNull();
    expect(Pattern.safeParse(pattern).success).toBe(true);
  });

  test.each(["\\d*\\d*x", "价格.*太贵.*", "a+b{2,}"])(
    "the pattern %s, with more than one unbounded quantifier, is refused",
    (pattern) => {
      expect(refusal(Pattern, pattern)).toMatch(
        /has 2 unbounded quantifiers \(\*, \+, \{n,\} or a bound above 10\); keep one/,
      );
    },
  );

  // Each of these was accepted once and measured: seconds to hours on a short utterance.
  test.each([
    ["\\d{0,2000}\\d{0,2000}x", /unbounded quantifiers/],
    ["a{0,199}a{0,199}a{0,199}b", /unbounded quantifiers/],
    [`${"(a|\\w)".repeat(33)}x`, /groups of alternatives/],
    [`${"(?:\\w|\\d)".repeat(22)}!`, /groups of alternatives/],
    ["(?<x>\\w+)\\k<x>\\k<x>z", /backreference/],
    ["(a+)\\1", /backreference/],
    [`${"a{0,10}".repeat(8)}b`, /multiply to 214358881 ways to split a match; at most 128/],
    ["a{0,10}a{0,10}a{0,10}b", /multiply to 1331 ways/],
  ])("the slow pattern %s is refused", (pattern, reason) => {
    expect(refusal(Pattern, pattern)).toMatch(reason);
  });

  test.each(["｛facility｝有意向", "{{count}} 次", "{count 次"])(
    "a template text with a brace outside a placeholder (%s) is refused: it would reach the rep unfilled",
    (text) => {
      const template = { ...DEFAULT_TEMPLATES[0]!, reason: { zh: text, en: "Fine {count}" } };
      const parsed = ActionTemplate.safeParse(template);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message).join()).toMatch(
        /brace outside a placeholder/,
      );
    },
  );

  test("more than 20 patterns in all signal kinds are refused: each runs over every utterance", () => {
    const signals = ["price-sensitivity", "objection"].map((kind) => ({
      kind,
      keywords: [],
      patterns: Array.from({ length: 11 }, (_, i) => `x${i}y`),
    }));
    const parsed = InsightRules.safeParse({ ...DEFAULT_RULES, signals });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message).join()).toMatch(
      /22 patterns in all; at most 20/,
    );
  });

  test("the refusal of a backtracking-prone pattern says why and what to do instead", () => {
    expect(refusal(Pattern, "(a+)+")).toBe(
      ": pattern /(a+)+/ repeats the group (a+), which itself has a quantifier or an alternation, so matching can backtrack exponentially; use a character class or drop one quantifier",
    );
  });

  test("the backtracking check finishes on any input, compiling or not", () => {
    const regexish = fc
      .array(
        fc.constantFrom(
          "(",
          ")",
          "(?:",
          "(?<",
          "(?<=",
          ">",
          "[",
          "]",
          "\\",
          "|",
          "*",
          "+",
          "?",
          "{2,}",
          "{",
          "a",
          "价",
        ),
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(regexish, (source) => {
        const risk = backtrackingRisk(source);
        expect(risk === null || typeof risk === "string").toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("a pattern that matches empty text or exceeds 200 characters is refused", () => {
    expect(refusal(Pattern, "x*")).toMatch(/pattern \/x\*\/ matches empty text/);
    expect(Pattern.safeParse("价".repeat(201)).success).toBe(false);
  });
});

describe("tenant rules", () => {
  test("the default rules are valid and carry no competitors", () => {
    expect(InsightRules.parse(DEFAULT_RULES)).toEqual(DEFAULT_RULES);
    expect(DEFAULT_RULES.competitors).toEqual([]);
  });

  test("more than 100 competitors are refused", () => {
    const competitors = Array.from({ length: 101 }, (_, i) => ({ name: `厂家${i}` }));
    expect(refusal(InsightRules, { ...DEFAULT_RULES, competitors })).toMatch(
      /^competitors: Too big/,
    );
  });

  test("an alias naming two competitors is refused, even when it differs only in width and case", () => {
    const competitors = [
      { name: "华康医疗", aliases: ["HK"] },
      { name: "瑞声影像", aliases: ["ｈｋ"] },
    ];
    expect(refusal(InsightRules, { ...DEFAULT_RULES, competitors })).toBe(
      "competitors.1: hk names both 华康医疗 and 瑞声影像",
    );
  });

  test("a signal kind configured twice is refused", () => {
    const signals = [
      { kind: "objection", keywords: ["不需要"] },
      { kind: "objection", keywords: ["算了"] },
    ];
    expect(refusal(InsightRules, { signals })).toBe(
      "signals.1.kind: objection is already configured at signals[0]; merge the two",
    );
  });

  test("a bad pattern inside the rules is reported at its path", () => {
    const signals = [{ kind: "objection", keywords: [], patterns: ["(算了|不要)+"] }];
    expect(refusal(InsightRules, { signals })).toMatch(
      /^signals.0.patterns.0: pattern \/\(算了\|不要\)\+\/ repeats the group \(算了\|不要\)/,
    );
  });
});

describe("action templates", () => {
  const template = {
    strategy: "acme.demo",
    industry: "any",
    topic: "product",
    priority: 50,
    when: { signals: ["purchase-intent"] },
    title: "Demo for {facility}",
    reason: "They said {quotes}",
  };

  test("a template with no evidence condition is refused", () => {
    expect(refusal(ActionTemplate, { ...template, when: { scales: ["small"] } })).toBe(
      "when: needs evidence: set when.signals or when.sentiment",
    );
  });

  test("an unknown placeholder is refused, listing the known ones", () => {
    expect(refusal(ActionTemplate, { ...template, title: "Call {name}" })).toBe(
      "title: unknown placeholder {name}; use one of {competitor}, {months}, {quotes}, {facility}, {count}, {upgrade}",
    );
  });

  test("a title and reason are one string for every locale or texts by locale", () => {
    expect(ActionTemplate.parse(template).title).toBe("Demo for {facility}");
    const localised = { ...template, title: { zh: "给{facility}演示", en: "Demo for {facility}" } };
    expect(ActionTemplate.parse(localised).title).toEqual(localised.title);
    const english = { ...template, title: { en: "Demo" }, reason: { en: "They said {quotes}" } };
    expect(ActionTemplate.safeParse(english).success).toBe(true);
  });

  test("texts by locale need at least one text and only known locales", () => {
    expect(refusal(ActionTemplate, { ...template, title: {} })).toBe(
      "title: give the text in at least one locale: zh or en",
    );
    expect(refusal(ActionTemplate, { ...template, title: { fr: "Démo" } })).toMatch(
      /^title: Unrecognized key: "fr"/,
    );
    expect(refusal(ActionTemplate, { ...template, title: { zh: " " } })).toBe(
      "title.zh: must not be empty",
    );
  });

  test.each([
    [
      "a title that is neither a string nor texts by locale, saying what is expected",
      { title: 42 },
      "title: must be a string (used for every locale) or an object of texts by locale: zh, en",
    ],
    [
      "an unknown placeholder in one locale's text, at that locale",
      { reason: { zh: "客户说{name}", en: "They said {quotes}" } },
      "reason.zh: unknown placeholder {name}; use one of {competitor}, {months}, {quotes}, {facility}, {count}, {upgrade}",
    ],
    [
      "a title and reason given in different locales",
      { title: { zh: "演示", en: "Demo" }, reason: { en: "They said {quotes}" } },
      "reason: is given in en but the title in zh, en; give both the same locales, or one of them as a plain string",
    ],
  ])("%s is refused", (_, change, message) => {
    expect(refusal(ActionTemplate, { ...template, ...change })).toBe(message);
  });

  test("a tenant may not define one strategy twice", () => {
    const actions = { templates: [template, { ...template, priority: 10 }] };
    expect(refusal(InsightRules, { signals: [], actions })).toBe(
      "actions.templates.1.strategy: acme.demo is defined twice",
    );
  });

  test("a strategy id must be dotted lower case", () => {
    expect(ActionTemplate.safeParse({ ...template, strategy: "Demo" }).success).toBe(false);
  });
});

describe("customer profiles", () => {
  test("an empty profile is valid: industry other, everything else unknown", () => {
    expect(CustomerProfile.parse({})).toEqual({ industry: "other" });
    expect(CustomerProfile.parse({ timeZone: "Europe/Lisbon" }).timeZone).toBe("Europe/Lisbon");
    expect(CustomerProfile.safeParse({ timeZone: "Europe/Atlantis" }).success).toBe(false);
  });

  test("a budget cycle leaves an unknown fiscal-year start unknown and is planned four months ahead", () => {
    expect(CustomerProfile.parse({ budgetCycle: {} }).budgetCycle).toEqual({ planningMonths: 4 });
    expect(CustomerProfile.safeParse({ budgetCycle: { fiscalYearStartMonth: 13 } }).success).toBe(
      false,
    );
  });
});

describe("product lines, procurement stages and decision triggers (issue 12)", () => {
  const template = {
    strategy: "acme.ct-demo",
    industry: "medical-devices",
    topic: "product",
    priority: 50,
    lines: ["ct"],
    when: { signals: ["purchase-intent"] },
    title: "CT demo",
    reason: "They want CT ({quotes})",
  };
  const trigger = {
    strategy: "acme.win-back",
    priority: 60,
    when: { competitorNamed: true, noWonDealForDays: 90 },
    title: "Win back",
    reason: "No deal in {days} days ({quotes})",
  };

  test("rules stored before product lines, triggers and account facts existed still parse, with the defaults", () => {
    const old = { signals: DEFAULT_RULES.signals.slice(0, 5), actions: { disabled: [] } };
    const parsed = InsightRules.parse(old);
    expect(parsed.productLines).toBeUndefined();
    expect(parsed.actions).toEqual({ disabled: [], templates: [], triggers: [] });
    expect(parsed.accountFacts).toEqual({
      serviceResponseHours: { critical: 4, high: 8, normal: 24, low: 72 },
      contractTermMonths: 12,
    });
  });

  test("product-mention keywords come from productLines, not from a signal rule", () => {
    const signals = [{ kind: "product-mention", keywords: ["CT"] }];
    expect(refusal(InsightRules, { signals })).toMatch(/^signals.0.kind: /);
  });

  test("a product line defined twice, or with a bad id, is refused", () => {
    const line = {
      id: "ct",
      industry: "medical-devices",
      label: { zh: "CT", en: "CT" },
      keywords: ["CT"],
    };
    expect(refusal(InsightRules, { signals: [], productLines: [line, line] })).toBe(
      "productLines.1.id: ct is defined twice",
    );
    expect(refusal(InsightRules, { signals: [], productLines: [{ ...line, id: "CT" }] })).toBe(
      "productLines.0.id: must be a lower-case id such as ultrasound",
    );
  });

  test("a tenant template naming a line its vocabulary lacks is refused", () => {
    const productLines = [
      {
        id: "mri",
        industry: "medical-devices",
        label: { zh: "磁共振", en: "MRI" },
        keywords: ["MRI"],
      },
    ];
    expect(
      refusal(InsightRules, { signals: [], productLines, actions: { templates: [template] } }),
    ).toBe("actions.templates.0.lines: ct is not a product line of productLines");
  });

  test("an upgrade path needs the lines it upgrades to, and a reason that says {upgrade}", () => {
    expect(
      refusal(ActionTemplate, { ...template, lines: undefined, upgradeFrom: ["x-ray"] }),
    ).toMatch(/^upgradeFrom: an upgrade path needs lines/);
    expect(refusal(ActionTemplate, { ...template, upgradeFrom: ["x-ray"] })).toBe(
      "reason: a template with upgradeFrom must say so: use {upgrade} in every locale's reason",
    );
    expect(
      refusal(ActionTemplate, {
        ...template,
        upgradeFrom: ["x-ray"],
        reason: { zh: "{upgrade}（{quotes}）", en: "Upgrade ({quotes})" },
      }),
    ).toBe(
      "reason: a template with upgradeFrom must say so: use {upgrade} in every locale's reason",
    );
    expect(refusal(ActionTemplate, { ...template, reason: "{upgrade}" })).toBe(
      "upgradeFrom: {upgrade} names an upgrade path: set upgradeFrom",
    );
    expect(
      ActionTemplate.safeParse({
        ...template,
        upgradeFrom: ["x-ray"],
        reason: "{upgrade} ({quotes})",
      }).success,
    ).toBe(true);
  });

  test("a template may hold off until a procurement stage and name its evidence kinds", () => {
    const parsed = ActionTemplate.parse({
      ...template,
      evidence: ["product-mention"],
      when: { signals: ["purchase-intent"], stages: ["none"] },
    });
    expect(parsed.when.stages).toEqual(["none"]);
    expect(
      refusal(ActionTemplate, { ...template, when: { ...template.when, stages: ["open"] } }),
    ).toMatch(/^when.stages.0: /);
  });

  test("a trigger without a condition, or whose text uses a value its conditions do not give, is refused", () => {
    expect(refusal(DecisionTrigger, { ...trigger, reason: "Win back", when: {} })).toBe(
      "when: needs at least one condition",
    );
    expect(refusal(DecisionTrigger, { ...trigger, reason: "Act from {from}" })).toBe(
      "reason: {from} is a date of the best window: add a dated condition (openServiceRequestsPastResponse, renewalWithinDays, budgetMonth)",
    );
    expect(refusal(DecisionTrigger, { ...trigger, when: { competitorNamed: true } })).toBe(
      "reason: {days} is noWonDealForDays: set it",
    );
    expect(refusal(DecisionTrigger, { ...trigger, title: "Call {name}" })).toBe(
      "title: unknown placeholder {name}; use one of {competitor}, {months}, {quotes}, {facility}, {count}, {days}, {from}, {to}",
    );
  });

  test("trigger limits: days bounded, at most 20 triggers, no strategy twice or shared with a template", () => {
    expect(refusal(DecisionTrigger, { ...trigger, when: { noWonDealForDays: 0 } })).toMatch(
      /^when.noWonDealForDays: /,
    );
    expect(refusal(DecisionTrigger, { ...trigger, when: { renewalWithinDays: 366 } })).toMatch(
      /^when.renewalWithinDays: /,
    );
    const many = Array.from({ length: 21 }, (_, i) => ({ ...trigger, strategy: `acme.t${i}` }));
    expect(refusal(InsightRules, { signals: [], actions: { triggers: many } })).toMatch(
      /^actions.triggers: Too big/,
    );
    expect(refusal(InsightRules, { signals: [], actions: { triggers: [trigger, trigger] } })).toBe(
      "actions.triggers.1.strategy: acme.win-back is defined twice",
    );
    const shared = { ...template, strategy: "acme.win-back", lines: undefined };
    expect(
      refusal(InsightRules, { signals: [], actions: { templates: [shared], triggers: [trigger] } }),
    ).toBe(
      "actions.triggers.0.strategy: acme.win-back is already a template's strategy; feedback could not tell them apart",
    );
  });

  test("account facts: response hours and the contract term are bounded", () => {
    expect(
      refusal(InsightRules, { signals: [], accountFacts: { serviceResponseHours: { high: 0 } } }),
    ).toMatch(/^accountFacts.serviceResponseHours.high: /);
    expect(
      refusal(InsightRules, { signals: [], accountFacts: { contractTermMonths: 121 } }),
    ).toMatch(/^accountFacts.contractTermMonths: /);
  });

  test("a profile may name product lines; an industry may be software", () => {
    expect(CustomerProfile.parse({ industry: "software", productLines: ["crm"] })).toEqual({
      industry: "software",
      productLines: ["crm"],
    });
  });
});
