// IEEE 754 binary16 conversion for weight storage: float32 → nearest float16 (ties to even),
// and back. Node 20 has no Math.f16round, so this is done on the bit patterns.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bit pattern nearest to `x`; throws rather than silently saturating to ±∞. */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) throw new Error(`cannot store ${x} as float16`);
  const e = exp - 127 + 15;
  if (e >= 0x1f) throw new Error(`${x} overflows float16 (max 65504)`);
  if (e <= 0) {
    // Subnormal or zero: shift the implicit-1 mantissa right, rounding ties to even.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  if ((h & 0x7c00) === 0x7c00) throw new Error(`${x} overflows float16 (max 65504)`);
  return sign | h;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export function toFloat16Array(a: Float32Array): Uint16Array {
  return Uint16Array.from(a, toFloat16Bits);
}

/** What a float32 array reads back as after a float16 round trip. */
export function roundToFloat16(a: Float32Array): Float32Array {
  return Float32Array.from(a, (x) => fromFloat16Bits(toFloat16Bits(x)));
}
