// The default rules' price words on comparative complaints: 贵 after a degree word and 比…贵
// are price, the courteous 贵 (贵公司, 贵院) and 贵 of worth (宝贵) are not, and a denied
// comparison (不比华康贵) is no complaint.
import { describe, expect, test } from "vitest";
import { TEST_RULES } from "./fixtures.ts";
import { compileRules } from "./rules.ts";
import { detectSignals } from "./signals.ts";

const rules = compileRules(TEST_RULES);
const price = (text: string) =>
  detectSignals(text, rules)
    .filter((s) => s.kind === "price-sensitivity")
    .map((s) => s.match);

describe("price-sensitivity in the default rules", () => {
  test.each([
    ["价格比华康贵不少", ["价格", "比华康贵"]],
    ["这一款贵不少", ["贵不少"]],
    ["比去年贵了不少", ["比去年贵"]],
    ["贵了不少", ["贵了不少"]],
    ["太贵了", ["太贵"]],
    ["你们比他们贵多了", ["比他们贵"]],
    ["同样的配置贵很多", ["贵很多"]],
    ["比瑞声的报价贵了一截", ["比瑞声的报价贵"]],
    ["比贵州那边贵", ["比贵州那边贵"]],
  ])("%s: a comparative complaint about price is a price signal", (text, matches) => {
    expect(price(text)).toEqual(matches);
  });

  test.each([
    "贵公司的方案我们看过了",
    "我们比较关注贵院的需求",
    "比如贵方这样的合作伙伴",
    "比起钱，时间更宝贵",
    "比什么都珍贵",
    "比别的贵重仪器好用",
  ])("%s: the courteous 贵 and 贵 of worth are no price signal", (text) => {
    expect(price(text)).toEqual([]);
  });

  test.each(["不比华康贵", "并不比华康贵", "没有比华康贵"])(
    "%s: a denied comparison is no price signal, the competitor is still named",
    (text) => {
      expect(price(text)).toEqual([]);
      expect(detectSignals(text, rules).map((s) => s.kind)).toEqual(["competitor-mention"]);
    },
  );

  test("比…贵 stays within its clause", () => {
    expect(price("比较满意，贵在服务")).toEqual([]);
  });
});
