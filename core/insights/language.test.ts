// Model routing by language: Chinese utterances go to the Chinese sentiment model, and
// nothing else does.
import { expect, test } from "vitest";
import { languageOf } from "./language.ts";

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
