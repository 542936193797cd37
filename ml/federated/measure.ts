// How `npm run federate` measures (Node only): one held-out score of a parameter vector
// (accuracy, macro-F1, per class, per industry, per language), and the offline models it
// compares the live rounds with, trained in the same run with the same seed — each region
// alone on its own industries, pooled on every region's rows (the upper bound: what
// federation may approach but no jurisdiction may do), and federation simulated in-process.
import type { SalesCallRow } from "../data/corpus.ts";
import { type FederatedSpec, paramCount } from "./model.ts";
import type { GlobalModel, RoundConfig, RoundSummary } from "./round.ts";
import { fineTune } from "./sgd.ts";
import { simulatedRegions, simulateFederation } from "./simulate.ts";
import { evaluateOn, examplesOf, regionSeed } from "./update.ts";

export type Score = {
  rows: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  accuracyByIndustry: Record<string, number>;
  accuracyByLang: Record<string, number>;
};

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function score(
  spec: FederatedSpec,
  params: Float32Array,
  rows: readonly SalesCallRow[],
): Score {
  const m = evaluateOn(spec, params, examplesOf(spec, rows));
  const accuracyOf = (key: (r: SalesCallRow) => string) => {
    const out: Record<string, number> = {};
    for (const k of [...new Set(rows.map(key))].sort()) {
      const subset = rows.filter((r) => key(r) === k);
      out[k] = round4(evaluateOn(spec, params, examplesOf(spec, subset)).accuracy);
    }
    return out;
  };
  return {
    rows: rows.length,
    accuracy: round4(m.accuracy),
    macroF1: round4(m.macroF1),
    perClass: Object.fromEntries(
      spec.labels.map((l, i) => {
        const c = m.perClass[i]!;
        return [
          l,
          {
            precision: round4(c.precision),
            recall: round4(c.recall),
            f1: round4(c.f1),
            support: c.support,
          },
        ];
      }),
    ),
    accuracyByIndustry: accuracyOf((r) => r.industry),
    accuracyByLang: accuracyOf((r) => r.lang),
  };
}

export type RegionRows = { train: readonly SalesCallRow[]; holdout: readonly SalesCallRow[] };

/** The offline models: alone per region and pooled get as many passes over their rows as federation's rounds × local epochs. */
export async function offlineModels(
  spec: FederatedSpec,
  regions: ReadonlyMap<string, RegionRows>,
  rounds: number,
  config: RoundConfig,
  /** Regions in another jurisdiction than the coordinator: the border rules apply to them. */
  abroad: (region: string) => boolean = () => false,
): Promise<{
  alone: Map<string, Float32Array>;
  pooled: Float32Array;
  federated: { models: GlobalModel[]; summaries: RoundSummary[] };
}> {
  const t = config.training;
  const centrally = (rows: readonly SalesCallRow[]) =>
    fineTune(spec, new Float32Array(paramCount(spec)), examplesOf(spec, rows), {
      epochs: rounds * t.epochs,
      learningRate: t.learningRate,
      proximal: 0,
      seed: t.seed,
    });
  const alone = new Map([...regions].map(([name, r]) => [name, centrally(r.train)]));
  const pooled = centrally([...regions.values()].flatMap((r) => r.train));
  const data = new Map(
    [...regions].map(([name, r]) => [
      name,
      { train: examplesOf(spec, r.train), holdout: examplesOf(spec, r.holdout) },
    ]),
  );
  // Noise is seeded here (round × region) so the simulation reproduces; live regions key
  // theirs with a secret, so live and simulated versions differ whenever σ > 0.
  const sim = simulatedRegions(
    spec,
    data,
    (region, round) => regionSeed(round, region),
    undefined,
    abroad,
  );
  const federated = await simulateFederation(spec, sim, [...regions.keys()], rounds, config);
  return { alone, pooled, federated };
}
