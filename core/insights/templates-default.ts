// Built-in next-best-action templates: generic ones for any industry and templates for
// medical devices, education, manufacturing and software, each with the constraints that
// keep it honest (who can sign, how big the buyer is, where the budget cycle stands, which
// procurement gate is pending, which product lines are in play). Each quotes only the
// signal kinds its reason speaks of, and says what to do in Simplified Chinese and in
// English, with the same placeholders in both.
import { z } from "zod";
import { ActionTemplate } from "./schema.ts";

const NOT_PLANNING = ["approved", "unapproved", "unknown"] as const;
/** Intent and the product lines the template is about: what a product action quotes. */
const PRODUCT_EVIDENCE = ["purchase-intent", "product-mention"] as const;

export const DEFAULT_TEMPLATES: readonly ActionTemplate[] = z.array(ActionTemplate).parse([
  // ---- Closing: what the contact can actually do with an offer, and the process first ----
  {
    strategy: "generic.close-now",
    industry: "any",
    topic: "close",
    priority: 90,
    when: {
      signals: ["purchase-intent"],
      authorities: ["budget-holder"],
      budget: ["approved", "unknown"],
      stages: ["none"],
    },
    title: {
      zh: "立即发送报价单和合同，推动签约",
      en: "Send the quote and contract for signature now",
    },
    reason: {
      zh: "客户已表达购买意向（{quotes}），且对接人掌握预算。",
      en: "The customer signalled intent to buy ({quotes}) and the contact holds the budget.",
    },
  },
  {
    strategy: "generic.tender-process",
    industry: "any",
    topic: "close",
    priority: 89,
    when: { signals: ["tender"], stages: ["tender"] },
    title: {
      zh: "按招标流程推进：拿到招标文件，备好资质和参数",
      en: "Work to the tender: get its documents, ready the qualifications and parameters",
    },
    reason: {
      zh: "客户说这次采购要走招标（{quotes}）；招标完成前签不了合同，先把资质、技术参数和投标时间表准备好。",
      en: "The customer said the purchase goes through a tender ({quotes}); no contract can be signed before it, so ready the qualifications, parameters and bid timetable.",
    },
  },
  {
    strategy: "generic.tender-prep",
    industry: "any",
    topic: "close",
    priority: 88,
    when: { signals: ["purchase-intent"], authorities: ["tender"] },
    title: {
      zh: "准备投标文件，完成供应商注册",
      en: "Prepare the tender documents and register as a supplier",
    },
    reason: {
      zh: "客户有采购意向（{quotes}），按其档案须走公开招标；招标完成前无法签订合同。",
      en: "The customer intends to buy ({quotes}) and, by its profile, buys by public tender; a contract cannot be signed before it.",
    },
  },
  {
    strategy: "generic.three-quotes",
    industry: "any",
    topic: "close",
    priority: 87,
    when: { signals: ["three-quotes"], stages: ["three-quotes"] },
    title: {
      zh: "准备比价：报价逐项列清，写明差异化价值",
      en: "Prepare for the quote comparison: itemise the quote and what sets it apart",
    },
    reason: {
      zh: "客户说要几家比价（{quotes}）；报价逐项列清，并写明服务、交期和质保上别家比不了的价值。",
      en: "The customer is comparing quotes ({quotes}); itemise the quote and state the service, delivery and warranty value others cannot match.",
    },
  },
  {
    strategy: "generic.committee-review",
    industry: "any",
    topic: "close",
    priority: 86,
    // A recommender facing a committee is better served by the business case for it.
    when: {
      signals: ["committee-review"],
      stages: ["committee-review"],
      authorities: ["budget-holder", "committee", "none", "unknown"],
    },
    title: {
      zh: "为评审会准备材料，争取到会汇报",
      en: "Prepare the review meeting's materials and ask to present",
    },
    reason: {
      zh: "客户说采购要经过评审或上会（{quotes}）；会前把方案、参考案例和预算测算交到评审人手里。",
      en: "The customer said the purchase goes to a review ({quotes}); get the proposal, references and cost figures to the reviewers before the meeting.",
    },
  },
  {
    strategy: "generic.approval-follow-up",
    industry: "any",
    topic: "close",
    priority: 85,
    when: { signals: ["approval-pending"], stages: ["approval-pending"] },
    title: {
      zh: "跟进审批：问清卡在哪一级、还缺什么材料",
      en: "Follow the approval: find out where it waits and what it still needs",
    },
    reason: {
      zh: "客户说还在等审批（{quotes}）；审批完成前不催签约，先帮对接人补齐审批材料。",
      en: "The customer is waiting for approval ({quotes}); do not push for signature before it, help the contact complete what the approval needs.",
    },
  },
  {
    strategy: "generic.champion-business-case",
    industry: "any",
    topic: "close",
    priority: 84,
    when: { signals: ["purchase-intent"], authorities: ["recommender"] },
    title: {
      zh: "为内部推动者准备一页商业论证，供决策层审阅",
      en: "Equip your champion with a business case for the decision makers",
    },
    reason: {
      zh: "对接人有意向（{quotes}），但并非签字人；为其准备投资回报测算、参考案例和一页商业论证，便于向上汇报。",
      en: "The contact is interested ({quotes}) but does not sign; give them the ROI figures, references and a one-page case to present.",
    },
  },
  {
    strategy: "generic.committee-presentation",
    industry: "any",
    topic: "close",
    priority: 84,
    when: { signals: ["purchase-intent"], authorities: ["committee"] },
    title: {
      zh: "争取在采购委员会上做方案汇报",
      en: "Ask for a slot to present to the purchasing committee",
    },
    reason: {
      zh: "客户有意采购（{quotes}），由采购委员会决策。",
      en: "The customer intends to buy ({quotes}) and a committee decides.",
    },
  },
  {
    strategy: "generic.qualify-decision",
    industry: "any",
    topic: "close",
    priority: 80,
    when: { signals: ["purchase-intent"], authorities: ["none", "unknown"] },
    title: {
      zh: "先弄清谁拍板、客户走什么采购流程",
      en: "Find out who signs and how the customer buys",
    },
    reason: {
      zh: "客户有购买意向（{quotes}），但我们还没有接触到能拍板的人；报价前先摸清决策链。",
      en: "The customer shows intent ({quotes}) but we do not know a contact who can decide; qualify before sending an offer.",
    },
  },
  // ---- Budget and price ----
  {
    strategy: "generic.budget-plan",
    industry: "any",
    topic: "budget",
    priority: 86,
    when: {
      signals: ["price-sensitivity", "objection", "purchase-intent"],
      budget: ["planning"],
    },
    title: { zh: "争取列入明年预算", en: "Get the purchase into next year's budget plan" },
    reason: {
      zh: "客户谈到了这笔采购（{quotes}），但预算尚未批复，距下一财年开始还有{months}个月；与其现在降价，不如协助{facility}把它做进预算。",
      en: "The customer talked about this purchase ({quotes}) but the budget is not approved and the next fiscal year starts in {months} month(s); help {facility} plan it instead of discounting now.",
    },
  },
  {
    strategy: "generic.value-case",
    industry: "any",
    topic: "price",
    priority: 70,
    when: { signals: ["price-sensitivity"], budget: ["approved", "unknown"] },
    title: { zh: "先讲清价值，再谈折扣", en: "Make the value case before talking discount" },
    reason: {
      zh: "客户提到了价格（{quotes}）；让步之前，先讲清总体拥有成本和能节省的费用。",
      en: "The customer raised price ({quotes}); show total cost of ownership and savings before conceding on price.",
    },
  },
  {
    strategy: "generic.phased-payment",
    industry: "any",
    topic: "price",
    priority: 70,
    when: { signals: ["price-sensitivity"], budget: ["unapproved"] },
    title: {
      zh: "提供与今年资金相匹配的分期付款方案",
      en: "Offer phased payment that fits this year's funds",
    },
    reason: {
      zh: "客户提到了价格（{quotes}），且预算尚未批复；分期付款可以减少眼下需要筹措的资金。",
      en: "The customer raised price ({quotes}) and no budget is approved yet; spreading payments lowers what must be found now.",
    },
  },
  // ---- Service, competitors, objections, mood ----
  {
    strategy: "generic.sla-commitment",
    industry: "any",
    topic: "service",
    priority: 74,
    when: { signals: ["service-concern"] },
    title: {
      zh: "以书面服务水平协议承诺响应时间",
      en: "Commit to response times in a written service-level agreement",
    },
    reason: {
      zh: "客户担心售后服务（{quotes}）。",
      en: "The customer is worried about service ({quotes}).",
    },
  },
  {
    strategy: "generic.competitor-comparison",
    industry: "any",
    topic: "competitor",
    priority: 76,
    when: { signals: ["competitor-mention"] },
    title: {
      zh: "发送与{competitor}的逐项对比资料",
      en: "Send a side-by-side comparison with {competitor}",
    },
    reason: {
      zh: "客户提到了{competitor}（{quotes}）。",
      en: "The customer brought up {competitor} ({quotes}).",
    },
  },
  {
    strategy: "generic.objection-discovery",
    industry: "any",
    topic: "objection",
    priority: 60,
    when: { signals: ["objection"] },
    title: {
      zh: "约一次跟进，弄清客户真正的顾虑",
      en: "Book a follow-up to get to the real objection",
    },
    reason: { zh: "客户提出了异议（{quotes}）。", en: "The customer pushed back ({quotes})." },
  },
  {
    strategy: "generic.manager-call",
    industry: "any",
    topic: "relationship",
    priority: 82,
    when: { sentiment: { label: "negative", atLeast: 3 } },
    title: {
      zh: "升级处理：一天内由经理致电客户",
      en: "Escalate: a manager calls the customer within a day",
    },
    reason: {
      zh: "客户有{count}句话明显带有负面情绪。",
      en: "{count} customer utterances were clearly negative.",
    },
  },
  {
    strategy: "generic.ask-referral",
    industry: "any",
    topic: "relationship",
    priority: 50,
    when: { sentiment: { label: "positive", atLeast: 3 } },
    title: {
      zh: "趁客户满意，请其做参考客户或转介绍",
      en: "Ask for a reference or a referral while the mood is good",
    },
    reason: {
      zh: "客户有{count}句话明显带有正面情绪。",
      en: "{count} customer utterances were clearly positive.",
    },
  },
  // ---- Medical devices ----
  {
    strategy: "medical.flagship-imaging-demo",
    industry: "medical-devices",
    topic: "product",
    priority: 78,
    lines: ["mri", "ct"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent"], scales: ["large"] },
    title: {
      zh: "邀请影像科到旗舰 MRI / CT 标杆医院参观",
      en: "Invite the imaging department to a flagship MRI / CT reference site",
    },
    reason: {
      zh: "大型医院有意采购 MRI / CT（{quotes}）；旗舰机型契合其病种结构和检查量。",
      en: "A large hospital intends to buy MRI / CT ({quotes}); a flagship system fits its case mix.",
    },
  },
  {
    strategy: "medical.mid-range-upgrade-path",
    industry: "medical-devices",
    topic: "product",
    priority: 78,
    lines: ["ultrasound", "ct", "mri", "x-ray"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent"], scales: ["medium"] },
    title: {
      zh: "推荐中端机型，并书面约定升级路径",
      en: "Propose a mid-range system with a written upgrade path",
    },
    reason: {
      zh: "{facility}有意采购（{quotes}）；按目前的检查量配置机型。",
      en: "{facility} intends to buy ({quotes}); size the system to today's volume.",
    },
  },
  {
    strategy: "medical.entry-ultrasound-trial",
    industry: "medical-devices",
    topic: "product",
    priority: 78,
    lines: ["ultrasound"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent", "price-sensitivity"], scales: ["small"] },
    title: {
      zh: "安排入门级便携超声现场试用",
      en: "Offer an on-site trial of the entry-level portable ultrasound",
    },
    reason: {
      zh: "{facility}在考虑超声设备（{quotes}）；对规模较小的机构，入门级便携超声与其检查量和预算相匹配。",
      en: "{facility} is looking at ultrasound ({quotes}); for a small facility an entry-level portable unit fits its volume and budget.",
    },
  },
  {
    strategy: "medical.ct-upgrade-from-x-ray",
    industry: "medical-devices",
    topic: "product",
    priority: 76,
    lines: ["ct"],
    upgradeFrom: ["x-ray"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent"], scales: ["medium", "large"] },
    title: {
      zh: "评估从 DR 升级到 CT：先做一次检查量测算",
      en: "Assess an upgrade from DR to CT, starting with a volume study",
    },
    reason: {
      zh: "{facility}有意更新放射设备（{quotes}）；{upgrade}——这是升级建议而非原需求，先用检查量测算说明是否值得。",
      en: "{facility} wants to renew its radiography ({quotes}); {upgrade} is a proposal beyond what was asked, so show with a volume study whether it pays.",
    },
  },
  {
    strategy: "medical.lab-reagent-placement",
    industry: "medical-devices",
    topic: "product",
    priority: 77,
    lines: ["lab", "consumables"],
    evidence: ["product-mention"],
    when: { signals: ["purchase-intent", "price-sensitivity"] },
    title: {
      zh: "提供设备投放加试剂供应的合作方案",
      en: "Offer instrument placement with a reagent supply agreement",
    },
    reason: {
      zh: "客户在谈检验设备或试剂（{quotes}）；以试剂用量换设备投放，可免去一次性设备投入。",
      en: "The customer is discussing lab instruments or reagents ({quotes}); a reagent agreement that places the instrument spares the capital outlay.",
    },
  },
  {
    strategy: "medical.leasing-or-refurbished",
    industry: "medical-devices",
    topic: "price",
    priority: 72,
    // Only where the profile says the budget is not approved: the reason says so, and an
    // unknown budget is no unapproved one.
    when: {
      signals: ["price-sensitivity"],
      scales: ["small", "medium"],
      budget: ["planning", "unapproved"],
    },
    title: {
      zh: "提供融资租赁或原厂认证翻新机方案",
      en: "Offer leasing or a certified refurbished unit",
    },
    reason: {
      zh: "客户提到了价格（{quotes}），且按客户档案设备采购预算尚未获批；租赁或翻新机可减少一次性投入。",
      en: "The customer raised price ({quotes}) and, by its profile, no capital budget is approved yet; leasing or a refurbished unit lowers the upfront outlay.",
    },
  },
  {
    strategy: "medical.local-engineer",
    industry: "medical-devices",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: {
      zh: "在合同中写明本地专属工程师和4小时响应",
      en: "Put a named local engineer and a 4-hour response into the contract",
    },
    reason: {
      zh: "设备停机会影响患者诊疗；客户提到了售后服务（{quotes}）。",
      en: "Downtime stops patient care; the customer brought up service ({quotes}).",
    },
  },
  {
    strategy: "medical.tender-compliance",
    industry: "medical-devices",
    topic: "close",
    priority: 88,
    when: { signals: ["purchase-intent", "tender"], stages: ["tender"] },
    title: {
      zh: "备齐医疗器械注册证，逐项核对招标技术参数",
      en: "Prepare the registration certificate and check the tender parameters",
    },
    reason: {
      zh: "医院要通过招标采购（{quotes}）；注册证、授权书和技术参数是否相符决定能否入围。",
      en: "The hospital is buying through a tender ({quotes}); registration, authorisation letters and matching technical parameters decide eligibility.",
    },
  },
  // ---- Education ----
  {
    strategy: "education.classroom-pilot",
    industry: "education",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["small", "medium"] },
    title: {
      zh: "建议先在一间教室试点一个学期",
      en: "Propose a one-classroom pilot for a semester",
    },
    reason: {
      zh: "{facility}表现出兴趣（{quotes}）；先用试点验证效果，再全面推广。",
      en: "{facility} shows interest ({quotes}); a pilot proves the case before a rollout.",
    },
  },
  {
    strategy: "education.display-demo-lesson",
    industry: "education",
    topic: "product",
    priority: 79,
    lines: ["interactive-displays"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent", "price-sensitivity"] },
    title: {
      zh: "在客户学校用交互大屏上一节示范课",
      en: "Teach a demonstration lesson on the interactive display at the school",
    },
    reason: {
      zh: "客户在考虑交互大屏（{quotes}）；让老师亲手上一节课，比参数表更有说服力。",
      en: "The customer is considering interactive displays ({quotes}); a lesson taught on one convinces teachers more than a spec sheet.",
    },
  },
  {
    strategy: "education.platform-sandbox",
    industry: "education",
    topic: "product",
    priority: 79,
    lines: ["learning-platform"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent", "price-sensitivity"] },
    title: {
      zh: "开通一个学期的教师试用账号",
      en: "Open teacher trial accounts for a semester",
    },
    reason: {
      zh: "客户在了解教学平台（{quotes}）；让几位老师带真实班级试用一个学期，用数据说话。",
      en: "The customer is looking at a learning platform ({quotes}); let a few teachers run real classes on it for a semester and let the data speak.",
    },
  },
  {
    strategy: "education.framework-agreement",
    industry: "education",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["large"], budget: NOT_PLANNING },
    title: {
      zh: "提供覆盖所有校区的框架协议",
      en: "Offer a framework agreement covering every campus",
    },
    reason: {
      zh: "大型采购方有采购意向（{quotes}）；一份框架协议可免去重复采购。",
      en: "A large buyer intends to purchase ({quotes}); one agreement saves repeated procurement.",
    },
  },
  {
    strategy: "education.teacher-training",
    industry: "education",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: {
      zh: "首个学期包含教师培训和驻校支持",
      en: "Include teacher training and on-site support for the first semester",
    },
    reason: {
      zh: "能否用起来取决于老师；客户提到了培训或支持服务（{quotes}）。",
      en: "Adoption depends on teachers; the customer brought up training or support ({quotes}).",
    },
  },
  // ---- Manufacturing ----
  {
    strategy: "manufacturing.downtime-payback",
    industry: "manufacturing",
    topic: "price",
    priority: 72,
    when: { signals: ["price-sensitivity"], budget: NOT_PLANNING },
    title: {
      zh: "量化减少停机和废品带来的投资回报",
      en: "Quantify the payback from less downtime and scrap",
    },
    reason: {
      zh: "客户提到了价格（{quotes}）；工厂看的是投资回收期。",
      en: "The customer raised price ({quotes}); plants buy on payback period.",
    },
  },
  {
    strategy: "manufacturing.pilot-line",
    industry: "manufacturing",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["small", "medium"] },
    title: { zh: "建议先在一条产线上试点", en: "Propose a pilot on one production line" },
    reason: {
      zh: "{facility}有采购意向（{quotes}）；一条产线就能验证效益。",
      en: "{facility} intends to buy ({quotes}); one line proves the gain.",
    },
  },
  {
    strategy: "manufacturing.cnc-test-cut",
    industry: "manufacturing",
    topic: "product",
    priority: 79,
    lines: ["cnc"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent", "price-sensitivity"] },
    title: {
      zh: "用客户自己的零件做一次免费试切",
      en: "Cut the customer's own part on our machine, free",
    },
    reason: {
      zh: "客户在考虑数控设备（{quotes}）；用他们的零件试切，节拍和精度一目了然。",
      en: "The customer is considering CNC machines ({quotes}); cutting their own part shows cycle time and accuracy at a glance.",
    },
  },
  {
    strategy: "manufacturing.robot-cell-simulation",
    industry: "manufacturing",
    topic: "product",
    priority: 79,
    lines: ["robotics", "automation"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent", "price-sensitivity"] },
    title: {
      zh: "做一次工作站仿真和节拍测算",
      en: "Simulate the robot cell and its cycle time",
    },
    reason: {
      zh: "客户在考虑机器人或自动化改造（{quotes}）；仿真先算出节拍和回报，再谈配置。",
      en: "The customer is considering robots or automation ({quotes}); a simulation gives cycle time and payback before configuration.",
    },
  },
  {
    strategy: "manufacturing.group-framework",
    industry: "manufacturing",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"], scales: ["large"], budget: NOT_PLANNING },
    title: {
      zh: "提供集团统一的框架协议和阶梯价格",
      en: "Offer a group-wide framework agreement with volume pricing",
    },
    reason: {
      zh: "集团有采购意向（{quotes}）；各工厂统一标准才是更大的订单。",
      en: "A group intends to buy ({quotes}); standardising across plants is the larger deal.",
    },
  },
  {
    strategy: "manufacturing.spare-parts",
    industry: "manufacturing",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: {
      zh: "保证备件库存，承诺现场响应时间",
      en: "Guarantee a spare-parts stock and on-site response time",
    },
    reason: {
      zh: "产线停工的损失远超设备本身；客户提到了售后服务（{quotes}）。",
      en: "An idle line costs more than the machine; the customer brought up service ({quotes}).",
    },
  },
  // ---- Software ----
  {
    strategy: "software.sandbox-trial",
    industry: "software",
    topic: "product",
    priority: 78,
    when: { signals: ["purchase-intent"] },
    title: {
      zh: "开通 30 天试用环境，导入客户的样例数据",
      en: "Open a 30-day trial environment loaded with the customer's sample data",
    },
    reason: {
      zh: "客户有采购意向（{quotes}）；用自己的数据试用，最快看到价值。",
      en: "The customer intends to buy ({quotes}); a trial on their own data shows the value fastest.",
    },
  },
  {
    strategy: "software.integration-proof",
    industry: "software",
    topic: "product",
    priority: 79,
    lines: ["erp", "crm"],
    evidence: [...PRODUCT_EVIDENCE],
    when: { signals: ["purchase-intent"] },
    title: {
      zh: "与客户现有的 ERP / CRM 做一次集成验证",
      en: "Prove the integration with the customer's ERP / CRM",
    },
    reason: {
      zh: "客户有意采购，并提到了现有系统（{quotes}）；先做集成验证，消除上线风险。",
      en: "The customer intends to buy and brought up their systems ({quotes}); an integration proof removes the rollout risk.",
    },
  },
  {
    strategy: "software.seat-ramp",
    industry: "software",
    topic: "price",
    priority: 72,
    when: { signals: ["price-sensitivity"], budget: NOT_PLANNING },
    title: {
      zh: "按实际使用人数分阶段开通席位",
      en: "Phase the seats in with actual users",
    },
    reason: {
      zh: "客户提到了价格（{quotes}）；先开通首批用户，按使用情况扩容，首年投入更低。",
      en: "The customer raised price ({quotes}); start with the first users and add seats as usage grows, lowering the first year's cost.",
    },
  },
  {
    strategy: "software.implementation-plan",
    industry: "software",
    topic: "service",
    priority: 76,
    when: { signals: ["service-concern"] },
    title: {
      zh: "提交实施计划，并指定客户成功经理",
      en: "Send an implementation plan and name a customer success manager",
    },
    reason: {
      zh: "客户关心上线和支持（{quotes}）；一份有里程碑的实施计划和专人对接能打消顾虑。",
      en: "The customer brought up rollout and support ({quotes}); a milestone plan and a named contact answer it.",
    },
  },
]);
