// A filter read back to the user in their language, so they can see what was understood
// and correct it (DESIGN §11): every constraint is spelled out, nothing is implied.
import type { PortalResource } from "../portal/model.ts";
import type { PortalFilter, TimeField } from "./filter.ts";

export type Lang = "zh" | "en";
type Both = { zh: string; en: string };

const RESOURCE: Record<PortalResource, Both> = {
  contract: { zh: "订单（合同）", en: "orders (contracts)" },
  delivery: { zh: "发货", en: "deliveries" },
  invoice: { zh: "发票", en: "invoices" },
  payment: { zh: "付款", en: "payments" },
  document: { zh: "文件", en: "documents" },
  "service-request": { zh: "服务工单", en: "service requests" },
  "change-request": { zh: "变更申请", en: "change requests" },
};

const FIELD: Record<TimeField, Both> = {
  createdAt: { zh: "创建日期", en: "created" },
  signedAt: { zh: "签署日期", en: "signed" },
  plannedDate: { zh: "计划日期", en: "planned date" },
  committedDate: { zh: "承诺日期", en: "committed date" },
  actualDate: { zh: "实际交付日期", en: "actual delivery date" },
  issuedAt: { zh: "开票日期", en: "issued" },
  dueDate: { zh: "到期日", en: "due date" },
  paidAt: { zh: "付清日期", en: "paid" },
  receivedAt: { zh: "到账日期", en: "received" },
  openedAt: { zh: "提交日期", en: "opened" },
  resolvedAt: { zh: "解决日期", en: "resolved" },
  filedAt: { zh: "提交日期", en: "filed" },
  respondedAt: { zh: "答复日期", en: "answered" },
};

const STATUS = new Map<string, Both>([
  ["unpaid", { zh: "未到期未付", en: "unpaid, not yet due" }],
  ["overdue", { zh: "逾期", en: "overdue" }],
  ["paid", { zh: "已付", en: "paid" }],
  ["planned", { zh: "计划中（未承诺）", en: "planned (not committed)" }],
  ["committed", { zh: "已承诺", en: "committed" }],
  ["delivered", { zh: "已送达", en: "delivered" }],
  ["late", { zh: "已延期", en: "late" }],
  ["draft", { zh: "草稿", en: "draft" }],
  ["sent", { zh: "已发送待签", en: "sent for signature" }],
  ["signed", { zh: "已签署", en: "signed" }],
  ["active", { zh: "执行中", en: "active" }],
  ["voided", { zh: "已作废", en: "voided" }],
  ["open", { zh: "未完成", en: "open" }],
  ["resolved", { zh: "已解决", en: "resolved" }],
  ["answered", { zh: "已答复", en: "answered" }],
  ["accepted", { zh: "已接受", en: "accepted" }],
  ["declined", { zh: "已拒绝", en: "declined" }],
  ["withdrawn", { zh: "已撤回", en: "withdrawn" }],
]);

const DOCUMENT_KIND: Record<NonNullable<PortalFilter["documentKind"]>, Both> = {
  contract: { zh: "合同文本", en: "contract documents" },
  signature: { zh: "签字页", en: "signed copies" },
  voucher: { zh: "凭证", en: "vouchers" },
  "delivery-note": { zh: "送货单", en: "delivery notes" },
};

const OP_WORDS: Record<NonNullable<PortalFilter["amount"]>["op"], Both> = {
  ">": { zh: "超过", en: "over" },
  ">=": { zh: "不低于", en: "at least" },
  "<": { zh: "低于", en: "under" },
  "<=": { zh: "不超过", en: "at most" },
  "=": { zh: "等于", en: "exactly" },
};

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

function timePart(time: NonNullable<PortalFilter["time"]>, lang: Lang): string {
  const field = FIELD[time.field][lang];
  const { from, to } = time;
  if (lang === "zh") {
    if (from && to) return from === to ? `${field} ${from}` : `${field} ${from} 至 ${to}`;
    return from ? `${field} ${from} 起` : `${field} 截至 ${to}`;
  }
  if (from && to) return from === to ? `${field} on ${from}` : `${field} ${from} to ${to}`;
  return from ? `${field} on or after ${from}` : `${field} on or before ${to}`;
}

/** The filter in words, one clause per constraint, in `lang`. */
export function describeFilter(filter: PortalFilter, lang: Lang): string {
  const parts = [RESOURCE[filter.resource][lang]];
  const zh = lang === "zh";
  if (filter.documentKind)
    parts.push(`${zh ? "类型：" : "kind: "}${DOCUMENT_KIND[filter.documentKind][lang]}`);
  if (filter.time) parts.push(timePart(filter.time, lang));
  if (filter.destination) parts.push(`${zh ? "发往 " : "to "}${filter.destination}`);
  if (filter.status) {
    const names = filter.status.map((s) => STATUS.get(s)?.[lang] ?? s);
    parts.push(`${zh ? "状态：" : "status: "}${names.join(zh ? " 或 " : " or ")}`);
  }
  if (filter.amount) {
    const { op, value, currency } = filter.amount;
    const money = `${grouped.format(value)} ${currency ?? (zh ? "（任意币种）" : "(any currency)")}`;
    parts.push(`${zh ? "金额" : "amount "}${OP_WORDS[op][lang]} ${money}`);
  }
  if (filter.contractId) parts.push(`${zh ? "合同 " : "contract "}${filter.contractId}`);
  return parts.join(" · ");
}
