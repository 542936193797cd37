// What the inference worker knows about a model besides its ONNX bytes: the manifest.json
// written beside every exported model.onnx. The exporters (ml/onnx) build it; serving reads it.
import type { FeatureConfig } from "../features/config.ts";

/** Storage of a graph's first-layer table. */
export type WeightType = "float32" | "float16";

export type ModelManifest = SparseManifest | CnnManifest;

/** A classifier over hashed n-grams (export.ts): the worker feeds it `indices` and `values`. */
export type SparseManifest = {
  /** Content-derived, so a changed artifact can never masquerade as the old version. */
  modelVersion: string;
  kind: "linear" | "mlp";
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
  normalise: FeatureConfig["normalise"];
  /** The wide part's n-gram recipe; absent when it has none. */
  featureConfig?: FeatureConfig;
};
