// Whether a region serves a new global version: only after it passes the region's own
// held-out check. Every version must clear a floor well above chance, and a later one may
// not fall more than the tolerance below the best version this region ever served (or the
// one it serves, if that scores higher now), all measured now on the same held-out rows:
// held against the best, not the last, quality cannot slide a tolerance per round. Too few
// held-out rows to tell is a refusal, not a pass.
import type { FederatedSpec } from "./model.ts";
import type { LocalExample } from "./sgd.ts";
import { evaluateOn } from "./update.ts";
import type { DecisionV1 } from "./wire.ts";

export type ServePolicy = {
  /** Held-out rows below which the region cannot judge, so does not switch. */
  minHoldout: number;
  /** Macro-F1 every served version must reach (chance for three balanced classes is ~0.33). */
  floor: number;
  /** How far below the reference's macro-F1 (see ServeInput) a candidate may be and still be served. */
  tolerance: number;
};

export const SERVE_POLICY: ServePolicy = { minHoldout: 20, floor: 0.5, tolerance: 0.02 };

export type ServeInput = {
  holdout: number;
  candidateMacroF1: number;
  /**
   * The reference's macro-F1 on the same rows: the higher of the served version's and the
   * best ever served version's; null when nothing was served yet.
   */
  servedMacroF1: number | null;
};

export type ServeReason =
  | "passes-floor"
  | "not-worse-than-served"
  | "too-few-holdout"
  | "below-floor"
  | "worse-than-served";

export type ServeDecision = { serve: boolean; reason: ServeReason };

export function decideServe(input: ServeInput, policy: ServePolicy = SERVE_POLICY): ServeDecision {
  if (input.holdout < policy.minHoldout) return { serve: false, reason: "too-few-holdout" };
  if (input.candidateMacroF1 < policy.floor) return { serve: false, reason: "below-floor" };
  if (input.servedMacroF1 === null) return { serve: true, reason: "passes-floor" };
  return input.candidateMacroF1 >= input.servedMacroF1 - policy.tolerance
    ? { serve: true, reason: "not-worse-than-served" }
    : { serve: false, reason: "worse-than-served" };
}

export type Reference = { version: number; params: Float32Array };

/**
 * A region's judgement of `candidate` on its held-out rows, against the better (now, on
 * these rows) of what it serves and the best version it ever served; the decision names
 * the one it was held against (`servedVersion`, `servedMacroF1`).
 */
export function judge(
  spec: FederatedSpec,
  candidate: Reference,
  against: { served: Reference | null; best: Reference | null },
  holdout: readonly LocalExample[],
  policy: ServePolicy = SERVE_POLICY,
): DecisionV1 {
  const score = (params: Float32Array) =>
    holdout.length === 0 ? null : evaluateOn(spec, params, holdout).macroF1;
  const candidateMacroF1 = score(candidate.params);
  const { served, best } = against;
  const distinct = best && best.version === served?.version ? [served] : [served, best];
  const scored = distinct.flatMap((r) =>
    r ? [{ version: r.version, macroF1: score(r.params) }] : [],
  );
  // The served version unless the best ever served scores higher now.
  const reference = scored.reduce<(typeof scored)[number] | null>(
    (a, b) => (a === null || (b.macroF1 ?? 0) > (a.macroF1 ?? 0) ? b : a),
    null,
  );
  const { serve, reason } = decideServe(
    {
      holdout: holdout.length,
      candidateMacroF1: candidateMacroF1 ?? 0,
      servedMacroF1: reference?.macroF1 ?? null,
    },
    policy,
  );
  return {
    version: candidate.version,
    serve,
    reason,
    holdout: holdout.length,
    candidateMacroF1,
    servedVersion: reference?.version ?? null,
    servedMacroF1: reference?.macroF1 ?? null,
  };
}
