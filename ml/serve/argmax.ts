// The most probable class: serving answers with it, and training measures accuracy by it.

/** The index of the largest of `p` (the first on a tie). */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < p.length; j++) if (p[j]! > p[best]!) best = j;
  return best;
}
