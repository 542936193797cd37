// Adoption of suggested strategies (DESIGN §7 feedback loop): per strategy, how often it
// was suggested, answered and adopted, and a flag for A/B testing when reps adopt it less
// than the threshold. Pure: the API feeds it counts read from the regional database.

/** Strategies adopted less often than this are flagged for A/B testing (issue 4). */
export const AB_TEST_THRESHOLD = 0.65;

export type StrategyCounts = {
  strategy: string;
  /** Analyses that suggested it. */
  suggested: number;
  /** Suggestions a rep answered (adopted or not). */
  answered: number;
  adopted: number;
};

export type StrategyAdoption = StrategyCounts & {
  /** adopted / answered; null before the first answer. */
  adoptionRate: number | null;
  /** Wilson score interval (95%) around the rate: small samples show how little they say. */
  interval95: [number, number] | null;
  /** "ab-test" when the rate is below the threshold. */
  flag: "ab-test" | null;
};

const Z95 = 1.959963984540054;

/** Wilson score interval for `k` successes in `n` trials (n > 0). */
export function wilson(k: number, n: number, z = Z95): [number, number] {
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * One row per strategy seen in either input. Flagged strategies come first (lowest rate
 * first), then the rest by answers, then by id, so the report reads the same every time.
 */
export function adoptionReport(
  suggested: ReadonlyMap<string, number>,
  answers: ReadonlyMap<string, { answered: number; adopted: number }>,
  threshold = AB_TEST_THRESHOLD,
): StrategyAdoption[] {
  const ids = [...new Set([...suggested.keys(), ...answers.keys()])];
  const rows = ids.map((strategy): StrategyAdoption => {
    const { answered, adopted } = answers.get(strategy) ?? { answered: 0, adopted: 0 };
    const adoptionRate = answered > 0 ? adopted / answered : null;
    return {
      strategy,
      suggested: suggested.get(strategy) ?? 0,
      answered,
      adopted,
      adoptionRate,
      interval95: answered > 0 ? wilson(adopted, answered) : null,
      flag: adoptionRate !== null && adoptionRate < threshold ? "ab-test" : null,
    };
  });
  const rank = (r: StrategyAdoption) => (r.flag ? 0 : 1);
  return rows.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.flag ? a.adoptionRate! - b.adoptionRate! : 0) ||
      b.answered - a.answered ||
      (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0),
  );
}
