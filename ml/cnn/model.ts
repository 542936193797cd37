// Char-CNN for short-text classification: char embedding → 1D convolutions of several widths →
// max-over-time pooling → ReLU → dropout → linear → softmax, optionally plus a "wide" hashed
// n-gram linear term added to the logits. All parameters live in one Float32Array so the
// optimiser is a single loop; forward/backward work on one example and accumulate gradients.

import type { Rng } from "../../core/prng.ts";
import type { SparseVector } from "../features/sparse.ts";

export type CnnConfig = {
  /** Token ids: 0 is padding/boundary; see vocab.ts. */
  readonly vocab: number;
  readonly embDim: number;
  readonly widths: readonly number[];
  /** Filters per width. */
  readonly filters: number;
  readonly classes: number;
  /** Hashed n-gram dimension for the wide part; 0 disables it. */
  readonly wideDim: number;
};

export type Layout = {
  readonly emb: number;
  /** Per width: offset of W laid out [k][e][f]. */
  readonly conv: readonly number[];
  readonly convB: readonly number[];
  /** [pooled][class] */
  readonly out: number;
  readonly outB: number;
  /** [feature][class] */
  readonly wide: number;
  readonly size: number;
  /** Size without the wide part (what the CNN itself costs). */
  readonly cnnSize: number;
};

export function layout(c: CnnConfig): Layout {
  let o = 0;
  const emb = o;
  o += c.vocab * c.embDim;
  const conv: number[] = [];
  const convB: number[] = [];
  for (const w of c.widths) {
    conv.push(o);
    o += w * c.embDim * c.filters;
    convB.push(o);
    o += c.filters;
  }
  const pooled = c.widths.length * c.filters;
  const out = o;
  o += pooled * c.classes;
  const outB = o;
  o += c.classes;
  const cnnSize = o;
  const wide = o;
  o += c.wideDim * c.classes;
  return { emb, conv, convB, out, outB, wide, size: o, cnnSize };
}

export function initParams(c: CnnConfig, rng: Rng): Float32Array {
  const l = layout(c);
  const p = new Float32Array(l.size);
  const u = (a: number) => (rng() * 2 - 1) * a;
  for (let i = 0; i < c.vocab * c.embDim; i++) p[l.emb + i] = u(0.5);
  c.widths.forEach((w, wi) => {
    const a = Math.sqrt(6 / (w * c.embDim * 0.33 + c.filters));
    for (let i = 0; i < w * c.embDim * c.filters; i++) p[l.conv[wi]! + i] = u(a);
  });
  const pooled = c.widths.length * c.filters;
  const a = Math.sqrt(6 / (pooled + c.classes));
  for (let i = 0; i < pooled * c.classes; i++) p[l.out + i] = u(a);
  return p;
}

/** Scratch buffers for one example; reused across calls. */
export type Workspace = {
  x: Float32Array;
  ids: Int32Array;
  acc: Float32Array;
  pooled: Float32Array;
  arg: Int32Array;
  hidden: Float32Array;
  mask: Float32Array;
  logits: Float64Array;
  probs: Float64Array;
  dh: Float32Array;
  len: number;
};

export function workspace(c: CnnConfig, maxLen: number): Workspace {
  const pad = Math.max(...c.widths) - 1;
  const pooled = c.widths.length * c.filters;
  return {
    x: new Float32Array((maxLen + 2 * pad) * c.embDim),
    ids: new Int32Array(maxLen + 2 * pad),
    acc: new Float32Array(c.filters),
    pooled: new Float32Array(pooled),
    arg: new Int32Array(pooled),
    hidden: new Float32Array(pooled),
    mask: new Float32Array(pooled),
    logits: new Float64Array(c.classes),
    probs: new Float64Array(c.classes),
    dh: new Float32Array(pooled),
    len: 0,
  };
}

/**
 * Forward pass; leaves softmax probabilities in ws.probs. `dropout` > 0 needs `rng` and draws
 * an inverted-dropout mask over the pooled features (training only).
 */
