// Sparse vectors: indices strictly increasing and unique, values finite and non-zero.
// Every producer goes through `fromPairs`, so consumers may rely on that invariant.

export type SparseVector = { readonly indices: Int32Array; readonly values: Float32Array };

export type SparseOptions = { sublinearTf: boolean; l2Normalise: boolean };

/** Sums duplicate indices, drops zeros, then applies sublinear tf and L2 normalisation. */
export function fromPairs(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  opts: SparseOptions,
): SparseVector {
  const n = indices.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => indices[a]! - indices[b]! || a - b,
  );
  const idx: number[] = [];
  const val: number[] = [];
  for (const i of order) {
    const k = indices[i]!;
    if (idx.length > 0 && idx[idx.length - 1] === k) val[val.length - 1]! += values[i]!;
    else {
      idx.push(k);
      val.push(values[i]!);
    }
  }
  let norm2 = 0;
  let w = 0;
  for (let i = 0; i < idx.length; i++) {
    let v = val[i]!;
    if (v === 0) continue;
    if (opts.sublinearTf) v = Math.sign(v) * (1 + Math.log(Math.abs(v)));
    idx[w] = idx[i]!;
    val[w] = v;
    norm2 += v * v;
    w++;
  }
  const scale = opts.l2Normalise && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
  const out = { indices: new Int32Array(w), values: new Float32Array(w) };
  for (let i = 0; i < w; i++) {
    out.indices[i] = idx[i]!;
    out.values[i] = val[i]! * scale;
  }
  return out;
}

export function dot(a: SparseVector, dense: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.indices.length; i++) s += a.values[i]! * dense[a.indices[i]!]!;
  return s;
}
