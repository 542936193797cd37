// Seeded random SparseClassifiers and features, so round-trip tests and the shipped test
// model reproduce byte for byte from a seed.
import { mulberry32 } from "../../core/prng.ts";
import type { Layer, SparseClassifier, SparseFeatures } from "./model.ts";

/** The one seeded generator (core/prng.ts): test weights reproduce from their seed. */
const seededRandom = mulberry32;

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
