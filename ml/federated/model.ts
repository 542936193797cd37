// The federated sentiment model: hashed character n-grams (the served models' featurizer,
// ml/features) into one linear softmax layer over three classes. Its parameters are one flat
// Float32Array — W row-major [D][C], then the bias [C] — so an update, a clip, an average
// and a wire payload are all plain vector arithmetic over the same layout.
import { type FeatureConfig, zhCharRecipe } from "../features/config.ts";
import { extract } from "../features/extract.ts";
import type { SparseVector } from "../features/sparse.ts";
import { argmax } from "../serve/argmax.ts";

export const LABELS = ["negative", "neutral", "positive"] as const;
export type Label = (typeof LABELS)[number];

export type FederatedSpec = {
  readonly labels: readonly string[];
  readonly features: FeatureConfig;
};

/**
 * One recipe for both languages: character 1–3-grams over the whole normalised text (the zh
 * recipe) read English well enough too (word pieces and their spacing), so one weight space
 * serves a tenant's zh and en rows and no language detector sits in front of it. D = 2^14
 * keeps an update at 192 KiB (Float32); chosen on dev, see ml/federated/README.md.
 */
export const FEDERATED_SPEC: FederatedSpec = {
  labels: LABELS,
  features: zhCharRecipe({ dimensionBits: 14 }),
};

export const dimensionOf = (spec: FederatedSpec) => 2 ** spec.features.dimensionBits;

/** Length of the flat parameter vector: D·C weights then C biases. */
export const paramCount = (spec: FederatedSpec) => (dimensionOf(spec) + 1) * spec.labels.length;

export const zeroParams = (spec: FederatedSpec) => new Float32Array(paramCount(spec));

export function featurize(spec: FederatedSpec, text: string): SparseVector {
  return extract(text, spec.features);
}

/** Class probabilities in the order of `spec.labels`, softmax shifted by its maximum. */
export function probabilities(
  spec: FederatedSpec,
  params: Float32Array,
  x: SparseVector,
): Float64Array {
  const c = spec.labels.length;
  const biasAt = dimensionOf(spec) * c;
  const z = new Float64Array(c);
  for (let j = 0; j < c; j++) z[j] = params[biasAt + j]!;
  for (let k = 0; k < x.indices.length; k++) {
    const row = x.indices[k]! * c;
    const v = x.values[k]!;
    for (let j = 0; j < c; j++) z[j]! += v * params[row + j]!;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < c; j++) max = Math.max(max, z[j]!);
  let sum = 0;
  for (let j = 0; j < c; j++) {
    z[j] = Math.exp(z[j]! - max);
    sum += z[j]!;
  }
  for (let j = 0; j < c; j++) z[j]! /= sum;
  return z;
}

export function classify(
  spec: FederatedSpec,
  params: Float32Array,
  text: string,
): { label: string; probabilities: number[] } {
  const p = probabilities(spec, params, featurize(spec, text));
  return { label: spec.labels[argmax(p)]!, probabilities: Array.from(p) };
}
