// Retry policy: what may be sent twice, and how each outcome counts for failover and for
// the region's breaker.
import { describe, expect, test } from "vitest";
import { isIdempotent, judge } from "../../workers/router/retry.ts";

const res = (status: number, headers: Record<string, string> = {}) =>
  ({ kind: "response", response: new Response(null, { status, headers }) }) as const;
const regionProblem = { "content-type": "application/problem+json", "lifeline-region": "cn-east" };

describe("idempotency", () => {
  test("reads are always retryable", () => {
    expect(isIdempotent("GET", "/v1/customers", new Headers())).toBe(true);
    expect(isIdempotent("HEAD", "/v1/customers", new Headers())).toBe(true);
  });

  test("a POST is retryable only with a non-blank Idempotency-Key", () => {
    expect(isIdempotent("POST", "/v1/payments", new Headers())).toBe(false);
    expect(isIdempotent("POST", "/v1/payments", new Headers({ "idempotency-key": "  " }))).toBe(
      false,
    );
    expect(isIdempotent("POST", "/v1/payments", new Headers({ "idempotency-key": "k-1" }))).toBe(
      true,
    );
  });

  test("a login is retryable without a key (it only issues a token), and only a login", () => {
    expect(isIdempotent("POST", "/v1/auth/login", new Headers())).toBe(true);
    expect(isIdempotent("post", "/v1/auth/login/", new Headers())).toBe(true);
    expect(isIdempotent("POST", "/v1/auth/logout", new Headers())).toBe(false);
    expect(isIdempotent("POST", "/v1/auth/login/x", new Headers())).toBe(false);
  });
});

describe("verdicts", () => {
  test("network errors, timeouts, 502 and 504 are failures of the region", () => {
    expect(judge({ kind: "unreachable", error: "refused" })).toMatchObject({
      kind: "failed",
      signal: "failure",
    });
    expect(judge({ kind: "timeout", afterMs: 10 })).toMatchObject({
      kind: "failed",
      signal: "failure",
    });
    expect(judge(res(502))).toMatchObject({ kind: "failed", signal: "failure" });
    expect(judge(res(504))).toMatchObject({ kind: "failed", signal: "failure" });
  });

  test("a 503 no region wrote is a failure; a region's own 503 problem is a refusal, not a mark", () => {
    expect(judge(res(503))).toMatchObject({ kind: "failed", signal: "failure" });
    expect(judge(res(503, regionProblem))).toMatchObject({ kind: "refused", signal: "success" });
  });

  test("409 with Lifeline-Jurisdiction is a misdirection from a live region", () => {
    expect(judge(res(409, { ...regionProblem, "lifeline-jurisdiction": "eu" }))).toMatchObject({
      kind: "misdirected",
      signal: "success",
    });
  });

  test("anything else is the region's answer, errors included", () => {
    for (const status of [200, 201, 400, 404, 409, 422, 500]) {
      expect(judge(res(status)).kind).toBe("answer");
    }
  });
});
