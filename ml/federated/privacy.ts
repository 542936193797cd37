// What bounds an update before it leaves its region: the L2 clip (no region moves the
// global model further than C, whatever its data or intent) and optional Gaussian noise of
// standard deviation σ·C, seeded so a round reproduces. The aggregator clips again on
// receipt, so a region that skipped its own clip gains nothing. A live region keys its
// noise with a secret (noiseKey): the same question gets the same noise, never a fresh draw.
import { hmacSha256 } from "../../core/crypto/hmac.ts";
import { sha256 } from "../../core/crypto/sha256.ts";
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

/**
 * Uniforms in [0, 1) from SHA-256(key ‖ counter): a cryptographic stream, so a 256-bit key
 * cannot be searched for the way a 32-bit seed can (2³² candidate noise vectors).
 */
export function keyedRng(key: Uint8Array): Rng {
  if (key.length !== 32) throw new Error(`a noise key is 32 bytes, not ${key.length}`);
  const block = new Uint8Array(40);
  block.set(key);
  const counter = new DataView(block.buffer, 32, 8);
  let words: DataView = new DataView(new ArrayBuffer(0));
  let next = 0;
  let blocks = 0;
  return () => {
    if (next === words.byteLength) {
      counter.setUint32(0, Math.floor(blocks / 0x100000000));
      counter.setUint32(4, blocks >>> 0);
      blocks++;
      const digest = sha256(block);
      words = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
      next = 0;
    }
    const u = words.getUint32(next) / 4294967296;
    next += 4;
    return u;
  };
}

/**
 * The key of one update's noise: an HMAC under the region's secret of the tenant, the base
 * version's hash, σ and the hash of the clipped update before noise. Asking again (a replay,
 * a stalled round, minUpdates no round can meet) gets the very same update, so averaging
 * answers removes no noise; any other update, even one row or one setting apart, gets
 * independent noise, so two answers never differ by a noise-free difference.
 */
export function noiseKey(
  secret: string,
  about: { tenantId: string; baseHash: string; noiseMultiplier: number; cleanHash: string },
): Uint8Array {
  const { tenantId, baseHash, noiseMultiplier, cleanHash } = about;
  const message = ["lifeline/federated-noise/v1", tenantId, baseHash, noiseMultiplier, cleanHash];
  return hmacSha256(secret, message.join("\u0000"));
}

/**
 * `delta` plus N(0, std²) on every coordinate; std 0 returns a copy. The noise comes from a
 * numeric seed (simulations, tests: mulberry32) or a 32-byte key (live regions: keyedRng).
 */
export function addGaussianNoise(
  delta: Float32Array,
  std: number,
  seed: number | Uint8Array,
): Float32Array {
  if (!(std >= 0) || !Number.isFinite(std)) throw new Error(`noise std must be ≥ 0, not ${std}`);
  const out = delta.slice();
  if (std === 0) return out;
  const rng = typeof seed === "number" ? mulberry32(seed) : keyedRng(seed);
  for (let i = 0; i < out.length; i++) out[i] = out[i]! + std * gaussian(rng);
  return out;
}
