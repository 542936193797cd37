// A tenant's business-hours calendar and the business time it counts (SPEC.md SLA1–SLA5,
// SLA10): working windows in local wall time, measured as real elapsed time, searched boundedly.
import { z } from "zod";
import type { Residency } from "../schemas.ts";
import { CN_HOLIDAY_DATES, CN_WORKING_WEEKEND_DATES } from "./cn-holidays.ts";
import { DAY_MS, dayOf, instantAt, isoDate, isoWeekday, MINUTE_MS, wallAt } from "./zone.ts";

/** How far addBusinessTime looks for working time before giving up. */
export const MAX_SEARCH_DAYS = 400;
/** The longest span businessTimeBetween measures (about ten years). */
export const MAX_SPAN_DAYS = 3660;
export const MAX_HOLIDAYS = 400;
export const MAX_WORKING_WEEKENDS = 100;
export const MAX_BREAKS = 8;

const HH_MM = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const Time = z.string().regex(HH_MM, { message: "must be a time HH:MM between 00:00 and 24:00" });

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD" })
  .refine((d) => !Number.isNaN(Date.parse(d)) && isoDate(Date.parse(d) / DAY_MS) === d, {
    message: "must be a real calendar date",
  });

const TimeZone = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/, { message: "must be an IANA zone" })
  .max(64)
  .refine(
    (zone) => {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    },
    { message: "must be an IANA time zone this runtime knows" },
  );

export const TimeWindow = z
  .strictObject({ start: Time, end: Time })
  .refine((w) => minutes(w.start) < minutes(w.end), { message: "start must be before end" });
export type TimeWindow = z.infer<typeof TimeWindow>;

export const BusinessHours = z
  .strictObject({
    start: Time.default("09:00"),
    end: Time.default("18:00"),
    /** Unpaid gaps inside the day (a lunch break), sorted and apart. */
    breaks: z.array(TimeWindow).max(MAX_BREAKS).default([]),
  })
  .superRefine((h, ctx) => {
    let from = minutes(h.start);
    if (from >= minutes(h.end))
      ctx.addIssue({ code: "custom", message: "start must be before end" });
    for (const [i, b] of h.breaks.entries()) {
      if (minutes(b.start) <= from || minutes(b.end) >= minutes(h.end)) {
        ctx.addIssue({
          code: "custom",
          path: ["breaks", i],
          message: "a break must lie inside the working hours, after the previous break",
        });
      }
      from = minutes(b.end);
    }
  });
export type BusinessHours = z.infer<typeof BusinessHours>;

/** Working minutes of one open day: the hours less their breaks (wall time, no DST). */
export function dailyMinutes(hours: BusinessHours): number {
  const breaks = hours.breaks.reduce((m, b) => m + minutes(b.end) - minutes(b.start), 0);
  return minutes(hours.end) - minutes(hours.start) - breaks;
}

/** ISO weekdays, 1 = Monday … 7 = Sunday. */
export const Workdays = z
  .array(z.int().min(1).max(7))
  .min(1)
  .max(7)
  .refine((d) => new Set(d).size === d.length, { message: "must not repeat a weekday" });

export const BusinessCalendar = z
  .strictObject({
    timeZone: TimeZone,
    workdays: Workdays.default([1, 2, 3, 4, 5]),
    hours: BusinessHours.default({ start: "09:00", end: "18:00", breaks: [] }),
    /** Local dates that are off although their weekday is a workday. */
    holidays: z.array(LocalDate).max(MAX_HOLIDAYS).default([]),
    /** Local dates that are working days although their weekday is not (China's 调休 days). */
    workingWeekends: z.array(LocalDate).max(MAX_WORKING_WEEKENDS).default([]),
  })
  .superRefine((cal, ctx) => {
    const holidays = new Set(cal.holidays);
    for (const [i, d] of cal.workingWeekends.entries()) {
      if (holidays.has(d)) {
        ctx.addIssue({
          code: "custom",
          path: ["workingWeekends", i],
          message: `${d} is also a holiday`,
        });
      }
    }
  })
  .meta({ id: "BusinessCalendar" });
export type BusinessCalendar = z.infer<typeof BusinessCalendar>;
export type BusinessCalendarInput = z.input<typeof BusinessCalendar>;

/** The zone each jurisdiction's business calendar and local dates (a portal day) are kept in. */
export const JURISDICTION_TIME_ZONES: Readonly<Record<Residency, string>> = {
  cn: "Asia/Shanghai",
  eu: "Europe/Berlin",
};

/**
 * China: Asia/Shanghai, Monday–Friday 09:00–18:00 with a 12:00–13:00 lunch break, the State
 * Council's holidays and make-up working days (cn-holidays.ts). `overrides` replace fields,
 * except `holidays` and `workingWeekends`, which are added to the national ones.
 */
export function cnCalendar(overrides: Partial<BusinessCalendarInput> = {}): BusinessCalendar {
  return BusinessCalendar.parse({
    timeZone: JURISDICTION_TIME_ZONES.cn,
    hours: { start: "09:00", end: "18:00", breaks: [{ start: "12:00", end: "13:00" }] },
    ...overrides,
    holidays: [...new Set([...CN_HOLIDAY_DATES, ...(overrides.holidays ?? [])])],
    workingWeekends: [
      ...new Set([...CN_WORKING_WEEKEND_DATES, ...(overrides.workingWeekends ?? [])]),
    ],
  });
}

