// core/ must stay runtime-agnostic: no Workers, Hono, drizzle or Node imports, no clock.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

test("core imports nothing but zod and itself, and never reads the clock or randomness", () => {
  const offenders: string[] = [];
  for (const file of sources(import.meta.dirname)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/from\s+"([^"]+)"/g)) {
      const spec = m[1]!;
      if (spec !== "zod" && !spec.startsWith(".")) offenders.push(`${file}: imports ${spec}`);
    }
    if (/Date\.now\(|Math\.random\(|crypto\.getRandomValues|new Date\(\)/.test(text)) {
      offenders.push(`${file}: reads the clock or randomness`);
    }
  }
  expect(offenders).toEqual([]);
  expect(sources(import.meta.dirname).length).toBeGreaterThan(8);
});
