// Exported ONNX graphs, run by onnxruntime-web in Node, agree with the TypeScript reference
// forward pass for both model kinds; seeds are fixed so any failure reproduces.
import { describe, expect, test } from "vitest";
import { exportOnnx } from "../../ml/onnx/export.ts";
import { roundToFloat16 } from "../../ml/onnx/float16.ts";
import { forward, type SparseClassifier } from "../../ml/onnx/model.ts";
import { randomFeatures, randomModel } from "../../ml/onnx/random-model.ts";
import { loadSession, runOne } from "./ort-node.ts";

const TOLERANCE = 1e-5;
const D = 4096;

function expectClose(actual: Float32Array, expected: Float32Array) {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!)));
  expect(worst).toBeLessThan(TOLERANCE);
}

const specs = [
  { kind: "linear", D, C: 2 },
  { kind: "linear", D, C: 7 },
  { kind: "mlp", D, H: 16, C: 2 },
  { kind: "mlp", D, H: 16, C: 7 },
] as const;

describe.each(specs)("$kind C=$C", (spec) => {
  const seed = 1000 + spec.C + (spec.kind === "mlp" ? 100 : 0);
  const model: SparseClassifier = randomModel(seed, spec);

  test("matches the reference forward pass on random, single and duplicated features", async () => {
    const session = await loadSession(exportOnnx(model));
    const cases = [
      randomFeatures(seed + 1, D, 1),
      randomFeatures(seed + 2, D, 37),
      randomFeatures(seed + 3, D, 200, true),
      { indices: Int32Array.of(0, D - 1), values: Float32Array.of(1, -0.5) },
    ];
    for (const { indices, values } of cases) {
      const { probabilities } = await runOne(session, indices, values);
      expectClose(probabilities, forward(model, indices, values));
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    await session.release();
  });
});

test("an utterance with no features yields the bias-only prediction", async () => {
  const model = randomModel(7, { kind: "linear", D, C: 3 });
  const session = await loadSession(exportOnnx(model));
  const empty = { indices: new Int32Array(0), values: new Float32Array(0) };
  const { probabilities } = await runOne(session, empty.indices, empty.values);
  expectClose(probabilities, forward(model, empty.indices, empty.values));
});

test("export is deterministic for the same model", () => {
  const model = randomModel(3, { kind: "mlp", D: 64, H: 4, C: 2 });
  expect(exportOnnx(model)).toEqual(exportOnnx(model));
});

test("export rejects a model whose weights do not match its dims", () => {
  const model = randomModel(3, { kind: "linear", D: 64, C: 2 });
  const broken = { ...model, dims: { D: 65, C: 2 } } as SparseClassifier;
  expect(() => exportOnnx(broken)).toThrow(/weights/);
});

test("a truncated or corrupted model fails to load", async () => {
  const bytes = exportOnnx(randomModel(5, { kind: "linear", D: 256, C: 2 }));
  await expect(loadSession(bytes.slice(0, bytes.length - 700))).rejects.toThrow();
  const corrupted = bytes.slice();
  corrupted.fill(0xff, 0, 16);
  await expect(loadSession(corrupted)).rejects.toThrow();
});

describe.each(specs)("float16 storage, $kind C=$C", (spec) => {
  const seed = 2000 + spec.C + (spec.kind === "mlp" ? 100 : 0);
  const model: SparseClassifier = randomModel(seed, spec);
  // The reference on the weights as float16 stores them: any remaining gap is the graph's.
  const rounded = {
    ...model,
    layers: model.layers.map((l, i) =>
      i === 0 ? { ...l, weights: roundToFloat16(l.weights) } : l,
    ),
  } as SparseClassifier;

  test("Gather on a float16 table then Cast equals the reference on rounded weights", async () => {
    const bytes = exportOnnx(model, { weightType: "float16" });
    expect(bytes.length).toBeLessThan(exportOnnx(model).length * 0.55);
    const session = await loadSession(bytes);
    for (const { indices, values } of [
      randomFeatures(seed + 1, D, 37),
      randomFeatures(seed + 2, D, 200, true),
    ]) {
      const { probabilities } = await runOne(session, indices, values);
      expectClose(probabilities, forward(rounded, indices, values));
    }
    await session.release();
  });
});
