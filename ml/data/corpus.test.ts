// The one split of our corpus: every row in exactly one split, each language × label group
// divided 70/15/15, and the same rows in any order giving the same split.
import { describe, expect, test } from "vitest";
import { mulberry32, shuffle } from "../../core/prng.ts";
import { parseRows, type SalesCallRow, splitCorpus } from "./corpus.ts";

const rows: SalesCallRow[] = ["zh", "en"].flatMap((lang) =>
  ["negative", "neutral", "positive"].flatMap((label, k) =>
    Array.from({ length: 100 + k * 20 }, (_, i) => ({
      id: `x-${lang}-${label}-${String(i).padStart(4, "0")}`,
      lang: lang as "zh" | "en",
      industry: "software",
      speaker: "customer" as const,
      text: `${lang} ${label} ${i}`,
      label: label as SalesCallRow["label"],
    })),
  ),
);

describe("splitCorpus", () => {
  test("stratifies by language × label and loses no row", () => {
    const s = splitCorpus(rows);
    const all = [...s.train, ...s.dev, ...s.test].map((r) => r.id).sort();
    expect(all).toEqual(rows.map((r) => r.id).sort());
    const n = (xs: SalesCallRow[], lang: string, label: string) =>
      xs.filter((r) => r.lang === lang && r.label === label).length;
    expect(n(s.dev, "zh", "negative")).toBe(15);
    expect(n(s.test, "en", "neutral")).toBe(18);
    expect(n(s.train, "en", "positive")).toBe(140 - 21 - 21);
  });

  test("depends on the rows and the seed, not on their order", () => {
    const shuffled = shuffle([...rows], mulberry32(4));
    expect(splitCorpus(shuffled)).toEqual(splitCorpus(rows));
    expect(splitCorpus(rows, 13).test).not.toEqual(splitCorpus(rows).test);
  });

  test("refuses a repeated id and names a bad line", () => {
    expect(() => splitCorpus([rows[0]!, rows[0]!])).toThrow(/repeats/);
    expect(() => parseRows('{"id":"a"}', "f.jsonl")).toThrow(/f.jsonl:1/);
  });
});
