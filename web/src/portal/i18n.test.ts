// The portal's dictionaries stay in step: same keys, same placeholders, in both languages.
import { expect, test } from "vitest";
import { DICTIONARIES, pickLang } from "./i18n.ts";

test("both languages have every message, with the same placeholders", () => {
  const en = DICTIONARIES.en;
  const zh = DICTIONARIES["zh-CN"];
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(en) as Array<keyof typeof en>)
    expect(holes(zh[k]), k).toEqual(holes(en[k]));
});

test("the browser's language picks zh-CN for any zh tag, else en", () => {
  expect(pickLang(["zh-HK"])).toBe("zh-CN");
  expect(pickLang(["fr", "en-US"])).toBe("en");
  expect(pickLang([])).toBe("en");
});
