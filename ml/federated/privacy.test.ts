import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { addGaussianNoise, clipToNorm, keyedRng, l2Norm, noiseKey } from "./privacy.ts";

const vec = (xs: number[]) => Float32Array.from(xs);

describe("[FL2] the clip bounds what a region can move", () => {
  test.each([
    { delta: [3, 4], c: 10, norm: 5, clipped: false, out: [3, 4] },
    { delta: [3, 4], c: 5, norm: 5, clipped: false, out: [3, 4] },
    { delta: [3, 4], c: 1, norm: 5, clipped: true, out: [0.6, 0.8] },
    { delta: [0, 0, 0], c: 1, norm: 0, clipped: false, out: [0, 0, 0] },
    { delta: [-30, 40], c: 10, norm: 50, clipped: true, out: [-6, 8] },
  ])("[FL2] clip of $delta to $c", ({ delta, c, norm, clipped, out }) => {
    const r = clipToNorm(vec(delta), c);
    expect(r.norm).toBeCloseTo(norm, 6);
    expect(r.clipped).toBe(clipped);
    expect(Array.from(r.delta)).toEqual(out.map((x) => expect.closeTo(x, 6)));
  });

  test("[FL2] a clipped update is never longer than C and keeps its direction", () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 64 }),
        fc.float({ min: Math.fround(0.01), max: 100, noNaN: true }),
        (xs, c) => {
          const d = vec(xs);
          const r = clipToNorm(d, c);
          expect(l2Norm(r.delta)).toBeLessThanOrEqual(c * (1 + 1e-5) + 1e-6);
          // Same direction: no coordinate changes sign (a tiny one may round to zero).
          for (let i = 0; i < d.length; i++) expect(r.delta[i]! * d[i]!).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  test("a non-positive clip norm is a bug, refused", () => {
    expect(() => clipToNorm(vec([1]), 0)).toThrow(/positive/);
  });
});

describe("[FL7] noise is seeded, centred and of the stated size", () => {
  const zeros = new Float32Array(20_000);

  test("[FL7] the same seed gives the same noise; another seed other noise", () => {
    expect(addGaussianNoise(zeros, 0.5, 7)).toEqual(addGaussianNoise(zeros, 0.5, 7));
    expect(addGaussianNoise(zeros, 0.5, 7)).not.toEqual(addGaussianNoise(zeros, 0.5, 8));
  });

  test("no noise is an exact copy, never the same array", () => {
    const d = vec([1, -2, 3]);
    const out = addGaussianNoise(d, 0, 1);
    expect(out).toEqual(d);
    expect(out).not.toBe(d);
  });

  test("the noise has mean ≈ 0 and standard deviation ≈ std, and no draw is unbounded", () => {
    const noise = addGaussianNoise(zeros, 2, 123);
    const mean = noise.reduce((s, x) => s + x, 0) / noise.length;
    const sd = Math.sqrt(noise.reduce((s, x) => s + (x - mean) ** 2, 0) / noise.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(sd).toBeGreaterThan(1.95);
    expect(sd).toBeLessThan(2.05);
    // Box–Muller from a 32-bit uniform in (0, 1]: |z| ≤ √(2·ln 2^32) ≈ 6.66.
    expect(Math.max(...noise.map(Math.abs))).toBeLessThan(2 * 6.7);
    expect(noise.every(Number.isFinite)).toBe(true);
  });

  test("a negative or non-finite std is refused", () => {
    expect(() => addGaussianNoise(zeros, -1, 1)).toThrow();
    expect(() => addGaussianNoise(zeros, Number.NaN, 1)).toThrow();
  });
});

describe("[FL9] a live region's noise is keyed: the same question gets the same noise", () => {
  const zeros = new Float32Array(20_000);
  const about = {
    tenantId: "ten_a",
    baseHash: "b".repeat(64),
    noiseMultiplier: 0.01,
    cleanHash: "c".repeat(64),
  };
  const secret = "s".repeat(64);

  test("[FL9] the same secret, tenant, base, σ and clipped update give the same key, and so the same noise", () => {
    const key = noiseKey(secret, about);
    expect(key).toHaveLength(32);
    expect(noiseKey(secret, { ...about })).toEqual(key);
    expect(addGaussianNoise(zeros, 0.1, key)).toEqual(
      addGaussianNoise(zeros, 0.1, noiseKey(secret, about)),
    );
  });

  test.each([
    ["another secret (another region)", { secret: "t".repeat(64) }],
    ["another tenant", { tenantId: "ten_b" }],
    ["another base version", { baseHash: "d".repeat(64) }],
    ["another σ", { noiseMultiplier: 0.02 }],
    ["another clipped update (one row or one setting apart)", { cleanHash: "e".repeat(64) }],
  ])("[FL9] %s gives independent noise", (_, change) => {
    const { secret: other = secret, ...rest } = change as { secret?: string };
    const a = addGaussianNoise(zeros, 1, noiseKey(secret, about));
    const b = addGaussianNoise(zeros, 1, noiseKey(other, { ...about, ...rest }));
    // Independent N(0,1) draws: their difference has variance 2, it does not cancel.
    const diff = a.map((x, i) => x - b[i]!);
    const variance = diff.reduce((s, x) => s + x * x, 0) / diff.length;
    expect(variance).toBeGreaterThan(1.9);
    expect(variance).toBeLessThan(2.1);
  });

  test("keyed noise is centred and of the stated size", () => {
    const noise = addGaussianNoise(zeros, 2, noiseKey(secret, about));
    const mean = noise.reduce((s, x) => s + x, 0) / noise.length;
    const sd = Math.sqrt(noise.reduce((s, x) => s + (x - mean) ** 2, 0) / noise.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(sd).toBeGreaterThan(1.95);
    expect(sd).toBeLessThan(2.05);
  });

  test("the keyed stream is uniform in [0, 1) and refuses a key of the wrong size", () => {
    const rng = keyedRng(new Uint8Array(32).fill(1));
    const draws = Array.from({ length: 10_000 }, rng);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((s, x) => s + x, 0) / draws.length).toBeCloseTo(0.5, 1);
    expect(() => keyedRng(new Uint8Array(16))).toThrow(/32 bytes/);
  });
});
