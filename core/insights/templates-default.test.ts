// The built-in templates speak both languages: every one has Simplified Chinese and English
// text, and the two fill in the same values.
import { expect, test } from "vitest";
import { languageOf } from "./language.ts";
import { Locale } from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

test("every built-in template has zh and en text and the same placeholders in both", () => {
  expect(DEFAULT_TEMPLATES.length).toBeGreaterThan(20);
  for (const t of DEFAULT_TEMPLATES) {
    for (const field of ["title", "reason"] as const) {
      const text = t[field];
      if (typeof text === "string") throw new Error(`${t.strategy} ${field} is not per locale`);
      expect(Object.keys(text).sort(), `${t.strategy} ${field}`).toEqual(
        [...Locale.options].sort(),
      );
      expect(placeholders(text.zh!), `${t.strategy} ${field}`).toEqual(placeholders(text.en!));
      expect(languageOf(text.zh!.replace(/\{\w+\}/g, "")), `${t.strategy} ${field}.zh`).toBe("zh");
      expect(languageOf(text.en!), `${t.strategy} ${field}.en`).toBe("other");
    }
  }
});
