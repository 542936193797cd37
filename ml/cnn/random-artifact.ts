// A small char-CNN artifact with every parameter (biases and wide table included) drawn from
// a seed, for tests of the artifact codec, the ONNX export and the worker's text path.

import { mulberry32 } from "../../core/prng.ts";
import { type FeatureConfig, zhCharRecipe } from "../features/config.ts";
import { buildVocab } from "../features/vocab.ts";
import { type CnnArtifact, decodeCnn, encodeCnn } from "./artifact.ts";
import { type CnnConfig, layout } from "./model.ts";

export const RANDOM_CNN_CHARS = "价格太贵了服务很好我们考虑一下不错满意差劲退款谢谢";

/** A small wide-part recipe: hashed char 1–2-grams into 2^bits ids. */
export function wideRecipe(bits: number, hashSeed: number): FeatureConfig {
  return zhCharRecipe({ dimensionBits: bits, hashSeed, charNgrams: [1, 2] });
}

export function randomCnn(
  seed: number,
  shape: { classes: number; widths: number[]; wideBits: number | null; maxLen?: number },
): CnnArtifact {
  const rng = mulberry32(seed);
  const vocab = buildVocab([RANDOM_CNN_CHARS], 1, 4, 7);
  const wide = shape.wideBits === null ? null : wideRecipe(shape.wideBits, 11);
  const config: CnnConfig = {
    vocab: vocab.size,
    embDim: 6,
    widths: shape.widths,
    filters: 5,
    classes: shape.classes,
    wideDim: wide ? 2 ** wide.dimensionBits : 0,
  };
  const params = Float32Array.from({ length: layout(config).size }, () => rng() * 2 - 1);
  const labels = Array.from({ length: shape.classes }, (_, i) => `class-${i}`);
  const { header, blob } = encodeCnn(
    {
      labels,
      maxLen: shape.maxLen ?? 12,
      vocab: { chars: [...vocab.chars], buckets: vocab.buckets, hashSeed: vocab.hashSeed },
      wideFeatures: wide,
    },
    config,
    params,
  );
  return decodeCnn(JSON.parse(JSON.stringify(header)), blob);
}
