// The manifest an exported model ships with (its types: ml/serve/manifest.ts), built from
// the trained model and the exported bytes' hash.
import type { CnnArtifact } from "../cnn/artifact.ts";
import type { FeatureConfig } from "../features/config.ts";
import type { CnnManifest, SparseManifest, WeightType } from "../serve/manifest.ts";
import { cnnPad } from "./export-cnn.ts";
import type { SparseClassifier } from "./model.ts";

export type { CnnManifest, ModelManifest, SparseManifest } from "../serve/manifest.ts";

export type ManifestExtras = { weightType?: WeightType; featureConfig?: FeatureConfig };

export function manifestFor(
  model: SparseClassifier,
  sha256Hex: string,
  extras: ManifestExtras = {},
): SparseManifest {
  return {
    modelVersion: `${model.kind}-${sha256Hex.slice(0, 12)}`,
    kind: model.kind,
    labels: model.labels,
    dims: model.dims,
    inputs: ["indices", "values"],
    outputs: ["logits", "probabilities"],
    ...(extras.weightType ? { weightType: extras.weightType } : {}),
    ...(extras.featureConfig ? { featureConfig: extras.featureConfig } : {}),
  };
}

export function cnnManifestFor(model: CnnArtifact, sha256Hex: string): CnnManifest {
  const c = model.config;
  const wide = model.header.wideFeatures;
  return {
    modelVersion: `cnn-${sha256Hex.slice(0, 12)}`,
    kind: "char-cnn",
    labels: model.header.labels,
    dims: {
      D: c.wideDim,
      C: c.classes,
      vocab: c.vocab,
      maxLen: model.header.maxLen,
      pad: cnnPad(c.widths),
    },
    inputs: wide ? ["ids", "indices", "values"] : ["ids"],
    outputs: ["logits", "probabilities"],
    weightType: "float16",
    vocab: model.header.vocab,
    normalise: model.header.normalise,
    ...(wide ? { featureConfig: wide } : {}),
  };
}
