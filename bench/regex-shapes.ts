// Why core/insights/pattern-safety.ts refuses what it refuses: times each refused shape of
// tenant pattern on an adversarial input (the shape's worst case, kept short enough to end
// in seconds), against an accepted pattern on the same input. Prints a table and writes
// bench/results/regex-shapes-<timestamp>.json. `npx tsx bench/regex-shapes.ts`

import { join } from "node:path";
import { backtrackingRisk } from "../core/insights/pattern-safety.ts";
import { writeResult } from "./report.ts";

const startedAt = new Date().toISOString();

type Case = { shape: string; pattern: string; input: string };

const cases: Case[] = [
  {
    shape: "two large counted bounds",
    pattern: "\\d{0,2000}\\d{0,2000}x",
    input: "1".repeat(1000),
  },
  {
    shape: "three large counted bounds",
    pattern: "a{0,199}a{0,199}a{0,199}b",
    input: "a".repeat(200),
  },
  {
    shape: "22 groups of alternatives",
    pattern: `${"(?:\\w|\\d)".repeat(22)}!`,
    input: "1".repeat(30),
  },
  {
    shape: "backreference to a variable group",
    pattern: "(?<x>\\w+)\\k<x>\\k<x>z",
    input: "a".repeat(2000),
  },
  {
    // Each bound is small (≤ 10), but eight in a row split a match in up to 11^8 ways; the
    // time grows several-fold with every 5 more characters, so the row keeps to 25.
    shape: "eight small counted bounds in a row",
    pattern: `${"a{0,10}".repeat(8)}b`,
    input: "a".repeat(25),
  },
  { shape: "accepted: one unbounded quantifier", pattern: "\\w*z", input: "a".repeat(2000) },
  { shape: "accepted: a bounded window", pattern: "价格.{0,10}太贵", input: "价".repeat(2000) },
];

const rows = cases.map(({ shape, pattern, input }) => {
  const re = new RegExp(pattern, "iu");
  const started = performance.now();
  re.test(input);
  const ms = performance.now() - started;
  return {
    shape,
    pattern,
    inputChars: input.length,
    ms: Math.round(ms * 100) / 100,
    refusal: backtrackingRisk(pattern),
  };
});

for (const r of rows) {
  console.log(
    `${r.ms.toFixed(2).padStart(10)} ms  ${r.refusal ? "refused " : "accepted"}  ${r.shape} (${r.inputChars} chars)`,
  );
}
const path = writeResult(join(import.meta.dirname, "results"), "regex-shapes", startedAt, {
  schema: "lifeline-bench-regex-shapes/1",
  startedAt,
  note: "One match per row, in Node; the refused shapes on inputs short enough to end in seconds (their cost grows polynomially or exponentially with length).",
  rows,
});
console.log(`\nwrote ${path}`);
