import { describe, expect, test } from "vitest";
import { mulberry32 } from "../../core/prng.ts";
import { fromPairs, type SparseVector } from "../features/sparse.ts";
import { roundToFloat16 } from "../onnx/float16.ts";
import { decodeModel, encodeModel } from "./codec.ts";
import { type Model, predict } from "./model.ts";
import { wordUnigrams } from "./test-config.ts";
import { type Example, score, type TrainOptions, train } from "./trainer.ts";

const fc = wordUnigrams(6);
const opts: TrainOptions = {
  kind: "linear",
  hidden: 8,
  epochs: 20,
  learningRate: 0.05,
  learningRateDecay: 0.9,
  weightDecay: 0,
  patience: 20,
  seed: 7,
};

/** Three classes, each owning features [10c, 10c+10); every example also carries noise features 40..63. */
function separable(n: number, seed: number): Example[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const y = i % 3;
    const idx = [
      10 * y + Math.floor(rng() * 10),
      10 * y + Math.floor(rng() * 10),
      40 + Math.floor(rng() * 24),
    ];
    return { x: fromPairs(idx, [1, 1, 1], fc), y, weight: 1 };
  });
}

function naivePredict(model: Model, x: SparseVector): number[] {
  let a: number[] = new Array(model.layers[0]!.inputs).fill(0);
  x.indices.forEach((i, k) => {
    a[i] = x.values[k]!;
  });
  for (const l of model.layers) {
    const z: number[] = [];
    for (let j = 0; j < l.outputs; j++) {
      let s = l.bias[j]!;
      for (let i = 0; i < l.inputs; i++) s += a[i]! * l.weights[i * l.outputs + j]!;
      z.push(s);
    }
    if (l.activation === "relu") a = z.map((v) => Math.max(0, v));
    else {
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      a = e.map((v) => v / e.reduce((s, w) => s + w, 0));
    }
  }
  return a;
}

const labels = ["a", "b", "c"];

describe("trainer", () => {
  test.each(["linear", "mlp"] as const)(
    "a %s model learns a separable dataset to 100%%",
    (kind) => {
      const data = separable(300, 1);
      const { model } = train(data, separable(60, 2), labels, fc, { ...opts, kind });
      expect(score(model, data).accuracy).toBe(1);
      expect(score(model, separable(90, 3)).accuracy).toBe(1);
    },
  );

  test.each(["linear", "mlp"] as const)("the same seed gives bit-identical %s weights", (kind) => {
    const run = (seed: number) =>
      encodeModel(
        train(separable(120, 1), separable(30, 2), labels, fc, { ...opts, kind, epochs: 3, seed })
          .model,
      ).blob;
    expect(Buffer.from(run(7)).equals(Buffer.from(run(7)))).toBe(true);
    if (kind === "mlp") expect(Buffer.from(run(7)).equals(Buffer.from(run(8)))).toBe(false);
  });

  test("early stopping keeps the best validation epoch and stops after the patience runs out", () => {
    const { history } = train(separable(60, 1), separable(30, 2), labels, fc, {
      ...opts,
      patience: 2,
    });
    const bestEpoch = history.findLast((h) => h.best)!.epoch;
    expect(history.length).toBeLessThanOrEqual(bestEpoch + 2);
  });

  test.each(["linear", "mlp"] as const)(
    "the %s forward pass equals a naive dense computation",
    (kind) => {
      const { model } = train(separable(90, 1), separable(30, 2), labels, fc, {
        ...opts,
        kind,
        epochs: 2,
      });
      for (const ex of separable(20, 9)) {
        const fast = [...predict(model, ex.x)];
        naivePredict(model, ex.x).forEach((p, j) => {
          expect(fast[j]).toBeCloseTo(p, 10);
        });
        expect(fast.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      }
    },
  );

  test("with no validation set every epoch runs and the last epoch's weights are returned", () => {
    const data = separable(60, 1);
    const last = train(data, [], labels, fc, { ...opts, epochs: 3, patience: 1 });
    expect(last.history.length).toBe(3);
    expect(last.history.every((h) => h.best)).toBe(true);
    // Continuing to epoch 4 changes the weights, so the returned model is epoch 3's, not epoch 1's.
    const first = train(data, [], labels, fc, { ...opts, epochs: 1 });
    expect(
      Buffer.from(encodeModel(last.model).blob).equals(Buffer.from(encodeModel(first.model).blob)),
    ).toBe(false);
  });

  test("label smoothing 0 is plain cross-entropy, bit for bit; ε > 0 keeps targets soft", () => {
    const data = separable(90, 1);
    const run = (labelSmoothing?: number) =>
      train(data, separable(30, 2), labels, fc, { ...opts, epochs: 5, labelSmoothing }).model;
    const plain = encodeModel(run()).blob;
    expect(Buffer.from(encodeModel(run(0)).blob).equals(Buffer.from(plain))).toBe(true);
    const smooth = run(0.3);
    // Smoothed targets cap confidence: the top class stays below 1 − ε + ε/C (plus slack).
    const top = (m: Model) => Math.max(...data.map((e) => Math.max(...predict(m, e.x))));
    expect(top(smooth)).toBeLessThan(top(run()));
    expect(score(smooth, data).accuracy).toBeGreaterThan(0.95);
  });

  test("an encoded model decodes to the model as shipped: first layer in float16, the rest exact", () => {
    const { model } = train(separable(90, 1), separable(30, 2), labels, fc, {
      ...opts,
      kind: "mlp",
      epochs: 2,
    });
    const { header, blob } = encodeModel(model);
    const back = decodeModel(JSON.parse(JSON.stringify(header)), blob);
    const [first, ...rest] = model.layers;
    const shipped = {
      ...model,
      layers: [{ ...first!, weights: roundToFloat16(first!.weights) }, ...rest],
    };
    for (const ex of separable(10, 4))
      expect([...predict(back, ex.x)]).toEqual([...predict(shipped, ex.x)]);
    // Stored once, the artifact round-trips byte for byte.
    expect(encodeModel(back).blob).toEqual(blob);
    expect(() => decodeModel(header, blob.slice(4))).toThrow(/bytes/);
  });
});