/** A tenant's calendar before it configures one; eu tenants add their own holidays. */
export function defaultCalendar(jurisdiction: Residency): BusinessCalendar {
  switch (jurisdiction) {
    case "cn":
      return cnCalendar();
    case "eu":
      return BusinessCalendar.parse({ timeZone: JURISDICTION_TIME_ZONES.eu });
  }
}

type Segment = readonly [fromMs: number, toMs: number];

interface Compiled {
  readonly windows: readonly (readonly [number, number])[];
  readonly workdays: ReadonlySet<number>;
  readonly holidays: ReadonlySet<string>;
  readonly workingWeekends: ReadonlySet<string>;
  readonly segments: Map<number, readonly Segment[]>;
}

const SEGMENT_DAYS_CACHED = 4096;
// Calendars are zod output and treated as immutable: compiled once per object.
const compiled = new WeakMap<BusinessCalendar, Compiled>();

function compile(cal: BusinessCalendar): Compiled {
  let c = compiled.get(cal);
  if (c === undefined) {
    const starts = [cal.hours.start, ...cal.hours.breaks.map((b) => b.end)];
    const ends = [...cal.hours.breaks.map((b) => b.start), cal.hours.end];
    c = {
      windows: starts.map((s, i) => [minutes(s), minutes(ends[i]!)] as const),
      workdays: new Set(cal.workdays),
      holidays: new Set(cal.holidays),
      workingWeekends: new Set(cal.workingWeekends),
      segments: new Map(),
    };
    compiled.set(cal, c);
  }
  return c;
}

/** The working stretches of local day `day`, as instants, in order. */
function segmentsOn(cal: BusinessCalendar, c: Compiled, day: number): readonly Segment[] {
  const cached = c.segments.get(day);
  if (cached !== undefined) return cached;
  const date = isoDate(day);
  const open =
    !c.holidays.has(date) && (c.workingWeekends.has(date) || c.workdays.has(isoWeekday(day)));
  const segments: Segment[] = [];
  if (open) {
    for (const [from, to] of c.windows) {
      const a = instantAt(cal.timeZone, day * DAY_MS + from * MINUTE_MS);
      const b = instantAt(cal.timeZone, day * DAY_MS + to * MINUTE_MS);
      if (b > a) segments.push([a, b]);
    }
  }
  if (c.segments.size >= SEGMENT_DAYS_CACHED) c.segments.clear();
  c.segments.set(day, segments);
  return segments;
}

function assertInstant(name: string, ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a finite instant, got ${ms}`);
}

/**
 * The earliest instant by which `durationMs` of business time has elapsed after `startMs`.
 * Throws RangeError when the calendar has that much working time nowhere within MAX_SEARCH_DAYS.
 */
export function addBusinessTime(
  startMs: number,
  durationMs: number,
  cal: BusinessCalendar,
): number {
  assertInstant("startMs", startMs);
  if (!(durationMs >= 0 && Number.isFinite(durationMs))) {
    throw new RangeError(`durationMs must be a finite duration ≥ 0, got ${durationMs}`);
  }
  if (durationMs === 0) return startMs;
  const c = compile(cal);
  const first = dayOf(wallAt(cal.timeZone, startMs)) - 1;
  let remaining = durationMs;
  for (let day = first; day <= first + MAX_SEARCH_DAYS; day++) {
    for (const [a, b] of segmentsOn(cal, c, day)) {
      const from = Math.max(a, startMs);
      if (b <= from) continue;
      if (remaining <= b - from) return from + remaining;
      remaining -= b - from;
    }
  }
  throw new RangeError(
    `business calendar (${cal.timeZone}) has no ${durationMs / 3_600_000} h of working time ` +
      `within ${MAX_SEARCH_DAYS} days after ${isoDate(first + 1)}: check its workdays, hours and holidays`,
  );
}

/**
 * Business time elapsed from `aMs` to `bMs`; 0 when `bMs` is not after `aMs` (clock skew between
 * regions can put an answer a moment before its filing). Throws RangeError past MAX_SPAN_DAYS.
 */
export function businessTimeBetween(aMs: number, bMs: number, cal: BusinessCalendar): number {
  assertInstant("aMs", aMs);
  assertInstant("bMs", bMs);
  if (bMs <= aMs) return 0;
  const c = compile(cal);
  const first = dayOf(wallAt(cal.timeZone, aMs)) - 1;
  const last = dayOf(wallAt(cal.timeZone, bMs)) + 1;
  if (last - first > MAX_SPAN_DAYS) {
    throw new RangeError(`businessTimeBetween measures at most ${MAX_SPAN_DAYS} days`);
  }
  let total = 0;
  for (let day = first; day <= last; day++) {
    for (const [a, b] of segmentsOn(cal, c, day)) {
      const from = Math.max(a, aMs);
      const to = Math.min(b, bMs);
      if (to > from) total += to - from;
    }
  }
  return total;
}
