// Test fixtures shared by core and API tests: a 20-utterance Chinese sales call to a community
// clinic, a fictitious competitor gazetteer, the sentiment a model might give, the customer;
// and analysed utterances made to order.
import { DEFAULT_RULES } from "./rules-default.ts";
import {
  CustomerProfile,
  InsightRules,
  type Sentiment,
  type Signal,
  type SignalKind,
  type Speaker,
  Transcript,
} from "./schema.ts";

/**
 * An analysed utterance without sentiment, its signals given as [kind, match, name?]: name
 * is the competitor of a competitor-mention, the line of a product-mention.
 */
export function turnOf(speaker: Speaker, ...signals: Array<[SignalKind, string, string?]>) {
  return {
    speaker,
    sentiment: null,
    signals: signals.map(([kind, match, name]): Signal => {
      const signal: Signal = { kind, match, start: 0, end: match.length };
      if (name && kind === "competitor-mention") signal.competitor = name;
      if (name && kind === "product-mention") signal.productLine = name;
      return signal;
    }),
  };
}

/** Fictitious companies: no real vendor is named in tests. */
export const TEST_COMPETITORS = [
  { name: "华康医疗", aliases: ["华康", "HK Medical"] },
  { name: "瑞声影像", aliases: ["瑞声", "Ruisheng Imaging"] },
];

export const TEST_RULES: InsightRules = InsightRules.parse({
  ...DEFAULT_RULES,
  competitors: TEST_COMPETITORS,
});

export const CLINIC_CALL: Transcript = Transcript.parse([
  {
    speaker: "rep",
    atMs: 0,
    text: "王主任您好，我是康达医疗的小李，上次跟您约好今天聊一下超声设备的事情。",
  },
  {
    speaker: "customer",
    atMs: 6_000,
    text: "你好，我们科室那台超声用了快十年了，图像不太清楚，确实想换一台。",
  },
  {
    speaker: "rep",
    atMs: 14_000,
    text: "明白。我们这款便携彩超很适合社区医院，操作简单，基层医生上手很快。",
  },
  { speaker: "rep", atMs: 21_000, text: "而且我们在区里有工程师，售后都是本地团队负责。" },
  { speaker: "customer", atMs: 26_000, text: "价格大概多少？华康上个月给我们的报价比你们低不少。" },
  { speaker: "rep", atMs: 33_000, text: "我们的报价是二十八万，包含三年保修和操作培训。" },
  {
    speaker: "customer",
    atMs: 39_000,
    text: "二十八万还是太贵了，我们今年的预算已经用得差不多了。",
  },
  { speaker: "rep", atMs: 46_000, text: "理解，这个价位我们可以看看有没有分期的方案。" },
  {
    speaker: "customer",
    atMs: 51_000,
    text: "还有就是售后，设备坏了你们多久能到现场？之前的机器修一次要等一个多星期。",
  },
  { speaker: "rep", atMs: 60_000, text: "我们承诺四小时响应，二十四小时内工程师到场。" },
  { speaker: "customer", atMs: 66_000, text: "瑞声的销售也来过，说可以先放一台机器过来用三个月。" },
  { speaker: "rep", atMs: 73_000, text: "我们也可以安排一个月的试用，您看下个月方便吗？" },
  {
    speaker: "customer",
    atMs: 80_000,
    text: "试用可以考虑，但是最后买不买不是我一个人说了算，要院里开会决定。",
  },
  { speaker: "rep", atMs: 88_000, text: "没问题，我可以准备一份资料，方便您在院务会上介绍。" },
  {
    speaker: "customer",
    atMs: 94_000,
    text: "好的。不过今年肯定没有预算了，只能放到明年的预算里。",
  },
  {
    speaker: "rep",
    atMs: 101_000,
    text: "明年的预算一般什么时候报？我们可以配合提供报价单和参数。",
  },
  { speaker: "customer", atMs: 108_000, text: "十一月底之前要把设备采购计划报上去。" },
  { speaker: "rep", atMs: 115_000, text: "好的，那我们这两周把方案和华康的对比资料一起发给您。" },
  {
    speaker: "customer",
    atMs: 121_000,
    text: "可以，你们的售后要是真能做到四小时响应，我们会优先考虑。",
  },
  { speaker: "rep", atMs: 128_000, text: "谢谢王主任，我下周二把资料送过来。" },
]);

const p = (label: Sentiment["label"], probability: number): Sentiment => ({ label, probability });

/** Two clearly negative customer turns (price, service); one more would trigger escalation. */
export const CLINIC_CALL_SENTIMENT: readonly Sentiment[] = [
  p("positive", 0.71),
  p("positive", 0.55),
  p("positive", 0.83),
  p("positive", 0.77),
  p("negative", 0.64),
  p("positive", 0.6),
  p("negative", 0.86),
  p("positive", 0.58),
  p("negative", 0.91),
  p("positive", 0.8),
  p("negative", 0.52),
  p("positive", 0.74),
  p("positive", 0.66),
  p("positive", 0.79),
  p("negative", 0.62),
  p("positive", 0.57),
  p("negative", 0.51),
  p("positive", 0.69),
  p("positive", 0.81),
  p("positive", 0.88),
];

/** A community clinic whose department head recommends and whose board decides. */
export const CLINIC_PROFILE: CustomerProfile = CustomerProfile.parse({
  industry: "medical-devices",
  scale: "small",
  facility: "社区卫生服务中心",
  procurementAuthority: "recommender",
  budgetCycle: { fiscalYearStartMonth: 1, budgetApproved: false },
});

/** Mid-October in Beijing: next year's budget plan is being drawn up. */
export const CLINIC_CALL_NOW_MS = Date.UTC(2026, 9, 15, 2, 0);
export const CLINIC_TIME_ZONE = "Asia/Shanghai";
