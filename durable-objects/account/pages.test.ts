// Pages of an account's records: bounded, filtered, and a cursor that survives a change of
// status of the record it names.
import { describe, expect, test } from "vitest";
import { MAX_PAGE, pageAfter } from "./pages.ts";

const records = Array.from({ length: 7 }, (_, i) => ({
  id: `r${i}`,
  status: i % 2 === 0 ? "open" : "answered",
}));

describe("pages of an account's records", () => {
  test("pages walk every record once, in order, and end", () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = pageAfter(records, { after, limit: 3 });
      seen.push(...page.items.map((r) => r.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual(records.map((r) => r.id));
  });

  test("a status filter keeps its cursor even when the record it names changed status", () => {
    const first = pageAfter(records, { status: "open", limit: 2 });
    expect(first).toEqual({ items: [records[0], records[2]], nextCursor: "r2" });
    const changed = records.map((r) => (r.id === "r2" ? { ...r, status: "answered" } : r));
    expect(pageAfter(changed, { status: "open", after: "r2", limit: 2 }).items).toEqual([
      records[4],
      records[6],
    ]);
  });

  test("a cursor naming no record is an empty page; limits are bounded", () => {
    expect(pageAfter(records, { after: "nope", limit: 3 })).toEqual({
      items: [],
      nextCursor: null,
    });
    const many = Array.from({ length: MAX_PAGE + 5 }, (_, i) => ({ id: `x${i}`, status: "open" }));
    expect(pageAfter(many, { limit: 10_000 }).items).toHaveLength(MAX_PAGE);
    expect(pageAfter(many, { limit: 0 }).items).toHaveLength(1);
  });
});
