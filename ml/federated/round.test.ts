import { describe, expect, test } from "vitest";
import { paramsHash } from "./codec.ts";
import {
  DEFAULT_ROUND_CONFIG,
  type GlobalModel,
  honestNorm,
  initialModel,
  type RoundTransport,
  runRound,
  type UpdateReport,
} from "./round.ts";

const LENGTH = 8;
const config = DEFAULT_ROUND_CONFIG;

/** A transport whose regions answer with fixed reports and record what they were published. */
function fake(reports: Record<string, UpdateReport>) {
  const published: Array<{ region: string; version: number; hash: string }> = [];
  const transport: RoundTransport = {
    train: async (region) => reports[region]!,
    publish: async (region, model) => {
      published.push({ region, version: model.version, hash: model.hash });
      return {
        kind: "decided",
        region,
        version: model.version,
        serve: true,
        reason: "passes-floor",
        holdout: 40,
        candidateMacroF1: 0.7,
        servedVersion: null,
        servedMacroF1: null,
      };
    },
  };
  return { transport, published };
}

const update = (region: string, n: number, value: number): UpdateReport => ({
  kind: "update",
  region,
  n,
  norm: Math.abs(value) * Math.sqrt(LENGTH),
  clipped: false,
  delta: new Float32Array(LENGTH).fill(value),
});

describe("a federated round", () => {
  test("[FL5] a round makes the next version from its base, names it by hash and publishes it to every region", async () => {
    const base = initialModel(LENGTH);
    const { transport, published } = fake({
      a: update("a", 100, 1),
      b: update("b", 300, -1),
      c: { kind: "declined", region: "c", reason: "no-examples" },
    });
    const { summary, model } = await runRound(["a", "b", "c"], 1, base, config, transport);
    expect(model).not.toBeNull();
    expect(model!.version).toBe(1);
    expect(model!.parent).toBe(0);
    expect(model!.round).toBe(1);
    expect(Array.from(model!.params)).toEqual(new Array(LENGTH).fill(-0.5));
    expect(model!.hash).toBe(paramsHash(model!.params));
    expect(summary).toMatchObject({
      outcome: "advanced",
      version: 1,
      baseVersion: 0,
      hash: model!.hash,
    });
    expect(published).toEqual(
      ["a", "b", "c"].map((region) => ({ region, version: 1, hash: model!.hash })),
    );
    expect(summary.updates.map((u) => u.kind)).toEqual(["update", "update", "declined"]);
    // The summary is what is stored and shown: no parameter vector in it.
    expect(JSON.stringify(summary)).not.toContain("delta");
  });

  test("[FL5] versions follow their base: round 7 on version 4 makes version 5", async () => {
    const base: GlobalModel = { ...initialModel(LENGTH), version: 4, parent: 3, round: 6 };
    const { transport } = fake({ a: update("a", 1, 0.1), b: update("b", 1, 0.1) });
    const { model } = await runRound(["a", "b"], 7, base, config, transport);
    expect(model).toMatchObject({ version: 5, parent: 4, round: 7 });
  });

  test("[FL2] fewer updates than minUpdates make no version and publish nothing", async () => {
    const { transport, published } = fake({
      a: update("a", 10, 1),
      b: { kind: "failed", region: "b", reason: "timeout" },
    });
    const { summary, model } = await runRound(
      ["a", "b"],
      1,
      initialModel(LENGTH),
      config,
      transport,
    );
    expect(model).toBeNull();
    expect(summary).toMatchObject({ outcome: "stalled", version: null, decisions: [] });
    expect(published).toEqual([]);
  });

  test("[FL2] an update longer than an honest region can send is clipped again: one region cannot drag the model", async () => {
    const bound = honestNorm(config.training, LENGTH);
    const { transport } = fake({
      honest: update("honest", 100, 0.5),
      liar: update("liar", 100, 1e6),
    });
    const { summary, model } = await runRound(
      ["honest", "liar"],
      1,
      initialModel(LENGTH),
      config,
      transport,
    );
    const norm = Math.hypot(...model!.params);
    // Mean of an update of norm ≤ bound and one of norm √8·0.5.
    expect(norm).toBeLessThanOrEqual((bound + 0.5 * Math.sqrt(LENGTH)) / 2 + 1e-4);
    expect(summary.updates.find((u) => u.region === "liar")).toMatchObject({ reclipped: true });
    expect(summary.updates.find((u) => u.region === "honest")).toMatchObject({ reclipped: false });
  });

  test("the honest bound grows with the noise a round asks for, so noised updates pass unclipped", () => {
    const quiet = honestNorm({ ...config.training, noiseMultiplier: 0 }, 49_155);
    const noisy = honestNorm({ ...config.training, noiseMultiplier: 0.01 }, 49_155);
    expect(quiet).toBeCloseTo(config.training.clipNorm * 1.1, 6);
    expect(noisy).toBeGreaterThan(config.training.clipNorm * 0.01 * Math.sqrt(49_155));
  });
});

describe("what a round refuses to do", () => {
  test("[FL5] a version that cannot be kept is published to no region", async () => {
    const { transport, published } = fake({ a: update("a", 1, 0.1), b: update("b", 1, 0.1) });
    const failing = {
      ...transport,
      commit: async () => {
        throw new Error("version 1 is held with another hash");
      },
    };
    await expect(runRound(["a", "b"], 1, initialModel(LENGTH), config, failing)).rejects.toThrow(
      /another hash/,
    );
    expect(published).toEqual([]);
  });
});
