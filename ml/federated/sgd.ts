// Local fine-tuning of the federated model: plain per-example SGD on softmax cross-entropy,
// from the global parameters, seeded shuffle, only the rows of active features touched.
// Plain SGD rather than ml/train's AdamW: FedAvg averages the moves of stateless local
// optimisers (an Adam moment per region would be state the average cannot see), and the
// trainer always starts from fresh weights while a round must start from the global ones.
import { mulberry32, shuffle } from "../../core/prng.ts";
import type { SparseVector } from "../features/sparse.ts";
import { dimensionOf, type FederatedSpec, probabilities } from "./model.ts";

export type LocalExample = { readonly x: SparseVector; readonly y: number };

export type LocalTraining = {
  epochs: number;
  learningRate: number;
  /**
   * FedProx's μ: a pull of each touched row back toward the global parameters, so a
   * region holding one industry does not walk far from what the others learnt (0: FedAvg).
   */
  proximal: number;
  seed: number;
};

/** The parameters after `opts.epochs` passes over `data`, starting from `start` (not modified). */
export function fineTune(
  spec: FederatedSpec,
  start: Float32Array,
  data: readonly LocalExample[],
  opts: LocalTraining,
): Float32Array {
  const w = start.slice();
  const c = spec.labels.length;
  const biasAt = dimensionOf(spec) * c;
  const rng = mulberry32(opts.seed);
  const order = data.map((_, i) => i);
  const g = new Float64Array(c);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffle(order, rng);
    for (const i of order) {
      const { x, y } = data[i]!;
      const p = probabilities(spec, w, x);
      for (let j = 0; j < c; j++) g[j] = p[j]! - (j === y ? 1 : 0);
      const lr = opts.learningRate;
      const mu = opts.proximal;
      for (let k = 0; k < x.indices.length; k++) {
        const row = x.indices[k]! * c;
        const v = x.values[k]!;
        for (let j = 0; j < c; j++) {
          const at = row + j;
          w[at] = w[at]! - lr * (v * g[j]! + mu * (w[at]! - start[at]!));
        }
      }
      for (let j = 0; j < c; j++) {
        const at = biasAt + j;
        w[at] = w[at]! - lr * (g[j]! + mu * (w[at]! - start[at]!));
      }
    }
  }
  return w;
}
