// Local wall time ↔ instants in an IANA time zone, from the runtime's Intl data alone. The one
// invariant the SLA calendar leans on: wall → instant is monotonic, even across DST changes.

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

const FORMATS_MAX = 64;
const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    if (formats.size >= FORMATS_MAX) formats.clear();
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      calendar: "gregory",
      numberingSystem: "latn",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** The zone's UTC offset at instant `t` (wall − instant, ms); Intl resolves whole seconds. */
export function offsetMs(timeZone: string, t: number): number {
  const instant = Math.floor(t / 1000) * 1000;
  const f: Record<string, number> = {};
  for (const part of formatFor(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") f[part.type] = Number(part.value);
  }
  const wall = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!, f.second!);
  return wall - instant;
}

/** Wall-clock time at `t`, as ms since 1970-01-01T00:00 on that wall clock. */
export function wallAt(timeZone: string, t: number): number {
  return t + offsetMs(timeZone, t);
}

/**
 * The instant the wall clock in `timeZone` shows `wall`. A wall time shown twice (autumn
 * fall-back) maps to its first occurrence; one never shown (spring gap) maps to the instant
 * the clock jumps, so later wall times never map to earlier instants.
 */
export function instantAt(timeZone: string, wall: number): number {
  // ±1 day is outside the ±14 h any offset can shift, and no zone changes offset twice in a day.
  const before = offsetMs(timeZone, wall - DAY_MS);
  const after = offsetMs(timeZone, wall + DAY_MS);
  if (before === after) return wall - before;
  const candidates = [wall - before, wall - after].filter(
    (t) => t + offsetMs(timeZone, t) === wall,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the clock jumped from `before` to `after` between these two instants.
  let lo = Math.floor((wall - after) / 1000) * 1000;
  let hi = Math.ceil((wall - before) / 1000) * 1000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetMs(timeZone, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Days since 1970-01-01 of a wall time. */
export function dayOf(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

/** "YYYY-MM-DD" of a day number. */
export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The local date (YYYY-MM-DD) in `timeZone` at instant `t`: whose day it is there. */
export function localDateAt(timeZone: string, t: number): string {
  return isoDate(dayOf(wallAt(timeZone, t)));
}

/** ISO weekday, 1 = Monday … 7 = Sunday, of a day number (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}
