// A region's part of a round, pure: its labelled rows → a fine-tune from the global
// parameters → Δ = local − global, clipped to C, optionally noised. Only what this returns
// (n, Δ and numbers about Δ) is ever sent; the rows stay with the caller. Also the
// held-out evaluation the serve check and the bench share.
import { argmax } from "../serve/argmax.ts";
import { evaluate, type Metrics } from "../train/metrics.ts";
import { type FederatedSpec, featurize, probabilities } from "./model.ts";
import { addGaussianNoise, clipToNorm } from "./privacy.ts";
import { fineTune, type LocalExample, type LocalTraining } from "./sgd.ts";
import type { TrainingV1 } from "./wire.ts";

export type LabelledText = { readonly text: string; readonly label: string };

/** Seeds an update's noise: a number (simulations), or a key made from the clipped update (live regions). */
export type NoiseSource = number | ((clipped: Float32Array) => Uint8Array);

export type UpdateConfig = LocalTraining & {
  clipNorm: number;
  /** σ: the noise's standard deviation is σ·C per coordinate (0: none). */
  noiseMultiplier: number;
  noiseSeed: NoiseSource;
};

export type LocalUpdate = {
  n: number;
  delta: Float32Array;
  /** ‖Δ‖₂ before the clip. */
  norm: number;
  clipped: boolean;
};

/** Rows whose label the model does not know are left out (not guessed). */
export function examplesOf(spec: FederatedSpec, rows: readonly LabelledText[]): LocalExample[] {
  const out: LocalExample[] = [];
  for (const r of rows) {
    const y = spec.labels.indexOf(r.label);
    if (y >= 0) out.push({ x: featurize(spec, r.text), y });
  }
  return out;
}

export function localUpdate(
  spec: FederatedSpec,
  global: Float32Array,
  examples: readonly LocalExample[],
  config: UpdateConfig,
): LocalUpdate {
  const local = fineTune(spec, global, examples, config);
  const raw = new Float32Array(global.length);
  for (let i = 0; i < raw.length; i++) raw[i] = local[i]! - global[i]!;
  const { delta, norm, clipped } = clipToNorm(raw, config.clipNorm);
  const std = config.noiseMultiplier * config.clipNorm;
  const { noiseSeed } = config;
  // A keyed source is asked only when there is noise to draw (its key costs a hash of Δ).
  const seed = typeof noiseSeed === "number" ? noiseSeed : std === 0 ? 0 : noiseSeed(delta);
  return { n: examples.length, delta: addGaussianNoise(delta, std, seed), norm, clipped };
}

/** Each region's shuffle seed: the round's seed mixed with its name (FNV-1a), so regions differ. */
export function regionSeed(seed: number, region: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < region.length; i++) h = Math.imul(h ^ region.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `region`'s update for a round's training settings: what the worker and the simulation both run. */
export function regionUpdate(
  spec: FederatedSpec,
  base: Float32Array,
  examples: readonly LocalExample[],
  training: TrainingV1,
  region: string,
  noiseSeed: NoiseSource,
): LocalUpdate {
  return localUpdate(spec, base, examples, {
    ...training,
    seed: regionSeed(training.seed, region),
    noiseSeed,
  });
}

export function evaluateOn(
  spec: FederatedSpec,
  params: Float32Array,
  examples: readonly LocalExample[],
): Metrics {
  return evaluate(
    examples.map((e) => e.y),
    examples.map((e) => argmax(probabilities(spec, params, e.x))),
    spec.labels.length,
  );
}
