// Federation in one process: every region a function over its own examples, reached by a
// transport that runs the same region code the worker runs (regionUpdate, judge, the border
// rules for a region abroad). The
// bench computes its "federated" baseline with it beside the live rounds, and tests drive
// runRound through it without a network.
import { refusedAbroad, statedRows } from "./border.ts";
import { judge, type Reference, SERVE_POLICY, type ServePolicy } from "./gate.ts";
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
  /** Whether a region is in another jurisdiction than the coordinator (default: none is). */
  abroad: (region: string) => boolean = () => false,
): SimulatedRegions {
  const served = new Map<string, Reference>();
  const best = new Map<string, Reference & { macroF1: number }>();
  return {
    served: (region) => served.get(region)?.version ?? null,
    async train(region, round, base, training) {
      const own = data.get(region);
      if (!own || own.train.length === 0)
        return { kind: "declined", region, reason: "no-examples" };
      const away = abroad(region);
      const refusal = away ? refusedAbroad(own.train.length, training.noiseMultiplier) : null;
      if (refusal) return { kind: "declined", region, reason: refusal };
      const u = regionUpdate(
        spec,
        base.params,
        own.train,
        training,
        region,
        noiseSeed(region, round),
      );
      return {
        kind: "update",
        region,
        ...u,
        n: statedRows(u.n, away),
        norm: away ? null : u.norm,
      };
    },
    async publish(region, model) {
      const against = { served: served.get(region) ?? null, best: best.get(region) ?? null };
      const decision = judge(spec, model, against, data.get(region)?.holdout ?? [], policy);
      if (decision.serve) {
        const held = { version: model.version, params: model.params };
        served.set(region, held);
        const score = decision.candidateMacroF1 ?? 0;
        if (score >= (best.get(region)?.macroF1 ?? -1))
          best.set(region, { ...held, macroF1: score });
      }
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
