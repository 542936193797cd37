// Business time at the edges (SPEC.md SLA1–SLA4, SLA10). Expected instants are written with
// explicit UTC offsets, so they do not lean on the time-zone code under test.
import { describe, expect, test } from "vitest";
import {
  addBusinessTime,
  BusinessCalendar,
  type BusinessCalendarInput,
  businessTimeBetween,
  defaultCalendar,
  MAX_SPAN_DAYS,
} from "./calendar.ts";

const H = 3_600_000;
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const eu = defaultCalendar("eu");
const cn = defaultCalendar("cn");
const cal = (input: Partial<BusinessCalendarInput>) =>
  BusinessCalendar.parse({ timeZone: "Europe/Berlin", ...input });
const roundTheClock = (timeZone: string) =>
  BusinessCalendar.parse({
    timeZone,
    workdays: [1, 2, 3, 4, 5, 6, 7],
    hours: { start: "00:00", end: "24:00" },
  });

describe("addBusinessTime", () => {
  const cases: Array<[rule: string, BusinessCalendar, filed: string, hours: number, due: string]> =
    [
      [
        "[SLA1] filed 17:00 on a Friday with 4 h of 09–18 falls due Monday 12:00",
        eu,
        "2026-03-06T17:00+01:00",
        4,
        "2026-03-09T12:00+01:00",
      ],
      [
        "[SLA1] a Monday holiday moves that due date to Tuesday 12:00",
        cal({ holidays: ["2026-03-09"] }),
        "2026-03-06T17:00+01:00",
        4,
        "2026-03-10T12:00+01:00",
      ],
      [
        "[SLA1] filed before opening, the clock starts at opening",
        eu,
        "2026-03-09T07:30+01:00",
        4,
        "2026-03-09T13:00+01:00",
      ],
      [
        "[SLA1] filed after closing, the clock starts next morning",
        eu,
        "2026-03-10T19:00+01:00",
        1,
        "2026-03-11T10:00+01:00",
      ],
      [
        "[SLA1] filed during lunch, the clock starts after lunch",
        cn,
        "2026-03-10T12:30+08:00",
        1,
        "2026-03-10T14:00+08:00",
      ],
      [
        "[SLA1] the lunch break does not count",
        cn,
        "2026-03-10T11:00+08:00",
        4,
        "2026-03-10T16:00+08:00",
      ],
      [
        "[SLA2] business time ending at closing is due at closing, not next morning",
        eu,
        "2026-03-10T14:00+01:00",
        4,
        "2026-03-10T18:00+01:00",
      ],
      [
        "[SLA2] business time ending at the lunch break is due when lunch starts",
        cn,
        "2026-03-13T17:00+08:00",
        4,
        "2026-03-16T12:00+08:00",
      ],
      [
        "[SLA1] Saturday 2026-02-14 is a make-up working day before the Spring Festival",
        cn,
        "2026-02-13T16:00+08:00",
        4,
        "2026-02-14T11:00+08:00",
      ],
      [
        "[SLA1] the Spring Festival 2026-02-15…23 is skipped whole",
        cn,
        "2026-02-14T17:00+08:00",
        4,
        "2026-02-24T12:00+08:00",
      ],
      [
        "[SLA1] Saturday 2026-02-28 is a make-up working day after the Spring Festival",
        cn,
        "2026-02-27T17:00+08:00",
        4,
        "2026-02-28T12:00+08:00",
      ],
      [
        "[SLA1] Sunday 2026-09-20 is a make-up working day before National Day",
        cn,
        "2026-09-19T10:00+08:00",
        4,
        "2026-09-20T14:00+08:00",
      ],
      [
        "[SLA1] National Day 2026-10-01…07 is skipped whole",
        cn,
        "2026-09-30T16:00+08:00",
        4,
        "2026-10-08T11:00+08:00",
      ],
      [
        "[SLA1] Saturday 2026-10-10 is a make-up working day after National Day",
        cn,
        "2026-10-09T17:00+08:00",
        4,
        "2026-10-10T12:00+08:00",
      ],
      [
        "[SLA3] across Berlin's spring-forward weekend (2026-03-29), Monday noon is CEST",
        eu,
        "2026-03-27T17:00+01:00",
        4,
        "2026-03-30T12:00+02:00",
      ],
      [
        "[SLA3] across Berlin's fall-back weekend (2026-10-25), Monday noon is CET",
        eu,
        "2026-10-23T17:00+02:00",
        4,
        "2026-10-26T12:00+01:00",
      ],
      [
        "[SLA3] a round-the-clock calendar counts 24 real hours over the 23-hour 2026-03-29",
        roundTheClock("Europe/Berlin"),
        "2026-03-28T12:00+01:00",
        24,
        "2026-03-29T13:00+02:00",
      ],
      [
        "[SLA3] a round-the-clock calendar counts 24 real hours over the 25-hour 2026-10-25",
        roundTheClock("Europe/Berlin"),
        "2026-10-24T12:00+02:00",
        24,
        "2026-10-25T11:00+01:00",
      ],
    ];
  test.each(cases)("%s", (_rule, calendar, filed, hours, due) => {
    expect(iso(addBusinessTime(at(filed), hours * H, calendar))).toBe(iso(at(due)));
    expect(businessTimeBetween(at(filed), at(due), calendar)).toBe(hours * H);
  });

  test("[SLA2] no business time is due at the filing instant itself, even at night", () => {
    const night = at("2026-03-07T03:00+01:00");
    expect(addBusinessTime(night, 0, eu)).toBe(night);
  });

  test("[SLA2] a negative or non-finite duration or start is refused", () => {
    const t = at("2026-03-09T10:00+01:00");
    expect(() => addBusinessTime(t, -1, eu)).toThrow(RangeError);
    expect(() => addBusinessTime(t, Number.NaN, eu)).toThrow(RangeError);
    expect(() => addBusinessTime(Number.POSITIVE_INFINITY, H, eu)).toThrow(RangeError);
  });
});

