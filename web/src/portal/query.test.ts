// Query chips: what the server understood, in the user's words, each removable on its own.
import { describe, expect, test } from "vitest";
import { parseQuery } from "../../../core/nlq/index.ts";
import type { QueryFilter } from "./api-types.ts";
import { translate } from "./i18n.ts";
import { chipsOf, type Words } from "./query.ts";

const words = (lang: "en" | "zh-CN"): Words => ({
  t: (k, p) => translate(lang, k, p),
  date: (iso) => iso.slice(0, 10),
  money: (major, c) => `${major} ${c ?? ""}`.trim(),
});

const filter: QueryFilter = {
  resource: "invoice",
  time: { field: "issuedAt", from: "2026-04-01", to: "2026-06-30" },
  status: ["overdue", "unpaid"],
  amount: { op: ">=", value: 10_000, currency: "CNY" },
};

describe("query chips", () => {
  test("every condition is a chip in the user's language; the resource comes first", () => {
    expect(chipsOf(filter, words("en")).map((c) => c.label)).toEqual([
      "Invoices",
      "Issued: 2026-04-01 – 2026-06-30",
      "Overdue",
      "Unpaid",
      "Amount ≥ 10000 CNY",
    ]);
    expect(
      chipsOf({ resource: "delivery", destination: "深圳仓" }, words("zh-CN")).map((c) => c.label),
    ).toEqual(["交付", "发往 深圳仓"]);
  });

  test("an open-ended time range reads as from or until; a contract's status is its status, not its stage", () => {
    const from = chipsOf(
      { resource: "payment", time: { field: "receivedAt", from: "2026-11-01" } },
      words("en"),
    );
    expect(from.map((c) => c.label)).toEqual(["Payments", "Received: from 2026-11-01"]);
    const to = chipsOf(
      { resource: "contract", time: { field: "signedAt", to: "2026-06-30" }, status: ["voided"] },
      words("zh-CN"),
    );
    expect(to.map((c) => c.label)).toEqual(["订单", "签署日期：截至 2026-06-30", "已作废"]);
  });

  test("removing a chip leaves the rest of the filter; the resource cannot be removed", () => {
    const chips = chipsOf(filter, words("en"));
    expect(chips[0]!.without).toBeNull();
    expect(chips.find((c) => c.id === "time")!.without).toEqual({
      resource: "invoice",
      status: ["overdue", "unpaid"],
      amount: filter.amount,
    });
    expect(chips.find((c) => c.id === "status:unpaid")!.without!.status).toEqual(["overdue"]);
    const lastStatus = chipsOf({ resource: "invoice", status: ["paid"] }, words("en"))[1]!;
    expect(lastStatus.without).toEqual({ resource: "invoice" });
  });

  test("the parser's own filters become chips: the amount stays in major units", () => {
    const parsed = parseQuery("invoices over 100k this year", {
      now: Date.parse("2026-12-07T12:00:00Z"),
      timeZone: "Asia/Shanghai",
      gazetteer: { destinations: [] },
    });
    expect(parsed.kind).toBe("filter");
    if (parsed.kind !== "filter") return;
    expect(chipsOf(parsed.filter, words("en")).map((c) => c.label)).toEqual([
      "Invoices",
      "Issued: 2026-01-01 – 2026-12-31",
      "Amount > 100000",
    ]);
  });
});
