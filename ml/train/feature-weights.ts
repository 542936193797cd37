// Per-feature input scaling learned from TRAIN (naive-Bayes log-count ratios or IDF). The
// trainer sees x ∘ s; `foldScale` moves s into the first layer's rows (W'[i] = s_i · W[i]),
// so the shipped artifact is still a plain model over unscaled `extract` output.
import type { SparseVector } from "../features/sparse.ts";
import type { Model } from "./model.ts";
import type { Example } from "./trainer.ts";

export type FeatureWeighting =
  /** No scaling. */
  | { kind: "none" }
  /** Wang & Manning 2012: s_i = log((p_i/‖p‖₁)/(q_i/‖q‖₁)), binary labels only. */
  | { kind: "nb"; alpha: number }
  /** s_i = ln((1 + N)/(1 + df_i)) + 1, weighted by example weight. */
  | { kind: "idf" };

/**
 * Naive-Bayes log-count ratios over binarised features: p counts presence in examples of
 * `positive`, q in every other class, each smoothed by `alpha` and weighted by example weight.
 */
export function nbRatios(
  data: readonly Example[],
  dimension: number,
  positive: number,
  alpha: number,
): Float32Array {
  const p = new Float64Array(dimension).fill(alpha);
  const q = new Float64Array(dimension).fill(alpha);
  for (const ex of data) {
    const counts = ex.y === positive ? p : q;
    for (let k = 0; k < ex.x.indices.length; k++) counts[ex.x.indices[k]!]! += ex.weight;
  }
  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  const logRatio = Math.log(sum(q) / sum(p));
  const r = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) r[i] = Math.log(p[i]! / q[i]!) + logRatio;
  return r;
}

/** Smoothed inverse document frequency, as scikit-learn's `smooth_idf`. */
export function idf(data: readonly Example[], dimension: number): Float32Array {
  const df = new Float64Array(dimension);
  let n = 0;
  for (const ex of data) {
    n += ex.weight;
    for (let k = 0; k < ex.x.indices.length; k++) df[ex.x.indices[k]!]! += ex.weight;
  }
  const s = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) s[i] = Math.log((1 + n) / (1 + df[i]!)) + 1;
  return s;
}

export function featureScale(
  weighting: FeatureWeighting,
  data: readonly Example[],
  dimension: number,
): Float32Array | null {
  switch (weighting.kind) {
    case "none":
      return null;
    case "nb":
      return nbRatios(data, dimension, 1, weighting.alpha);
    case "idf":
      return idf(data, dimension);
  }
}

/** x ∘ s, dropping entries that scale to zero so the sparse invariant holds. */
export function scaleVector(x: SparseVector, s: Float32Array): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < x.indices.length; k++) {
    const v = x.values[k]! * s[x.indices[k]!]!;
    if (v !== 0) {
      indices.push(x.indices[k]!);
      values.push(v);
    }
  }
  return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

export function scaleExamples(data: readonly Example[], s: Float32Array | null): Example[] {
  return s ? data.map((ex) => ({ ...ex, x: scaleVector(ex.x, s) })) : [...data];
}

/** The model over unscaled inputs that computes what `model` computes over x ∘ s. */
export function foldScale(model: Model, s: Float32Array | null): Model {
  if (!s) return model;
  const [first, ...rest] = model.layers;
  if (!first || first.inputs !== s.length) throw new Error("scale length ≠ first-layer inputs");
  const weights = first.weights.slice();
  const m = first.outputs;
  for (let i = 0; i < first.inputs; i++) {
    const si = s[i]!;
    for (let j = 0; j < m; j++) weights[i * m + j] = weights[i * m + j]! * si;
  }
  return { ...model, layers: [{ ...first, weights }, ...rest] };
}
