// The reference forward pass on models small enough to check by hand.
import { expect, test } from "vitest";
import { forward, type SparseClassifier } from "./model.ts";

const linear: SparseClassifier = {
  kind: "linear",
  labels: ["a", "b"],
  dims: { D: 3, C: 2 },
  // Row r holds feature r's weight for each class.
  layers: [{ weights: Float32Array.of(1, 0, 0, 1, 2, -2), bias: Float32Array.of(0, 0.5) }],
};

const softmax2 = (x: number, y: number) => [1 / (1 + Math.exp(y - x)), 1 / (1 + Math.exp(x - y))];

test("linear logits sum weighted rows, and repeated ids add up", () => {
  const p = forward(linear, Int32Array.of(0, 2, 2), Float32Array.of(1, 0.5, 0.5));
  // logits = [1, 0] + 1·[2, -2] + [0, 0.5] = [3, -1.5]
  const [a, b] = softmax2(3, -1.5);
  expect(p[0]).toBeCloseTo(a!, 6);
  expect(p[1]).toBeCloseTo(b!, 6);
});

test("an mlp applies relu between its layers", () => {
  const mlp: SparseClassifier = {
    kind: "mlp",
    labels: ["a", "b"],
    dims: { D: 2, H: 2, C: 2 },
    layers: [
      { weights: Float32Array.of(1, -1, 2, 3), bias: Float32Array.of(0, 0) },
      { weights: Float32Array.of(1, 0, 0, 1), bias: Float32Array.of(0, 0) },
    ],
  };
  // h = relu([1, -1]) = [1, 0]; logits = [1, 0]
  const [a, b] = softmax2(1, 0);
  const p = forward(mlp, Int32Array.of(0), Float32Array.of(1));
  expect(p[0]).toBeCloseTo(a!, 6);
  expect(p[1]).toBeCloseTo(b!, 6);
});

test("a feature id outside [0, D) is rejected rather than read out of bounds", () => {
  expect(() => forward(linear, Int32Array.of(3), Float32Array.of(1))).toThrow(/outside/);
  expect(() => forward(linear, Int32Array.of(-1), Float32Array.of(1))).toThrow(/outside/);
});
