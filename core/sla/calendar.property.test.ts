// Invariant: for any calendar, start and duration within the search cap, addBusinessTime and
// businessTimeBetween are inverse and monotonic (SLA2), and business time is real time (SLA3).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { addBusinessTime, BusinessCalendar, businessTimeBetween } from "./calendar.ts";

const MINUTE = 60_000;
const WEEK = 7 * 86_400_000;
// Zones with DST at 02:00, at midnight (Havana), by 30 minutes (Lord Howe), south of the
// equator, with a :45 offset (Chatham), and without DST.
const ZONES = [
  "Europe/Berlin",
  "Asia/Shanghai",
  "America/New_York",
  "America/Havana",
  "America/Sao_Paulo",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Kolkata",
  "UTC",
];
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2029, 0, 1);

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A valid calendar and the business time it surely holds within the 400-day search. */
const calendarArb = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    workdays: fc.subarray([1, 2, 3, 4, 5, 6, 7], { minLength: 1 }),
    edges: fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 2, maxLength: 6 }),
    holidays: fc.array(fc.integer({ min: FROM, max: TO }).map(date), { maxLength: 30 }),
    workingWeekends: fc.array(fc.integer({ min: FROM, max: TO }).map(date), { maxLength: 10 }),
  })
  .map(({ timeZone, workdays, edges, holidays, workingWeekends }) => {
    const e = [...edges].sort((a, b) => a - b).slice(0, edges.length - (edges.length % 2));
    const breaks = [];
    for (let i = 1; i + 1 < e.length - 1; i += 2) {
      breaks.push({ start: hhmm(e[i]!), end: hhmm(e[i + 1]!) });
    }
    const calendar = BusinessCalendar.parse({
      timeZone,
      workdays,
      hours: { start: hhmm(e[0]!), end: hhmm(e.at(-1)!), breaks },
      holidays,
      workingWeekends: workingWeekends.filter((d) => !holidays.includes(d)),
    });
    let dailyMinutes = 0;
    for (let i = 0; i < e.length; i += 2) dailyMinutes += e[i + 1]! - e[i]!;
    // 15 weeks of working time; even with every holiday on a working day of a one-day week,
    // and DST eating an hour, that is found within 400 days.
    const capMs = 15 * workdays.length * dailyMinutes * MINUTE;
    return { calendar, capMs };
  });

const startArb = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc.integer({ min: FROM / MINUTE, max: TO / MINUTE }).map((m) => m * MINUTE),
);
const fractionArb = fc.integer({ min: 0, max: 1_000_000 });

describe("business time (properties)", () => {
  test("[SLA2] addBusinessTime is strictly monotonic in duration and businessTimeBetween inverts it", () => {
    fc.assert(
      fc.property(
        calendarArb,
        startArb,
        fractionArb,
        fractionArb,
        ({ calendar, capMs }, start, f1, f2) => {
          const [d1, d2] = [f1, f2]
            .map((f) => Math.floor((capMs * f) / 1_000_000))
            .sort((a, b) => a - b) as [number, number];
          const t1 = addBusinessTime(start, d1, calendar);
          const t2 = addBusinessTime(start, d2, calendar);
          expect(businessTimeBetween(start, t1, calendar)).toBe(d1);
          expect(businessTimeBetween(start, t2, calendar)).toBe(d2);
          if (d1 < d2) expect(t1).toBeLessThan(t2);
          else expect(t1).toBe(t2);
          expect(t1).toBeGreaterThanOrEqual(start);
          // Earliest: one millisecond sooner, the duration has not yet elapsed.
          if (d1 > 0) expect(businessTimeBetween(start, t1 - 1, calendar)).toBe(d1 - 1);
        },
      ),
    );
  });

  test("[SLA2] business time adds up over consecutive intervals and never exceeds real time", () => {
    fc.assert(
      fc.property(
        calendarArb,
        startArb,
        fc.nat(8 * WEEK),
        fc.nat(8 * WEEK),
        ({ calendar }, a, x, y) => {
          const [b, c] = [a + Math.min(x, y), a + Math.max(x, y)];
          const ab = businessTimeBetween(a, b, calendar);
          const bc = businessTimeBetween(b, c, calendar);
          expect(ab + bc).toBe(businessTimeBetween(a, c, calendar));
          expect(ab).toBeLessThanOrEqual(b - a);
        },
      ),
    );
  });

  test("[SLA3] on a round-the-clock calendar business time is real time in every zone, DST or not", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), startArb, fc.nat(4 * WEEK), (timeZone, start, d) => {
        const always = BusinessCalendar.parse({
          timeZone,
          workdays: [1, 2, 3, 4, 5, 6, 7],
          hours: { start: "00:00", end: "24:00" },
        });
        expect(addBusinessTime(start, d, always)).toBe(start + d);
        expect(businessTimeBetween(start, start + d, always)).toBe(d);
      }),
    );
  });
});