describe("businessTimeBetween", () => {
  test("[SLA1] counts working windows only: Friday 17:00 to Monday 12:00 is 4 h", () => {
    expect(
      businessTimeBetween(at("2026-03-06T17:00+01:00"), at("2026-03-09T12:00+01:00"), eu),
    ).toBe(4 * H);
  });

  test("[SLA1] the Spring Festival week counts only its make-up Saturday", () => {
    // 2026-02-14 (Sat, 8 h) then nothing until 2026-02-24 09:00.
    expect(
      businessTimeBetween(at("2026-02-14T00:00+08:00"), at("2026-02-24T09:00+08:00"), cn),
    ).toBe(8 * H);
  });

  test("[SLA3] a DST change inside working hours shortens or lengthens that day", () => {
    const night = cal({ workdays: [1, 2, 3, 4, 5, 6, 7], hours: { start: "01:00", end: "05:00" } });
    const day = (from: string, to: string) => businessTimeBetween(at(from), at(to), night);
    expect(day("2026-03-28T00:00+01:00", "2026-03-29T00:00+01:00")).toBe(4 * H);
    expect(day("2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00")).toBe(3 * H);
    expect(day("2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00")).toBe(5 * H);
  });

  test("[SLA3] working hours that open inside the spring gap open when the clock jumps", () => {
    const early = cal({ workdays: [7], hours: { start: "02:30", end: "04:00" } });
    expect(
      businessTimeBetween(at("2026-03-29T00:00+01:00"), at("2026-03-30T00:00+02:00"), early),
    ).toBe(1 * H);
    expect(addBusinessTime(at("2026-03-28T12:00+01:00"), 1, early)).toBe(
      at("2026-03-29T03:00+02:00") + 1,
    );
  });

  test("[SLA3] working hours that open inside the autumn overlap open at its first occurrence", () => {
    const early = cal({ workdays: [7], hours: { start: "02:30", end: "04:00" } });
    // 02:30 CEST to 04:00 CET: two and a half real hours.
    expect(
      businessTimeBetween(at("2026-10-25T00:00+02:00"), at("2026-10-26T00:00+01:00"), early),
    ).toBe(2.5 * H);
    expect(addBusinessTime(at("2026-10-24T12:00+02:00"), 1, early)).toBe(
      at("2026-10-25T02:30+02:00") + 1,
    );
  });

  test("[SLA2] an end before the start elapses nothing (clock skew between regions)", () => {
    const t = at("2026-03-09T10:00+01:00");
    expect(businessTimeBetween(t, t - 60_000, eu)).toBe(0);
    expect(businessTimeBetween(t, t, eu)).toBe(0);
  });
});

