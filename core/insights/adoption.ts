// Adoption of suggested strategies (DESIGN §7 feedback loop): per strategy, how often it
// was suggested, answered and adopted, and a flag for A/B testing when reps adopt it less
// than the threshold. Pure: the API feeds it counts read from the regional database.

/** Strategies adopted less often than this are candidates for A/B testing (issue 4). */
export const AB_TEST_THRESHOLD = 0.65;
/** Fewer answers than this say too little about a strategy to flag it (issue 8). */
export const AB_TEST_MIN_ANSWERS = 20;
/** The confidence of the interval whose upper bound must lie below the threshold. */
export const AB_TEST_CONFIDENCE = 0.95;

/** The flagging rule, as the report states it to its reader. */
export const AB_TEST_RULE = {
  threshold: AB_TEST_THRESHOLD,
  minAnswers: AB_TEST_MIN_ANSWERS,
  confidence: AB_TEST_CONFIDENCE,
  statement: `Flagged for A/B testing when at least ${AB_TEST_MIN_ANSWERS} reps answered and the whole ${AB_TEST_CONFIDENCE * 100}% Wilson interval of the adoption rate lies below ${AB_TEST_THRESHOLD * 100}%.`,
} as const;

export type StrategyCounts = {
  strategy: string;
  /** Analyses that suggested it. */
  suggested: number;
  /** Suggestions a rep answered (adopted or not). */
  answered: number;
  adopted: number;
};

/**
 * Why a strategy is or is not flagged: `ab-test` (flagged), `too-few-answers` (under the
 * minimum), `inconclusive` (the rate is below the threshold but the interval reaches it),
 * `adopted` (the rate meets the threshold).
 */
export type Assessment = "ab-test" | "too-few-answers" | "inconclusive" | "adopted";

export type StrategyAdoption = StrategyCounts & {
  /** adopted / answered; null before the first answer. */
  adoptionRate: number | null;
  /** Wilson score interval (95%) around the rate: small samples show how little they say. */
  interval95: [number, number] | null;
  /** "ab-test" when enough answers show, with 95% confidence, a rate below the threshold. */
  flag: "ab-test" | null;
  assessment: Assessment;
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

function assess(
  answered: number,
  rate: number | null,
  interval: [number, number] | null,
  rule: { threshold: number; minAnswers: number },
): Assessment {
  if (rate === null || interval === null || answered < rule.minAnswers) return "too-few-answers";
  if (rate >= rule.threshold) return "adopted";
  return interval[1] < rule.threshold ? "ab-test" : "inconclusive";
}

/**
 * One row per strategy seen in either input. Flagged strategies come first (lowest rate
 * first), then the rest by answers, then by id, so the report reads the same every time.
 */
export function adoptionReport(
  suggested: ReadonlyMap<string, number>,
  answers: ReadonlyMap<string, { answered: number; adopted: number }>,
  rule: { threshold: number; minAnswers: number } = AB_TEST_RULE,
): StrategyAdoption[] {
  const ids = [...new Set([...suggested.keys(), ...answers.keys()])];
  const rows = ids.map((strategy): StrategyAdoption => {
    const { answered, adopted } = answers.get(strategy) ?? { answered: 0, adopted: 0 };
    const adoptionRate = answered > 0 ? adopted / answered : null;
    const interval95 = answered > 0 ? wilson(adopted, answered) : null;
    const assessment = assess(answered, adoptionRate, interval95, rule);
    return {
      strategy,
      suggested: suggested.get(strategy) ?? 0,
      answered,
      adopted,
      adoptionRate,
      interval95,
      flag: assessment === "ab-test" ? "ab-test" : null,
      assessment,
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