export function forward(
  c: CnnConfig,
  l: Layout,
  p: Float32Array,
  tokens: Int32Array,
  wide: SparseVector | null,
  ws: Workspace,
  dropout = 0,
  rng: Rng | null = null,
): Float64Array {
  const E = c.embDim;
  const F = c.filters;
  const C = c.classes;
  const pad = Math.max(...c.widths) - 1;
  const n = tokens.length;
  const len = n + 2 * pad;
  ws.len = len;
  const ids = ws.ids;
  const x = ws.x;
  for (let t = 0; t < len; t++) {
    const id = t < pad || t >= pad + n ? 0 : tokens[t - pad]!;
    ids[t] = id;
    const src = l.emb + id * E;
    const dst = t * E;
    for (let e = 0; e < E; e++) x[dst + e] = p[src + e]!;
  }
  const acc = ws.acc;
  const pooled = ws.pooled;
  const arg = ws.arg;
  for (let wi = 0; wi < c.widths.length; wi++) {
    const w = c.widths[wi]!;
    const W = l.conv[wi]!;
    const B = l.convB[wi]!;
    const base = wi * F;
    for (let f = 0; f < F; f++) {
      pooled[base + f] = Number.NEGATIVE_INFINITY;
      arg[base + f] = 0;
    }
    // Windows that contain at least one real char: start in [pad − w + 1, pad + n − 1]
    // (for an empty text, the single all-padding window at `pad - w + 1`).
    const t0 = pad - w + 1;
    const t1 = n === 0 ? t0 : pad + n - 1;
    for (let t = t0; t <= t1; t++) {
      for (let f = 0; f < F; f++) acc[f] = p[B + f]!;
      for (let k = 0; k < w; k++) {
        const xo = (t + k) * E;
        const wo = W + k * E * F;
        for (let e = 0; e < E; e++) {
          const xv = x[xo + e]!;
          const row = wo + e * F;
          for (let f = 0; f < F; f++) acc[f]! += xv * p[row + f]!;
        }
      }
      for (let f = 0; f < F; f++) {
        if (acc[f]! > pooled[base + f]!) {
          pooled[base + f] = acc[f]!;
          arg[base + f] = t;
        }
      }
    }
  }
  const H = pooled.length;
  const hidden = ws.hidden;
  const mask = ws.mask;
  const keep = 1 - dropout;
  for (let i = 0; i < H; i++) {
    const m = dropout > 0 ? (rng!() < keep ? 1 / keep : 0) : 1;
    mask[i] = m;
    const v = pooled[i]!;
    hidden[i] = v > 0 ? v * m : 0;
  }
  const logits = ws.logits;
  for (let j = 0; j < C; j++) logits[j] = p[l.outB + j]!;
  for (let i = 0; i < H; i++) {
    const h = hidden[i]!;
    if (h === 0) continue;
    const row = l.out + i * C;
    for (let j = 0; j < C; j++) logits[j]! += h * p[row + j]!;
  }
  if (wide && c.wideDim > 0) {
    for (let k = 0; k < wide.indices.length; k++) {
      const row = l.wide + wide.indices[k]! * C;
      const v = wide.values[k]!;
      for (let j = 0; j < C; j++) logits[j]! += v * p[row + j]!;
    }
  }
  const probs = ws.probs;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < C; j++) max = Math.max(max, logits[j]!);
  let sum = 0;
  for (let j = 0; j < C; j++) {
    probs[j] = Math.exp(logits[j]! - max);
    sum += probs[j]!;
  }
  for (let j = 0; j < C; j++) probs[j]! /= sum;
  return probs;
}

/**
 * Backward pass for the cross-entropy loss `weight · −log p[y]` of the example last passed to
 * `forward` with the same workspace; adds d(loss)/d(params) · scale into `grad`.
 * Returns the loss.
 *
 * `among`: the classes the label chose between (a two-class corpus feeding a three-class
 * head). The loss is then −log q[y] with q the softmax over those classes only, so the row
 * says which of them it is and nothing about the others (their logits get no gradient).
 */
export function backward(
  c: CnnConfig,
  l: Layout,
  p: Float32Array,
  wide: SparseVector | null,
  ws: Workspace,
  y: number,
  weight: number,
  grad: Float32Array,
  scale: number,
  among: readonly number[] | null = null,
): number {
  const E = c.embDim;
  const F = c.filters;
  const C = c.classes;
  const probs = ws.probs;
  const q = new Float64Array(C);
  if (among) {
    let z = 0;
    for (const j of among) z += probs[j]!;
    for (const j of among) q[j] = probs[j]! / z;
  } else q.set(probs);
  const loss = -Math.log(Math.max(q[y]!, 1e-12)) * weight;
  const g = new Float64Array(C);
  for (let j = 0; j < C; j++)
    g[j] = among && !among.includes(j) ? 0 : weight * scale * (q[j]! - (j === y ? 1 : 0));
  for (let j = 0; j < C; j++) grad[l.outB + j]! += g[j]!;
  if (wide && c.wideDim > 0) {
    for (let k = 0; k < wide.indices.length; k++) {
      const row = l.wide + wide.indices[k]! * C;
      const v = wide.values[k]!;
      for (let j = 0; j < C; j++) grad[row + j]! += v * g[j]!;
    }
  }
  const H = ws.hidden.length;
  const hidden = ws.hidden;
  const dh = ws.dh;
  for (let i = 0; i < H; i++) {
    const row = l.out + i * C;
    const h = hidden[i]!;
    let s = 0;
    for (let j = 0; j < C; j++) {
      s += p[row + j]! * g[j]!;
      if (h !== 0) grad[row + j]! += h * g[j]!;
    }
    // ReLU and dropout: the gradient passes only where the pooled value was positive and kept.
    dh[i] = ws.pooled[i]! > 0 ? s * ws.mask[i]! : 0;
  }
  const x = ws.x;
  const ids = ws.ids;
  for (let wi = 0; wi < c.widths.length; wi++) {
    const w = c.widths[wi]!;
    const W = l.conv[wi]!;
    const B = l.convB[wi]!;
    for (let f = 0; f < F; f++) {
      const d = dh[wi * F + f]!;
      if (d === 0) continue;
      grad[B + f]! += d;
      const t = ws.arg[wi * F + f]!;
      for (let k = 0; k < w; k++) {
        const xo = (t + k) * E;
        const eo = l.emb + ids[t + k]! * E;
        const wo = W + k * E * F + f;
        for (let e = 0; e < E; e++) {
          grad[wo + e * F]! += d * x[xo + e]!;
          grad[eo + e]! += d * p[wo + e * F]!;
        }
      }
    }
  }
  return loss;
}
