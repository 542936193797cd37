import { describe, expect, test } from "vitest";
import { fingerprint, judge, judgeClaim, outcomeOf, parseIdempotencyKey } from "./idempotency.ts";

describe("idempotency", () => {
  test("parses structured-field strings and bare tokens alike", () => {
    expect(parseIdempotencyKey('"8e03978e-40d5"')).toEqual({ ok: true, key: "8e03978e-40d5" });
    expect(parseIdempotencyKey("abc")).toEqual({ ok: true, key: "abc" });
  });

  test("rejects missing, empty, oversized and non-ASCII keys", () => {
    expect(parseIdempotencyKey(null)).toEqual({ ok: false, reason: "missing" });
    expect(parseIdempotencyKey('""').ok).toBe(false);
    expect(parseIdempotencyKey("x".repeat(256)).ok).toBe(false);
    expect(parseIdempotencyKey("ключ").ok).toBe(false);
  });

  test("[LF2] the fingerprint ignores key order but not values, method or path", () => {
    const a = fingerprint("post", "/v1/payments", { a: 1, b: { c: 2, d: 3 } });
    expect(fingerprint("POST", "/v1/payments", { b: { d: 3, c: 2 }, a: 1 })).toBe(a);
    expect(fingerprint("POST", "/v1/payments", { a: 2, b: { c: 2, d: 3 } })).not.toBe(a);
    expect(fingerprint("POST", "/v1/customers", { a: 1, b: { c: 2, d: 3 } })).not.toBe(a);
  });

  test("[LF2] a ledger row written as an HTTP response before outcomes were typed reads as the same outcome", () => {
    expect(
      outcomeOf({
        status: 201,
        headers: {
          "content-type": "application/json",
          "lifeline-hlc": "000001800000000.0000.cn-east",
          location: "/v1/contracts/ctr_A_B",
          "lifeline-durability": "region",
        },
        body: '{"id":"ctr_A_B"}',
      }),
    ).toEqual({
      target: { kind: "contract", id: "ctr_A_B" },
      created: true,
      version: "000001800000000.0000.cn-east",
      durability: "region",
      body: '{"id":"ctr_A_B"}',
    });
  });

  test("[LF2] a ledger row that names no target is refused, never replayed as a guessed customer", () => {
    const bad = [
      null,
      "text",
      {},
      { status: 200, headers: {}, body: "{}" },
      { status: 201, headers: { location: "/v1/widgets/w_1" }, body: "{}" },
      { status: 201, headers: { location: "/v1/customers/acc_1" } },
      { target: { kind: "toString", id: "x" }, body: "{}" },
      { status: 201, headers: Object.create({ location: "/v1/customers/acc_1" }), body: "{}" },
    ];
    for (const row of bad) expect(() => outcomeOf(row), JSON.stringify(row)).toThrow(/unreadable/);
  });

  test("judges a ledger entry per the draft: new, replay, 422 mismatch, 409 in flight", () => {
    const response = {
      target: { kind: "customer" as const, id: "acc_X" },
      created: true,
      version: "000001800000000.0000.cn-east",
      durability: "local" as const,
      body: "{}",
    };
    expect(judge(null, "f")).toEqual({ kind: "new" });
    expect(judge({ state: "done", fingerprint: "f", createdAtMs: 0, response }, "f")).toEqual({
      kind: "replay",
      response,
    });
    expect(judge({ state: "done", fingerprint: "f", createdAtMs: 0, response }, "g")).toEqual({
      kind: "mismatch",
    });
    expect(judge({ state: "pending", fingerprint: "f", createdAtMs: 0 }, "f")).toEqual({
      kind: "in-flight",
    });
    expect(judge({ state: "pending", fingerprint: "f", createdAtMs: 0 }, "g")).toEqual({
      kind: "mismatch",
    });
  });
});

describe("key claims", () => {
  test("a pending claim blocks a duplicate until its lease runs out", () => {
    const claim = { fingerprint: "f", state: "pending" as const, leaseUntilMs: 100 };
    expect(judgeClaim(null, "f", 0)).toBe("ok");
    expect(judgeClaim(claim, "f", 99)).toBe("in-flight");
    expect(judgeClaim(claim, "f", 100)).toBe("ok");
    expect(judgeClaim(claim, "g", 100)).toBe("mismatch");
    expect(judgeClaim({ ...claim, state: "done" }, "f", 0)).toBe("ok");
  });
});
