import { describe, expect, test } from "vitest";
import type { FeatureConfig } from "./config.ts";
import { normalise } from "./normalise.ts";

const base: FeatureConfig["normalise"] = {
  nfkc: true,
  lowercase: true,
  punctuation: "keep",
  foldDigits: false,
};

describe("normalise", () => {
  test("full-width digits, letters and punctuation become half-width", () => {
    expect(normalise("ＡＢＣ１２３！？，", base)).toBe("abc123!?,");
  });

  test("upper case becomes lower case", () => {
    expect(normalise("My CARD Hasn't Arrived", base)).toBe("my card hasn't arrived");
  });

  test("runs of spaces, tabs, newlines and ideographic spaces collapse to one space", () => {
    expect(normalise("  很\t好\n\n用　　的  ", base)).toBe("很 好 用 的");
  });

  test("fold maps CJK punctuation to ASCII twins and strip removes punctuation", () => {
    expect(normalise("好。真的、“不错”…", { ...base, punctuation: "fold" })).toBe(
      '好.真的,"不错"...',
    );
    expect(normalise("好！真的，不错。", { ...base, punctuation: "strip" })).toBe("好 真的 不错");
  });

  test("foldDigits maps every decimal digit, full-width included, to 0", () => {
    expect(normalise("wait 2 weeks, ３ days", { ...base, foldDigits: true })).toBe(
      "wait 0 weeks, 0 days",
    );
  });

  test("is idempotent", () => {
    const opts = { ...base, punctuation: "fold" as const, foldDigits: true };
    const once = normalise(" ＨＥＬＬＯ，世界。 ２０２４ ", opts);
    expect(normalise(once, opts)).toBe(once);
  });
});
