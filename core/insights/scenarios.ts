// The scenario table of issue 12: short calls in four industries and both languages, each
// with its customer's profile (and account facts), and what must and must not be offered.
// scenarios.test.ts runs every row through analyzeCall and names each test after the rule
// it proves; the rule ids below ([P…] procurement, [L…] product lines, [E…] evidence,
// [T…] decision triggers, [S…] sentiment) group them.
import type { z } from "zod";
import { type AccountFacts, accountContextOf } from "./account.ts";
import {
  AccountFactsPolicy,
  type CustomerProfile,
  type DecisionTrigger,
  type Industry,
  type Locale,
  type ProcurementStage,
  type Sentiment,
} from "./schema.ts";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Noon in Beijing, morning in Berlin, mid-June 2026: every scenario's now. */
export const SCENARIO_NOW_MS = Date.UTC(2026, 5, 15, 4);
export const SCENARIO_TIME_ZONE: Record<Locale, string> = {
  zh: "Asia/Shanghai",
  en: "Europe/Berlin",
};

type Turn = ["c" | "r", string] | ["c", string, Sentiment];

export interface Scenario {
  /** The rule the scenario proves: the test's name. */
  rule: string;
  locale: Locale;
  industry: Industry;
  call: readonly Turn[];
  profile?: Omit<z.input<typeof CustomerProfile>, "industry">;
  account?: AccountFacts;
  /** Tenant triggers beside the built-in ones. */
  triggers?: readonly z.input<typeof DecisionTrigger>[];
  expect: {
    /** Exactly these actions, in rank order. */
    actions?: readonly string[];
    offered?: readonly string[];
    notOffered?: readonly string[];
    stage?: ProcurementStage;
    /** Exactly these triggers fire (in any order). */
    triggers?: readonly string[];
    windows?: Readonly<Record<string, { from: string; to: string } | null>>;
    /** Text a rendered action's or trigger's reason contains, by strategy. */
    reasonIncludes?: Readonly<Record<string, string>>;
    /** Words an action's or trigger's reason must not quote, by strategy. */
    notQuoted?: Readonly<Record<string, readonly string[]>>;
    /** Words no rendered reason contains: what neither the customer nor the profile said. */
    notSaid?: readonly string[];
    /** Exactly these product lines, from the customer's words and from the profile. */
    lines?: { call: readonly string[]; profile: readonly string[] };
    account?: AccountFacts["status"];
  };
}

const policy = AccountFactsPolicy.parse({});

/** Account facts as the account's views would give them, `now` relative. */
export function accountAt(facts: {
  /** Contracts both parties signed, this many days ago. */
  signedDaysAgo?: readonly number[];
  openRequests?: ReadonlyArray<{
    severity: "low" | "normal" | "high" | "critical";
    hoursAgo: number;
  }>;
}): AccountFacts {
  const iso = (ms: number) => new Date(ms).toISOString();
  const customer = {
    serviceRequests: (facts.openRequests ?? []).map((r, i) => ({
      id: `srq_${i}`,
      severity: r.severity,
      status: "open" as const,
      openedAt: iso(SCENARIO_NOW_MS - r.hoursAgo * HOUR_MS),
    })),
  };
  const contracts = (facts.signedDaysAgo ?? []).map((days, i) => ({
    id: `con_${i}`,
    status: "active" as const,
    signatures: [{ signedAt: iso(SCENARIO_NOW_MS - days * DAY_MS) }],
  }));
  // The views carry more than a context reads; the builder picks what it needs.
  const context = accountContextOf(
    customer as unknown as Parameters<typeof accountContextOf>[0],
    contracts as unknown as Parameters<typeof accountContextOf>[1],
    policy,
  );
  return { status: "read", context };
}

const neg = (p = 0.9): Sentiment => ({ label: "negative", probability: p });
const budgetHolder = { procurementAuthority: "budget-holder" } as const;
const approved = { budgetCycle: { budgetApproved: true } } as const;

/** A price comparison with a named competitor and a service demand, said in one breath. */
const E1_CALL: readonly Turn[] = [
  ["r", "这款便携彩超您看怎么样？"],
  ["c", "价格比华康贵不少，售后响应也要快。"],
];
/**
 * E1_CALL's customers: who, the profile, the price action it gets, more expectations. No
 * reason speaks of a budget the profile does not give: the customer never spoke of one.
 */
