// Federation in one process: every region a function over its own examples, reached by a
// transport that runs the same region code the worker runs (regionUpdate, judge). The
// bench computes its "federated" baseline with it beside the live rounds, and tests drive
// runRound through it without a network.
import { judge, SERVE_POLICY, type ServePolicy } from "./gate.ts";
import { type FederatedSpec, paramCount } from "./model.ts";
import {
  type GlobalModel,
  initialModel,
  type RoundConfig,
  type RoundSummary,
  type RoundTransport,
  runRound,
} from "./round.ts";
import type { LocalExample } from "./sgd.ts";
import { regionUpdate } from "./update.ts";

export type RegionData = { train: readonly LocalExample[]; holdout: readonly LocalExample[] };

export type SimulatedRegions = RoundTransport & {
  /** The version a region serves now (null: none passed its check yet). */
  served(region: string): number | null;
};

export function simulatedRegions(
  spec: FederatedSpec,
  data: ReadonlyMap<string, RegionData>,
  noiseSeed: (region: string, round: number) => number,
  policy: ServePolicy = SERVE_POLICY,
): SimulatedRegions {
  const served = new Map<string, { version: number; params: Float32Array }>();
  return {
    served: (region) => served.get(region)?.version ?? null,
    async train(region, round, base, training) {
      const own = data.get(region);
      if (!own || own.train.length === 0)
        return { kind: "declined", region, reason: "no-examples" };
      const u = regionUpdate(
        spec,
        base.params,
        own.train,
        training,
        region,
        noiseSeed(region, round),
      );
      return { kind: "update", region, ...u };
    },
    async publish(region, model) {
      const decision = judge(
        spec,
        model,
        served.get(region) ?? null,
        data.get(region)?.holdout ?? [],
        policy,
      );
      if (decision.serve) served.set(region, { version: model.version, params: model.params });
      return { kind: "decided", region, ...decision };
    },
  };
}

/** `rounds` rounds from version 0; every version made, in order (a stalled round adds none). */
export async function simulateFederation(
  spec: FederatedSpec,
  regions: SimulatedRegions,
  names: readonly string[],
  rounds: number,
  config: RoundConfig,
): Promise<{ models: GlobalModel[]; summaries: RoundSummary[] }> {
  let global = initialModel(paramCount(spec));
  const models: GlobalModel[] = [];
  const summaries: RoundSummary[] = [];
  for (let round = 1; round <= rounds; round++) {
    const { summary, model } = await runRound(names, round, global, config, regions);
    summaries.push(summary);
    if (model) {
      models.push(model);
      global = model;
    }
  }
  return { models, summaries };
}
