// The SLA clock over a tenant calendar: warn and due in business time, statuses, alarms and
// figures (SPEC.md SLA4, SLA6–SLA9).
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { defaultCalendar } from "./calendar.ts";
import {
  DEFAULT_SLA_POLICY,
  MAX_FIGURE_ITEMS,
  nextAlarmMs,
  SlaPolicy,
  slaClock,
  slaFigures,
  slaStatus,
} from "./clock.ts";

const H = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const eu = defaultCalendar("eu");
const cn = defaultCalendar("cn");

describe("slaClock", () => {
  test("[SLA6] the policy defaults to 4 h for standard and key accounts, 2 h for strategic, warning at 75 %", () => {
    expect(DEFAULT_SLA_POLICY).toEqual({
      hoursByTier: { standard: 4, key: 4, strategic: 2 },
      warnAtFraction: 0.75,
    });
  });

  test("[SLA6] filed Friday 17:00 with 4 h: warns Monday 11:00 and falls due Monday 12:00", () => {
    const filedAtMs = at("2026-03-06T17:00+01:00");
    const clock = slaClock({
      filedAtMs,
      tier: "standard",
      policy: DEFAULT_SLA_POLICY,
      calendar: eu,
    });
    expect(clock).toEqual({
      filedAtMs,
      warnAtMs: at("2026-03-09T11:00+01:00"),
      dueAtMs: at("2026-03-09T12:00+01:00"),
    });
    // 75 % of the wall-clock wait would be Sunday evening, when nobody is there to answer.
    const linear = filedAtMs + 0.75 * (clock.dueAtMs - filedAtMs);
    expect(clock.warnAtMs).not.toBe(linear);
  });

  test("[SLA6] the warning point skips the lunch break like the deadline does", () => {
    const clock = slaClock({
      filedAtMs: at("2026-03-10T10:00+08:00"),
      tier: "key",
      policy: DEFAULT_SLA_POLICY,
      calendar: cn,
    });
    expect(clock.warnAtMs).toBe(at("2026-03-10T14:00+08:00"));
    expect(clock.dueAtMs).toBe(at("2026-03-10T15:00+08:00"));
  });

  test("[SLA6] a strategic account's clock uses its tier's hours and the policy's fraction", () => {
    const policy = SlaPolicy.parse({ hoursByTier: { strategic: 1 }, warnAtFraction: 0.5 });
    const clock = slaClock({
      filedAtMs: at("2026-03-09T17:45+01:00"),
      tier: "strategic",
      policy,
      calendar: eu,
    });
    expect(clock.warnAtMs).toBe(at("2026-03-10T09:15+01:00"));
    expect(clock.dueAtMs).toBe(at("2026-03-10T09:45+01:00"));
    expect(policy.hoursByTier.standard).toBe(4);
  });

  test.each([
    ["zero hours", { hoursByTier: { standard: 0 } }],
    ["more than 240 hours", { hoursByTier: { key: 241 } }],
    ["a warning at 0 %", { warnAtFraction: 0 }],
    ["a warning at 100 %", { warnAtFraction: 1 }],
    ["an unknown tier", { hoursByTier: { gold: 1 } }],
  ])("[SLA6] the policy refuses %s", (_what, input) => {
    expect(SlaPolicy.safeParse(input).success).toBe(false);
  });
});

describe("slaStatus", () => {
  const clock = { warnAtMs: 3_000, dueAtMs: 4_000 };
  test.each([
    [2_999, null, "on-track"],
    [3_000, null, "warning"],
    [4_000, null, "warning"],
    [4_001, null, "violated"],
    [9_999, 1_000, "met"],
    [9_999, 4_000, "met"],
    [9_999, 4_001, "missed"],
  ] as const)("[SLA7] at %i, answered at %s: %s", (nowMs, answeredAtMs, status) => {
    expect(slaStatus(clock, { nowMs, answeredAtMs })).toBe(status);
  });
});

