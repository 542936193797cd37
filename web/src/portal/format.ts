// How the portal writes values: dates in the customer's time zone (a bare date stays the
// calendar day it names), money from minor units, short references. Every formatter takes
// what the server may have left out and answers null for it, so nothing absent is rendered.
import { formatAmount } from "../app/money.ts";
import type { Money } from "./api-types.ts";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function formatDate(
  value: string | null | undefined,
  lang: string,
  timeZone?: string,
): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return value;
  const dateOnly = DATE_ONLY.test(value);
  const options: Intl.DateTimeFormatOptions = dateOnly
    ? { dateStyle: "medium", timeZone: "UTC" }
    : { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) };
  try {
    return new Intl.DateTimeFormat(lang, options).format(ms);
  } catch {
    // An unknown time zone from the server: the browser's own.
    return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(ms);
  }
}

export function formatMoney(m: Money | null | undefined, lang: string): string | null {
  if (!m || typeof m.value !== "number" || typeof m.currency !== "string") return null;
  return formatAmount(m.value, m.currency, lang);
}

/** An amount in major units (a query filter's), in its currency when it names one. */
export function formatMajor(major: number, currency: string | undefined, lang: string): string {
  if (currency)
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency }).format(major);
    } catch {
      // An unknown currency code: the number and the code.
    }
  const n = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(major);
  return currency ? `${n} ${currency}` : n;
}

/** The tail of an id, for a record the policy shows without a title. */
export function shortRef(id: string): string {
  return id.slice(-6).toUpperCase();
}

/** Present: neither absent nor empty. */
export function present<T>(v: T | null | undefined | ""): v is T {
  return v !== undefined && v !== null && v !== "";
}
