// The sentiment figures of issue 12 on hand-made cases: pos/neg accuracy counts a neutral
// answer as wrong, ECE is the binned gap between confidence and accuracy, temperature
// scaling finds the T that generated the data, and the neutral shift is a dev threshold.
import { describe, expect, test } from "vitest";
import { mulberry32 } from "../../core/prng.ts";
import {
  expectedCalibrationError,
  fitLogitShift,
  fitTemperature,
  polarReport,
  sentimentReport,
  temper,
} from "./report.ts";

const labels = ["negative", "neutral", "positive"];

describe("sentiment report", () => {
  test("pos/neg accuracy is over gold negative and positive rows; a neutral answer is wrong", () => {
    const gold = ["negative", "positive", "positive", "neutral", "neutral"];
    const probs = [
      [0.8, 0.1, 0.1],
      [0.1, 0.6, 0.3],
      [0.1, 0.1, 0.8],
      [0.2, 0.7, 0.1],
      [0.6, 0.3, 0.1],
    ];
    const r = sentimentReport(labels, gold, probs);
    expect(r.polarAccuracy).toBeCloseTo(2 / 3, 12);
    expect(r.neutralRecall).toBe(0.5);
    expect(r.accuracy).toBe(0.6);
    expect(r.confusion.matrix).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
    expect(r.perClass.negative!.precision).toBe(0.5);
  });

  test("ECE is zero when confidence equals accuracy per bin, and the gap otherwise", () => {
    // Ten rows at confidence 0.7, seven right: calibrated.
    const probs = Array.from({ length: 10 }, () => [0.7, 0.2, 0.1]);
    const truth = [0, 0, 0, 0, 0, 0, 0, 1, 1, 2];
    expect(expectedCalibrationError(probs, truth)).toBeCloseTo(0, 12);
    // All right at confidence 0.7: under-confident by 0.3.
    expect(expectedCalibrationError(probs, new Array(10).fill(0))).toBeCloseTo(0.3, 12);
  });

  test("temperature scaling recovers the temperature that made over-confident data", () => {
    const rng = mulberry32(9);
    const probs: number[][] = [];
    const truth: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = [rng() * 4, rng() * 4, rng() * 4];
      // The truth is drawn from softmax(z); the model reports softmax(2z): T = 2 undoes it.
      const p = temper(Float64Array.from(z, Math.exp), 1);
      const u = rng();
      truth.push(u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2);
      probs.push(temper(Float64Array.from(z, Math.exp), 0.5));
    }
    const t = fitTemperature(probs, truth);
    expect(t).toBeCloseTo(2, 0);
    const before = expectedCalibrationError(probs, truth);
    const after = expectedCalibrationError(
      probs.map((p) => temper(p, t)),
      truth,
    );
    expect(after).toBeLessThan(before / 2);
  });

  test("the neutral shift moves the threshold toward balanced recall, and is 0 when none helps", () => {
    const probs = [
      [0.3, 0.4, 0.3],
      [0.35, 0.4, 0.25],
      [0.1, 0.8, 0.1],
    ];
    // Row 1 is negative: lowering neutral by more than ln(0.4/0.35) gets it right.
    const shift = fitLogitShift(probs, [1, 0, 1], 1, 3);
    expect(shift).toBeLessThan(-Math.log(0.4 / 0.35));
    expect(shift).toBeGreaterThan(-Math.log(0.4 / 0.3));
    expect(fitLogitShift(probs, [1, 1, 1], 1, 3)).toBe(0);
  });

  test("on a two-class set: three-way accuracy counts neutral wrong, the decision compares the poles", () => {
    const r = polarReport(
      labels,
      ["negative", "positive", "positive"],
      [
        [0.2, 0.5, 0.3],
        [0.1, 0.2, 0.7],
        [0.45, 0.1, 0.45],
      ],
    );
    expect(r.threeWayAccuracy).toBeCloseTo(1 / 3, 12);
    expect(r.polarDecisionAccuracy).toBeCloseTo(1 / 3, 12);
    expect(r.neutralShare).toBeCloseTo(1 / 3, 12);
  });
});
