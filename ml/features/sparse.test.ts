import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { zhCharRecipe } from "./config.ts";
import { extract } from "./extract.ts";
import { fromPairs } from "./sparse.ts";

const config = zhCharRecipe({
  dimensionBits: 8,
  hashSeed: 42,
  normalise: { nfkc: true, lowercase: true, punctuation: "fold", foldDigits: false },
});

function l2(values: Float32Array): number {
  return Math.sqrt(values.reduce((s, v) => s + v * v, 0));
}

describe("sparse vectors", () => {
  test("duplicate indices are summed and the result is sorted", () => {
    const v = fromPairs([5, 1, 5, 3], [1, 2, 3, 4], { sublinearTf: false, l2Normalise: false });
    expect([...v.indices]).toEqual([1, 3, 5]);
    expect([...v.values]).toEqual([2, 4, 4]);
  });

  test("entries that cancel to zero are dropped", () => {
    const v = fromPairs([2, 2, 7], [1, -1, 1], { sublinearTf: false, l2Normalise: false });
    expect([...v.indices]).toEqual([7]);
  });

  test("sublinear tf maps a count of e to 2", () => {
    const v = fromPairs([0], [Math.E], { sublinearTf: true, l2Normalise: false });
    expect(v.values[0]).toBeCloseTo(2, 6);
  });

  test("extracted vectors have strictly increasing in-range indices, no zeros, unit L2 norm", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }), (text) => {
        const v = extract(text, config);
        expect(v.indices.length).toBe(v.values.length);
        for (let i = 0; i < v.indices.length; i++) {
          expect(v.indices[i]).toBeGreaterThanOrEqual(0);
          expect(v.indices[i]).toBeLessThan(256);
          if (i > 0) expect(v.indices[i]).toBeGreaterThan(v.indices[i - 1]!);
          expect(v.values[i]).not.toBe(0);
        }
        if (v.indices.length > 0) expect(l2(v.values)).toBeCloseTo(1, 5);
      }),
    );
  });

  test("full-width and half-width spellings extract to the same vector", () => {
    const a = extract("ＶＩＰ服务很好！", config);
    const b = extract("vip服务很好!", config);
    expect([...a.indices]).toEqual([...b.indices]);
    expect([...a.values]).toEqual([...b.values]);
  });
});
