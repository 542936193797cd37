// Amount conditions of a question [NQ6]: an operator word before or after a number, an
// optional scale (万, k, million) and currency. A number with no operator is not an
// amount: it is left over, and the question is not understood rather than guessed.
import type { AmountOp, FilterCurrency } from "./filter.ts";
import { parseNumber } from "./numbers.ts";
import { atWordBoundary, findAll, leftmostLongest } from "./spans.ts";

export interface AmountFound {
  op: AmountOp;
  value: number;
  currency?: FilterCurrency;
}

export interface AmountResult {
  spans: Array<{ start: number; end: number }>;
  amount?: AmountFound;
  problem?: "conflict";
}

const OPS_BEFORE = new Map<string, AmountOp>([
  ["不少于", ">="],
  ["不低于", ">="],
  ["至少", ">="],
  ["最少", ">="],
  ["不超过", "<="],
  ["不高于", "<="],
  ["不多于", "<="],
  ["最多", "<="],
  ["不到", "<"],
  ["不足", "<"],
  ["超过", ">"],
  ["大于", ">"],
  ["多于", ">"],
  ["高于", ">"],
  ["超出", ">"],
  ["低于", "<"],
  ["少于", "<"],
  ["小于", "<"],
  ["等于", "="],
  ["more than", ">"],
  ["greater than", ">"],
  ["higher than", ">"],
  ["larger than", ">"],
  ["bigger than", ">"],
  ["in excess of", ">"],
  ["exceeding", ">"],
  ["over", ">"],
  ["above", ">"],
  ["at least", ">="],
  ["no less than", ">="],
  ["not less than", ">="],
  ["minimum of", ">="],
  ["at most", "<="],
  ["no more than", "<="],
  ["not more than", "<="],
  ["up to", "<="],
  ["maximum of", "<="],
  ["less than", "<"],
  ["lower than", "<"],
  ["smaller than", "<"],
  ["under", "<"],
  ["below", "<"],
  ["exactly", "="],
  ["equal to", "="],
  ["equals", "="],
  [">=", ">="],
  ["≥", ">="],
  ["<=", "<="],
  ["≤", "<="],
  [">", ">"],
  ["<", "<"],
  ["=", "="],
]);
const OPS_AFTER = new Map<string, AmountOp>([
  ["及以上", ">="],
  ["或以上", ">="],
  ["以上", ">="],
  ["及以下", "<="],
  ["或以下", "<="],
  ["以下", "<="],
  ["以内", "<="],
  ["之内", "<="],
  ["or more", ">="],
  ["or above", ">="],
  ["and above", ">="],
  ["and up", ">="],
  ["or less", "<="],
  ["or below", "<="],
  ["and below", "<="],
  ["or under", "<="],
  ["+", ">="],
]);
const CURRENCIES = new Map<string, FilterCurrency>([
  ["¥", "CNY"],
  ["元", "CNY"],
  ["块钱", "CNY"],
  ["块", "CNY"],
  ["人民币", "CNY"],
  ["rmb", "CNY"],
  ["cny", "CNY"],
  ["yuan", "CNY"],
  ["€", "EUR"],
  ["欧元", "EUR"],
  ["eur", "EUR"],
  ["euros", "EUR"],
  ["euro", "EUR"],
  ["us$", "USD"],
  ["$", "USD"],
  ["美元", "USD"],
  ["美金", "USD"],
  ["usd", "USD"],
  ["dollars", "USD"],
  ["dollar", "USD"],
  ["bucks", "USD"],
]);
const SCALES = new Map<string, number>([
  ["k", 1e3],
  ["thousand", 1e3],
  ["w", 1e4],
  ["m", 1e6],
  ["mn", 1e6],
  ["million", 1e6],
]);

const alternatives = (words: Iterable<string>) =>
  [...words]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[$+?.*()[\]{}|^\\]/g, "\\$&"))
    .join("|");

const AMOUNT = new RegExp(
  [
    `(?:(${alternatives(OPS_BEFORE.keys())})\\s*)?`,
    `(?:(${alternatives(["¥", "€", "us$", "$", "rmb", "cny", "eur", "usd"])})\\s*)?`,
    "((?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:\\s*[十百千万亿]+)?|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)",
    `(?:\\s*(${alternatives(SCALES.keys())})(?![a-z]))?`,
    `(?:\\s*(${alternatives(["元", "块钱", "块", "人民币", "欧元", "美元", "美金", "rmb", "cny", "yuan", "eur", "euros", "euro", "usd", "dollars", "dollar", "bucks"])})(?![a-z]))?`,
    `(?:\\s*(${alternatives(OPS_AFTER.keys())}))?`,
  ].join(""),
  "g",
);

/** The one amount condition of `text`; two are a conflict (no ranges in a filter). */
export function findAmount(text: string): AmountResult {
  const hits = leftmostLongest(
    findAll(text, AMOUNT).filter(
      (h) =>
        (h.value[1] !== undefined || h.value[6] !== undefined) &&
        atWordBoundary(text, h.start, h.end),
    ),
  );
  if (hits.length === 0) return { spans: [] };
  const spans = hits.map(({ start, end }) => ({ start, end }));
  if (hits.length > 1) return { spans, problem: "conflict" };
  const m = hits[0]!.value;
  const [, before, curBefore, digits, scale, curAfter, after] = m;
  if (before !== undefined && after !== undefined) return { spans, problem: "conflict" };
  const op = before !== undefined ? OPS_BEFORE.get(before) : OPS_AFTER.get(after!);
  const base = parseNumber(digits!.replace(/\s+/g, ""));
  const currencies = [curBefore, curAfter].flatMap((c) =>
    c === undefined ? [] : [CURRENCIES.get(c)!],
  );
  if (op === undefined || base === null || new Set(currencies).size > 1)
    return { spans, problem: "conflict" };
  const value = Math.round(base * (scale === undefined ? 1 : SCALES.get(scale)!) * 100) / 100;
  if (!Number.isFinite(value) || value > 1e15) return { spans, problem: "conflict" };
  const currency = currencies[0];
  return { spans, amount: currency ? { op, value, currency } : { op, value } };
}
