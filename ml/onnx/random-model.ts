// Seeded random SparseClassifiers and features, so round-trip tests and the shipped test
// model reproduce byte for byte from a seed.
import type { Layer, SparseClassifier, SparseFeatures } from "./model.ts";

/** mulberry32: tiny, fast, and good enough for test weights. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function layer(rand: () => number, rows: number, cols: number, scale: number): Layer {
  return {
    weights: Float32Array.from({ length: rows * cols }, () => (rand() * 2 - 1) * scale),
    bias: Float32Array.from({ length: cols }, () => (rand() * 2 - 1) * scale),
  };
}

const labelsFor = (C: number) => Array.from({ length: C }, (_, i) => `class_${i}`);

export function randomModel(
  seed: number,
  spec: { kind: "linear"; D: number; C: number } | { kind: "mlp"; D: number; H: number; C: number },
): SparseClassifier {
  const rand = seededRandom(seed);
  const labels = labelsFor(spec.C);
  if (spec.kind === "linear") {
    const { D, C } = spec;
    return { kind: "linear", labels, dims: { D, C }, layers: [layer(rand, D, C, 1)] };
  }
  const { D, H, C } = spec;
  return {
    kind: "mlp",
    labels,
    dims: { D, H, C },
    layers: [layer(rand, D, H, 1), layer(rand, H, C, 0.5)],
  };
}

/** N features in [0, D); `duplicates` forces some repeated ids, which must add up. */
export function randomFeatures(
  seed: number,
  D: number,
  N: number,
  duplicates = false,
): SparseFeatures {
  const rand = seededRandom(seed);
  const indices = Int32Array.from({ length: N }, () => Math.floor(rand() * D));
  if (duplicates && N > 1) for (let k = 1; k < N; k += 2) indices[k] = indices[0]!;
  const values = Float32Array.from({ length: N }, () => rand() * 2);
  return { indices, values };
}
