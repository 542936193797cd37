// Serving stays apart from training: the inference worker's import graph (type imports
// too) reaches no trainer, exporter or training codec, only ml/serve and the feature
// recipe (ml/features) that training and serving share.
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { expect, test } from "vitest";

/** Every repo file `entry` reaches through relative imports and re-exports. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith(".ts")) return;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g))
      visit(normalize(join(dirname(file), m[1]!)));
  };
  visit(entry);
  return [...seen];
}

test("the inference worker imports no trainer or exporter: only ml/serve and ml/features", () => {
  const ml = reachable("workers/inference/index.ts").filter((f) => f.startsWith("ml/"));
  expect(ml.length).toBeGreaterThan(0);
  expect(ml.filter((f) => !/^ml\/(serve|features)\//.test(f))).toEqual([]);
});
