import { describe, expect, test } from "vitest";
import { evaluate } from "./metrics.ts";

describe("metrics", () => {
  test("perfect predictions score 1 on accuracy and macro-F1", () => {
    const m = evaluate([0, 1, 2, 1], [0, 1, 2, 1], 3);
    expect(m.accuracy).toBe(1);
    expect(m.macroF1).toBe(1);
  });

  test("a hand-worked binary confusion gives the textbook precision, recall and F1", () => {
    // truth 0 0 0 0 1 1 ; predicted 0 0 0 1 1 0 → class 0: P=3/4 R=3/4; class 1: P=1/2 R=1/2
    const m = evaluate([0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 0], 2);
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.perClass[0]!.f1).toBeCloseTo(0.75);
    expect(m.perClass[1]!.f1).toBeCloseTo(0.5);
    expect(m.macroF1).toBeCloseTo(0.625);
    expect(m.confusion).toEqual([
      [3, 1],
      [1, 1],
    ]);
  });

  test("a majority-class predictor has high accuracy but low macro-F1", () => {
    const truth = [...new Array(9).fill(0), 1];
    const m = evaluate(truth, new Array(10).fill(0), 2);
    expect(m.accuracy).toBeCloseTo(0.9);
    expect(m.perClass[1]!.f1).toBe(0);
    expect(m.macroF1).toBeCloseTo((2 * 0.9) / 1.9 / 2);
  });

  test("a class never predicted and never present scores 0 without dividing by zero", () => {
    const m = evaluate([0, 1], [0, 1], 3);
    expect(m.perClass[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.macroF1).toBeCloseTo(2 / 3);
  });
});