describe("bounds", () => {
  test("[SLA4] a calendar whose every working day is a holiday throws a readable error", () => {
    const mondays: string[] = [];
    for (let t = at("2026-01-05T12:00Z"); mondays.length < 120; t += 7 * 86_400_000) {
      mondays.push(iso(t).slice(0, 10));
    }
    const closed = cal({ workdays: [1], holidays: mondays });
    expect(() => addBusinessTime(at("2026-01-01T10:00+01:00"), 4 * H, closed)).toThrow(
      /Europe\/Berlin.*within 400 days after 2026-01-01.*workdays, hours and holidays/,
    );
  });

  test("[SLA4] business time is measured over at most MAX_SPAN_DAYS", () => {
    const a = at("2026-01-01T00:00Z");
    expect(() => businessTimeBetween(a, a + (MAX_SPAN_DAYS + 1) * 86_400_000, eu)).toThrow(
      /at most 3660 days/,
    );
  });
});

describe("BusinessCalendar", () => {
  test("[SLA10] defaults to Monday–Friday 09:00–18:00 with no breaks or holidays", () => {
    expect(BusinessCalendar.parse({ timeZone: "Europe/Berlin" })).toEqual({
      timeZone: "Europe/Berlin",
      workdays: [1, 2, 3, 4, 5],
      hours: { start: "09:00", end: "18:00", breaks: [] },
      holidays: [],
      workingWeekends: [],
    });
  });

  const invalid: Array<[string, Record<string, unknown>]> = [
    ["an unknown time zone", { timeZone: "Mars/Olympus_Mons" }],
    ["a UTC offset instead of a zone", { timeZone: "+08:00" }],
    ["an hour past 24", { hours: { start: "25:00", end: "26:00" } }],
    ["a time without two-digit hours", { hours: { start: "9:00", end: "18:00" } }],
    ["opening after closing", { hours: { start: "18:00", end: "09:00" } }],
    ["a break outside the hours", { hours: { breaks: [{ start: "18:00", end: "19:00" }] } }],
    [
      "overlapping breaks",
      {
        hours: {
          breaks: [
            { start: "12:00", end: "13:00" },
            { start: "12:30", end: "14:00" },
          ],
        },
      },
    ],
    [
      "a break that ends before it starts",
      { hours: { breaks: [{ start: "13:00", end: "12:00" }] } },
    ],
    ["a date that does not exist", { holidays: ["2026-02-30"] }],
    ["a date in another format", { holidays: ["2026/05/01"] }],
    ["weekday 0", { workdays: [0, 1] }],
    ["weekday 8", { workdays: [8] }],
    ["no workday", { workdays: [] }],
    ["a repeated weekday", { workdays: [1, 1] }],
    [
      "a date both holiday and working day",
      { holidays: ["2026-02-14"], workingWeekends: ["2026-02-14"] },
    ],
    ["more than 400 holidays", { holidays: Array.from({ length: 401 }, () => "2026-01-01") }],
    ["an unknown key", { weekends: [6, 7] }],
  ];
  test.each(invalid)("[SLA10] refuses %s", (_what, input) => {
    expect(BusinessCalendar.safeParse({ timeZone: "Europe/Berlin", ...input }).success).toBe(false);
  });

  test("[SLA10] accepts a day that ends at 24:00 and several breaks", () => {
    const ok = BusinessCalendar.safeParse({
      timeZone: "Asia/Shanghai",
      hours: {
        start: "08:00",
        end: "24:00",
        breaks: [
          { start: "12:00", end: "13:00" },
          { start: "18:00", end: "19:00" },
        ],
      },
    });
    expect(ok.success).toBe(true);
  });
});
