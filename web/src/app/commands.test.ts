import { describe, expect, test } from "vitest";
import { endpointsFor } from "./api.ts";
import { classify, refsOf, retryAfterMs, toRequest, UnresolvedRef } from "./commands.ts";
import { DICTIONARIES, pickLang, translate } from "./i18n.ts";
import { parseAmount } from "./money.ts";
import { parseTranscript } from "./transcript.ts";

const problem = (code: string, status: number) => ({
  type: `urn:lifeline:problem:${code}`,
  title: code,
  status,
  detail: `why ${code}`,
});

describe("a command becomes exactly one request", () => {
  test("a reference to a pending command resolves to the id the server gave it", () => {
    const c = {
      kind: "contract.create" as const,
      body: {
        id: "01J",
        customerId: { $ref: "cmd1" },
        title: "X",
        amount: { value: 1, currency: "CNY" },
        documentHash: "h",
      },
    };
    expect(refsOf(c)).toEqual(["cmd1"]);
    expect(toRequest(c, (r) => (r === "cmd1" ? "acc_A" : null))).toMatchObject({
      method: "POST",
      path: "/v1/contracts",
      body: { customerId: "acc_A" },
      idempotent: true,
    });
  });

  test("an unresolved reference is refused, never sent with a placeholder", () => {
    const c = {
      kind: "contract.send" as const,
      contractId: { $ref: "x" },
      body: { documentHash: "h" },
    };
    expect(() => toRequest(c, () => null)).toThrow(UnresolvedRef);
  });

  test("path ids are encoded", () => {
    const c = {
      kind: "contract.send" as const,
      contractId: "ctr_a/../b",
      body: { documentHash: "h" },
    };
    expect(toRequest(c, () => null).path).toBe("/v1/contracts/ctr_a%2F..%2Fb/send");
  });
});

describe("an answer settles a command, or sends it elsewhere", () => {
  test.each([
    [201, { id: "acc_1" }, "confirmed"],
    [200, { id: "pay_1" }, "confirmed"],
    [400, problem("validation", 400), "rejected"],
    [404, problem("not-found", 404), "rejected"],
    [409, problem("payment-reference-conflict", 409), "conflict"],
    [409, problem("idempotency-key-reused", 409), "conflict"],
    [409, problem("wrong-jurisdiction", 409), "failover"],
    [422, problem("voucher-missing", 422), "failover"],
    [503, problem("region-durability-unavailable", 503), "failover"],
    [502, null, "failover"],
    [429, problem("rate-limited", 429), "later"],
    [401, problem("unauthorized", 401), "later"],
    [409, problem("idempotency-key-in-flight", 409), "later"],
  ] as const)("%i %j → %s", (status, body, kind) => {
    expect(classify(status, body, null).kind).toBe(kind);
  });

  test("a problem keeps the server's code, title and detail, bounded", () => {
    const out = classify(400, { ...problem("validation", 400), detail: "x".repeat(5000) }, null);
    expect(out).toMatchObject({ kind: "rejected", problem: { code: "validation", status: 400 } });
    if (out.kind === "rejected") expect(out.problem.detail).toHaveLength(1000);
  });

  test("Retry-After in seconds or as a date, bounded to five minutes", () => {
    expect(retryAfterMs("3", 0)).toBe(3000);
    expect(retryAfterMs("99999", 0)).toBe(300_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 0)).toBe(10_000);
    expect(retryAfterMs("soon", 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });
});

describe("endpoints, language, amounts and notes", () => {
  test("the jurisdiction's regions first, the router last; other jurisdictions never", () => {
    const regions = [
      { region: "cn-east", jurisdiction: "cn", url: "http://a/" },
      { region: "eu-central", jurisdiction: "eu", url: "http://e" },
      { region: "cn-south", jurisdiction: "cn", url: "http://b" },
    ];
    expect(endpointsFor(regions, "cn", "http://router")).toEqual([
      { region: "cn-east", url: "http://a" },
      { region: "cn-south", url: "http://b" },
      { region: null, url: "http://router" },
    ]);
  });

  test("both languages have every message, with the same placeholders", () => {
    const en = DICTIONARIES.en;
    const zh = DICTIONARIES["zh-CN"];
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(en) as Array<keyof typeof en>)
      expect(holes(zh[k]), k).toEqual(holes(en[k]));
  });

  test("the browser's language picks zh-CN for any zh tag, else en; unknown placeholders stay", () => {
    expect(pickLang(["zh-TW", "en"])).toBe("zh-CN");
    expect(pickLang(["de-DE", "en-GB"])).toBe("en");
    expect(pickLang([])).toBe("en");
    expect(translate("en", "banner.offline", { count: 3 })).toBe(
      "Offline — 3 change(s) waiting to be sent",
    );
    expect(translate("en", "banner.offline", { constructor: 1 })).toContain("{count}");
  });

  test("amounts: decimals to minor units, strictly", () => {
    expect(parseAmount("1,280,000.5")).toBe(128_000_050);
    expect(parseAmount("0.01")).toBe(1);
    expect(parseAmount("0")).toBeNull();
    expect(parseAmount("1.234")).toBeNull();
    expect(parseAmount("-5")).toBeNull();
    expect(parseAmount("1e5")).toBeNull();
  });

  test("notes: speakers named in zh or en, continued lines, customer by default, bounded", () => {
    expect(parseTranscript("客户：太贵了\n还要走招标\nRep: 我们可以分期\n\n")).toEqual([
      { speaker: "customer", text: "太贵了" },
      { speaker: "customer", text: "还要走招标" },
      { speaker: "rep", text: "我们可以分期" },
    ]);
    expect(parseTranscript("x\n".repeat(600))).toHaveLength(500);
  });
});
