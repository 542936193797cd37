import { describe, expect, test } from "vitest";
import { mulberry32 } from "../../core/prng.ts";
import { fromPairs } from "../features/sparse.ts";
import { featureScale, foldScale, idf, nbRatios, scaleExamples } from "./feature-weights.ts";
import { predict } from "./model.ts";
import { wordUnigrams } from "./test-config.ts";
import { type Example, train } from "./trainer.ts";

const raw = { sublinearTf: false, l2Normalise: false };
const ex = (indices: number[], y: number, weight = 1): Example => ({
  x: fromPairs(
    indices,
    indices.map(() => 1),
    raw,
  ),
  y,
  weight,
});

// Feature 0 appears only in positives, 1 only in negatives, 2 in both, 3 never.
const toy = [ex([0, 2], 1), ex([0, 2], 1), ex([1, 2], 0), ex([2], 0)];

describe("feature weights", () => {
  test("NB log-count ratios match a hand computation on a toy corpus", () => {
    // alpha = 1: p = [3, 1, 3, 1] (‖p‖ = 8), q = [1, 2, 3, 1] (‖q‖ = 7).
    const r = nbRatios(toy, 4, 1, 1);
    const expected = [3 / 8 / (1 / 7), 1 / 8 / (2 / 7), 3 / 8 / (3 / 7), 1 / 8 / (1 / 7)];
    expected.forEach((e, i) => {
      expect(r[i]).toBeCloseTo(Math.log(e), 6);
    });
    expect(r[0]).toBeGreaterThan(0);
    expect(r[1]).toBeLessThan(0);
  });

  test("NB counts are weighted by example weight", () => {
    const heavy = nbRatios([ex([0], 1, 3), ex([1], 0)], 2, 1, 1);
    expect(heavy[0]).toBeCloseTo(Math.log(4 / 5 / (1 / 3)), 6);
  });

  test("IDF is smoothed like scikit-learn's and largest for unseen features", () => {
    const s = idf(toy, 4);
    expect(s[2]).toBeCloseTo(Math.log(5 / 5) + 1, 6);
    expect(s[0]).toBeCloseTo(Math.log(5 / 3) + 1, 6);
    expect(s[3]).toBeCloseTo(Math.log(5) + 1, 6);
  });

  test("no weighting means no scale and unchanged examples", () => {
    expect(featureScale({ kind: "none" }, toy, 4)).toBeNull();
    expect(scaleExamples(toy, null)).toEqual(toy);
  });

  test("scaling drops entries that become zero", () => {
    const [scaled] = scaleExamples([ex([0, 1, 2], 1)], Float32Array.from([2, 0, -1, 1]));
    expect([...scaled!.x.indices]).toEqual([0, 2]);
    expect([...scaled!.x.values]).toEqual([2, -1]);
  });

  test.each(["linear", "mlp"] as const)(
    "a %s model trained on scaled inputs and folded predicts the same on raw inputs",
    (kind) => {
      const fc = wordUnigrams(5);
      const rng = mulberry32(3);
      const data: Example[] = Array.from({ length: 80 }, (_, i) => {
        const y = i % 2;
        const idx = [16 * y + Math.floor(rng() * 16), Math.floor(rng() * 32)];
        return { x: fromPairs(idx, [1, -1], fc), y, weight: 1 };
      });
      const s = featureScale({ kind: "nb", alpha: 1 }, data, 32)!;
      const { model } = train(scaleExamples(data, s), [], ["a", "b"], fc, {
        kind,
        hidden: 4,
        epochs: 3,
        learningRate: 0.05,
        learningRateDecay: 0.9,
        weightDecay: 0,
        patience: 3,
        seed: 5,
      });
      const folded = foldScale(model, s);
      const scaled = scaleExamples(data, s);
      data.forEach((e, n) => {
        const a = predict(folded, e.x);
        const b = predict(model, scaled[n]!.x);
        a.forEach((p, j) => {
          expect(Math.abs(p - b[j]!)).toBeLessThan(1e-6);
        });
      });
    },
  );
});
