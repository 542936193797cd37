// How a text becomes a shipped graph's inputs, from its manifest alone: hashed n-grams for an
// n-gram model; for a char-CNN, the padded ids of its first `maxLen` characters plus its wide
// n-grams. The inference worker and the Node benchmarks both read texts through here, with the
// feature code training used, so serving cannot drift from what was evaluated.
import { dimension, type FeatureConfig, FeatureConfigSchema } from "../features/config.ts";
import { extract, extractNormalised } from "../features/extract.ts";
import { normalise } from "../features/normalise.ts";
import { NORMALISE, tokensOf, vocabFrom } from "../features/vocab.ts";
import type { ModelManifest } from "./manifest.ts";

/** Plain arrays; the caller wraps them in its runtime's tensors (int64 ids and indices). */
export type GraphInput = {
  ids?: Int32Array;
  indices?: Int32Array;
  values?: Float32Array;
};

/** The `ids` input: tokens with `pad` padding ids (0) before and after (ml/onnx/export-cnn.ts). */
export function padIds(tokens: Int32Array, pad: number): Int32Array {
  const out = new Int32Array(tokens.length + 2 * pad);
  out.set(tokens, pad);
  return out;
}

/** Validated n-gram recipe of a manifest; its hashed ids must fit the graph's table. */
export function featureConfigOf(manifest: ModelManifest): FeatureConfig | null {
  if (manifest.featureConfig === undefined) return null;
  const config = FeatureConfigSchema.parse(manifest.featureConfig);
  if (dimension(config) !== manifest.dims.D) {
    throw new Error(`featureConfig dimension ${dimension(config)} != D=${manifest.dims.D}`);
  }
  return config;
}

/** Null for a model fed sparse features only (no recipe to read text with). */
export function textReader(manifest: ModelManifest): ((text: string) => GraphInput) | null {
  const recipe = featureConfigOf(manifest);
  if (manifest.kind !== "char-cnn") {
    return recipe ? (text) => extract(text, recipe) : null;
  }
  // The worker reads text with the normalisation compiled into it: a model built with
  // another one would be read wrongly without any error, so it is refused at load.
  if (JSON.stringify(manifest.normalise) !== JSON.stringify(NORMALISE))
    throw new Error(`${manifest.modelVersion} was built with another text normalisation`);
  const { chars, buckets, hashSeed } = manifest.vocab;
  const vocab = vocabFrom(chars, buckets, hashSeed);
  if (vocab.size !== manifest.dims.vocab)
    throw new Error(`vocabulary has ${vocab.size} ids, the graph ${manifest.dims.vocab}`);
  const { maxLen, pad } = manifest.dims;
  // The wide recipe normalises as the vocabulary does (both are the CNN preset's), so each
  // text is normalised once for both; another recipe gets its own pass.
  const shared = recipe !== null && JSON.stringify(recipe.normalise) === JSON.stringify(NORMALISE);
  return (text) => {
    const normalised = normalise(text, NORMALISE);
    const ids = padIds(tokensOf(vocab, normalised, maxLen), pad);
    if (!recipe) return { ids };
    const wide = shared ? extractNormalised(normalised, recipe) : extract(text, recipe);
    // The graph's wide part needs N ≥ 1: a zero-valued id 0 adds nothing.
    return wide.indices.length > 0
      ? { ids, indices: wide.indices, values: wide.values }
      : { ids, indices: Int32Array.of(0), values: Float32Array.of(0) };
  };
}
