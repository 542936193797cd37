// FeatureConfig: the JSON-serialisable recipe that fully determines text → sparse vector.
// It is saved beside every model; serving refuses a config it does not understand.
import { z } from "zod";
import { ValenceSchema } from "./valence.ts";

const range = z
  .tuple([z.number().int().min(1), z.number().int().min(1)])
  .refine(([lo, hi]) => lo <= hi, "n-gram range must be [min, max] with min ≤ max");

/**
 * A valence lexicon: each token (or phrase of up to three tokens) it lists adds one shared
 * feature for its sign, `x:pos` or `x:neg` (`x:not-pos`, `x:not-neg` when a negator stands
 * within `negationWindow` tokens before it), so a model learns once what praise or a complaint
 * weighs and applies it to words its training rows never had. Serving reads the entries
 * from the manifest like the rest of the recipe.
 */
export const LexiconSchema = z.object({
  /** Name, version and licence of the word list, for the model card. */
  source: z.string().min(1),
  /** Lower-case token or space-joined phrase → valence, −5 (worst) … 5 (best), never 0. */
  entries: z.record(
    z.string().min(1),
    z
      .number()
      .int()
      .min(-5)
      .max(5)
      .refine((v) => v !== 0, "a lexicon entry needs a sign"),
  ),
  negators: z.array(z.string().min(1)),
  negationWindow: z.number().int().min(0).max(5),
});
export type Lexicon = z.infer<typeof LexiconSchema>;

export const FeatureConfigSchema = z.object({
  version: z.literal(1),
  language: z.enum(["zh", "en"]),
  /** log2 of the hashed dimension D; D = 2 ** dimensionBits. */
  dimensionBits: z.number().int().min(4).max(24),
  /** Hash seed: change it to re-roll collisions without changing anything else. */
  hashSeed: z.number().int().min(0).max(0xffffffff),
  /** Multiply each feature by ±1 from the hash's top bit so collisions cancel in expectation. */
  signedHash: z.boolean(),
  normalise: z.object({
    /** NFKC: full-width letters, digits and punctuation become their ASCII forms. */
    nfkc: z.boolean(),
    lowercase: z.boolean(),
    /** "fold" maps CJK punctuation to ASCII twins; "strip" turns all punctuation into spaces. */
    punctuation: z.enum(["keep", "fold", "strip"]),
    /** Every digit becomes 0, so "2 weeks" and "3 weeks" share features. */
    foldDigits: z.boolean(),
  }),
  /** Character n-grams over the whole normalised text (zh) or within each word (en). */
  charNgrams: range.nullable(),
  /** Word n-grams over whitespace/punctuation-delimited tokens; null for none. */
  wordNgrams: range.nullable(),
  /** Pad with ^ and $ (text for zh, each word for en) so edges get their own n-grams. */
  boundaryMarkers: z.boolean(),
  /** tf → 1 + ln(tf): a repeated character should not dominate a short utterance. */
  sublinearTf: z.boolean(),
  l2Normalise: z.boolean(),
  /** English only: valence features from a word list; absent for none. */
  lexicon: LexiconSchema.optional(),
  /** English only: real-valued features from valence tables (valence.ts); absent for none. */
  valence: ValenceSchema.optional(),
});

export type FeatureConfig = z.infer<typeof FeatureConfigSchema>;

export function dimension(config: FeatureConfig): number {
  return 2 ** config.dimensionBits;
}

/**
 * The Chinese character n-gram recipe the shipped zh models start from (signed hashes, CJK
 * punctuation folded, digits folded, sublinear tf, L2); the fields a caller names replace it.
 */
export function zhCharRecipe(overrides: Partial<FeatureConfig> = {}): FeatureConfig {
  return {
    version: 1,
    language: "zh",
    dimensionBits: 18,
    hashSeed: 0,
    signedHash: true,
    normalise: { nfkc: true, lowercase: true, punctuation: "fold", foldDigits: true },
    charNgrams: [1, 3],
    wordNgrams: null,
    boundaryMarkers: true,
    sublinearTf: true,
    l2Normalise: true,
    ...overrides,
  };
}
