// Public surface of the feature pipeline shared by `ml/train` and the inference worker.
export { dimension, type FeatureConfig, FeatureConfigSchema } from "./config.ts";
export { extract } from "./extract.ts";
export { murmur3, murmur3String } from "./murmur3.ts";
export { charNgrams, ngrams, wordNgrams, words } from "./ngrams.ts";
export { normalise } from "./normalise.ts";
export { dot, fromPairs, type SparseOptions, type SparseVector } from "./sparse.ts";
