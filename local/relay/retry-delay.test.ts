// The Upstash-Retry-Delay language: documented expressions evaluate as QStash does, and
// anything outside the grammar — above all, anything that looks like code — is refused.

import { describe, expect, test } from "vitest";
import { nextRetryDelayMs } from "./backoff.ts";
import { parseRetryDelay, RetryDelayError } from "./retry-delay.ts";

const delays = (source: string, upTo = 3) =>
  Array.from({ length: upTo + 1 }, (_, retried) => parseRetryDelay(source).delayMs(retried));

describe("parseRetryDelay", () => {
  test("evaluates the documented examples for retried = 0, 1, 2, 3", () => {
    expect(delays("1000")).toEqual([1000, 1000, 1000, 1000]);
    expect(delays("1000 * (1 + retried)")).toEqual([1000, 2000, 3000, 4000]);
    expect(delays("pow(2, retried) * 1000")).toEqual([1000, 2000, 4000, 8000]);
    expect(delays("max(1000, pow(2, retried) * 100)")).toEqual([1000, 1000, 1000, 1000]);
    expect(delays("min(5000, exp(retried) * 1000)")).toEqual([1000, Math.E * 1000, 5000, 5000]);
  });

  test("applies precedence, unary signs, division and every function", () => {
    const at = (source: string, retried = 2) => parseRetryDelay(source).delayMs(retried);
    expect(at("1 + 2 * 3")).toBe(7);
    expect(at("(1 + 2) * 3")).toBe(9);
    expect(at("10 / 4 - 1")).toBe(1.5);
    expect(at("-retried + +5")).toBe(3);
    expect(at("--3")).toBe(3);
    expect(at("sqrt(16) + abs(-2) + floor(1.7) + ceil(1.2) + round(2.5)")).toBe(12);
    expect(at("min(4, 2, 8) * max(1, 7, 3)")).toBe(14);
    expect(at("1.5e3 + .5")).toBe(1500.5);
    expect(at("  retried\t*\n10  ")).toBe(20);
  });

  test("yields NaN rather than throwing when the maths has no value", () => {
    expect(parseRetryDelay("sqrt(retried - 10)").delayMs(0)).toBeNaN();
  });

  test.each([
    ["", "empty"],
    ["   ", "empty"],
    ["process.exit(1)", "unexpected character"],
    ["retried; 1", "unexpected character"],
    ["eval('1')", "unexpected character"],
    ["eval(1)", "unknown name"],
    ["constructor(1)", "unknown name"],
    ["toString(1)", "unknown name"],
    ["__proto__", "unknown name"],
    ["Math.pow(2, 1)", "unexpected character"],
    ["RETRIED * 2", "unknown name"],
    ["x * 2", "unknown name"],
    ["`1`", "unexpected character"],
    ["2 ** 3", "expected an operand"],
    ["2 ^ 3", "unexpected character"],
    ["1 +", "at end"],
    ["1 2", "unexpected token"],
    ["(1 + 2", 'expected ")"'],
    ["1 + 2)", "unexpected token"],
    ["pow(2)", "pow takes 2 arguments"],
    ["sqrt(1, 2)", "sqrt takes 1 arguments"],
    ["max()", "expected an operand"],
    ["retried()", "unexpected token"],
    ["pow 2, 3", 'expected "("'],
  ])("rejects %j (%s)", (source, message) => {
    expect(() => parseRetryDelay(source)).toThrow(RetryDelayError);
    expect(() => parseRetryDelay(source)).toThrow(message);
  });

  test("bounds length and nesting so a hostile header stays cheap", () => {
    expect(() => parseRetryDelay(`1${" + 1".repeat(80)}`)).toThrow("longer than 256");
    expect(() => parseRetryDelay(`${"(".repeat(40)}1${")".repeat(40)}`)).toThrow("too deeply");
    expect(() => parseRetryDelay(`${"-".repeat(40)}1`)).toThrow("too deeply");
    expect(parseRetryDelay(`${"(".repeat(20)}1${")".repeat(20)}`).delayMs(0)).toBe(1);
  });
});

describe("nextRetryDelayMs", () => {
  const base = { retryDelay: null, retryAfter: undefined, now: 0, timeScale: 1 };

  test("follows min(1 day, e^(2.5·n)) seconds with n = 1 for the first retry", () => {
    expect(nextRetryDelayMs({ ...base, retried: 0 })).toBe(Math.round(Math.exp(2.5) * 1000));
    expect(nextRetryDelayMs({ ...base, retried: 1 })).toBe(Math.round(Math.exp(5) * 1000));
    expect(nextRetryDelayMs({ ...base, retried: 4 })).toBe(86_400_000);
  });

  test("scales every source of delay by the time scale", () => {
    expect(nextRetryDelayMs({ ...base, retried: 0, timeScale: 0.001 })).toBe(12);
    expect(nextRetryDelayMs({ ...base, retried: 0, retryAfter: "2", timeScale: 0.5 })).toBe(1000);
  });

  test("lets the expression override the backoff, clamped to 0..1 day, NaN falling back", () => {
    const withExpr = (retryDelay: string, retried = 1) =>
      nextRetryDelayMs({ ...base, retried, retryDelay });
    expect(withExpr("1000 * retried", 3)).toBe(3000);
    expect(withExpr("-5")).toBe(0);
    expect(withExpr("pow(10, 12)")).toBe(86_400_000);
    expect(withExpr("sqrt(-1)")).toBe(Math.round(Math.exp(5) * 1000));
  });

  test("prefers the destination's Retry-After when it asks for at most a day", () => {
    const withRetryAfter = (retryAfter: string) =>
      nextRetryDelayMs({ ...base, retried: 0, retryDelay: "7", retryAfter });
    expect(withRetryAfter("3")).toBe(3000);
    expect(withRetryAfter("0")).toBe(0);
    expect(withRetryAfter("1m30s")).toBe(90_000);
    expect(withRetryAfter("172800")).toBe(7);
    expect(withRetryAfter("soon")).toBe(7);
  });
});
