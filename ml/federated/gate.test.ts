import { describe, expect, test } from "vitest";
import { zhCharRecipe } from "../features/config.ts";
import { decideServe, judge, SERVE_POLICY } from "./gate.ts";
import { FEDERATED_SPEC, type FederatedSpec, LABELS, paramCount } from "./model.ts";
import { fineTune } from "./sgd.ts";
import { examplesOf } from "./update.ts";

describe("[FL4] a region serves a version only after it passes its own held-out check", () => {
  const { minHoldout, floor, tolerance } = SERVE_POLICY;
  test.each([
    {
      holdout: minHoldout - 1,
      candidate: 0.99,
      served: null,
      serve: false,
      reason: "too-few-holdout",
    },
    {
      holdout: minHoldout - 1,
      candidate: 0.99,
      served: 0.5,
      serve: false,
      reason: "too-few-holdout",
    },
    { holdout: minHoldout, candidate: floor, served: null, serve: true, reason: "passes-floor" },
    { holdout: 100, candidate: floor - 0.01, served: null, serve: false, reason: "below-floor" },
    { holdout: 100, candidate: 0.8, served: 0.7, serve: true, reason: "not-worse-than-served" },
    {
      holdout: 100,
      candidate: 0.7 - tolerance,
      served: 0.7,
      serve: true,
      reason: "not-worse-than-served",
    },
    {
      holdout: 100,
      candidate: 0.7 - tolerance - 0.001,
      served: 0.7,
      serve: false,
      reason: "worse-than-served",
    },
    { holdout: 100, candidate: 0.6, served: 0.9, serve: false, reason: "worse-than-served" },
    // The floor holds for every version, not only the first.
    { holdout: 100, candidate: 0.3, served: 0.3, serve: false, reason: "below-floor" },
  ])("[FL4] $holdout held out, candidate $candidate vs served $served → $reason", (row) => {
    expect(
      decideServe({
        holdout: row.holdout,
        candidateMacroF1: row.candidate,
        servedMacroF1: row.served,
      }),
    ).toEqual({ serve: row.serve, reason: row.reason });
  });

  test("[FL4] judge measures candidate and served on the same rows and says so", () => {
    const holdout = examplesOf(
      FEDERATED_SPEC,
      Array.from({ length: 30 }, (_, i) => ({
        text: `第${i}句`,
        label: ["negative", "neutral", "positive"][i % 3]!,
      })),
    );
    const zeros = new Float32Array(paramCount(FEDERATED_SPEC));
    // All-zero parameters predict the first class for everything: macro-F1 ≈ 0.17, under the floor.
    const none = { served: null, best: null };
    const d = judge(FEDERATED_SPEC, { version: 3, params: zeros }, none, holdout);
    expect(d).toMatchObject({
      version: 3,
      serve: false,
      reason: "below-floor",
      holdout: 30,
      servedVersion: null,
    });
    expect(d.candidateMacroF1).toBeCloseTo(1 / 6, 3);
    const vsServed = judge(
      FEDERATED_SPEC,
      { version: 4, params: zeros },
      { served: { version: 3, params: zeros }, best: null },
      holdout,
      { ...SERVE_POLICY, floor: 0.1 },
    );
    expect(vsServed).toMatchObject({
      serve: true,
      reason: "not-worse-than-served",
      servedVersion: 3,
    });
    expect(vsServed.servedMacroF1).toBe(vsServed.candidateMacroF1);
  });
});

describe("[FL4] a candidate is held against the best version ever served, not only the last", () => {
  const spec: FederatedSpec = { labels: LABELS, features: zhCharRecipe({ dimensionBits: 10 }) };
  const words = { negative: "太贵了", neutral: "下周开会", positive: "非常满意" };
  const rows = (labels: readonly (keyof typeof words)[]) =>
    labels.flatMap((label) =>
      Array.from({ length: 10 }, (_, i) => ({ text: `${words[label]} ${i}`, label })),
    );
  const holdout = examplesOf(spec, rows(["negative", "neutral", "positive"]));
  const trainedOn = (labels: readonly (keyof typeof words)[]) =>
    fineTune(spec, new Float32Array(paramCount(spec)), examplesOf(spec, rows(labels)), {
      epochs: 5,
      learningRate: 0.5,
      proximal: 0,
      seed: 1,
    });
  const perfect = { version: 2, params: trainedOn(["negative", "neutral", "positive"]) };
  const halfway = { version: 4, params: trainedOn(["negative", "positive"]) };
  const poor = { version: 3, params: new Float32Array(paramCount(spec)) };
  const policy = { minHoldout: 20, floor: 0.3, tolerance: 0.02 };

  test("[FL4] a version better than the one served but well below the best served is refused, and the decision names the best", () => {
    // Against the served (poor) version alone it would pass: quality could slide a step per round.
    const vsLast = judge(spec, halfway, { served: poor, best: null }, holdout, policy);
    expect(vsLast).toMatchObject({ serve: true, servedVersion: 3 });
    const vsBest = judge(spec, halfway, { served: poor, best: perfect }, holdout, policy);
    expect(vsBest).toMatchObject({ serve: false, reason: "worse-than-served", servedVersion: 2 });
    expect(vsBest.servedMacroF1).toBe(1);
    expect(vsBest.candidateMacroF1!).toBeGreaterThan(policy.floor);
    expect(vsBest.candidateMacroF1!).toBeLessThan(1 - policy.tolerance);
  });

  test("[FL4] when the served version scores higher now than the best one did, the served is the reference", () => {
    const d = judge(spec, halfway, { served: perfect, best: poor }, holdout, policy);
    expect(d).toMatchObject({ serve: false, servedVersion: 2, servedMacroF1: 1 });
  });
});
