import { describe, expect, test } from "vitest";
import type { FeatureConfig } from "./config.ts";
import { extract } from "./extract.ts";
import { words } from "./ngrams.ts";
import {
  contrastAt,
  negationGrams,
  stem,
  tailGrams,
  type Valence,
  ValenceSchema,
  valenceFeatures,
} from "./valence.ts";

const valence: Valence = ValenceSchema.parse({
  tables: [
    {
      name: "t",
      source: "test",
      scale: 4,
      entries: { good: 2, great: 3, slow: -2, "fed up": -4 },
    },
  ],
  negators: ["not", "never"],
  negationWindow: 3,
  negationScalar: -0.74,
  boosters: { really: 0.293, "kind of": -0.293 },
  contrast: ["but", "though"],
  beforeContrast: 0.5,
  afterContrast: 1.5,
  tailWords: true,
  negationScope: true,
  stems: true,
  weight: 1,
});

const features = (text: string) => {
  const f = Object.fromEntries(valenceFeatures(text, words(text), valence));
  return (name: string) => f[name] ?? 0;
};

describe("valence features", () => {
  test("the last contrast marker with words after it splits the utterance", () => {
    expect(contrastAt(words("good but slow but great"), valence.contrast)).toBe(3);
    // A closing "though" has no clause after it: the utterance has no contrast.
    expect(contrastAt(words("it is slow though"), valence.contrast)).toBe(-1);
  });

  test("a rated word adds its valence ÷ scale, squashed, to its sign's sum", () => {
    const f = features("support is good");
    expect(f("v:t:pos")).toBeCloseTo(0.5 / 1.5);
    expect(f("v:t:neg")).toBe(0);
    expect(f("v:t:max")).toBeCloseTo(0.5);
    expect(f("v:none")).toBe(0);
  });

  test("a negator within its window flips and shrinks the valence", () => {
    const f = features("it is not good");
    expect(f("v:t:neg")).toBeGreaterThan(0);
    expect(f("v:t:pos")).toBe(0);
    expect(f("v:t:min")).toBeCloseTo(-0.5 * 0.74);
    expect(f("v:negator")).toBe(1);
    // Outside the window the negator no longer reaches it.
    expect(features("not that it is very much good")("v:t:pos")).toBeGreaterThan(0);
  });

  test("an intensifier raises the next valence and a dampener lowers it", () => {
    const plain = features("good")("v:t:max");
    expect(features("really good")("v:t:max")).toBeCloseTo(plain * (1 + 0.293));
    expect(features("kind of good")("v:t:max")).toBeCloseTo(plain * (1 - 0.293));
  });

  test("the clause after the last 'but' weighs more, and has features of its own", () => {
    const landsNegative = features("the demo was great but it is slow");
    const landsPositive = features("it is slow but the demo was great");
    expect(landsNegative("v:t:net")).toBeLessThan(landsPositive("v:t:net"));
    expect(landsNegative("v:t:tail-neg")).toBeGreaterThan(0);
    expect(landsNegative("v:t:tail-pos")).toBe(0);
    expect(landsNegative("v:contrast")).toBe(1);
  });

  test("the longest phrase wins, and only a table's own keys are entries", () => {
    expect(features("we are fed up")("v:t:min")).toBeCloseTo(-1);
    expect(features("constructor tostring")("v:none")).toBe(1);
  });

  test("punctuation the n-grams cannot see becomes features", () => {
    const f = features("is it good?");
    expect(f("v:question")).toBe(1);
    expect(f("v:ends-question")).toBe(1);
    expect(features("great!!")("v:exclaim")).toBeCloseTo(2 / 3);
  });

  test("an unrated utterance says so, and zeros are left out", () => {
    const pairs = valenceFeatures("the invoice", words("the invoice"), valence);
    expect(pairs).toEqual([["v:none", 1]]);
  });

  test("the block's weight scales every value", () => {
    const heavy = { ...valence, weight: 2 };
    const a = valenceFeatures("good", ["good"], valence);
    const b = valenceFeatures("good", ["good"], heavy);
    expect(b.map(([k, x]) => [k, x / 2])).toEqual(a);
  });
});

describe("grams for the last clause, a negator's scope and stems", () => {
  test("the last clause's words are unigrams of their own", () => {
    expect(tailGrams(words("nice demo but too slow"), valence)).toEqual(["t1:too", "t1:slow"]);
    expect(tailGrams(words("nice demo"), valence)).toEqual([]);
  });

  test("a negator's scope runs to the end of its clause", () => {
    expect(negationGrams("we never got a reply, so we left", valence)).toEqual([
      "n1:got",
      "n1:a",
      "n1:reply",
    ]);
    expect(negationGrams("not cheap but solid", valence)).toEqual(["n1:cheap"]);
  });

  test("stems fold common inflections", () => {
    expect(["delays", "delayed", "delaying", "delay"].map(stem)).toEqual([
      "delay",
      "delay",
      "delay",
      "delay",
    ]);
    expect(stem("ok")).toBe("ok");
  });
});

describe("extract with a valence block", () => {
  const config: FeatureConfig = {
    version: 1,
    language: "en",
    dimensionBits: 16,
    hashSeed: 7,
    signedHash: true,
    normalise: { nfkc: true, lowercase: true, punctuation: "keep", foldDigits: true },
    charNgrams: null,
    wordNgrams: [1, 2],
    boundaryMarkers: true,
    sublinearTf: true,
    l2Normalise: true,
    valence,
  };

  test("the dense block joins after L2: its values keep their size", () => {
    const without = extract("Really good, but not great?", { ...config, valence: undefined });
    const norm = Math.hypot(...without.values);
    expect(norm).toBeCloseTo(1, 5);
    const x = extract("Really good, but not great?", config);
    // Sorted, unique indices (the SparseVector invariant), and more than the n-grams' mass.
    for (let i = 1; i < x.indices.length; i++)
      expect(x.indices[i]!).toBeGreaterThan(x.indices[i - 1]!);
    expect(Math.hypot(...x.values)).toBeGreaterThan(1.2);
  });

  test("the same text gives the same vector", () => {
    const a = extract("Not good at all!", config);
    const b = extract("Not good at all!", config);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
  });
});
