// A tenant's SLA policy (SPEC.md SLA11–SLA13): its limits, the calendar it lays over each
// jurisdiction's, the clock it sets, and the defaults it falls back to (and why).
import { describe, expect, test } from "vitest";
import { addBusinessTime, BusinessCalendar, defaultCalendar, MAX_SEARCH_DAYS } from "./calendar.ts";
import { DEFAULT_SLA_POLICY, slaClock } from "./clock.ts";
import {
  DEFAULT_SLA_SETTING,
  leanestStretchMinutes,
  MAX_CLOSED_DATES,
  slaPolicyView,
  slaSettingOf,
  TenantSlaPolicy,
  tenantCalendar,
} from "./tenant.ts";

const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;
const issues = (input: unknown) =>
  TenantSlaPolicy.safeParse(input).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);

describe("[SLA11] the policy's limits", () => {
  test("a version alone is the defaults under that version", () => {
    expect(TenantSlaPolicy.parse({ version: 1 })).toEqual({
      version: 1,
      ...DEFAULT_SLA_POLICY,
      calendar: { closedDates: [] },
    });
  });

  test.each([
    ["no version", {}, "version"],
    ["version 0", { version: 0 }, "version"],
    ["hours above 240", { version: 1, hoursByTier: { key: 241 } }, "hoursByTier.key"],
    ["zero hours", { version: 1, hoursByTier: { strategic: 0 } }, "hoursByTier.strategic"],
    ["a warning share of 1", { version: 1, warnAtFraction: 1 }, "warnAtFraction"],
    ["a weekday twice", { version: 1, calendar: { workdays: [1, 1] } }, "calendar.workdays"],
    ["weekday 8", { version: 1, calendar: { workdays: [8] } }, "calendar.workdays.0"],
    [
      "hours backwards",
      { version: 1, calendar: { hours: { start: "18:00", end: "09:00" } } },
      "calendar.hours",
    ],
    [
      "an impossible date",
      { version: 1, calendar: { closedDates: ["2026-02-30"] } },
      "calendar.closedDates.0",
    ],
    [
      "a date in 1999",
      { version: 1, calendar: { closedDates: ["1999-12-31"] } },
      "calendar.closedDates.0",
    ],
    [
      "a date twice",
      { version: 1, calendar: { closedDates: ["2026-05-04", "2026-05-04"] } },
      "calendar.closedDates",
    ],
    ["an unknown field", { version: 1, slaHours: 4 }, ""],
  ])("%s is refused, naming the field", (_, input, path) => {
    expect(issues(input)?.some((i) => i.startsWith(`${path}:`))).toBe(true);
  });

  test(`at most ${MAX_CLOSED_DATES} closed dates`, () => {
    const dates = Array.from({ length: MAX_CLOSED_DATES + 1 }, (_, i) =>
      new Date(at("2030-01-01T00:00:00Z") + i * 24 * H).toISOString().slice(0, 10),
    );
    expect(issues({ version: 1, calendar: { closedDates: dates } })).toContainEqual(
      expect.stringMatching(/^calendar\.closedDates: /),
    );
  });

  test("[SLA12] a calendar with too little business time in some 400 days for the longest SLA is refused", () => {
    // Sundays only, one hour each: about 57 hours in 400 days, fewer than 240.
    expect(
      issues({
        version: 1,
        hoursByTier: { standard: 240 },
        calendar: { workdays: [7], hours: { start: "09:00", end: "10:00" } },
      }),
    ).toContainEqual(expect.stringMatching(/^calendar: leaves \d+ business hours/));
    // Closing every working day of a stretch: Sundays of 2030, with Sunday the only workday.
    const sundays = Array.from({ length: 60 }, (_, i) =>
      new Date(at("2030-01-06T00:00:00Z") + i * 7 * 24 * H).toISOString().slice(0, 10),
    );
    expect(
      issues({ version: 1, calendar: { workdays: [7], closedDates: sundays } }),
    ).toContainEqual(expect.stringMatching(/^calendar: leaves 0 business hours/));
    // The same calendar with a short SLA and open Sundays is fine.
    expect(issues({ version: 1, calendar: { workdays: [7] } })).toBeUndefined();
  });

  test("[SLA12] the leanest stretch of a calendar is what addBusinessTime can find in its horizon", () => {
    const eu = defaultCalendar("eu");
    const leanest = leanestStretchMinutes(eu, MAX_SEARCH_DAYS - 1);
    // 400 days of Mon–Fri 9 h days hold about 285 working days.
    expect(leanest / 60).toBeGreaterThan(280 * 9);
    expect(() =>
      addBusinessTime(at("2026-01-01T00:00:00Z"), (leanest / 60 - 9) * H, eu),
    ).not.toThrow();
  });
});

