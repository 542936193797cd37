// text → sparse hashed feature vector, determined entirely by a FeatureConfig. Pure and
// runtime-agnostic: the Worker imports this file unchanged.
import { dimension, type FeatureConfig } from "./config.ts";
import { murmur3String } from "./murmur3.ts";
import { ngrams } from "./ngrams.ts";
import { normalise } from "./normalise.ts";
import { fromPairs, type SparseVector } from "./sparse.ts";

export function extract(text: string, config: FeatureConfig): SparseVector {
  return extractNormalised(normalise(text, config.normalise), config);
}

/** `extract` of a text already normalised with `config.normalise` (saves doing it twice). */
export function extractNormalised(normalised: string, config: FeatureConfig): SparseVector {
  const grams = ngrams(normalised, config);
  const mask = dimension(config) - 1;
  const indices = new Int32Array(grams.length);
  const values = new Float32Array(grams.length);
  for (let i = 0; i < grams.length; i++) {
    const h = murmur3String(grams[i]!, config.hashSeed);
    indices[i] = h & mask;
    // The top bit is unused by the index for any D ≤ 2^24, so it is free to pick the sign.
    values[i] = config.signedHash && h >>> 31 === 1 ? -1 : 1;
  }
  return fromPairs(indices, values, config);
}
