// Example questions for a question that was not understood [NQ10]: ones the parser does
// understand, in the user's language, closest first to what it did recognise (the same
// resource, the destination they named, a time or status). Never an answer.
import type { PortalResource } from "../portal/model.ts";
import type { Lang } from "./describe.ts";
import type { CompiledGazetteer } from "./gazetteer.ts";

interface Example {
  resource: PortalResource;
  zh: string;
  en: string;
  /** Has a `{dest}` slot. */
  dest?: boolean;
  time?: boolean;
  status?: boolean;
}

/** Default order interleaves resources, so the first three cover three kinds of record. */
const EXAMPLES: readonly Example[] = [
  {
    resource: "delivery",
    zh: "上个月发往{dest}的发货",
    en: "deliveries to {dest} last month",
    dest: true,
    time: true,
  },
  {
    resource: "invoice",
    zh: "本季度未付的发票",
    en: "unpaid invoices this quarter",
    time: true,
    status: true,
  },
  { resource: "payment", zh: "过去30天的付款", en: "payments in the last 30 days", time: true },
  { resource: "contract", zh: "金额超过10万的订单", en: "orders over 100k" },
  { resource: "service-request", zh: "未解决的工单", en: "open service requests", status: true },
  {
    resource: "change-request",
    zh: "待处理的变更申请",
    en: "pending change requests",
    status: true,
  },
  { resource: "document", zh: "上个月的送货单", en: "delivery notes from last month", time: true },
  { resource: "delivery", zh: "下周的发货", en: "deliveries next week", time: true },
  { resource: "delivery", zh: "已延期的交付", en: "late deliveries", status: true },
  { resource: "invoice", zh: "逾期的发票", en: "overdue invoices", status: true },
  { resource: "invoice", zh: "本月到期的发票", en: "invoices due this month", time: true },
  { resource: "payment", zh: "超过5万元的付款", en: "payments over ¥50,000" },
  { resource: "contract", zh: "今年签署的合同", en: "contracts signed this year", time: true },
  { resource: "contract", zh: "已作废的订单", en: "voided orders", status: true },
  { resource: "document", zh: "合同文本", en: "contract documents" },
  {
    resource: "service-request",
    zh: "上周已解决的工单",
    en: "tickets resolved last week",
    time: true,
  },
  {
    resource: "change-request",
    zh: "本月的变更申请",
    en: "change requests this month",
    time: true,
  },
];

export interface Recognised {
  resources: ReadonlySet<PortalResource>;
  destination?: string;
  time: boolean;
  status: boolean;
}

export const SUGGESTION_COUNT = 3;

export function suggest(lang: Lang, seen: Recognised, gazetteer: CompiledGazetteer): string[] {
  const example = gazetteer.examples[0];
  const dest =
    seen.destination ??
    (example && (lang === "zh" ? (example.han ?? example.name) : (example.latin ?? example.name)));
  const scored = EXAMPLES.flatMap((e, index) => {
    if (e.dest && !dest) return [];
    const score =
      (seen.resources.has(e.resource) ? 4 : 0) +
      (e.dest && seen.destination ? 2 : 0) +
      (e.time && seen.time ? 1 : 0) +
      (e.status && seen.status ? 1 : 0);
    return [{ text: e[lang].replace("{dest}", dest ?? ""), score, index }];
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.slice(0, SUGGESTION_COUNT).map((s) => s.text);
}
