// Civil-date arithmetic for [NQ4]: a local calendar date is a day number (days since
// 1970-01-01), so "last month" or "this ISO week" is integer arithmetic, and the only
// time-zone knowledge is the runtime's Intl data turning an instant into a local date.

/** Days since 1970-01-01 of the proleptic Gregorian date y-m-d (H. Hinnant's algorithm). */
export function dayOf(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface Civil {
  y: number;
  m: number;
  d: number;
}

export function civil(day: number): Civil {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Whether y-m-d names a real calendar date (no 30 February). */
export function isCivil(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1) return false;
  const back = civil(dayOf(y, m, d));
  return back.y === y && back.m === m && back.d === d;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** YYYY-MM-DD. */
export function isoDate(day: number): string {
  const { y, m, d } = civil(day);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** The day number of a YYYY-MM-DD string, or null when it is not a calendar date. */
export function parseIsoDate(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return isCivil(y, mo, d) ? dayOf(y, mo, d) : null;
}

/** ISO weekday: Monday 1 … Sunday 7 (1970-01-01 was a Thursday). */
export const isoWeekday = (day: number): number => ((((day + 3) % 7) + 7) % 7) + 1;

export interface DayRange {
  from: number;
  to: number;
}

export const monthRange = (y: number, m: number): DayRange => {
  const next = m === 12 ? dayOf(y + 1, 1, 1) : dayOf(y, m + 1, 1);
  return { from: dayOf(y, m, 1), to: next - 1 };
};
export const quarterRange = (y: number, q: number): DayRange => ({
  from: monthRange(y, 3 * q - 2).from,
  to: monthRange(y, 3 * q).to,
});
export const yearRange = (y: number): DayRange => ({ from: dayOf(y, 1, 1), to: dayOf(y, 12, 31) });
export const quarterOf = (m: number): number => Math.ceil(m / 3);

/** The ISO week (Monday–Sunday) `offset` weeks from the one holding `day`. */
export function weekRange(day: number, offset: number): DayRange {
  const monday = day - (isoWeekday(day) - 1) + 7 * offset;
  return { from: monday, to: monday + 6 };
}

/** The calendar month `offset` months from the one holding `day`. */
export function monthOffset(day: number, offset: number): DayRange {
  const { y, m } = civil(day);
  const index = y * 12 + (m - 1) + offset;
  return monthRange(Math.floor(index / 12), (index % 12) + 1);
}

export function quarterOffset(day: number, offset: number): DayRange {
  const { y, m } = civil(day);
  const index = y * 4 + (quarterOf(m) - 1) + offset;
  return quarterRange(Math.floor(index / 4), (index % 4) + 1);
}

/** Same day of the month `offset` months away, clamped to that month's last day. */
export function addMonths(day: number, offset: number): number {
  const { d } = civil(day);
  const target = monthOffset(day, offset);
  return Math.min(target.from + d - 1, target.to);
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATS = 64;

/**
 * The local calendar day at `epochMs` in the IANA `timeZone`. Throws RangeError for a
 * zone the runtime does not know: the zone is the customer's stored setting, not input.
 */
export function localDay(epochMs: number, timeZone: string): number {
  let format = FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    if (FORMATS.size >= MAX_FORMATS) FORMATS.clear();
    FORMATS.set(timeZone, format);
  }
  let y = Number.NaN;
  let m = Number.NaN;
  let d = Number.NaN;
  for (const part of format.formatToParts(epochMs)) {
    if (part.type === "year") y = Number(part.value);
    else if (part.type === "month") m = Number(part.value);
    else if (part.type === "day") d = Number(part.value);
  }
  if (!isCivil(y, m, d)) throw new RangeError(`no local date at ${epochMs} in ${timeZone}`);
  return dayOf(y, m, d);
}
