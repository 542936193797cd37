// Every jurisdiction a region is configured for has the time zone its customers' months
// turn over in, one the runtime knows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { monthAt } from "../../core/insights/calendar.ts";
import {
  JURISDICTION_TIME_ZONES,
  jurisdictionTimeZone,
} from "../../workers/api/insights/time-zone.ts";

const ROOT = join(import.meta.dirname, "..", "..");

test("every configured jurisdiction has a known time zone: cn months turn at Beijing midnight", () => {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const jurisdictions = new Set([...toml.matchAll(/^JURISDICTION = "(\w+)"/gm)].map((m) => m[1]!));
  expect(jurisdictions.size).toBeGreaterThan(0);
  for (const j of jurisdictions) {
    expect(JURISDICTION_TIME_ZONES[j], j).toBeDefined();
    expect(() => monthAt(0, jurisdictionTimeZone(j))).not.toThrow();
  }
  expect(monthAt(Date.UTC(2026, 9, 31, 16, 30), jurisdictionTimeZone("cn"))).toBe(11);
});
