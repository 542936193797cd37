// Which month it is for a customer: the instant read in their time zone, so a budget cycle
// turns over at their midnight.
import fc from "fast-check";
import { expect, test } from "vitest";
import { addDays, addMonthsMs, dayAt, isoDay, monthAt } from "./calendar.ts";

test("the month turns at the customer's midnight: 16:30 UTC on 31 October is November in Shanghai, still October in Berlin and UTC", () => {
  const at = Date.UTC(2026, 9, 31, 16, 30);
  expect(monthAt(at, "Asia/Shanghai")).toBe(11);
  expect(monthAt(at, "Europe/Berlin")).toBe(10);
  expect(monthAt(at, "UTC")).toBe(10);
  // The last moment of October in Shanghai, and the first of November.
  expect(monthAt(Date.UTC(2026, 9, 31, 15, 59, 59, 999), "Asia/Shanghai")).toBe(10);
  expect(monthAt(Date.UTC(2026, 9, 31, 16), "Asia/Shanghai")).toBe(11);
  // A year boundary, and a zone west of UTC that is still in the old month.
  expect(monthAt(Date.UTC(2026, 11, 31, 16), "Asia/Shanghai")).toBe(1);
  expect(monthAt(Date.UTC(2027, 0, 1, 3), "America/New_York")).toBe(12);
});

test("an unknown time zone is a caller's bug and throws", () => {
  expect(() => monthAt(0, "Mars/Olympus_Mons")).toThrow(RangeError);
});

test("in UTC the month is the UTC month, at any instant", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
      expect(monthAt(ms, "UTC")).toBe(new Date(ms).getUTCMonth() + 1);
    }),
    { numRuns: 300 },
  );
});

test("the day turns at the customer's midnight too, and agrees with the month", () => {
  const at = Date.UTC(2026, 9, 31, 16, 30);
  expect(dayAt(at, "Asia/Shanghai")).toBe("2026-11-01");
  expect(dayAt(at, "Europe/Berlin")).toBe("2026-10-31");
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
      expect(Number(dayAt(ms, "Asia/Shanghai").slice(5, 7))).toBe(monthAt(ms, "Asia/Shanghai"));
    }),
    { numRuns: 300 },
  );
});

test("calendar arithmetic rolls over months and years", () => {
  expect(isoDay(2026, 13, 1)).toBe("2027-01-01");
  expect(isoDay(2026, 9, 0)).toBe("2026-08-31");
  expect(isoDay(2026, -1, 1)).toBe("2025-11-01");
  expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
});

test("a month later keeps the day, or the month's last when it has none, and the time of day", () => {
  expect(new Date(addMonthsMs(Date.UTC(2026, 0, 31, 9, 15), 1)).toISOString()).toBe(
    "2026-02-28T09:15:00.000Z",
  );
  expect(new Date(addMonthsMs(Date.UTC(2025, 6, 20, 4), 12)).toISOString()).toBe(
    "2026-07-20T04:00:00.000Z",
  );
  expect(new Date(addMonthsMs(Date.UTC(2024, 1, 29), 12)).toISOString()).toBe(
    "2025-02-28T00:00:00.000Z",
  );
});
