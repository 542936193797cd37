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
