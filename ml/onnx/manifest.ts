// What the inference worker needs to know about a model besides its ONNX bytes; written
// beside every exported model.onnx as manifest.json.
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
};

export function manifestFor(model: SparseClassifier, sha256Hex: string): ModelManifest {
  return {
    modelVersion: `${model.kind}-${sha256Hex.slice(0, 12)}`,
    kind: model.kind,
    labels: model.labels,
    dims: model.dims,
    inputs: ["indices", "values"],
    outputs: ["logits", "probabilities"],
  };
}
