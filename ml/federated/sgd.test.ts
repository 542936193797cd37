import { describe, expect, test } from "vitest";
import { mulberry32 } from "../../core/prng.ts";
import { zhCharRecipe } from "../features/config.ts";
import { fromPairs } from "../features/sparse.ts";
import { type FederatedSpec, LABELS, paramCount, probabilities } from "./model.ts";
import { fineTune, type LocalExample } from "./sgd.ts";

const spec: FederatedSpec = { labels: LABELS, features: zhCharRecipe({ dimensionBits: 6 }) };
const opts = { epochs: 10, learningRate: 0.5, proximal: 0, seed: 3 };

/** Three classes, each owning features [10c, 10c+10), plus a shared noise feature. */
function separable(n: number, seed: number): LocalExample[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const y = i % 3;
    const idx = [
      10 * y + Math.floor(rng() * 10),
      10 * y + Math.floor(rng() * 10),
      40 + Math.floor(rng() * 20),
    ];
    return { x: fromPairs(idx, [1, 1, 1], { sublinearTf: true, l2Normalise: true }), y };
  });
}

describe("local fine-tuning", () => {
  const data = separable(90, 1);
  const start = new Float32Array(paramCount(spec));

  test("[FL7] the same seed and rows give the same bits; the start is not modified", () => {
    const a = fineTune(spec, start, data, opts);
    expect(fineTune(spec, start, data, opts)).toEqual(a);
    expect(start.every((x) => x === 0)).toBe(true);
    expect(fineTune(spec, start, data, { ...opts, seed: 4 })).not.toEqual(a);
  });

  test("it learns a separable problem", () => {
    const w = fineTune(spec, start, data, opts);
    const test = separable(60, 2);
    const right = test.filter((e) => {
      const p = probabilities(spec, w, e.x);
      return p[e.y]! === Math.max(...p);
    });
    expect(right.length).toBe(60);
  });

  test("only the rows of features in the data move (an update is zero elsewhere)", () => {
    const w = fineTune(spec, start, data, opts);
    const c = spec.labels.length;
    for (let feature = 60; feature < 64; feature++)
      for (let j = 0; j < c; j++) expect(w[feature * c + j]).toBe(0);
  });

  test("the proximal term keeps a fine-tune closer to where it started", () => {
    const far = fineTune(spec, start, data, opts);
    const near = fineTune(spec, start, data, { ...opts, proximal: 0.05 });
    expect(Math.hypot(...near)).toBeLessThan(Math.hypot(...far));
  });

  test("probabilities of zero parameters are uniform and every answer sums to 1", () => {
    const p = probabilities(spec, start, data[0]!.x);
    expect(Array.from(p)).toEqual([1 / 3, 1 / 3, 1 / 3].map((x) => expect.closeTo(x, 12)));
    const w = fineTune(spec, start, data, opts);
    for (const e of data.slice(0, 10))
      expect(probabilities(spec, w, e.x).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });
});
