// The rules a tenant starts from: zh and en keyword sets per signal, negation cues and no
// competitors (every tenant brings its own gazetteer). Tenants replace the whole document.
import { InsightRules } from "./schema.ts";

export const DEFAULT_RULES: InsightRules = InsightRules.parse({
  signals: [
    {
      kind: "price-sensitivity",
      keywords: [
        // 贵 alone would catch 贵公司 / 贵院 ("your company"), the politest words in a call.
        ...["价格", "价钱", "价位", "报价", "多少钱", "太贵", "很贵", "挺贵", "偏贵", "有点贵"],
        ...["比较贵", "贵了", "不便宜", "便宜", "降价", "打折", "折扣", "优惠", "让利", "砍价"],
        // Not cheap is a complaint: negated forms listed here win over the negation cue.
        ...[
          "不太便宜",
          "不是很便宜",
          "没那么便宜",
          "预算",
          "超预算",
          "性价比",
          "成本",
          "费用",
          "付不起",
        ],
        ...["price", "prices", "pricing", "expensive", "too expensive", "not cheap", "cheaper"],
        ...["cost", "costs", "discount", "discounts", "budget", "quote", "quotation", "afford"],
        "how much",
      ],
      patterns: ["(能|可以)(再)?(便宜|优惠|少)(一)?(点|些)"],
    },
    {
      kind: "service-concern",
      keywords: [
        ...["售后", "维修", "维护", "保修", "质保", "响应", "响应时间", "到场", "上门", "工程师"],
        ...["服务", "坏了", "故障", "停机", "备件", "配件", "培训", "技术支持"],
        ...["support", "service", "maintenance", "repair", "response time", "downtime"],
        ...["engineer", "warranty", "breakdown", "spare parts", "training", "sla"],
      ],
      patterns: ["(多久|多长时间|几个小时|几天)(能|可以|才能)?(到|来|响应|上门|到场|修好)"],
    },
    {
      kind: "competitor-mention",
      keywords: [
        ...["友商", "竞品", "别家", "别的厂家", "其他厂家", "其他品牌", "另一家", "另外一家"],
        ...["competitor", "competitors", "another vendor", "other vendors", "another supplier"],
      ],
    },
    {
      kind: "purchase-intent",
      keywords: [
        ...["下单", "签合同", "签约", "采购", "购买", "想买", "打算买", "准备买", "想换", "订购"],
        ...["订货", "付款", "首付", "到货", "发货", "交货", "交付", "安装", "试用", "合同"],
        ...["走流程", "立项", "招标"],
        ...["purchase order", "place an order", "sign", "contract", "buy", "purchase", "trial"],
        ...["pilot", "delivery", "go ahead", "move forward", "next steps", "invoice"],
      ],
      patterns: ["(什么时候|多久|几时|哪天)(能|可以)?(到货|发货|交货|交付|安装|签)"],
    },
    {
      kind: "objection",
      keywords: [
        ...["不需要", "不用了", "再考虑", "考虑一下", "考虑考虑", "再看看", "再说吧", "以后再说"],
        ...["回头再说", "没有预算", "没预算", "没钱", "暂时不", "已经有了", "已经在用", "不合适"],
        ...["不感兴趣", "没兴趣", "不考虑", "不着急", "太麻烦", "没时间", "领导不同意"],
        ...["not interested", "no need", "don't need", "do not need", "already have"],
        ...["not a priority", "no budget", "not right now", "maybe later", "too busy"],
        ...["think about it", "not the right time"],
      ],
    },
  ],
  negations: [
    ...["不", "没", "没有", "不是", "不太", "不算", "不算太", "不是很", "不怎么", "没那么"],
    ...["没有那么", "并没有", "无需", "不用"],
    ...["not", "no", "never", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't"],
    ...["won't", "not too", "not very", "not that", "not so", "not really", "without"],
  ],
});
