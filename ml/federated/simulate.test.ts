import { describe, expect, test } from "vitest";
import { zhCharRecipe } from "../features/config.ts";
import { ABROAD } from "./border.ts";
import { type FederatedSpec, LABELS } from "./model.ts";
import { DEFAULT_ROUND_CONFIG } from "./round.ts";
import { simulatedRegions, simulateFederation } from "./simulate.ts";
import { examplesOf, localUpdate, regionSeed } from "./update.ts";

const spec: FederatedSpec = { labels: LABELS, features: zhCharRecipe({ dimensionBits: 10 }) };
const rows = (words: Record<string, string>, n: number) =>
  Object.entries(words).flatMap(([label, w]) =>
    Array.from({ length: n }, (_, i) => ({ text: `${w} ${i}`, label })),
  );
const regions = new Map([
  [
    "east",
    {
      train: examplesOf(
        spec,
        rows({ negative: "太贵了", neutral: "下周开会", positive: "非常满意" }, 12),
      ),
      holdout: examplesOf(spec, rows({ negative: "太贵", neutral: "开会", positive: "满意" }, 8)),
    },
  ],
  [
    "eu",
    {
      train: examplesOf(
        spec,
        rows({ negative: "too slow", neutral: "next week", positive: "love it" }, 12),
      ),
      holdout: examplesOf(spec, rows({ negative: "slow", neutral: "week", positive: "love" }, 8)),
    },
  ],
]);

describe("federation in one process", () => {
  test("[FL7] the same seed gives the same versions, bit for bit", async () => {
    const run = async () => {
      const sim = simulatedRegions(spec, regions, (r, round) => regionSeed(round, r));
      const { models } = await simulateFederation(
        spec,
        sim,
        ["east", "eu"],
        3,
        DEFAULT_ROUND_CONFIG,
      );
      return models.map((m) => m.hash);
    };
    const first = await run();
    expect(first).toHaveLength(3);
    expect(await run()).toEqual(first);
  });

  test("[FL4] each region serves a version only once it passes its own check, and records why", async () => {
    const sim = simulatedRegions(spec, regions, () => 1, {
      minHoldout: 20,
      floor: 0.5,
      tolerance: 0.02,
    });
    const { summaries } = await simulateFederation(
      spec,
      sim,
      ["east", "eu"],
      3,
      DEFAULT_ROUND_CONFIG,
    );
    for (const s of summaries) {
      expect(s.outcome).toBe("advanced");
      for (const d of s.decisions) expect(d.kind).toBe("decided");
    }
    // Learnable toy data: both regions end up serving the last version.
    expect(sim.served("east")).toBe(3);
    expect(sim.served("eu")).toBe(3);
  });

  test("[FL1] an update is a vector the size of the model, whatever the rows said", () => {
    const u = localUpdate(spec, new Float32Array((2 ** 10 + 1) * 3), regions.get("east")!.train, {
      ...DEFAULT_ROUND_CONFIG.training,
      noiseSeed: 1,
    });
    expect(u.delta).toBeInstanceOf(Float32Array);
    expect(u.delta.length).toBe((2 ** 10 + 1) * 3);
    expect(u.n).toBe(36);
    expect(Math.hypot(...u.delta)).toBeLessThanOrEqual(
      DEFAULT_ROUND_CONFIG.training.clipNorm * 1.0001,
    );
  });
});

describe("[FL8] a simulated region abroad follows the border rules", () => {
  const big = new Map([
    [
      "east",
      {
        train: examplesOf(
          spec,
          rows({ negative: "太贵了", neutral: "下周开会", positive: "非常满意" }, 20),
        ),
        holdout: [],
      },
    ],
    [
      "eu",
      {
        train: examplesOf(
          spec,
          rows({ negative: "too slow", neutral: "next week", positive: "love it" }, 19),
        ),
        holdout: [],
      },
    ],
  ]);
  const base = {
    version: 0,
    parent: null,
    round: 0,
    hash: "0".repeat(64),
    params: new Float32Array((2 ** 10 + 1) * 3),
  };
  const sim = simulatedRegions(
    spec,
    big,
    () => 1,
    undefined,
    (r) => r === "eu",
  );
  const training = DEFAULT_ROUND_CONFIG.training;

  test("[FL8] below the noise floor the region abroad declines; the one at home answers", async () => {
    const quiet = { ...training, noiseMultiplier: 0 };
    expect(await sim.train("eu", 1, base, quiet)).toEqual({
      kind: "declined",
      region: "eu",
      reason: "noise-below-floor",
    });
    expect(await sim.train("east", 1, base, quiet)).toMatchObject({ kind: "update", n: 60 });
  });

  test("[FL8] abroad, n is a multiple of 50 and no pre-clip norm is stated; at home both are exact", async () => {
    const noisy = { ...training, noiseMultiplier: ABROAD.minNoiseMultiplier };
    const eu = await sim.train("eu", 1, base, noisy);
    expect(eu).toMatchObject({ kind: "update", n: 50, norm: null });
    const east = await sim.train("east", 1, base, noisy);
    expect(east).toMatchObject({ kind: "update", n: 60 });
    expect(east.kind === "update" && typeof east.norm).toBe("number");
  });
});
