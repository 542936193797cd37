// The cn schedule checked against the rules it must obey (SPEC.md SLA5): the statutory days of
// 全国年节及纪念日放假办法, make-up days on weekends, and the lunar dates the runtime computes.
import { describe, expect, test } from "vitest";
import { BusinessCalendar, cnCalendar } from "./calendar.ts";
import { CN_HOLIDAY_DATES, CN_OFFICIAL_THROUGH, CN_PUBLIC_HOLIDAYS } from "./cn-holidays.ts";

const weekday = (d: string) => new Date(`${d}T00:00Z`).getUTCDay(); // 0 = Sunday
const isWeekend = (d: string) => weekday(d) === 0 || weekday(d) === 6;
const official = Object.entries(CN_PUBLIC_HOLIDAYS).filter(([, y]) => y.status === "official");

/** The Gregorian date in Shanghai of a lunar month/day in `year`, as ICU computes it. */
function lunar(year: number, month: number, day: number): string {
  const f = new Intl.DateTimeFormat("en-US-u-ca-chinese", {
    timeZone: "Asia/Shanghai",
    month: "numeric",
    day: "numeric",
  });
  for (let t = Date.UTC(year, 0, 1, 4); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
    if (p.month === String(month) && p.day === String(day)) {
      return new Date(t).toISOString().slice(0, 10);
    }
  }
  throw new Error(`no ${month}/${day} in ${year}`);
}

describe("CN_PUBLIC_HOLIDAYS", () => {
  test.each(official)(
    "[SLA5] %s: each festival's weekdays off minus its make-up days are its statutory days",
    (_year, y) => {
      for (const f of y.festivals) {
        const weekdaysOff = f.off.filter((d) => !isWeekend(d)).length;
        expect(weekdaysOff - f.workingWeekends.length, f.name).toBe(f.statutory.length);
      }
      expect(y.festivals.flatMap((f) => f.statutory)).toHaveLength(13);
    },
  );

  test.each(official)(
    "[SLA5] %s: every block is consecutive days holding its statutory days",
    (_year, y) => {
      for (const f of y.festivals) {
        for (const s of f.statutory) expect(f.off, f.name).toContain(s);
        for (let i = 1; i < f.off.length; i++) {
          expect(Date.parse(f.off[i]!) - Date.parse(f.off[i - 1]!), f.name).toBe(86_400_000);
        }
      }
    },
  );

  test("[SLA5] make-up working days are Saturdays or Sundays outside every block", () => {
    for (const y of Object.values(CN_PUBLIC_HOLIDAYS)) {
      for (const f of y.festivals) {
        for (const d of f.workingWeekends) {
          expect(isWeekend(d), d).toBe(true);
          expect(CN_HOLIDAY_DATES, d).not.toContain(d);
        }
      }
    }
  });

  test("[SLA5] the lunar festivals fall on the lunar dates (ICU's Chinese calendar)", () => {
    const statutory = (year: number, name: string) =>
      CN_PUBLIC_HOLIDAYS[year]!.festivals.find((f) => f.name === name)!.statutory;
    for (const year of [2026, 2027]) {
      expect(statutory(year, "端午节")).toEqual([lunar(year, 5, 5)]);
      expect(statutory(year, "中秋节")).toEqual([lunar(year, 8, 15)]);
    }
    // 除夕 and 初一–初三. Not checked for 2027: ICU puts 初一 on 02-07, but the new moon falls
    // at 23:56 Beijing time on 02-06, which is 初一 (see cn-holidays.ts).
    const newYear = Date.parse(lunar(2026, 1, 1));
    expect(statutory(2026, "春节")).toEqual(
      [-1, 0, 1, 2].map((d) => new Date(newYear + d * 86_400_000).toISOString().slice(0, 10)),
    );
  });

  test("[SLA5] a year without a published notice holds only statutory days and is not official", () => {
    const y2027 = CN_PUBLIC_HOLIDAYS[2027]!;
    expect(y2027.status).toBe("statutory-only");
    for (const f of y2027.festivals) {
      expect(f.off).toEqual(f.statutory);
      expect(f.workingWeekends).toEqual([]);
    }
    const lastOfficial = Math.max(...official.map(([year]) => Number(year)));
    expect(CN_OFFICIAL_THROUGH).toBe(`${lastOfficial}-12-31`);
  });
});

describe("cnCalendar", () => {
  test("[SLA5] is Shanghai, Monday–Friday 09:00–18:00 with lunch, national holidays and make-up days", () => {
    const cal = cnCalendar();
    expect(cal.timeZone).toBe("Asia/Shanghai");
    expect(cal.workdays).toEqual([1, 2, 3, 4, 5]);
    expect(cal.hours).toEqual({
      start: "09:00",
      end: "18:00",
      breaks: [{ start: "12:00", end: "13:00" }],
    });
    expect(cal.holidays).toContain("2026-02-17");
    expect(cal.workingWeekends).toContain("2026-09-20");
  });

  test("[SLA5] a tenant's holidays and working days are added to the national ones", () => {
    const cal = cnCalendar({ holidays: ["2026-03-09"], hours: { start: "08:30", end: "17:30" } });
    expect(cal.holidays).toContain("2026-03-09");
    expect(cal.holidays).toContain("2026-10-01");
    expect(cal.hours.start).toBe("08:30");
    expect(() => cnCalendar({ workingWeekends: ["2026-10-03"] })).toThrow(/also a holiday/);
    expect(BusinessCalendar.parse(cal)).toEqual(cal);
  });
});
