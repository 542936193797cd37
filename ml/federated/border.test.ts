import { describe, expect, test } from "vitest";
import { ABROAD, refusedAbroad, statedRows } from "./border.ts";

describe("[FL8] what an update may say abroad", () => {
  test.each([
    { n: 282, sigma: 0, refused: "noise-below-floor" },
    { n: 282, sigma: ABROAD.minNoiseMultiplier / 2, refused: "noise-below-floor" },
    { n: ABROAD.minRows - 1, sigma: ABROAD.minNoiseMultiplier, refused: "too-few-rows" },
    { n: 1, sigma: 1, refused: "too-few-rows" },
    { n: ABROAD.minRows, sigma: ABROAD.minNoiseMultiplier, refused: null },
    { n: 5_000, sigma: 0.05, refused: null },
  ])("[FL8] $n rows noised with σ $sigma → $refused", ({ n, sigma, refused }) => {
    expect(refusedAbroad(n, sigma)).toBe(refused);
  });

  test.each([
    { n: 282, abroad: true, stated: 250 },
    { n: 299, abroad: true, stated: 250 },
    { n: 300, abroad: true, stated: 300 },
    { n: 50, abroad: true, stated: 50 },
    { n: 282, abroad: false, stated: 282 },
  ])("[FL8] $n rows are stated as $stated (abroad: $abroad)", ({ n, abroad, stated }) => {
    expect(statedRows(n, abroad)).toBe(stated);
  });

  test("[FL8] a row added between rounds does not show abroad, and n stays at least the minimum", () => {
    for (let n = ABROAD.minRows; n < 2_000; n++) {
      expect(statedRows(n, true)).toBeGreaterThanOrEqual(ABROAD.minRows);
      expect(statedRows(n, true)).toBeLessThanOrEqual(n);
      if (n % ABROAD.rowsBucket !== ABROAD.rowsBucket - 1)
        expect(statedRows(n + 1, true)).toBe(statedRows(n, true));
    }
  });
});
