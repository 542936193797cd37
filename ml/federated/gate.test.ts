import { describe, expect, test } from "vitest";
import { decideServe, judge, SERVE_POLICY } from "./gate.ts";
import { FEDERATED_SPEC, paramCount } from "./model.ts";
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
    { holdout: 100, candidate: 0.3, served: 0.9, serve: false, reason: "worse-than-served" },
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
    const d = judge(FEDERATED_SPEC, { version: 3, params: zeros }, null, holdout);
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
      { version: 3, params: zeros },
      holdout,
    );
    expect(vsServed).toMatchObject({
      serve: true,
      reason: "not-worse-than-served",
      servedVersion: 3,
    });
    expect(vsServed.servedMacroF1).toBe(vsServed.candidateMacroF1);
  });
});
