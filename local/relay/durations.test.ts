// QStash duration strings and Retry-After values, including the ones that must be refused.

import { describe, expect, test } from "vitest";
import { parseDurationMs, retryAfterMs } from "./durations.ts";

describe("parseDurationMs", () => {
  test("reads single and combined units, decimals and bare seconds", () => {
    expect(parseDurationMs("10s")).toBe(10_000);
    expect(parseDurationMs("1d10h30m")).toBe(86_400_000 + 36_000_000 + 1_800_000);
    expect(parseDurationMs("500ms")).toBe(500);
    expect(parseDurationMs("1.5s")).toBe(1500);
    expect(parseDurationMs("2m5s")).toBe(125_000);
    expect(parseDurationMs("10")).toBe(10_000);
  });

  test.each(["", "s", "10x", "-1s", "1d 2h", "1h?", "ten seconds", `${"1s".repeat(40)}`])(
    "refuses %j",
    (text) => expect(parseDurationMs(text)).toBeNull(),
  );
});

describe("retryAfterMs", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");

  test("reads seconds, durations and HTTP dates", () => {
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("0", now)).toBe(0);
    expect(retryAfterMs("6m5s", now)).toBe(365_000);
    expect(retryAfterMs("Tue, 01 Jan 2030 00:00:30 GMT", now)).toBe(30_000);
  });

  test("ignores absent, unreadable and over-a-day values", () => {
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs("later", now)).toBeNull();
    expect(retryAfterMs("86401", now)).toBeNull();
    expect(retryAfterMs("2d", now)).toBeNull();
  });
});
