// The feedback loop's arithmetic: adoption rates, the 65% A/B flag and its interval.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AB_TEST_THRESHOLD, adoptionReport, wilson } from "./adoption.ts";

const report = (
  suggested: Record<string, number>,
  answers: Record<string, [answered: number, adopted: number]>,
) =>
  adoptionReport(
    new Map(Object.entries(suggested)),
    new Map(Object.entries(answers).map(([k, [answered, adopted]]) => [k, { answered, adopted }])),
  );

describe("strategy adoption", () => {
  test("a strategy adopted less than 65% of the time is flagged for A/B testing", () => {
    const rows = report({ a: 10, b: 10 }, { a: [10, 6], b: [10, 7] });
    expect(AB_TEST_THRESHOLD).toBe(0.65);
    expect(rows.find((r) => r.strategy === "a")).toMatchObject({
      adoptionRate: 0.6,
      flag: "ab-test",
    });
    expect(rows.find((r) => r.strategy === "b")).toMatchObject({ adoptionRate: 0.7, flag: null });
  });

  test("exactly 65% is not flagged", () => {
    expect(report({ a: 20 }, { a: [20, 13] })[0]).toMatchObject({ adoptionRate: 0.65, flag: null });
  });

  test("a strategy nobody answered yet has no rate and no flag", () => {
    expect(report({ a: 3 }, {})[0]).toEqual({
      strategy: "a",
      suggested: 3,
      answered: 0,
      adopted: 0,
      adoptionRate: null,
      interval95: null,
      flag: null,
    });
  });

  test("flagged strategies come first, worst first", () => {
    const rows = report({ ok: 5, bad: 5, worse: 5 }, { ok: [5, 5], bad: [5, 3], worse: [5, 1] });
    expect(rows.map((r) => r.strategy)).toEqual(["worse", "bad", "ok"]);
  });

  test("the 95% interval contains the rate and narrows as answers accumulate", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, p) => {
          const k = Math.round(n * p);
          const [lo, hi] = wilson(k, n);
          expect(lo).toBeGreaterThanOrEqual(0);
          expect(hi).toBeLessThanOrEqual(1);
          expect(lo).toBeLessThanOrEqual(k / n + 1e-12);
          expect(hi).toBeGreaterThanOrEqual(k / n - 1e-12);
          const [lo4, hi4] = wilson(4 * k, 4 * n);
          expect(hi4 - lo4).toBeLessThanOrEqual(hi - lo + 1e-12);
        },
      ),
    );
  });
});
