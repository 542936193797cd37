// Built-in decision triggers, the four the seed describes: a competitor named with a price
// question while no deal has been won for 90 days; service requests past their response
// time; a contract renewal coming; the customer's budget month. Each says what to do in
// Simplified Chinese and in English, with the same placeholders in both.
import { z } from "zod";
import { DecisionTrigger } from "./schema.ts";

export const DEFAULT_TRIGGERS: readonly DecisionTrigger[] = z.array(DecisionTrigger).parse([
  {
    strategy: "trigger.competitor-price-win-back",
    priority: 85,
    when: { competitorNamed: true, priceQuestion: true, noWonDealForDays: 90 },
    title: {
      zh: "经理介入：针对{competitor}给出有竞争力的整体报价",
      en: "Bring in a manager to counter {competitor} with a competitive offer",
    },
    reason: {
      zh: "客户点名{competitor}并谈到价格（{quotes}），且{days}天内没有与我们成交。",
      en: "The customer named {competitor} and raised price ({quotes}), and has won no deal with us in {days} days.",
    },
  },
  {
    strategy: "trigger.service-recovery",
    priority: 90,
    when: { openServiceRequestsPastResponse: true },
    title: {
      zh: "先解决超时的服务请求，再推进新的采购",
      en: "Resolve the overdue service requests before pushing a new sale",
    },
    reason: {
      zh: "客户有{count}个服务请求已超过响应时间（自{from}起）；在{to}前给出解决方案和时间。",
      en: "{count} service request(s) are past their response time (since {from}); give a fix and a date by {to}.",
    },
  },
  {
    strategy: "trigger.renewal-window",
    priority: 80,
    when: { renewalWithinDays: 60 },
    title: {
      zh: "启动续约：在到期前提交续约方案",
      en: "Start the renewal: send the renewal offer before the term ends",
    },
    reason: {
      zh: "{count}份合同将于{to}前到期续约；从{from}起提出续约方案，给客户留出审批时间。",
      en: "{count} contract(s) renew by {to}; from {from}, propose the renewal so the customer has time to approve it.",
    },
  },
  {
    strategy: "trigger.budget-month",
    priority: 75,
    when: { budgetMonth: true },
    title: {
      zh: "趁预算编制期，把明年的采购报进预算",
      en: "Get next year's purchase into the budget while it is being drawn up",
    },
    reason: {
      zh: "{facility}正在编制下一财年预算（{from}至{to}，{months}个月后新财年开始）；在此期间把需求和报价交给对接人。",
      en: "{facility} is drawing up next year's budget ({from} to {to}; the fiscal year starts in {months} month(s)); hand in the needs and a quote meanwhile.",
    },
  },
]);
