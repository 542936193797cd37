// Query chips: what the server understood, in the user's words, each removable on its own.
import { describe, expect, test } from "vitest";
import type { QueryFilter } from "./api-types.ts";
import { translate } from "./i18n.ts";
import { chipsOf, type Words } from "./query.ts";

const words = (lang: "en" | "zh-CN"): Words => ({
  t: (k, p) => translate(lang, k, p),
  date: (iso) => iso.slice(0, 10),
  money: (v, c) => `${(v / 100).toFixed(0)} ${c ?? ""}`.trim(),
});

const filter: QueryFilter = {
  resource: "invoice",
  time: { field: "issuedAt", from: "2026-04-01", to: "2026-06-30" },
  status: ["unpaid", "overdue"],
  amount: { op: "gte", value: 1_000_000, currency: "CNY" },
};

describe("query chips", () => {
  test("every condition is a chip in the user's language; the resource comes first", () => {
    expect(chipsOf(filter, words("en")).map((c) => c.label)).toEqual([
      "Invoices",
      "Issued: 2026-04-01 – 2026-06-30",
      "Unpaid",
      "Overdue",
      "Amount ≥ 10000 CNY",
    ]);
    expect(
      chipsOf({ resource: "contract", destination: "深圳仓" }, words("zh-CN")).map((c) => c.label),
    ).toEqual(["订单", "发往 深圳仓"]);
  });

  test("removing a chip leaves the rest of the filter; the resource cannot be removed", () => {
    const chips = chipsOf(filter, words("en"));
    expect(chips[0]!.without).toBeNull();
    expect(chips.find((c) => c.id === "time")!.without).toEqual({
      resource: "invoice",
      status: ["unpaid", "overdue"],
      amount: filter.amount,
    });
    expect(chips.find((c) => c.id === "status:unpaid")!.without!.status).toEqual(["overdue"]);
    const lastStatus = chipsOf({ resource: "invoice", status: ["paid"] }, words("en"))[1]!;
    expect(lastStatus.without).toEqual({ resource: "invoice" });
  });

  test("a value the dictionary does not know is shown as the server wrote it", () => {
    const chips = chipsOf(
      { resource: "warranty", status: ["frozen"], time: { field: "x", from: "a", to: "b" } },
      words("en"),
    );
    expect(chips.map((c) => c.label)).toEqual(["warranty", "x: a – b", "frozen"]);
  });
});
