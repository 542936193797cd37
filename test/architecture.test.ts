// The dependency direction of the product (DESIGN §2): core ← replication ← durable-objects
// ← workers. A boundary is only visible whole when its code lives in one layer, so a
// lower layer never imports a higher one, and no module imports itself back in a cycle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { expect, test } from "vitest";

const LAYERS = ["core", "replication", "durable-objects", "workers"] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

/** Relative imports of a file, resolved to repo-relative paths; `runtime` skips `import type`. */
function importsOf(file: string, runtime = false): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(
    /(import\s+type\s[^;]*?|import\s[^;]*?|export\s[^;]*?)\s*"(\.{1,2}\/[^"]+)"/g,
  )) {
    if (runtime && /^import\s+type\s/.test(m[1]!)) continue;
    out.push(normalize(join(dirname(file), m[2]!)));
  }
  return out;
}

const layerOf = (path: string) => LAYERS.findIndex((l) => path === l || path.startsWith(`${l}/`));

const files = LAYERS.flatMap((l) => sources(l));

test("layers import only downwards: core ← replication ← durable-objects ← workers", () => {
  const offenders: string[] = [];
  for (const file of files) {
    const own = layerOf(file);
    for (const target of importsOf(file)) {
      const layer = layerOf(target);
      if (layer > own) offenders.push(`${file} imports ${relative(".", target)}`);
    }
  }
  expect(offenders).toEqual([]);
});

test("no module under durable-objects/ imports from workers/", () => {
  const offenders = sources("durable-objects").flatMap((f) =>
    importsOf(f)
      .filter((t) => t.startsWith("workers/"))
      .map((t) => `${f} → ${t}`),
  );
  expect(offenders).toEqual([]);
});

// Type-only imports are erased at build time, so two modules naming each other's types
// (state ↔ conflicts) are not a cycle; a runtime import loop is.
test("the product's modules import each other without runtime cycles", () => {
  const graph = new Map(files.map((f) => [f, importsOf(f, true).filter((t) => t.endsWith(".ts"))]));
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === "done") return;
    if (state.get(f) === "visiting") {
      cycles.push([...path.slice(path.indexOf(f)), f].join(" → "));
      return;
    }
    state.set(f, "visiting");
    for (const t of graph.get(f) ?? []) visit(t, [...path, f]);
    state.set(f, "done");
  };
  for (const f of files) visit(f, []);
  expect(cycles).toEqual([]);
});
