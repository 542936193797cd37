// The trained model and its reference forward pass. Weights are row-major [inputs][outputs]:
// row i is the contiguous output-sized slice for input i, so a sparse input touches only its
// active rows. Every other runtime (ONNX export, the Worker) must match `predict` exactly.
import type { FeatureConfig } from "../features/config.ts";
import type { SparseVector } from "../features/sparse.ts";

export type Activation = "relu" | "softmax";

export type Layer = {
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major [inputs][outputs]: weight from input i to output j is weights[i * outputs + j]. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
};

export type Model = {
  readonly kind: "linear" | "mlp";
  readonly labels: readonly string[];
  readonly featureConfig: FeatureConfig;
  /** linear: one softmax layer; mlp: relu hidden layer(s) then a softmax layer. */
  readonly layers: readonly Layer[];
};

/** First layer: sparse x times W plus bias, touching only active rows. */
export function sparseAffine(layer: Layer, x: SparseVector, out: Float64Array): void {
  const { outputs: m, weights: w } = layer;
  for (let j = 0; j < m; j++) out[j] = layer.bias[j]!;
  for (let k = 0; k < x.indices.length; k++) {
    const row = x.indices[k]! * m;
    const v = x.values[k]!;
    for (let j = 0; j < m; j++) out[j]! += v * w[row + j]!;
  }
}

export function denseAffine(layer: Layer, x: Float64Array, out: Float64Array): void {
  const { inputs: n, outputs: m, weights: w } = layer;
  for (let j = 0; j < m; j++) out[j] = layer.bias[j]!;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (v === 0) continue;
    const row = i * m;
    for (let j = 0; j < m; j++) out[j]! += v * w[row + j]!;
  }
}

export function activate(a: Activation, z: Float64Array): void {
  if (a === "relu") {
    for (let j = 0; j < z.length; j++) if (z[j]! < 0) z[j] = 0;
    return;
  }
  softmaxInPlace(z);
}

/** Softmax over `z` in place, shifted by its maximum so `exp` cannot overflow. */
export function softmaxInPlace(z: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < z.length; j++) max = Math.max(max, z[j]!);
  let sum = 0;
  for (let j = 0; j < z.length; j++) {
    z[j] = Math.exp(z[j]! - max);
    sum += z[j]!;
  }
  for (let j = 0; j < z.length; j++) z[j]! /= sum;
}

/** Activations of every layer (index 0 is the first layer's output); the last is softmax. */
export function forward(model: Model, x: SparseVector): Float64Array[] {
  const acts: Float64Array[] = [];
  model.layers.forEach((layer, l) => {
    const z = new Float64Array(layer.outputs);
    if (l === 0) sparseAffine(layer, x, z);
    else denseAffine(layer, acts[l - 1]!, z);
    activate(layer.activation, z);
    acts.push(z);
  });
  return acts;
}

/** Class probabilities, in the order of `model.labels`. */
export function predict(model: Model, x: SparseVector): Float64Array {
  return forward(model, x).at(-1)!;
}
