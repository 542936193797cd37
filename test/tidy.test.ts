// House rules a formatter cannot check: every source file says what it owns in its first
// line, and drizzle's migration journal only moves forward (its migrator skips a
// migration whose `when` is not newer than the last applied one).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const ROOTS = [
  "core",
  "replication",
  "durable-objects",
  "workers",
  "db",
  "local",
  "ml",
  "scripts",
  "bench",
];

function sources(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "results" ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

test("every source file opens with a comment saying what it owns", () => {
  const files = ROOTS.flatMap(sources);
  expect(files.length).toBeGreaterThan(20);
  const silent = files.filter((f) => !readFileSync(f, "utf8").startsWith("//"));
  expect(silent).toEqual([]);
});

test("drizzle's migration journal has strictly increasing timestamps and a file per entry", () => {
  const journal = JSON.parse(readFileSync("migrations/meta/_journal.json", "utf8")) as {
    entries: Array<{ idx: number; when: number; tag: string }>;
  };
  expect(journal.entries.length).toBeGreaterThan(0);
  journal.entries.forEach((e, i) => {
    expect(e.idx).toBe(i);
    if (i > 0) expect(e.when).toBeGreaterThan(journal.entries[i - 1]!.when);
    expect(statSync(`migrations/${e.tag}.sql`).isFile()).toBe(true);
  });
});
