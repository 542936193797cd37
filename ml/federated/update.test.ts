import { describe, expect, test } from "vitest";
import { zhCharRecipe } from "../features/config.ts";
import { paramsHash } from "./codec.ts";
import { type FederatedSpec, LABELS, paramCount } from "./model.ts";
import { noiseKey } from "./privacy.ts";
import { DEFAULT_ROUND_CONFIG } from "./round.ts";
import { examplesOf, regionUpdate } from "./update.ts";

const spec: FederatedSpec = { labels: LABELS, features: zhCharRecipe({ dimensionBits: 10 }) };
const rows = Array.from({ length: 60 }, (_, i) => ({
  text: ["太贵了", "下周开会", "非常满意"][i % 3]! + i,
  label: LABELS[i % 3]!,
}));
const base = new Float32Array(paramCount(spec));
const training = { ...DEFAULT_ROUND_CONFIG.training, noiseMultiplier: 0.05 };
/** What a live region passes: its noise keyed by its secret, the question and the clipped update. */
const keyed = (clipped: Float32Array) =>
  noiseKey("region-secret".repeat(4), {
    tenantId: "ten_a",
    baseHash: paramsHash(base),
    noiseMultiplier: training.noiseMultiplier,
    cleanHash: paramsHash(clipped),
  });
const ask = (data: typeof rows, settings = training) =>
  regionUpdate(spec, base, examplesOf(spec, data), settings, "eu-central", keyed);

describe("[FL9] asking a region again gets nothing new", () => {
  test("[FL9] the same question twice gets the identical update: averaging answers removes no noise", () => {
    const first = ask(rows);
    const again = ask(rows);
    expect(paramsHash(again.delta)).toBe(paramsHash(first.delta));
  });

  test("[FL9] a question one row or one setting apart gets independent noise: the answers never differ by a noise-free difference", () => {
    const quiet = { ...training, noiseMultiplier: 0 };
    const std = training.noiseMultiplier * training.clipNorm;
    for (const [data, settings] of [
      [rows.slice(1), training],
      [rows, { ...training, seed: 2 }],
    ] as const) {
      const a = ask(rows);
      const b = ask(data, settings);
      const cleanA = regionUpdate(spec, base, examplesOf(spec, rows), quiet, "eu-central", 0);
      const cleanB = regionUpdate(
        spec,
        base,
        examplesOf(spec, data),
        { ...settings, noiseMultiplier: 0 },
        "eu-central",
        0,
      );
      // (a − b) − (cleanA − cleanB) is the noises' difference: variance 2·std², not 0.
      let sum = 0;
      for (let i = 0; i < a.delta.length; i++) {
        const d = a.delta[i]! - b.delta[i]! - (cleanA.delta[i]! - cleanB.delta[i]!);
        sum += d * d;
      }
      const variance = sum / a.delta.length;
      expect(variance).toBeGreaterThan(2 * std * std * 0.9);
      expect(variance).toBeLessThan(2 * std * std * 1.1);
    }
  });
});
