import { describe, expect, test } from "vitest";
import { type FeatureConfig, type Lexicon, zhCharRecipe } from "./config.ts";
import { charNgrams, lexiconGrams, ngrams, wordNgrams, words } from "./ngrams.ts";

const zh = zhCharRecipe({
  dimensionBits: 10,
  signedHash: false,
  normalise: { nfkc: true, lowercase: true, punctuation: "keep", foldDigits: false },
  charNgrams: [1, 2],
  sublinearTf: false,
  l2Normalise: false,
});

describe("ngrams", () => {
  test("character n-grams of a short Chinese string cover every window", () => {
    expect(charNgrams("很好用", [1, 3])).toEqual([
      "c1:很",
      "c1:好",
      "c1:用",
      "c2:很好",
      "c2:好用",
      "c3:很好用",
    ]);
  });

  test("character n-grams count code points, so an emoji is one character", () => {
    expect(charNgrams("好😀", [2, 2])).toEqual(["c2:好😀"]);
  });

  test("a string shorter than n yields no n-grams of that order", () => {
    expect(charNgrams("好", [2, 3])).toEqual([]);
  });

  test("word tokens keep apostrophes and split on punctuation", () => {
    expect(words("my card hasn't arrived, why?")).toEqual([
      "my",
      "card",
      "hasn't",
      "arrived",
      "why",
    ]);
    expect(wordNgrams(["a", "b", "c"], [1, 2])).toEqual([
      "w1:a",
      "w1:b",
      "w1:c",
      "w2:a b",
      "w2:b c",
    ]);
  });

  test("Chinese text is padded with boundary markers when asked", () => {
    expect(ngrams("好", zh)).toEqual(["c1:^", "c1:好", "c1:$", "c2:^好", "c2:好$"]);
  });

  test("English uses word n-grams plus character n-grams inside each marked word", () => {
    const en: FeatureConfig = { ...zh, language: "en", charNgrams: [3, 3], wordNgrams: [1, 2] };
    expect(ngrams("hi you", en)).toEqual([
      "w1:hi",
      "w1:you",
      "w2:hi you",
      "c3:<hi",
      "c3:hi>",
      "c3:<yo",
      "c3:you",
      "c3:ou>",
    ]);
  });

  test("a lexicon adds one feature per listed word or phrase, negated within its window", () => {
    const lexicon: Lexicon = {
      source: "test",
      entries: { great: 3, slow: -1, "too slow": -2 },
      negators: ["not"],
      negationWindow: 2,
    };
    const tokens = "support is too slow and not so great but great now".split(" ");
    expect(lexiconGrams(tokens, lexicon)).toEqual(["x:neg", "x:not-pos", "x:pos"]);
    // Object's own properties are not entries.
    expect(lexiconGrams(["constructor", "valueof"], lexicon)).toEqual([]);
    const en: FeatureConfig = {
      ...zh,
      language: "en",
      charNgrams: null,
      wordNgrams: [1, 1],
      lexicon,
    };
    expect(ngrams("not great", en)).toEqual(["w1:not", "w1:great", "x:not-pos"]);
  });
});
