// The calendar month at an instant in a time zone: a customer's budget month turns over at
// their midnight, not UTC's. Reads no clock; time-zone rules are the runtime's Intl data.

/** Whether the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The month, 1–12, at `nowMs` (ms since the epoch) in the IANA `timeZone`; throws RangeError for an unknown zone. */
export function monthAt(nowMs: number, timeZone: string): number {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, month: "numeric" });
  const month = format.formatToParts(nowMs).find((p) => p.type === "month");
  return Number(month?.value);
}

/** The calendar day at `atMs` in `timeZone`, as YYYY-MM-DD. */
export function dayAt(atMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
  }).formatToParts(atMs);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return isoDay(part("year"), part("month"), part("day"));
}

/** Year, month (1–12) and day as YYYY-MM-DD; out-of-range months and days roll over. */
export function isoDay(year: number, month: number, day: number): string {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

/** `day` (YYYY-MM-DD) moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return isoDay(y!, m!, d! + days);
}

/** `atMs` moved by `months` calendar months (UTC), the day kept or clamped to the month's last. */
export function addMonthsMs(atMs: number, months: number): number {
  const t = new Date(atMs);
  const target = Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + months, 1);
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + months + 1, 0)).getUTCDate();
  return (
    target +
    (Math.min(t.getUTCDate(), last) - 1) * 86_400_000 +
    (((atMs % 86_400_000) + 86_400_000) % 86_400_000)
  );
}