describe("[SLA13] the calendar a tenant's policy makes in each jurisdiction", () => {
  test("the jurisdiction's zone and public holidays stay; the tenant's days, hours and closed dates apply", () => {
    const policy = TenantSlaPolicy.parse({
      version: 3,
      calendar: {
        workdays: [1, 2, 3, 4, 5, 6],
        hours: { start: "08:00", end: "20:00", breaks: [] },
        closedDates: ["2026-06-01", "2026-02-14"],
      },
    });
    const cn = tenantCalendar("cn", policy);
    expect(cn.timeZone).toBe("Asia/Shanghai");
    expect(cn.workdays).toEqual([1, 2, 3, 4, 5, 6]);
    expect(cn.hours).toEqual({ start: "08:00", end: "20:00", breaks: [] });
    // National holidays stay; the tenant's dates are added.
    expect(cn.holidays).toEqual(expect.arrayContaining(["2026-10-01", "2026-06-01", "2026-02-14"]));
    // 2026-02-14 is a make-up working Saturday in China; closed by the tenant, it is closed.
    expect(defaultCalendar("cn").workingWeekends).toContain("2026-02-14");
    expect(cn.workingWeekends).not.toContain("2026-02-14");
    expect(BusinessCalendar.parse(cn)).toEqual(cn);
    const eu = tenantCalendar("eu", policy);
    expect(eu.timeZone).toBe("Europe/Berlin");
    expect(eu.holidays).toEqual(["2026-06-01", "2026-02-14"]);
  });

  test("without a policy, the jurisdiction's calendar as it always was", () => {
    expect(tenantCalendar("cn", null)).toEqual(defaultCalendar("cn"));
    expect(tenantCalendar("eu", null)).toEqual(defaultCalendar("eu"));
  });

  test("[SLA6] the clock counts the tenant's hours and share in its calendar: a closed Monday is skipped", () => {
    const policy = TenantSlaPolicy.parse({
      version: 1,
      hoursByTier: { key: 3 },
      warnAtFraction: 0.5,
      calendar: { closedDates: ["2026-03-09"] },
    });
    const clock = slaClock({
      filedAtMs: at("2026-03-06T17:00+01:00"),
      tier: "key",
      policy,
      calendar: tenantCalendar("eu", policy),
    });
    // Friday 17–18 (1 h), Monday closed, Tuesday 09:00–11:00; the warning after 1.5 h.
    expect(clock.dueAtMs).toBe(at("2026-03-10T11:00+01:00"));
    expect(clock.warnAtMs).toBe(at("2026-03-10T09:30+01:00"));
  });
});

describe("the setting in force, and where it comes from", () => {
  test("none published: the defaults, unset", () => {
    expect(slaSettingOf(null)).toEqual(DEFAULT_SLA_SETTING);
    expect(slaPolicyView(DEFAULT_SLA_SETTING)).toMatchObject({
      source: "default",
      reason: "unset",
      version: 0,
      hoursByTier: { standard: 4, key: 4, strategic: 2 },
      warnAtFraction: 0.75,
      calendar: { closedDates: [] },
      calendars: { cn: defaultCalendar("cn"), eu: defaultCalendar("eu") },
    });
  });

  test("a published one is in force, as the tenant wrote it", () => {
    const policy = TenantSlaPolicy.parse({ version: 2, hoursByTier: { strategic: 1 } });
    const setting = slaSettingOf({ version: 2, document: policy });
    expect(setting).toEqual({ source: "tenant", policy });
    expect(slaPolicyView(setting)).toMatchObject({
      source: "tenant",
      reason: null,
      version: 2,
      hoursByTier: { strategic: 1 },
    });
  });

  test("one this build cannot read, or published under another version, falls back to the defaults and says so", () => {
    for (const stored of [
      { version: 2, document: { version: 2, hoursByTier: { standard: "soon" } } },
      { version: 2, document: { version: 2, newerField: true } },
      { version: 3, document: TenantSlaPolicy.parse({ version: 2 }) },
    ])
      expect(slaSettingOf(stored)).toEqual({
        source: "default",
        policy: null,
        reason: "unreadable",
      });
  });
});
