// One federated round, runtime-agnostic: the coordinator asks every region for an update
// against the current global version, bounds each answer again, averages (FedAvg), names
// the next version and publishes it; each region answers whether it serves it. How a
// region is reached (signed HTTP in the worker, a function call in the bench's offline
// simulation) is the transport's business, so both run exactly this code.
import { ABROAD } from "./border.ts";
import { paramsHash } from "./codec.ts";
import { fedAvg } from "./fedavg.ts";
import { clipToNorm } from "./privacy.ts";
import type { DecisionV1, TrainingV1 } from "./wire.ts";

export type GlobalModel = {
  version: number;
  /** The version it was averaged from; null for version 0 (all zeros, never served). */
  parent: number | null;
  round: number;
  hash: string;
  params: Float32Array;
};

export type RoundConfig = {
  training: TrainingV1;
  /**
   * Fewer updates than this and the round makes no version (a lone region is not a
   * federation). The admin route refuses one above the number of regions asked: it could
   * never be met, and each stalled round would only ask the regions the same question again.
   */
  minUpdates: number;
};

/**
 * The defaults, chosen on the dev split (ml/federated/README.md): five local epochs at
 * learning rate 0.5, Δ clipped to norm 10 (it binds in the first rounds), noise σ at the
 * floor a region abroad requires (so the coordinator's scheduled rounds get eu-central's
 * update), and at least two regions' updates per version.
 */
export const DEFAULT_ROUND_CONFIG: RoundConfig = {
  training: {
    epochs: 5,
    learningRate: 0.5,
    proximal: 0,
    clipNorm: 10,
    noiseMultiplier: ABROAD.minNoiseMultiplier,
    seed: 1,
  },
  minUpdates: 2,
};

export type UpdateReport =
  | {
      kind: "update";
      region: string;
      n: number;
      /** Null when the region is abroad (it does not say). */
      norm: number | null;
      clipped: boolean;
      delta: Float32Array;
    }
  | { kind: "declined" | "failed"; region: string; reason: string };

export type DecisionReport =
  | ({ kind: "decided"; region: string } & DecisionV1)
  | { kind: "failed"; region: string; reason: string };

export type RoundTransport = {
  train(
    region: string,
    round: number,
    base: GlobalModel,
    training: TrainingV1,
  ): Promise<UpdateReport>;
  /** Keeps a new version before any region is told of it; throwing fails the round unpublished. */
  commit?(model: GlobalModel): Promise<void>;
  publish(region: string, model: GlobalModel): Promise<DecisionReport>;
};

/** What a round did, without parameter vectors: the record kept and shown. */
export type RoundSummary = {
  round: number;
  baseVersion: number;
  outcome: "advanced" | "stalled";
  version: number | null;
  hash: string | null;
  updates: Array<Omit<UpdateReport, "delta"> & { reclipped?: boolean }>;
  decisions: DecisionReport[];
};

export const initialModel = (length: number): GlobalModel => {
  const params = new Float32Array(length);
  return { version: 0, parent: null, round: 0, hash: paramsHash(params), params };
};

/**
 * The longest update an honest region can send: its clipped Δ (≤ C) plus noise of σ·C on
 * each of `length` coordinates (‖noise‖ ≈ σ·C·√length), with 10% slack. The coordinator
 * clips every received update to this, so a region that skipped its own clip gains nothing.
 */
export function honestNorm(training: TrainingV1, length: number): number {
  const { clipNorm: c, noiseMultiplier: s } = training;
  return c * Math.sqrt(1 + s * s * length) * 1.1;
}

export async function runRound(
  regions: readonly string[],
  round: number,
  base: GlobalModel,
  config: RoundConfig,
  transport: RoundTransport,
): Promise<{ summary: RoundSummary; model: GlobalModel | null }> {
  const reports = await Promise.all(
    regions.map((r) => transport.train(r, round, base, config.training)),
  );
  const bound = honestNorm(config.training, base.params.length);
  const accepted = reports.flatMap((r) => {
    if (r.kind !== "update") return [];
    const c = clipToNorm(r.delta, bound);
    return [{ region: r.region, n: r.n, delta: c.delta, reclipped: c.clipped }];
  });
  const updates = reports.map((r) => {
    if (r.kind !== "update") return r;
    const { delta: _, ...rest } = r;
    return { ...rest, reclipped: accepted.find((a) => a.region === r.region)!.reclipped };
  });
  const stalled = { round, baseVersion: base.version, version: null, hash: null, updates };
  if (accepted.length < config.minUpdates)
    return { summary: { ...stalled, outcome: "stalled", decisions: [] }, model: null };
  const params = fedAvg(base.params, accepted);
  const model: GlobalModel = {
    version: base.version + 1,
    parent: base.version,
    round,
    hash: paramsHash(params),
    params,
  };
  await transport.commit?.(model);
  const decisions = await Promise.all(regions.map((r) => transport.publish(r, model)));
  return {
    summary: {
      ...stalled,
      outcome: "advanced",
      version: model.version,
      hash: model.hash,
      decisions,
    },
    model,
  };
}
