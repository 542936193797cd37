// Mini-batch Adam training for the char-CNN with seeded shuffling, dropout and early stopping
// on a validation slice carved from train. Same seed and data → identical weights.

import { mulberry32, shuffle } from "../../core/prng.ts";
import type { SparseVector } from "../features/sparse.ts";
import { argmax } from "../serve/argmax.ts";
import { evaluate, type Metrics } from "../train/metrics.ts";
import {
  backward,
  type CnnConfig,
  forward,
  initParams,
  type Layout,
  layout,
  workspace,
} from "./model.ts";

export type Sample = {
  /** Full token ids (untruncated); training crops to maxLen. */
  readonly ids: Int32Array;
  readonly wide: SparseVector | null;
  readonly y: number;
  readonly weight: number;
  /** The classes the label chose between, when not all of them (see model.ts backward). */
  readonly among?: readonly number[];
};

export type CnnTrainOptions = {
  epochs: number;
  batch: number;
  learningRate: number;
  /** Multiplies the learning rate after every epoch. */
  learningRateDecay: number;
  /** Learning-rate multiplier for the wide (hashed n-gram) part. */
  wideLearningRate: number;
  /** Decoupled weight decay (per step, times lr). */
  weightDecay: number;
  dropout: number;
  maxLen: number;
  /** "head": first maxLen chars; "random": a random maxLen window each epoch (train only). */
  crop: "head" | "random";
  patience: number;
  /** Validate this many times per epoch. */
  checksPerEpoch: number;
  /** What picks the best check on validation; absent: accuracy. */
  selectBy?: "accuracy" | "macroF1";
  seed: number;
};

export type Trained = {
  params: Float32Array;
  config: CnnConfig;
  bestCheck: number;
  bestValidation: Metrics;
  history: { check: number; loss: number; validation: number }[];
};

export function predictAll(
  config: CnnConfig,
  params: Float32Array,
  data: readonly Sample[],
  maxLen: number,
): Float64Array[] {
  const l = layout(config);
  const ws = workspace(config, maxLen);
  return data.map((s) => {
    const ids = s.ids.length > maxLen ? s.ids.subarray(0, maxLen) : s.ids;
    return forward(config, l, params, ids, s.wide, ws).slice();
  });
}

export function metricsOf(
  probs: readonly Float64Array[],
  data: readonly Sample[],
  classes: number,
): Metrics {
  return evaluate(
    data.map((s) => s.y),
    probs.map(argmax),
    classes,
  );
}

function adamStep(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  from: number,
  to: number,
  lr: number,
  decay: number,
): void {
  const b1 = 0.9;
  const b2 = 0.999;
  for (let i = from; i < to; i++) {
    const gi = g[i]!;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i]! - lr * (mi / (Math.sqrt(vi) + 1e-8)) - decay * p[i]!;
  }
}

/**
 * `data`: the training rows, or a function giving each epoch's rows (a mix drawn afresh per
 * epoch). `init`: parameters to start from (fine-tuning) instead of a seeded initialisation.
 */
export function trainCnn(
  config: CnnConfig,
  data: readonly Sample[] | ((epoch: number) => readonly Sample[]),
  valid: readonly Sample[],
  opts: CnnTrainOptions,
  log: (s: string) => void = () => {},
  init?: Float32Array,
): Trained {
  const rng = mulberry32(opts.seed);
  const l: Layout = layout(config);
  if (init && init.length !== l.size) throw new Error(`init: ${init.length} != ${l.size}`);
  const p = init ? init.slice() : initParams(config, rng);
  const g = new Float32Array(l.size);
  const m = new Float32Array(l.size);
  const v = new Float32Array(l.size);
  const ws = workspace(config, opts.maxLen);
  const rowsOf = typeof data === "function" ? data : () => data;
  const selected = (met: Metrics) => (opts.selectBy === "macroF1" ? met.macroF1 : met.accuracy);
  let best = p.slice();
  let bestAcc = Number.NEGATIVE_INFINITY;
  let bestCheck = 0;
  let bestValidation: Metrics | null = null;
  const history: Trained["history"] = [];
  let step = 0;
  let lr0 = opts.learningRate;
  let check = 0;
  let rows: readonly Sample[] = [];
  let order: number[] = [];
  outer: for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    // Fixed rows are reshuffled from the previous epoch's order, a new epoch's rows from theirs.
    const next = rowsOf(epoch);
    if (next !== rows) order = next.map((_, i) => i);
    rows = next;
    const perCheck = Math.ceil(rows.length / opts.checksPerEpoch);
    shuffle(order, rng);
    let loss = 0;
    let seen = 0;
    for (let start = 0; start < order.length; start += opts.batch) {
      const end = Math.min(order.length, start + opts.batch);
      g.fill(0);
      const scale = 1 / (end - start);
      for (let b = start; b < end; b++) {
        const s = rows[order[b]!]!;
        let ids = s.ids;
        if (ids.length > opts.maxLen) {
          const off =
            opts.crop === "random" ? Math.floor(rng() * (ids.length - opts.maxLen + 1)) : 0;
          ids = ids.subarray(off, off + opts.maxLen);
        }
        forward(config, l, p, ids, s.wide, ws, opts.dropout, rng);
        loss += backward(config, l, p, s.wide, ws, s.y, s.weight, g, scale, s.among ?? null);
      }
      step++;
      const corr = Math.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step);
      const lr = lr0 * corr;
      adamStep(p, g, m, v, 0, l.cnnSize, lr, lr0 * opts.weightDecay);
      if (l.size > l.cnnSize)
        adamStep(p, g, m, v, l.cnnSize, l.size, lr * opts.wideLearningRate, 0);
      seen += end - start;
      const last = end === order.length;
      if (seen >= perCheck || last) {
        check++;
        const met = metricsOf(predictAll(config, p, valid, opts.maxLen), valid, config.classes);
        const improved = selected(met) > bestAcc;
        if (improved) {
          bestAcc = selected(met);
          best = p.slice();
          bestCheck = check;
          bestValidation = met;
        }
        history.push({ check, loss: loss / seen, validation: met.accuracy });
        log(
          `epoch ${epoch} check ${check}: loss ${(loss / seen).toFixed(4)}, validation ${(met.accuracy * 100).toFixed(2)}%${opts.selectBy === "macroF1" ? ` (macro-F1 ${(met.macroF1 * 100).toFixed(2)}%)` : ""}${improved ? " *" : ""}`,
        );
        loss = 0;
        seen = 0;
        if (check - bestCheck >= opts.patience) break outer;
      }
    }
    lr0 *= opts.learningRateDecay;
  }
  return { params: best, config, bestCheck, bestValidation: bestValidation!, history };
}
