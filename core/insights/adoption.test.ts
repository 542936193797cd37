// The feedback loop's arithmetic: adoption rates, the 65% A/B flag and its interval.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  AB_TEST_MIN_ANSWERS,
  AB_TEST_RULE,
  AB_TEST_THRESHOLD,
  adoptionReport,
  wilson,
} from "./adoption.ts";

const report = (
  suggested: Record<string, number>,
  answers: Record<string, [answered: number, adopted: number]>,
) =>
  adoptionReport(
    new Map(Object.entries(suggested)),
    new Map(Object.entries(answers).map(([k, [answered, adopted]]) => [k, { answered, adopted }])),
  );

describe("strategy adoption", () => {
  test("a strategy adopted clearly less than 65% of the time, by enough answers, is flagged", () => {
    const rows = report({ a: 40, b: 40 }, { a: [40, 16], b: [40, 28] });
    expect(AB_TEST_THRESHOLD).toBe(0.65);
    expect(rows.find((r) => r.strategy === "a")).toMatchObject({
      adoptionRate: 0.4,
      flag: "ab-test",
      assessment: "ab-test",
    });
    expect(rows.find((r) => r.strategy === "b")).toMatchObject({
      adoptionRate: 0.7,
      flag: null,
      assessment: "adopted",
    });
  });

  test("strategies are flagged only with a minimum of answers and a stated confidence", () => {
    expect(AB_TEST_MIN_ANSWERS).toBe(20);
    expect(AB_TEST_RULE.statement).toContain("at least 20");
    expect(AB_TEST_RULE.statement).toContain("95% Wilson interval");
    // One answer in three adopted: a low rate, but three answers say almost nothing.
    expect(report({ a: 3 }, { a: [3, 1] })[0]).toMatchObject({
      flag: null,
      assessment: "too-few-answers",
    });
    // 19 answers, none adopted: still under the minimum.
    expect(report({ a: 19 }, { a: [19, 0] })[0]!.flag).toBeNull();
    // 20 answers at 60%: below the threshold, but the interval reaches well above it.
    expect(report({ a: 20 }, { a: [20, 12] })[0]).toMatchObject({
      flag: null,
      assessment: "inconclusive",
    });
    // Any flagged row has enough answers and an interval wholly below the threshold.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.nat(), (n, k0) => {
        const k = k0 % (n + 1);
        const [row] = report({ s: n }, { s: [n, k] });
        if (row!.flag === "ab-test") {
          expect(n).toBeGreaterThanOrEqual(AB_TEST_MIN_ANSWERS);
          expect(row!.interval95![1]).toBeLessThan(AB_TEST_THRESHOLD);
        }
      }),
    );
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
      assessment: "too-few-answers",
    });
  });

  test("flagged strategies come first, worst first", () => {
    const rows = report(
      { ok: 50, bad: 50, worse: 50 },
      { ok: [50, 50], bad: [50, 20], worse: [50, 5] },
    );
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
