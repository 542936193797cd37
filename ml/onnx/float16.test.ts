// float16 conversion against hand-checked bit patterns and the round-trip error bound.
import { expect, test } from "vitest";
import { fromFloat16Bits, toFloat16Bits } from "./float16.ts";

test("known values encode to their IEEE binary16 bit patterns", () => {
  expect(toFloat16Bits(0)).toBe(0x0000);
  expect(toFloat16Bits(-0)).toBe(0x8000);
  expect(toFloat16Bits(1)).toBe(0x3c00);
  expect(toFloat16Bits(-2)).toBe(0xc000);
  expect(toFloat16Bits(65504)).toBe(0x7bff);
  expect(toFloat16Bits(2 ** -14)).toBe(0x0400);
  expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
  expect(toFloat16Bits(1 / 3)).toBe(0x3555);
});

test("ties round to even", () => {
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10; 1 + 3·2^-11 between odd and even.
  expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
  expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
});

test("values beyond float16's range are rejected, tiny ones flush to signed zero", () => {
  expect(() => toFloat16Bits(70000)).toThrow(/overflows/);
  expect(() => toFloat16Bits(Number.NaN)).toThrow();
  expect(toFloat16Bits(-(2 ** -30))).toBe(0x8000);
});

test("a round trip is within half an ulp: relative error ≤ 2^-11 for normal numbers", () => {
  for (let i = 0; i < 2000; i++) {
    const x = (Math.sin(i * 12.9898) * 43758.5453) % 8;
    const back = fromFloat16Bits(toFloat16Bits(x));
    expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
  }
});
