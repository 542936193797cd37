// Model routing by language: Chinese utterances go to the Chinese sentiment model, and
// nothing else does; and which language a call's actions are written in.
import { describe, expect, test } from "vitest";
import { callLocale, languageOf } from "./language.ts";

test.each([
  ["价格有点贵", "zh"],
  ["我们用的是 CT-9000，价格太贵了", "zh"],
  ["ＯＫ，没问题", "zh"],
  ["The price is too high", "other"],
  ["OK OK OK OK OK 好", "other"],
  ["12345 !!!", "other"],
  ["", "other"],
])("%s is routed as %s", (text, language) => {
  expect(languageOf(text)).toBe(language);
});

describe("the language a call's actions are written in", () => {
  const rep = (text: string) => ({ speaker: "rep" as const, text });
  const customer = (text: string) => ({ speaker: "customer" as const, text });

  test("is that of most utterances", () => {
    expect(callLocale([rep("您好"), customer("价格太贵了"), customer("OK")])).toBe("zh");
    expect(callLocale([rep("Hello"), customer("Too expensive"), customer("好")])).toBe("en");
  });

  test("any language but Chinese counts as English", () => {
    expect(callLocale([rep("Guten Tag"), customer("Zu teuer")])).toBe("en");
  });

  test("on a tie is the rep's, who reads the actions", () => {
    expect(callLocale([rep("您好"), customer("Too expensive")])).toBe("zh");
    expect(callLocale([rep("Hello"), customer("太贵了")])).toBe("en");
  });

  test("on a tie in the rep's utterances too is English", () => {
    expect(callLocale([rep("您好"), rep("Hello"), customer("好"), customer("OK")])).toBe("en");
  });
});
