import { describe, expect, test } from "vitest";
import { add, format, Money, minorUnitDigits, PositiveMoney } from "./money.ts";

describe("money", () => {
  test("accepts integer minor units with an ISO 4217 code", () => {
    expect(Money.parse({ value: 12345, currency: "CNY" })).toEqual({
      value: 12345,
      currency: "CNY",
    });
  });

  test("rejects floats, unknown currencies, lower case and unsafe integers", () => {
    expect(Money.safeParse({ value: 12.5, currency: "CNY" }).success).toBe(false);
    expect(Money.safeParse({ value: 1, currency: "XYZ" }).success).toBe(false);
    expect(Money.safeParse({ value: 1, currency: "cny" }).success).toBe(false);
    expect(Money.safeParse({ value: 2 ** 53, currency: "CNY" }).success).toBe(false);
  });

  test("positive money rejects zero and negatives", () => {
    expect(PositiveMoney.safeParse({ value: 0, currency: "EUR" }).success).toBe(false);
    expect(PositiveMoney.safeParse({ value: -1, currency: "EUR" }).success).toBe(false);
  });

  test("adds only like currencies and never loses precision", () => {
    expect(add({ value: 1, currency: "CNY" }, { value: 2, currency: "CNY" })).toEqual({
      value: 3,
      currency: "CNY",
    });
    expect(() => add({ value: 1, currency: "CNY" }, { value: 2, currency: "EUR" })).toThrow(
      RangeError,
    );
    expect(() =>
      add({ value: Number.MAX_SAFE_INTEGER, currency: "CNY" }, { value: 1, currency: "CNY" }),
    ).toThrow(/overflow/);
  });

  test("formats with the currency's own minor unit", () => {
    expect(minorUnitDigits("JPY")).toBe(0);
    expect(format({ value: 12345, currency: "CNY" })).toBe("123.45 CNY");
    expect(format({ value: 5, currency: "EUR" })).toBe("0.05 EUR");
    expect(format({ value: 1234, currency: "JPY" })).toBe("1234 JPY");
    expect(format({ value: -1500, currency: "KWD" })).toBe("-1.500 KWD");
  });
});
