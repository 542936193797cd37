// Whether a region serves a new global version: only after it passes the region's own
// held-out check. The first version must clear a floor well above chance; a later one may
// not fall below the served version by more than the tolerance, both measured now on the
// same held-out rows. Too few held-out rows to tell is a refusal, not a pass.
import type { FederatedSpec } from "./model.ts";
import type { LocalExample } from "./sgd.ts";
import { evaluateOn } from "./update.ts";
import type { DecisionV1 } from "./wire.ts";

export type ServePolicy = {
  /** Held-out rows below which the region cannot judge, so does not switch. */
  minHoldout: number;
  /** Macro-F1 a first model must reach (chance for three balanced classes is ~0.33). */
  floor: number;
  /** How far below the served version's macro-F1 a candidate may be and still be served. */
  tolerance: number;
};

export const SERVE_POLICY: ServePolicy = { minHoldout: 20, floor: 0.5, tolerance: 0.02 };

export type ServeInput = {
  holdout: number;
  candidateMacroF1: number;
  /** The served version's macro-F1 on the same rows; null when nothing is served yet. */
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
  if (input.servedMacroF1 === null)
    return input.candidateMacroF1 >= policy.floor
      ? { serve: true, reason: "passes-floor" }
      : { serve: false, reason: "below-floor" };
  return input.candidateMacroF1 >= input.servedMacroF1 - policy.tolerance
    ? { serve: true, reason: "not-worse-than-served" }
    : { serve: false, reason: "worse-than-served" };
}

/** A region's judgement of `candidate` on its held-out rows, against what it serves now. */
export function judge(
  spec: FederatedSpec,
  candidate: { version: number; params: Float32Array },
  served: { version: number; params: Float32Array } | null,
  holdout: readonly LocalExample[],
  policy: ServePolicy = SERVE_POLICY,
): DecisionV1 {
  const score = (params: Float32Array) =>
    holdout.length === 0 ? null : evaluateOn(spec, params, holdout).macroF1;
  const candidateMacroF1 = score(candidate.params);
  const servedMacroF1 = served ? score(served.params) : null;
  const { serve, reason } = decideServe(
    { holdout: holdout.length, candidateMacroF1: candidateMacroF1 ?? 0, servedMacroF1 },
    policy,
  );
  return {
    version: candidate.version,
    serve,
    reason,
    holdout: holdout.length,
    candidateMacroF1,
    servedVersion: served?.version ?? null,
    servedMacroF1,
  };
}
