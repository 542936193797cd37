import { describe, expect, test } from "vitest";
import { ValenceSchema } from "../features/valence.ts";
import { EN } from "./presets.ts";
import { BOOSTERS, entryKey, NEGATORS, valenceFor } from "./valence-en.ts";

describe("sentiment-en's valence tables", () => {
  test("an entry is keyed as the tokeniser reads it, or dropped when no text can meet it", () => {
    expect(entryKey("Self-Confident")).toBe("self confident");
    expect(entryKey("can't stand")).toBe("can't stand");
    expect(entryKey(":-)")).toBeNull();
    expect(entryKey("<3")).toBeNull();
    expect(entryKey("once-in-a-lifetime")).toBeNull();
  });

  test("the shipped recipe builds a valid block from both packages", () => {
    const v = valenceFor({ ...EN.valence!, tables: ["afinn", "vader"] });
    expect(() => ValenceSchema.parse(v)).not.toThrow();
    const [afinn, vader] = v.tables;
    // AFINN-165 has 3,382 entries and VADER 7,517; a few cannot be met as tokens.
    expect(Object.keys(afinn!.entries).length).toBeGreaterThan(3300);
    expect(Object.keys(vader!.entries).length).toBeGreaterThan(7000);
    expect(afinn!.entries.outstanding).toBe(5);
    expect(vader!.entries.horrible).toBeLessThan(0);
  });

  test("tables are sorted and hold no rule word, so the artifact is stable and rules stay rules", () => {
    const v = valenceFor({ ...EN.valence!, tables: ["afinn", "vader"] });
    for (const t of v.tables) {
      const keys = Object.keys(t.entries);
      expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(keys.filter((k) => k in BOOSTERS || NEGATORS.includes(k))).toEqual([]);
    }
  });
});