const E1_PROFILES: ReadonlyArray<
  [string, NonNullable<Scenario["profile"]>, string, Partial<Scenario["expect"]>]
> = [
  [
    "a small clinic, budget not on file",
    { scale: "small", facility: "社区诊所" },
    "generic.value-case",
    { notOffered: ["medical.leasing-or-refurbished"], notSaid: ["预算"] },
  ],
  [
    "a small clinic whose profile has no approved budget",
    {
      procurementAuthority: "recommender",
      scale: "small",
      facility: "社区诊所",
      budgetCycle: { budgetApproved: false, fiscalYearStartMonth: 1 },
    },
    "medical.leasing-or-refurbished",
    { reasonIncludes: { "medical.leasing-or-refurbished": "按客户档案设备采购预算尚未获批" } },
  ],
  [
    "a mid-sized hospital buying by committee",
    { procurementAuthority: "committee", scale: "medium" },
    "generic.value-case",
    { stage: "committee-review", notSaid: ["预算"] },
  ],
  [
    "a tertiary hospital's budget holder with the budget approved",
    { ...budgetHolder, ...approved, scale: "large" },
    "generic.value-case",
    { stage: "none", notOffered: ["medical.leasing-or-refurbished", "generic.close-now"] },
  ],
];

export const SCENARIOS: readonly Scenario[] = [
  // ---- [P] The procurement process is read from the call ----
  {
    rule: "[P1] budget approved but a tender required: the tender action, never close-now (medical)",
    locale: "zh",
    industry: "medical-devices",
    call: [
      ["r", "王处长，设备的事情推进得怎么样了？"],
      ["c", "预算已经批了，但是要走招标流程。"],
    ],
    profile: { ...budgetHolder, scale: "large" },
    expect: {
      stage: "tender",
      offered: ["medical.tender-compliance"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P1] budget approved but a tender required: the tender action, never close-now (any industry)",
    locale: "zh",
    industry: "other",
    call: [
      ["r", "王处长，项目推进得怎么样了？"],
      ["c", "预算已经批了，但是要走招标流程。"],
    ],
    profile: budgetHolder,
    expect: {
      stage: "tender",
      offered: ["generic.tender-process"],
      notOffered: ["generic.close-now", "generic.value-case"],
      reasonIncludes: { "generic.tender-process": "“走招标”" },
    },
  },
  {
    rule: "[P1] a public tender named in English keeps close-now away",
    locale: "en",
    industry: "manufacturing",
    call: [
      ["r", "Where do we stand on the two lines?"],
      ["c", "The budget is approved, but it has to go out to public tender. We want to buy both."],
    ],
    profile: { ...budgetHolder, scale: "medium" },
    expect: {
      stage: "tender",
      offered: ["generic.tender-process"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P1] a government procurement platform is a tender",
    locale: "zh",
    industry: "education",
    call: [
      ["r", "交互大屏的事情定了吗？"],
      ["c", "这批交互大屏要挂到政府采购平台上。"],
    ],
    profile: { ...budgetHolder, ...approved, scale: "medium" },
    expect: {
      stage: "tender",
      offered: ["generic.tender-process", "education.display-demo-lesson"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P2] three quotes required: the quote-comparison action, never close-now",
    locale: "zh",
    industry: "manufacturing",
    call: [
      ["r", "这台设备您考虑得怎么样？"],
      ["c", "我们想买，不过按规定要三家比价。"],
    ],
    profile: { ...budgetHolder, ...approved },
    expect: {
      stage: "three-quotes",
      offered: ["generic.three-quotes"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P2] three quotes in English: the quote-comparison action",
    locale: "en",
    industry: "software",
    call: [
      ["r", "Shall I send the order form?"],
      ["c", "We'd like to buy, but policy says we need three quotes."],
    ],
    profile: { ...budgetHolder, ...approved },
    expect: {
      stage: "three-quotes",
      offered: ["generic.three-quotes", "software.sandbox-trial"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P3] a committee review pending: the review action, never close-now",
    locale: "zh",
    industry: "medical-devices",
    call: [
      ["r", "彩超的方案您看了吗？"],
      ["c", "想采购一台彩超，下个月要上院务会。"],
    ],
    profile: { ...budgetHolder, scale: "medium" },
    expect: {
      stage: "committee-review",
      offered: ["generic.committee-review", "medical.mid-range-upgrade-path"],
      notOffered: ["generic.close-now", "medical.flagship-imaging-demo"],
    },
  },
  {
    rule: "[P3] the board deciding, in English: the review action",
    locale: "en",
    industry: "education",
    call: [
      ["r", "How did the pilot go?"],
      ["c", "We want to move forward; the board meets in May to decide."],
    ],
    expect: {
      stage: "committee-review",
      offered: ["generic.committee-review"],
      notOffered: ["generic.close-now", "generic.qualify-decision"],
    },
  },
  {
    rule: "[P3] a recommender facing a committee gets the business case for it",
    locale: "zh",
    industry: "medical-devices",
    call: [
      ["r", "主任，超声的事情您看怎么推进？"],
      ["c", "我想买，但要院里开会决定。"],
    ],
    profile: { procurementAuthority: "recommender", scale: "small", productLines: ["ultrasound"] },
    expect: {
      stage: "committee-review",
      offered: ["generic.champion-business-case", "medical.entry-ultrasound-trial"],
      notOffered: ["generic.close-now", "generic.committee-review"],
    },
  },
  {
    rule: "[P4] approval pending: the approval follow-up, never close-now",
    locale: "zh",
    industry: "software",
    call: [
      ["r", "合同版本您这边确认了吗？"],
      ["c", "想签合同，但还在等领导审批。"],
    ],
    profile: { ...budgetHolder, ...approved },
    expect: {
      stage: "approval-pending",
      offered: ["generic.approval-follow-up"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P4] pending approval in English: the approval follow-up",
    locale: "en",
    industry: "manufacturing",
    call: [
      ["r", "Anything else before we send the contract?"],
      ["c", "We're ready to sign; it is still pending approval from finance."],
    ],
    profile: { ...budgetHolder, ...approved },
    expect: {
      stage: "approval-pending",
      offered: ["generic.approval-follow-up"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P5] several gates: the most binding (tender) decides the stage",
    locale: "zh",
    industry: "medical-devices",
    call: [
      ["r", "CT的项目进展如何？"],
      ["c", "论证会开完了，还要走公开招标，我们肯定要买。"],
    ],
    profile: { ...budgetHolder, scale: "large" },
    expect: {
      stage: "tender",
      offered: ["medical.tender-compliance"],
      notOffered: ["generic.close-now", "generic.committee-review"],
    },
  },
  {
    rule: "[P6] no gate pending and a budget holder: close-now (English)",
    locale: "en",
    industry: "other",
    call: [
      ["r", "Thanks for your time. How is the pilot going?"],
      ["c", "Great. We'd like to move forward and sign this quarter."],
    ],
    profile: budgetHolder,
    expect: { stage: "none", offered: ["generic.close-now"] },
  },
  {
    rule: "[P6] no gate pending and a budget holder: close-now (Chinese)",
    locale: "zh",
    industry: "manufacturing",
    call: [
      ["r", "那我们下周把合同发过来？"],
      ["c", "没问题，我们下周签合同。"],
    ],
    profile: { ...budgetHolder, ...approved },
    expect: { stage: "none", offered: ["generic.close-now"] },
  },
  {
    rule: "[P7] the profile's public tender is a gate too: tender preparation, never close-now",
    locale: "en",
    industry: "other",
    call: [["c", "We plan to purchase ten units this year."]],
    profile: { procurementAuthority: "tender" },
    expect: {
      stage: "tender",
      offered: ["generic.tender-prep"],
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[P8] a tender denied is no gate: close-now stays",
    locale: "zh",
    industry: "other",
    call: [["c", "这次不需要招标，我们直接签合同。"]],
    profile: { ...budgetHolder, ...approved },
    expect: { stage: "none", offered: ["generic.close-now"] },
  },
  {
    rule: "[P9] a budget approved in the call outweighs the profile's unapproved one",
    locale: "zh",
    industry: "other",
    call: [["c", "预算批下来了，想尽快签合同。"]],
    profile: { ...budgetHolder, budgetCycle: { budgetApproved: false, fiscalYearStartMonth: 1 } },
    expect: { stage: "none", offered: ["generic.close-now"] },
  },
  // ---- [L] Actions stay within the product lines the call and the profile touch ----
  {
    rule: "[L1] an ultrasound call at a tertiary hospital is never offered MRI / CT",
    locale: "zh",
    industry: "medical-devices",
    call: [
      ["r", "您好，门诊设备的事情想跟您聊聊。"],
      ["c", "我们想采购几台彩超，放在门诊用。"],
    ],
    profile: { ...budgetHolder, scale: "large" },
    expect: {
      lines: { call: ["ultrasound"], profile: [] },
      offered: ["generic.close-now"],
      notOffered: ["medical.flagship-imaging-demo", "medical.ct-upgrade-from-x-ray"],
    },
  },
  {
    rule: "[L1] an ultrasound call in English at a large hospital is never offered MRI / CT",
    locale: "en",
    industry: "medical-devices",
    call: [["c", "We want to buy ultrasound scanners for the emergency department."]],
    profile: { scale: "large" },
    expect: {
      lines: { call: ["ultrasound"], profile: [] },
      offered: ["generic.qualify-decision"],
      notOffered: ["medical.flagship-imaging-demo", "medical.ct-upgrade-from-x-ray"],
    },
  },
  {
    rule: "[L1] a product the rep names is not the customer's: the rep's CT does not make an ultrasound call about CT",
    locale: "zh",
    industry: "medical-devices",
    call: [
      ["r", "我们的CT和磁共振在省里口碑也很好。"],
      ["c", "我们只想买超声。"],
    ],
    profile: { scale: "large" },
    expect: {
      lines: { call: ["ultrasound"], profile: [] },
      offered: ["generic.qualify-decision"],
      notOffered: ["medical.flagship-imaging-demo", "medical.ct-upgrade-from-x-ray"],
    },
  },
  {
    rule: "[L2] a tertiary hospital that wants MRI is offered the flagship reference visit",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "我们准备买一台磁共振，今年就要定下来。"]],
    profile: { scale: "large" },
    expect: { offered: ["medical.flagship-imaging-demo"] },
  },
  {
    rule: "[L3] an upgrade path is offered only as one, and its reason says so (zh)",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "放射科那台X光机太旧了，想换一台新的。"]],
    profile: { scale: "large", facility: "市人民医院" },
    expect: {
      offered: ["medical.ct-upgrade-from-x-ray"],
      notOffered: ["medical.flagship-imaging-demo"],
      reasonIncludes: { "medical.ct-upgrade-from-x-ray": "升级路径：X光（DR） → CT" },
    },
  },
  {
    rule: "[L3] an upgrade path is offered only as one, and its reason says so (en)",
    locale: "en",
    industry: "medical-devices",
    call: [["c", "We want to buy a new X-ray system for radiology."]],
    profile: { scale: "large" },
    expect: {
      offered: ["medical.ct-upgrade-from-x-ray"],
      reasonIncludes: {
        "medical.ct-upgrade-from-x-ray": "an upgrade path from X-ray (DR) to CT",
      },
    },
  },
  {
    rule: "[L4] the profile's product lines count like the call's",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "想买一台，价格能便宜点吗？"]],
    profile: { scale: "small", productLines: ["ultrasound"], facility: "社区卫生服务中心" },
    expect: { offered: ["medical.entry-ultrasound-trial"] },
  },
  {
    rule: "[L4] no product line anywhere: no product-specific action, only the generic ones",
    locale: "en",
    industry: "medical-devices",
    call: [["c", "We plan to buy new equipment next quarter."]],
    profile: { scale: "large" },
    expect: {
      notOffered: [
        "medical.flagship-imaging-demo",
        "medical.ct-upgrade-from-x-ray",
        "medical.lab-reagent-placement",
      ],
      offered: ["generic.qualify-decision"],
    },
  },
  {
    rule: "[L5] interactive displays get a demonstration lesson, not a platform trial",
    locale: "zh",
    industry: "education",
    call: [["c", "想给每个教室配交互大屏，价格大概多少？"]],
    profile: { scale: "small", facility: "实验小学" },
    expect: {
      offered: ["education.display-demo-lesson"],
      notOffered: ["education.platform-sandbox"],
    },
  },
  {
    rule: "[L5] a learning platform gets teacher trial accounts",
    locale: "en",
    industry: "education",
    call: [["c", "We are looking to purchase a learning platform for forty teachers."]],
    profile: { scale: "medium" },
    expect: {
      offered: ["education.platform-sandbox"],
      notOffered: ["education.display-demo-lesson"],
    },
  },
  {
    rule: "[L6] machining centres get a test cut, not a robot cell simulation",
    locale: "zh",
    industry: "manufacturing",
    call: [["c", "想买两台加工中心，价格能不能再优惠点？"]],
    profile: { scale: "medium" },
    expect: {
      offered: ["manufacturing.cnc-test-cut"],
      notOffered: ["manufacturing.robot-cell-simulation"],
    },
  },
  {
    rule: "[L6] welding robots get a cell simulation",
    locale: "en",
    industry: "manufacturing",
    call: [["c", "We plan to buy welding robots for line 2."]],
    profile: { scale: "large" },
    expect: {
      offered: ["manufacturing.robot-cell-simulation"],
      notOffered: ["manufacturing.cnc-test-cut"],
    },
  },
  {
    rule: "[L7] a CRM purchase beside an ERP gets an integration proof",
    locale: "zh",
    industry: "software",
    call: [["c", "打算采购你们的CRM，要和现有的ERP打通。"]],
    expect: { offered: ["software.integration-proof"] },
  },
  {
    rule: "[L7] seats without a named system get a trial, not an integration proof",
    locale: "en",
    industry: "software",
    call: [["c", "We'd like to purchase fifty seats."]],
    expect: { offered: ["software.sandbox-trial"], notOffered: ["software.integration-proof"] },
  },
  {
    rule: "[L8] lab analysers and reagents get a placement offer",
    locale: "en",
    industry: "medical-devices",
    call: [["c", "We want to buy a chemistry analyzer, and reagents cost us a lot."]],
    profile: { scale: "medium" },
    expect: {
      offered: ["medical.lab-reagent-placement"],
      notOffered: ["medical.mid-range-upgrade-path"],
    },
  },
  // ---- [E] Every reason quotes evidence that supports it ----
  ...E1_PROFILES.map(
    ([who, profile, price, extra]): Scenario => ({
      rule: `[E1] 价格比华康贵不少，售后响应也要快 at ${who}: competitor, service and ${price}, each quoting what it speaks of`,
      locale: "zh",
      industry: "medical-devices",
      call: E1_CALL,
      profile,
      expect: {
        ...extra,
        // The rep's 便携彩超 is no product line of the customer's.
        lines: { call: [], profile: [] },
        actions: ["generic.competitor-comparison", "medical.local-engineer", price],
        reasonIncludes: {
          "generic.competitor-comparison": "华康医疗（“华康”）",
          "medical.local-engineer": "（“售后”、“响应”）",
          [price]: "（“价格”、“比华康贵”）",
          ...extra.reasonIncludes,
        },
        notQuoted: {
          "generic.competitor-comparison": ["价格", "比华康贵", "售后"],
          "medical.local-engineer": ["价格", "华康", "比华康贵"],
          [price]: ["华康", "售后", "响应"],
        },
      },
    }),
  ),
  {
    rule: "[E2] a reason about a small facility's ultrasound never quotes a price word",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "超声多少钱？"]],
    profile: { scale: "small", facility: "社区卫生服务中心" },
    expect: {
      offered: ["medical.entry-ultrasound-trial"],
      reasonIncludes: { "medical.entry-ultrasound-trial": "（“超声”）" },
      notQuoted: { "medical.entry-ultrasound-trial": ["多少钱"] },
    },
  },
  {
    rule: "[E3] price and support complaints in English get the value case and a service commitment",
    locale: "en",
    industry: "other",
    call: [["c", "Honestly the price is too high and support is slow."]],
    expect: {
      offered: ["generic.value-case", "generic.sla-commitment"],
      notQuoted: { "generic.sla-commitment": ["price"], "generic.value-case": ["support"] },
    },
  },
  {
    rule: "[E4] a budget plan quotes what was said about the purchase, not a process word",
    locale: "zh",
    industry: "education",
    call: [["c", "今年没预算了，想买也得放到明年。"]],
    profile: { budgetCycle: { budgetApproved: false, fiscalYearStartMonth: 9 } },
    expect: {
      offered: ["generic.budget-plan"],
      reasonIncludes: { "generic.budget-plan": "“没预算”" },
    },
  },
  // ---- [T] Decision triggers over call signals and account facts ----
  {
    rule: "[T1] a competitor named with a price question and no deal won for 90 days: win-back",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "华康的报价比你们低不少。"]],
    account: accountAt({ signedDaysAgo: [200] }),
    expect: {
      account: "read",
      triggers: ["trigger.competitor-price-win-back"],
      windows: { "trigger.competitor-price-win-back": null },
      reasonIncludes: { "trigger.competitor-price-win-back": "90天内没有与我们成交" },
    },
  },
  {
    rule: "[T1] a deal won 30 days ago: no win-back trigger",
    locale: "en",
    industry: "manufacturing",
    call: [["c", "HK Medical quoted a lower price than you did."]],
    account: accountAt({ signedDaysAgo: [30] }),
    // The call's half holds (a competitor named, price raised): only the deal keeps it away.
    expect: {
      account: "read",
      triggers: [],
      offered: ["generic.competitor-comparison", "manufacturing.downtime-payback"],
    },
  },
  {
    rule: "[T1] a customer that never bought from us: win-back",
    locale: "en",
    industry: "software",
    call: [["c", "Ruisheng Imaging is cheaper; what is your price?"]],
    account: accountAt({}),
    expect: { triggers: ["trigger.competitor-price-win-back"] },
  },
  {
    rule: "[T1] a competitor not in the gazetteer is no named competitor: no win-back",
    locale: "zh",
    industry: "manufacturing",
    call: [["c", "友商的价格比你们便宜。"]],
    account: accountAt({}),
    expect: { triggers: [], offered: ["generic.competitor-comparison"] },
  },
  {
    rule: "[T2] a service request past its response time: service recovery first, with its window",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "你们上次的维修到现在还没人来。"]],
    account: accountAt({ openRequests: [{ severity: "high", hoursAgo: 48 }] }),
    expect: {
      triggers: ["trigger.service-recovery"],
      windows: { "trigger.service-recovery": { from: "2026-06-13", to: "2026-06-15" } },
      offered: ["medical.local-engineer"],
    },
  },
  {
    rule: "[T2] an open request still within its response time: no service trigger",
    locale: "en",
    industry: "education",
    call: [["c", "The training went fine."]],
    account: accountAt({ openRequests: [{ severity: "normal", hoursAgo: 3 }] }),
    expect: { account: "read", triggers: [], offered: ["education.teacher-training"] },
  },
  {
    rule: "[T3] a contract renewing within 60 days: the renewal trigger and its window",
    locale: "zh",
    industry: "manufacturing",
    call: [["c", "设备用得还不错。"]],
    account: accountAt({ signedDaysAgo: [330] }),
    expect: {
      triggers: ["trigger.renewal-window"],
      windows: { "trigger.renewal-window": { from: "2026-05-21", to: "2026-07-20" } },
    },
  },
  {
    rule: "[T3] a renewal 100 days away: no renewal trigger yet, though a 120-day one fires",
    locale: "en",
    industry: "software",
    call: [["c", "The team uses it every day."]],
    account: accountAt({ signedDaysAgo: [265] }),
    triggers: [
      {
        strategy: "acme.early-renewal",
        priority: 60,
        when: { renewalWithinDays: 120 },
        title: "Plan the renewal early",
        reason: "The contract renews by {to}; plan from {from}.",
      },
    ],
    expect: {
      account: "read",
      triggers: ["acme.early-renewal"],
      windows: { "acme.early-renewal": { from: "2026-05-26", to: "2026-09-23" } },
    },
  },
  {
    rule: "[T4] the customer's budget month: the budget trigger with the planning window",
    locale: "en",
    industry: "education",
    call: [["c", "We are interested in the lab equipment."]],
    profile: { budgetCycle: { fiscalYearStartMonth: 9 } },
    expect: {
      triggers: ["trigger.budget-month"],
      windows: { "trigger.budget-month": { from: "2026-05-01", to: "2026-08-31" } },
      account: "none",
    },
  },
  {
    rule: "[T4] no fiscal-year start on file: no budget month is guessed",
    locale: "zh",
    industry: "education",
    call: [["c", "我们对录播教室有兴趣。"]],
    profile: { budgetCycle: { budgetApproved: false } },
    expect: { lines: { call: ["recording"], profile: [] }, triggers: [] },
  },
  {
    rule: "[T5] an account that could not be read: no account trigger, the analysis says why",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "华康的报价比你们低不少。"]],
    account: { status: "unavailable", reason: "the account could not be read: timeout" },
    expect: {
      account: "unavailable",
      triggers: [],
      offered: ["generic.competitor-comparison"],
    },
  },
  {
    rule: "[T5] a call without a customer: no account trigger",
    locale: "en",
    industry: "other",
    call: [["c", "Your support never answered our ticket."]],
    expect: { account: "none", triggers: [], offered: ["generic.sla-commitment"] },
  },
  {
    rule: "[T6] a tenant trigger over a tender and a renewal fires with the renewal's window",
    locale: "zh",
    industry: "medical-devices",
    call: [["c", "续签的事情今年要走招标。"]],
    account: accountAt({ signedDaysAgo: [330] }),
    triggers: [
      {
        strategy: "acme.tender-renewal",
        priority: 95,
        when: { stages: ["tender"], renewalWithinDays: 90 },
        title: {
          zh: "续约走招标：提前准备投标",
          en: "The renewal goes to tender: prepare the bid",
        },
        reason: {
          zh: "客户说续约要走招标，合同{to}到期；从{from}起准备。",
          en: "The renewal goes to tender and the contract ends {to}; prepare from {from}.",
        },
      },
    ],
    expect: {
      triggers: ["acme.tender-renewal", "trigger.renewal-window"],
      windows: { "acme.tender-renewal": { from: "2026-04-21", to: "2026-07-20" } },
      notOffered: ["generic.close-now"],
    },
  },
  {
    rule: "[T7] a trigger over the budget month and a renewal acts where both windows overlap",
    locale: "en",
    industry: "software",
    call: [["c", "We like the dashboards."]],
    profile: { budgetCycle: { fiscalYearStartMonth: 8, planningMonths: 3 } },
    account: accountAt({ signedDaysAgo: [330] }),
    triggers: [
      {
        strategy: "acme.renewal-in-budget",
        priority: 70,
        when: { budgetMonth: true, renewalWithinDays: 60 },
        title: "Fold the renewal into next year's budget",
        reason: "The budget is drawn up while the contract renews: act {from} to {to}.",
      },
    ],
    expect: {
      triggers: ["acme.renewal-in-budget", "trigger.budget-month", "trigger.renewal-window"],
      windows: {
        "acme.renewal-in-budget": { from: "2026-05-21", to: "2026-07-20" },
        "trigger.budget-month": { from: "2026-05-01", to: "2026-07-31" },
      },
    },
  },
  // ---- [S] Sentiment, three classes ----
  {
    rule: "[S1] three clearly negative customer turns escalate to a manager",
    locale: "zh",
    industry: "manufacturing",
    call: [
      ["c", "你们的设备又停了。", neg()],
      ["c", "这已经是这个月第三次了。", neg()],
      ["c", "我们很失望。", neg()],
    ],
    expect: { offered: ["generic.manager-call"] },
  },
  {
    rule: "[S2] a greeting is evidence of nothing: no action, no trigger",
    locale: "en",
    industry: "software",
    call: [
      ["r", "Hi, thanks for taking the call."],
      ["c", "Hi, sure, happy to talk.", { label: "neutral", probability: 0.93 }],
    ],
    expect: { actions: [], triggers: [], stage: "none" },
  },
];