describe("nextAlarmMs", () => {
  const a = { warnAtMs: 3_000, dueAtMs: 4_000, answeredAtMs: null };
  const b = { warnAtMs: 3_500, dueAtMs: 3_800, answeredAtMs: null };

  test("[SLA8] wakes at the earliest warning, then the first violated instant, of open clocks", () => {
    expect(nextAlarmMs([a, b], 0)).toBe(3_000);
    expect(nextAlarmMs([a, b], 3_000)).toBe(3_500);
    expect(nextAlarmMs([a, b], 3_500)).toBe(3_801);
    expect(nextAlarmMs([a, b], 3_801)).toBe(4_001);
    expect(nextAlarmMs([a, b], 4_001)).toBeNull();
  });

  test("[SLA8] answered clocks set no alarm", () => {
    expect(nextAlarmMs([{ ...a, answeredAtMs: 2_000 }, b], 0)).toBe(3_500);
    expect(nextAlarmMs([{ ...a, answeredAtMs: 2_000 }], 0)).toBeNull();
    expect(nextAlarmMs([], 0)).toBeNull();
  });

  test("[SLA8] between two alarms no open clock changes status, and at the alarm one does", () => {
    const clockArb = fc
      .tuple(fc.nat(10_000), fc.nat(10_000), fc.option(fc.nat(20_000)))
      .map(([w, gap, answeredAtMs]) => ({ warnAtMs: w, dueAtMs: w + gap + 1, answeredAtMs }));
    fc.assert(
      fc.property(
        fc.array(clockArb, { maxLength: 8 }),
        fc.nat(25_000),
        fc.nat(1_000_000),
        (clocks, now, f) => {
          const open = clocks.filter((c) => c.answeredAtMs === null);
          const statuses = (t: number) =>
            open.map((c) => slaStatus(c, { nowMs: t, answeredAtMs: null }));
          const next = nextAlarmMs(clocks, now);
          if (next === null) {
            expect(statuses(now)).toEqual(statuses(Number.MAX_SAFE_INTEGER));
            return;
          }
          expect(next).toBeGreaterThan(now);
          const between = now + Math.floor(((next - 1 - now) * f) / 1_000_000);
          expect(statuses(between)).toEqual(statuses(now));
          expect(statuses(next)).not.toEqual(statuses(next - 1));
        },
      ),
    );
  });
});

describe("slaFigures", () => {
  const filed = at("2026-03-09T09:00+01:00"); // a Monday
  const due = at("2026-03-09T13:00+01:00");
  const answered = (answeredAtMs: number | null) => ({
    filedAtMs: filed,
    answeredAtMs,
    dueAtMs: due,
  });

  test("[SLA9] nearest-rank p50 and p90 of business answer times", () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((h) => answered(filed + h * H));
    // The tenth answer comes Tuesday 10:00: 10 h of business time, 25 h of wall time.
    items.push(answered(at("2026-03-10T10:00+01:00")));
    const figures = slaFigures(items, eu, at("2026-03-11T00:00+01:00"));
    expect(figures.p50AnswerMs).toBe(5 * H);
    expect(figures.p90AnswerMs).toBe(9 * H);
    const four = slaFigures(items.slice(0, 4), eu, 0);
    expect([four.p50AnswerMs, four.p90AnswerMs]).toEqual([2 * H, 4 * H]);
    const late = slaFigures([items[9]!], eu, 0);
    expect(late.p90AnswerMs).toBe(10 * H);
  });

  test("[SLA9] within-SLA share counts answers and open requests past due, not open ones still in time", () => {
    const items = [
      answered(filed + 1 * H),
      answered(filed + 2 * H),
      answered(due),
      answered(due + 1),
      answered(null),
      { filedAtMs: filed, answeredAtMs: null, dueAtMs: at("2026-03-10T13:00+01:00") },
    ];
    expect(slaFigures(items, eu, at("2026-03-09T15:00+01:00"))).toEqual({
      count: 6,
      answered: 4,
      p50AnswerMs: 2 * H,
      p90AnswerMs: 4 * H + 1,
      withinSlaShare: 3 / 5,
      openViolations: 1,
    });
  });

  test("[SLA9] with nothing to judge the figures are null, not zero", () => {
    expect(slaFigures([], eu, 0)).toEqual({
      count: 0,
      answered: 0,
      p50AnswerMs: null,
      p90AnswerMs: null,
      withinSlaShare: null,
      openViolations: 0,
    });
    const inTime = slaFigures([answered(null)], eu, filed);
    expect([inTime.count, inTime.withinSlaShare, inTime.p50AnswerMs]).toEqual([1, null, null]);
  });

  test("[SLA4] figures refuse more items than they are bounded to", () => {
    const many = Array.from({ length: MAX_FIGURE_ITEMS + 1 }, () => answered(null));
    expect(() => slaFigures(many, eu, 0)).toThrow(/at most 100000 items/);
  });
});
