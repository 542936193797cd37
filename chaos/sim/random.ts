// Seeded randomness for the simulator, on core's mulberry32: one stream per concern (faults,
// network, workload, each region's engines), so drawing more in one never reshuffles another.
import { mulberry32, type Rng } from "../../core/prng.ts";

/** A stream's seed: the run's seed mixed with the stream's name (FNV-1a, then a multiply). */
export function streamSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ h) >>> 0;
}

export class Random {
  readonly float: Rng;

  constructor(seed: number, stream: string) {
    this.float = mulberry32(streamSeed(seed, stream));
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  between(lo: number, hi: number): number {
    return lo + this.float() * (hi - lo);
  }

  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** `n` lowercase hex digits. */
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += Math.floor(this.float() * 16).toString(16);
    return s;
  }
}
