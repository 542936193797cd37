// What the inference worker needs to know about a model besides its ONNX bytes; written
// beside every exported model.onnx as manifest.json.
import type { CnnArtifact, CnnHeader } from "../cnn/artifact.ts";
import type { FeatureConfig } from "../features/config.ts";
import type { WeightType } from "./export.ts";
import { cnnPad } from "./export-cnn.ts";
import type { SparseClassifier } from "./model.ts";

export type ModelManifest = SparseManifest | CnnManifest;

/** A classifier over hashed n-grams (export.ts): the worker feeds it `indices` and `values`. */
export type SparseManifest = {
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

/**
 * A char-CNN with an optional wide n-gram part (export-cnn.ts): the worker reads the text's
 * first `maxLen` characters into vocabulary ids (ml/cnn/vocab.ts), pads them with `pad` ids
 * on each side and feeds `ids`, plus the wide part's `indices` and `values`.
 */
export type CnnManifest = {
  modelVersion: string;
  kind: "char-cnn";
  labels: string[];
  /** D: the wide part's hashed dimension (0: no wide part); C: classes. */
  dims: { D: number; C: number; vocab: number; maxLen: number; pad: number };
  inputs: ["ids", "indices", "values"] | ["ids"];
  outputs: ["logits", "probabilities"];
  weightType: "float16";
  vocab: { chars: string[]; buckets: number; hashSeed: number };
  /** The text normalisation the vocabulary was built with (ml/cnn/vocab.ts NORMALISE). */
  normalise: CnnHeader["normalise"];
  /** The wide part's n-gram recipe; absent when it has none. */
  featureConfig?: FeatureConfig;
};

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
