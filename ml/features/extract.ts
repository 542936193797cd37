// text → sparse hashed feature vector, determined entirely by a FeatureConfig. Pure and
// runtime-agnostic: the Worker imports this file unchanged.
import { dimension, type FeatureConfig } from "./config.ts";
import { murmur3String } from "./murmur3.ts";
import { ngrams, words } from "./ngrams.ts";
import { normalise } from "./normalise.ts";
import { fromPairs, type SparseVector } from "./sparse.ts";
import { valenceFeatures } from "./valence.ts";

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
  const counts = fromPairs(indices, values, config);
  if (!config.valence) return counts;
  // The valence block keeps its own scale: it joins after the n-grams' tf and L2 steps.
  const dense = valenceFeatures(normalised, words(normalised), config.valence);
  const di = new Int32Array(counts.indices.length + dense.length);
  const dv = new Float32Array(di.length);
  di.set(counts.indices);
  dv.set(counts.values);
  dense.forEach(([name, x], k) => {
    const h = murmur3String(name, config.hashSeed);
    di[counts.indices.length + k] = h & mask;
    dv[counts.indices.length + k] = config.signedHash && h >>> 31 === 1 ? -x : x;
  });
  return fromPairs(di, dv, { sublinearTf: false, l2Normalise: false });
}
