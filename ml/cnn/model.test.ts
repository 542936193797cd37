// Finite-difference gradient check of the char-CNN (and its wide n-gram term) on a tiny model,
// plus determinism of training. Uses synthetic data only; never reads ../shared/data.
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../core/prng.ts";
import type { SparseVector } from "../features/sparse.ts";
import { backward, type CnnConfig, forward, initParams, layout, workspace } from "./model.ts";
import { type Sample, trainCnn } from "./train.ts";

const config: CnnConfig = {
  vocab: 7,
  embDim: 3,
  widths: [1, 2, 3],
  filters: 4,
  classes: 3,
  wideDim: 5,
};
const wide: SparseVector = {
  indices: new Int32Array([1, 4]),
  values: new Float32Array([0.6, -0.8]),
};

function lossAt(p: Float32Array, tokens: Int32Array, y: number): number {
  const ws = workspace(config, 8);
  const probs = forward(config, layout(config), p, tokens, wide, ws);
  return -Math.log(probs[y]!) * 1.5;
}

describe("char-CNN gradient", () => {
  it("matches central finite differences for every parameter", () => {
    const l = layout(config);
    const p = initParams(config, mulberry32(3));
    const rng = mulberry32(4);
    for (let i = l.cnnSize; i < l.size; i++) p[i] = (rng() * 2 - 1) * 0.5;
    for (const tokens of [
      new Int32Array([1, 2, 3, 4, 5, 6]),
      new Int32Array([2]),
      new Int32Array([]),
    ]) {
      const y = 1;
      const ws = workspace(config, 8);
      forward(config, l, p, tokens, wide, ws);
      const grad = new Float32Array(l.size);
      backward(config, l, p, wide, ws, y, 1.5, grad, 1);
      const h = 1e-4;
      let checked = 0;
      for (let i = 0; i < l.size; i++) {
        const q = p.slice();
        q[i] = p[i]! + h;
        const up = lossAt(q, tokens, y);
        q[i] = p[i]! - h;
        const down = lossAt(q, tokens, y);
        const fd = (up - down) / (2 * h);
        expect(Math.abs(fd - grad[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
        if (grad[i] !== 0) checked++;
      }
      expect(checked).toBeGreaterThan(20);
    }
  });

  it("with `among`, matches finite differences of −log softmax over those classes only", () => {
    const l = layout(config);
    const p = initParams(config, mulberry32(5));
    const tokens = new Int32Array([1, 3, 5]);
    const among = [0, 2];
    const restricted = (q: Float32Array) => {
      const probs = forward(config, l, q, tokens, wide, workspace(config, 8));
      return -Math.log(probs[2]! / (probs[0]! + probs[2]!)) * 1.5;
    };
    const ws = workspace(config, 8);
    forward(config, l, p, tokens, wide, ws);
    const grad = new Float32Array(l.size);
    const loss = backward(config, l, p, wide, ws, 2, 1.5, grad, 1, among);
    expect(loss).toBeCloseTo(restricted(p), 6);
    const h = 1e-4;
    for (let i = 0; i < l.size; i += 3) {
      const q = p.slice();
      q[i] = p[i]! + h;
      const up = restricted(q);
      q[i] = p[i]! - h;
      const fd = (up - restricted(q)) / (2 * h);
      expect(Math.abs(fd - grad[i]!)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    }
    // The class outside `among` gets no gradient on its output bias.
    expect(grad[l.outB + 1]).toBe(0);
  });

  it("trains deterministically and learns a toy rule", () => {
    const rng = mulberry32(9);
    const data: Sample[] = Array.from({ length: 200 }, () => {
      const ids = new Int32Array(2 + Math.floor(rng() * 6)).map(() => 1 + Math.floor(rng() * 6));
      return { ids, wide: null, y: ids.includes(3) ? 1 : 0, weight: 1 };
    });
    const small: CnnConfig = { ...config, classes: 2, wideDim: 0, embDim: 4, filters: 6 };
    const opts = {
      epochs: 15,
      batch: 8,
      learningRate: 0.01,
      learningRateDecay: 1,
      wideLearningRate: 1,
      weightDecay: 0,
      dropout: 0,
      maxLen: 8,
      crop: "head" as const,
      patience: 100,
      checksPerEpoch: 1,
      seed: 1,
    };
    const a = trainCnn(small, data, data, opts);
    const b = trainCnn(small, data, data, opts);
    expect(a.params).toEqual(b.params);
    expect(a.bestValidation.accuracy).toBeGreaterThan(0.95);
  });
});
