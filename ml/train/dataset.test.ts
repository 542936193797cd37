import { describe, expect, test } from "vitest";
import { mulberry32, shuffle } from "../../core/prng.ts";
import { labelSet, parseJsonl, stratifiedSplit } from "./dataset.ts";

const rows = Array.from({ length: 100 }, (_, i) => ({ text: `t${i}`, label: i < 80 ? "a" : "b" }));

describe("dataset", () => {
  test("a stratified split keeps each label's share and loses no row", () => {
    const { left, right } = stratifiedSplit(rows, 0.2, 1);
    expect(right.filter((r) => r.label === "a")).toHaveLength(16);
    expect(right.filter((r) => r.label === "b")).toHaveLength(4);
    expect(new Set([...left, ...right].map((r) => r.text)).size).toBe(100);
  });

  test("a split is a function of its seed", () => {
    expect(stratifiedSplit(rows, 0.2, 5)).toEqual(stratifiedSplit(rows, 0.2, 5));
    expect(stratifiedSplit(rows, 0.2, 5).right).not.toEqual(stratifiedSplit(rows, 0.2, 6).right);
  });

  test("JSONL parsing skips blank lines, names the bad line, and labels sort", () => {
    const parsed = parseJsonl(
      '{"text":"x","label":"b"}\n\n{"text":"y","label":"a","source":"s"}\n',
    );
    expect(labelSet(parsed)).toEqual(["a", "b"]);
    expect(() => parseJsonl('{"text":"x"}')).toThrow(/line 1/);
  });

  test("mulberry32 is reproducible and shuffle is a permutation", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    const xs = shuffle([...Array(50).keys()], mulberry32(3));
    expect([...xs].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
  });
});
