// What an answer says about the portal: its problem code, whether writes are paused, how
// long to wait; and how values are written when the server may have left them out.
import { describe, expect, test } from "vitest";
import {
  problemCode,
  problemDetail,
  type Reply,
  retryAfterSeconds,
  saysReadOnly,
} from "./client.ts";
import { formatDate, formatMoney, present } from "./format.ts";

const reply = (status: number, body: unknown, degraded: string[] = []): Reply => ({
  status,
  body,
  headers: new Headers(),
  degraded,
});

describe("portal answers", () => {
  test("the problem code is the last segment of its type", () => {
    expect(problemCode({ type: "urn:lifeline:problem:portal-read-only" })).toBe("portal-read-only");
    expect(problemCode({ type: "https://lifeline.dev/problems/not-found" })).toBe("not-found");
    expect(problemCode(null)).toBeNull();
  });

  test("writes are paused by the header on any answer, or by a 503 portal-read-only problem", () => {
    expect(saysReadOnly(reply(200, {}, ["reads-stale-ok", "portal-read-only"]))).toBe(true);
    expect(
      saysReadOnly(reply(503, { type: "urn:lifeline:problem:portal-read-only", status: 503 })),
    ).toBe(true);
    expect(saysReadOnly(reply(503, { type: "urn:lifeline:problem:unavailable" }))).toBe(false);
    expect(saysReadOnly(reply(200, {}, ["inference-off"]))).toBe(false);
  });

  test("Retry-After in seconds or as a date, at least one second", () => {
    const now = Date.parse("2026-03-02T08:00:00Z");
    expect(retryAfterSeconds(new Headers({ "retry-after": "42" }), now)).toBe(42);
    expect(
      retryAfterSeconds(new Headers({ "retry-after": "Mon, 02 Mar 2026 08:00:10 GMT" }), now),
    ).toBe(10);
    expect(retryAfterSeconds(new Headers({ "retry-after": "0" }), now)).toBe(1);
    expect(retryAfterSeconds(new Headers(), now)).toBeNull();
  });

  test("a validation problem names each field the server refused", () => {
    const body = {
      type: "urn:lifeline:problem:validation",
      title: "Invalid body",
      status: 400,
      detail: "The body does not match the schema.",
      errors: [{ field: "summary", pointer: "#/summary", message: "must not be empty" }],
    };
    expect(problemDetail(body, 400)).toBe(
      "The body does not match the schema. · summary: must not be empty",
    );
    expect(problemDetail(null, 502)).toBe("HTTP 502");
  });
});

describe("portal values", () => {
  test("what the server left out formats to nothing", () => {
    expect(formatDate(undefined, "en")).toBeNull();
    expect(formatDate(null, "en")).toBeNull();
    expect(formatMoney(undefined, "en")).toBeNull();
    expect(present("")).toBe(false);
    expect(present(0)).toBe(true);
  });

  test("a bare date stays the calendar day it names in every time zone", () => {
    expect(formatDate("2026-05-20", "en", "America/Los_Angeles")).toBe("May 20, 2026");
    expect(formatDate("2026-05-20", "zh-CN", "Asia/Shanghai")).toBe("2026年5月20日");
  });

  test("an instant is shown in the customer's time zone; an unknown zone falls back", () => {
    expect(formatDate("2026-05-20T16:30:00Z", "en", "Asia/Shanghai")).toContain("May 21, 2026");
    expect(formatDate("2026-05-20T16:30:00Z", "en", "Not/AZone")).toContain("2026");
  });
});
