// The rules a tenant starts from: zh and en keyword sets per signal (the procurement
// process's gates among them), the product-line vocabulary, negation cues and no
// competitors (every tenant brings its own gazetteer). Tenants replace the whole document.
import { DEFAULT_PRODUCT_LINES } from "./product-lines-default.ts";
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
        // Not bare 预算 / budget: "the budget is approved" says nothing about price.
        ...["不太便宜", "不是很便宜", "没那么便宜", "超预算", "预算不够", "预算有限", "预算紧张"],
        ...["性价比", "成本", "费用", "付不起"],
        // Dearer than something: 贵 before a degree word, quoted whole (太贵 above already
        // covers 太贵了); 比…贵 is the second pattern below.
        ...["贵不少", "贵了不少", "贵很多", "贵了很多", "贵多了", "贵得多", "贵一截", "贵了一截"],
        ...["price", "prices", "pricing", "expensive", "too expensive", "not cheap", "cheaper"],
        ...["cost", "costs", "discount", "discounts", "quote", "quotation", "afford"],
        ...["how much", "over budget", "tight budget", "budget is tight"],
      ],
      patterns: [
        "(能|可以)(再)?(便宜|优惠|少)(一)?(点|些)",
        // 比 X 贵 within a clause. Not the courteous 贵 of 贵公司 / 贵院 / 贵方 … nor 贵州 /
        // 贵阳 / 贵重 / 贵宾 after it, nor 宝贵 / 珍贵 / 可贵 …: 比起钱，时间更宝贵 is no price.
        // 不比华康贵 is negated like any hit (the cue right before 比).
        "比[^,.!?;:，。！？；：、]{1,8}?(?<![宝珍可高富名尊])贵(?!公司|单位|[司院校方行厂局所部处科省州阳宾姓重族客干])",
      ],
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
    // ---- The procurement process: each gate keeps "close now" away while it is pending ----
    {
      kind: "tender",
      keywords: [
        ...["招标", "投标", "公开招标", "邀请招标", "招标流程", "走招标", "需要招标", "标书"],
        ...["挂网", "挂网采购", "政府采购", "政府采购平台", "采购平台", "采购网", "集采"],
        ...["集中采购", "带量采购", "招采"],
        ...["tender", "public tender", "tendering", "call for tenders", "rfp", "bidding"],
        ...["request for proposal", "request for proposals", "procurement portal"],
        ...["government procurement", "public procurement", "e-procurement"],
      ],
    },
    {
      kind: "three-quotes",
      keywords: [
        ...["三家比价", "比价", "询价", "比选", "货比三家", "三家报价", "三方比价", "至少三家"],
        ...["竞争性谈判", "竞争性磋商"],
        ...["three quotes", "three bids", "competitive quotes", "compare quotes", "rfq"],
        ...["comparing quotes", "request for quotation", "request for quote", "competing quotes"],
        "quotes from three",
      ],
    },
    {
      kind: "committee-review",
      keywords: [
        // Not bare 上会 (晚上会到) or 论证 (论证一下): the words of a meeting that decides.
        ...["论证会", "专家论证", "可行性论证", "专家评审", "评审会", "院委会", "院务会"],
        ...["院长办公会", "党委会", "采购委员会", "设备委员会", "校务会", "董事会", "要上会"],
        ...["上会讨论", "上会研究", "开会决定", "开会讨论", "集体决策", "班子会"],
        ...["committee", "purchasing committee", "procurement committee", "review board"],
        // Not bare "the board": in a classroom it is the one on the wall.
        ...["board approval", "board meeting", "the board decides", "the board meets"],
        ...["board of directors", "school board", "steering committee", "evaluation panel"],
      ],
    },
    {
      kind: "approval-pending",
      keywords: [
        // What is still waiting, not what was (领导审批过了, 审批流程走完了).
        ...["待审批", "审批中", "在审批", "还在审批", "走审批", "报审批", "等审批", "需要审批"],
        ...["要审批", "报批", "待批", "等批复", "等领导批", "领导还没批", "还没批", "还没批下来"],
        ...["等领导签字", "等领导审批", "要领导审批", "领导还在审批", "等老板批", "上级审批"],
        ...["pending approval", "approval pending", "awaiting approval", "waiting for approval"],
        ...["waiting on approval", "needs approval", "need approval", "needs sign-off"],
        ...["need sign-off", "need to get approval", "not approved yet", "yet to be approved"],
      ],
    },
    {
      kind: "budget-approved",
      keywords: [
        ...["预算已经批了", "预算批了", "预算已批", "预算批下来了", "预算已经批下来了"],
        ...["预算已经下来了", "预算下来了", "预算已经到位", "预算到位", "资金到位", "资金已经到位"],
        ...["经费已经批了", "经费批了", "经费到位", "钱已经批了", "已经立项", "预算没问题"],
        ...["预算审批通过", "预算已经审批通过"],
        ...["budget is approved", "budget has been approved", "budget was approved"],
        ...["budget approved", "budget's approved", "budget is in place", "funding is approved"],
        ...["funding approved", "funding is in place", "funds are approved", "funds approved"],
        ...["we have the budget", "we've got the budget", "got the budget", "budget signed off"],
        "budget is signed off",
      ],
    },
  ],
  productLines: DEFAULT_PRODUCT_LINES,
  negations: [
    ...["不", "没", "没有", "不是", "不太", "不算", "不算太", "不是很", "不怎么", "没那么"],
    ...["没有那么", "并没有", "无需", "不用", "不需要", "不必", "用不着", "不考虑"],
    ...["not", "no", "never", "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't"],
    ...["won't", "not too", "not very", "not that", "not so", "not really", "without"],
  ],
});
