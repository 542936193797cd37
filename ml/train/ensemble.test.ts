// Logit averaging folded into one model: its probabilities must equal softmax of the members'
// mean logits, for linear and MLP members alike, and mismatched members are refused.
import { describe, expect, test } from "vitest";
import { mulberry32 } from "../../core/prng.ts";
import { fromPairs } from "../features/sparse.ts";
import { averageLogits } from "./ensemble.ts";
import { type Model, predict } from "./model.ts";
import { wordUnigrams } from "./test-config.ts";

const fc = wordUnigrams(5);

function randomModel(kind: "linear" | "mlp", seed: number, hidden = 4): Model {
  const rng = mulberry32(seed);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
  const d = 32;
  const c = 3;
  if (kind === "linear")
    return {
      kind,
      labels: ["a", "b", "c"],
      featureConfig: fc,
      layers: [
        { inputs: d, outputs: c, weights: rand(d * c), bias: rand(c), activation: "softmax" },
      ],
    };
  return {
    kind,
    labels: ["a", "b", "c"],
    featureConfig: fc,
    layers: [
      {
        inputs: d,
        outputs: hidden,
        weights: rand(d * hidden),
        bias: rand(hidden),
        activation: "relu",
      },
      {
        inputs: hidden,
        outputs: c,
        weights: rand(hidden * c),
        bias: rand(c),
        activation: "softmax",
      },
    ],
  };
}

/** softmax(mean_k log p_k) = softmax(mean_k logits_k): log-softmax only shifts each member. */
function expected(members: Model[], x: ReturnType<typeof fromPairs>): number[] {
  const logs = members.map((m) => [...predict(m, x)].map(Math.log));
  const mean = logs[0]!.map((_, j) => logs.reduce((s, l) => s + l[j]!, 0) / logs.length);
  const max = Math.max(...mean);
  const e = mean.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

const inputs = Array.from({ length: 20 }, (_, i) => {
  const rng = mulberry32(100 + i);
  const idx = Array.from({ length: 5 }, () => Math.floor(rng() * 32));
  return fromPairs(idx, [1, 1, 1, 1, 1], fc);
});

describe("averageLogits", () => {
  test.each(["linear", "mlp"] as const)(
    "a %s ensemble predicts softmax of the mean logits",
    (kind) => {
      const members = [1, 2, 3].map((s) => randomModel(kind, s));
      const merged = averageLogits(members);
      expect(merged.kind).toBe(kind);
      expect(merged.layers.length).toBe(members[0]!.layers.length);
      if (kind === "mlp") expect(merged.layers[0]!.outputs).toBe(12);
      for (const x of inputs) {
        const got = [...predict(merged, x)];
        expected(members, x).forEach((p, j) => {
          expect(got[j]).toBeCloseTo(p, 5);
        });
      }
    },
  );

  test("MLP members of different widths concatenate", () => {
    const merged = averageLogits([randomModel("mlp", 1, 2), randomModel("mlp", 2, 5)]);
    expect(merged.layers[0]!.outputs).toBe(7);
    expect(merged.layers[1]!.inputs).toBe(7);
  });

  test("one member is returned unchanged", () => {
    const m = randomModel("linear", 9);
    expect(averageLogits([m])).toBe(m);
  });

  test("members that differ in kind, labels or feature config are refused", () => {
    expect(() => averageLogits([])).toThrow(/at least one/);
    expect(() => averageLogits([randomModel("linear", 1), randomModel("mlp", 2)])).toThrow(/kind/);
    const relabelled = { ...randomModel("linear", 2), labels: ["x", "y", "z"] };
    expect(() => averageLogits([randomModel("linear", 1), relabelled])).toThrow(/labels/);
    const other = { ...randomModel("linear", 2), featureConfig: { ...fc, hashSeed: 1 } };
    expect(() => averageLogits([randomModel("linear", 1), other])).toThrow(/feature config/);
  });
});
