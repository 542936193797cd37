// What an update may say when it leaves its jurisdiction [LF4]: only noised (σ at least
// ABROAD.minNoiseMultiplier), only from at least ABROAD.minRows rows, with its row count
// rounded down to a multiple of ABROAD.rowsBucket and no pre-clip norm. Within the
// coordinator's own jurisdiction an update says what it always did (exact n and norm, any σ).

export const ABROAD = {
  /**
   * σ below this and the update does not go abroad. At σ = 0.01 (noise of 0.1 per
   * coordinate with C = 10) telling from one update whether a hashed n-gram row occurs in
   * eu-central's rows has AUC 0.59 (1.0 without noise); it cost 1.7 points of dev macro-F1
   * over 8 noise seeds, σ = 0.02 cost 3.9 (ml/federated/README.md).
   */
  minNoiseMultiplier: 0.01,
  /** Fewer training rows than this and the update does not go abroad (a handful is a person's words). */
  minRows: 50,
  /** Abroad, `n` is rounded down to a multiple of this: a row added between rounds does not show. */
  rowsBucket: 50,
} as const;

export type BorderRefusal = "noise-below-floor" | "too-few-rows";

/** Why an update of `n` rows noised with σ may not go abroad, or null when it may. */
export function refusedAbroad(n: number, noiseMultiplier: number): BorderRefusal | null {
  if (noiseMultiplier < ABROAD.minNoiseMultiplier) return "noise-below-floor";
  if (n < ABROAD.minRows) return "too-few-rows";
  return null;
}

/** The row count an update states: exact at home, bucketed abroad. */
export function statedRows(n: number, abroad: boolean): number {
  return abroad ? Math.floor(n / ABROAD.rowsBucket) * ABROAD.rowsBucket : n;
}
