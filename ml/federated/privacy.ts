// What bounds an update before it leaves its region: the L2 clip (no region moves the
// global model further than C, whatever its data or intent) and optional Gaussian noise of
// standard deviation σ·C, seeded so a round reproduces. The aggregator clips again on
// receipt, so a region that skipped its own clip gains nothing.
import { mulberry32, type Rng } from "../../core/prng.ts";

export function l2Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/** `delta` scaled down to norm `maxNorm` when it is longer (a new array either way). */
export function clipToNorm(
  delta: Float32Array,
  maxNorm: number,
): { delta: Float32Array; norm: number; clipped: boolean } {
  if (!(maxNorm > 0)) throw new Error(`clip norm must be positive, not ${maxNorm}`);
  const norm = l2Norm(delta);
  const out = delta.slice();
  if (norm <= maxNorm) return { delta: out, norm, clipped: false };
  const scale = maxNorm / norm;
  for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
  return { delta: out, norm, clipped: true };
}

/** A standard normal draw (Box–Muller, the cosine branch), from a uniform [0, 1) source. */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** `delta` plus N(0, std²) on every coordinate, from `seed`; std 0 returns a copy. */
export function addGaussianNoise(delta: Float32Array, std: number, seed: number): Float32Array {
  if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`noise std must be ≥ 0, not ${std}`);
  const out = delta.slice();
  if (std === 0) return out;
  const rng = mulberry32(seed);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + std * gaussian(rng);
  return out;
}
