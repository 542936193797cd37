// Trains a linear softmax classifier or a one-hidden-layer MLP on sparse inputs with
// per-example lazy AdamW (only the rows of active features move), seeded init and
// shuffling, and early stopping on a validation set. Same seed and data → identical bits.

import { mulberry32, type Rng, shuffle } from "../../core/prng.ts";
import type { FeatureConfig } from "../features/config.ts";
import type { SparseVector } from "../features/sparse.ts";
import { argmax } from "../serve/argmax.ts";
import { evaluate, type Metrics } from "./metrics.ts";
import { type Layer, type Model, predict, softmaxInPlace } from "./model.ts";

export type Example = { readonly x: SparseVector; readonly y: number; readonly weight: number };

export type TrainOptions = {
  kind: "linear" | "mlp";
  /** Hidden units for kind "mlp"; ignored for "linear". */
  hidden: number;
  epochs: number;
  learningRate: number;
  /** Multiplies the learning rate after every epoch. */
  learningRateDecay: number;
  /** Decoupled (AdamW) decay, applied to a row only when the row is touched. */
  weightDecay: number;
  /** Stop after this many epochs without a better validation score. */
  patience: number;
  /** Label smoothing ε in [0, 1): targets become (1 − ε)·onehot + ε/C; absent means 0. */
  labelSmoothing?: number;
  seed: number;
};

export type EpochReport = { epoch: number; loss: number; validation: Metrics; best: boolean };

type Trainable = {
  layer: Layer;
  w: Float32Array;
  b: Float32Array;
  m: Float32Array;
  v: Float32Array;
  mb: Float32Array;
  vb: Float32Array;
};

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

function makeLayer(
  inputs: number,
  outputs: number,
  activation: Layer["activation"],
  rng: Rng | null,
  scale: number,
): Trainable {
  const w = new Float32Array(inputs * outputs);
  if (rng) for (let i = 0; i < w.length; i++) w[i] = (rng() * 2 - 1) * scale;
  const b = new Float32Array(outputs);
  return {
    layer: { inputs, outputs, weights: w, bias: b, activation },
    w,
    b,
    m: new Float32Array(w.length),
    v: new Float32Array(w.length),
    mb: new Float32Array(outputs),
    vb: new Float32Array(outputs),
  };
}

function adam(
  w: Float32Array,
  m: Float32Array,
  v: Float32Array,
  i: number,
  g: number,
  lr: number,
  decay: number,
): void {
  const mi = BETA1 * m[i]! + (1 - BETA1) * g;
  const vi = BETA2 * v[i]! + (1 - BETA2) * g * g;
  m[i] = mi;
  v[i] = vi;
  w[i] = w[i]! - lr * (mi / (Math.sqrt(vi) + EPS)) - decay * w[i]!;
}

function copyModel(model: Model): Model {
  return {
    ...model,
    layers: model.layers.map((l) => ({ ...l, weights: l.weights.slice(), bias: l.bias.slice() })),
  };
}

export function score(model: Model, data: readonly Example[]): Metrics {
  return evaluate(
    data.map((e) => e.y),
    data.map((e) => argmax(predict(model, e.x))),
    model.labels.length,
  );
}

