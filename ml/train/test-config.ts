// The small feature recipe the trainer's tests share: English word unigrams into 2^bits ids,
// unsigned, L2-normalised, so hand-built examples stay readable.
import type { FeatureConfig } from "../features/config.ts";

export function wordUnigrams(dimensionBits: number): FeatureConfig {
  return {
    version: 1,
    language: "en",
    dimensionBits,
    hashSeed: 0,
    signedHash: false,
    normalise: { nfkc: true, lowercase: true, punctuation: "keep", foldDigits: false },
    charNgrams: null,
    wordNgrams: [1, 1],
    boundaryMarkers: false,
    sublinearTf: false,
    l2Normalise: true,
  };
}
