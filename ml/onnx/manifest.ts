// What the inference worker needs to know about a model besides its ONNX bytes; written
// beside every exported model.onnx as manifest.json.
import type { FeatureConfig } from "../features/config.ts";
import type { WeightType } from "./export.ts";
import type { SparseClassifier } from "./model.ts";

export type ModelManifest = {
  /** Content-derived, so a changed artifact can never masquerade as the old version. */
  modelVersion: string;
  kind: SparseClassifier["kind"];
  labels: string[];
  /** Feature indices must lie in [0, D). */
  dims: { D: number; H?: number; C: number };
  inputs: ["indices", "values"];
  outputs: ["logits", "probabilities"];
  /** Storage of the first layer's table; absent means float32. */
  weightType?: WeightType;
  /** The recipe text → features was trained with; absent for models fed sparse inputs only. */
  featureConfig?: FeatureConfig;
};

export type ManifestExtras = { weightType?: WeightType; featureConfig?: FeatureConfig };

export function manifestFor(
  model: SparseClassifier,
  sha256Hex: string,
  extras: ManifestExtras = {},
): ModelManifest {
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