export function train(
  data: readonly Example[],
  valid: readonly Example[],
  labels: readonly string[],
  featureConfig: FeatureConfig,
  opts: TrainOptions,
  onEpoch: (r: EpochReport) => void = () => {},
): { model: Model; history: EpochReport[] } {
  const rng = mulberry32(opts.seed);
  const d = 2 ** featureConfig.dimensionBits;
  const c = labels.length;
  const layers: Trainable[] =
    opts.kind === "linear"
      ? [makeLayer(d, c, "softmax", null, 0)]
      : [
          // Inputs are L2-normalised, so a hidden pre-activation has std ≈ scale/√3 whatever the length.
          makeLayer(d, opts.hidden, "relu", rng, 1),
          makeLayer(opts.hidden, c, "softmax", rng, Math.sqrt(6 / (opts.hidden + c))),
        ];
  const model: Model = {
    kind: opts.kind,
    labels,
    featureConfig,
    layers: layers.map((t) => t.layer),
  };
  const order = data.map((_, i) => i);
  const history: EpochReport[] = [];
  let best = copyModel(model);
  let bestScore = Number.NEGATIVE_INFINITY;
  let step = 0;
  let lr0 = opts.learningRate;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    shuffle(order, rng);
    let loss = 0;
    for (const i of order) {
      step++;
      const lr = (lr0 * Math.sqrt(1 - BETA2 ** step)) / (1 - BETA1 ** step);
      const decay = lr0 * opts.weightDecay;
      loss += sgdStep(layers, data[i]!, lr, decay, opts.labelSmoothing ?? 0);
    }
    lr0 *= opts.learningRateDecay;
    // No validation set (a final refit on train ∪ validation for a fixed number of epochs):
    // every epoch counts as the best so far, so the last epoch's weights are returned.
    const validation = score(model, valid);
    const improved = valid.length === 0 || validation.accuracy > bestScore;
    if (improved) {
      bestScore = validation.accuracy;
      best = copyModel(model);
    }
    const report = { epoch, loss: loss / data.length, validation, best: improved };
    history.push(report);
    onEpoch(report);
    const bestEpoch = history.findLast((h) => h.best)!.epoch;
    if (epoch - bestEpoch >= opts.patience) break;
  }
  return { model: best, history };
}

function sgdStep(
  layers: Trainable[],
  ex: Example,
  lr: number,
  decay: number,
  smoothing: number,
): number {
  const acts: Float64Array[] = [];
  const x = ex.x;
  const first = layers[0]!;
  const a0 = new Float64Array(first.layer.outputs);
  for (let j = 0; j < a0.length; j++) a0[j] = first.b[j]!;
  const m0 = first.layer.outputs;
  for (let k = 0; k < x.indices.length; k++) {
    const row = x.indices[k]! * m0;
    const v = x.values[k]!;
    for (let j = 0; j < m0; j++) a0[j]! += v * first.w[row + j]!;
  }
  acts.push(a0);
  if (layers.length === 2) {
    for (let j = 0; j < m0; j++) if (a0[j]! < 0) a0[j] = 0;
    const second = layers[1]!;
    const a1 = new Float64Array(second.layer.outputs);
    const m1 = second.layer.outputs;
    for (let j = 0; j < m1; j++) a1[j] = second.b[j]!;
    for (let i = 0; i < m0; i++) {
      const h = a0[i]!;
      if (h === 0) continue;
      for (let j = 0; j < m1; j++) a1[j]! += h * second.w[i * m1 + j]!;
    }
    acts.push(a1);
  }
  const out = acts.at(-1)!;
  softmaxInPlace(out);
  const loss = -Math.log(Math.max(out[ex.y]!, 1e-12)) * ex.weight;
  // backward: g = weight · (p − onehot(y)) at the softmax input
  let g = new Float64Array(out.length);
  // Label smoothing ε: the target is (1 − ε)·onehot + ε/C (ε = 0 is plain cross-entropy).
  const eps = smoothing;
  const off = eps / out.length;
  for (let j = 0; j < out.length; j++)
    g[j] = ex.weight * (out[j]! - (j === ex.y ? 1 - eps + off : off));
  if (layers.length === 2) {
    const second = layers[1]!;
    const m1 = second.layer.outputs;
    const dh = new Float64Array(m0);
    for (let i = 0; i < m0; i++) {
      const h = a0[i]!;
      if (h === 0) continue;
      let s = 0;
      for (let j = 0; j < m1; j++) {
        s += second.w[i * m1 + j]! * g[j]!;
        adam(second.w, second.m, second.v, i * m1 + j, h * g[j]!, lr, decay);
      }
      dh[i] = s;
    }
    for (let j = 0; j < m1; j++) adam(second.b, second.mb, second.vb, j, g[j]!, lr, 0);
    g = dh;
  }
  for (let k = 0; k < x.indices.length; k++) {
    const row = x.indices[k]! * m0;
    const v = x.values[k]!;
    for (let j = 0; j < m0; j++) adam(first.w, first.m, first.v, row + j, v * g[j]!, lr, decay);
  }
  for (let j = 0; j < m0; j++) adam(first.b, first.mb, first.vb, j, g[j]!, lr, 0);
  return loss;
}
