// The aggregator, in one region (FEDERATION_COORDINATOR): claims the tenant's next round
// in its libSQL, asks every region of REGIONS for an update over signed HTTP (itself
// in-process; requests signed with the replication key bound to this region), checks each
// answer (signature, request hash, schema, lengths, Δ's hash) before runRound bounds and
// averages them, stores the new version and publishes it. One place aggregates, so a
// version means one set of updates; while the coordinator is down no round runs and every
// region keeps serving what it serves. Asking the same base again is bounded: minUpdates
// no round can meet is refused, and a base version gets MAX_ROUNDS_PER_BASE rounds a day.
import { decodeParams, encodeParams, paramsHash } from "../../../ml/federated/codec.ts";
import {
  DEFAULT_ROUND_CONFIG,
  type DecisionReport,
  type GlobalModel,
  initialModel,
  type RoundConfig,
  type RoundSummary,
  type RoundTransport,
  runRound,
  type UpdateReport,
} from "../../../ml/federated/round.ts";
import {
  DecisionAnswerV1,
  MAX_FEDERATION_BODY_BYTES,
  type ModelV1,
  PARAMS_LENGTH,
  PUBLISH_PATH,
  type PublishRequestV1,
  TRAIN_PATH,
  type TrainRequestV1,
  UpdateAnswerV1,
} from "../../../ml/federated/wire.ts";
import { callPeer, jurisdictionKeyOf } from "../../../replication/anti-entropy.ts";
import { type RegionInfo, regionInfo, regionsOf } from "../../../replication/regions.ts";
import { keyRingOf, ringOfRegion } from "../../../replication/signing.ts";
import { Problem } from "../errors.ts";
import { readModel } from "../read-model.ts";
import {
  answerPublish,
  answerTrain,
  auditAbroad,
  integrityFailure,
  storedParams,
} from "./participant.ts";
import {
  claimRound,
  finishRound,
  lastRound,
  latestModel,
  putModel,
  roundsFromBase,
} from "./store.ts";

/** Regions asked per round at most; REGIONS is a short list by design. */
export const MAX_REGIONS = 16;
/** Rounds one trigger runs at most. */
export const MAX_ROUNDS_PER_RUN = 20;
/** One region's answer (its fine-tune included) is awaited this long at most. */
export const REGION_TIMEOUT_MS = 30_000;
/** A round still `running` after this is taken for dead (its trigger crashed) and skipped. */
export const ROUND_LEASE_MS = 5 * 60_000;
/**
 * Rounds from one base version within BASE_WINDOW_MS at most. A region answers the same
 * base with the same update (keyed noise), so more rounds learn nothing; they only stall
 * again. The window lets a tenant stalled for a day (a region down) try again the next.
 */
export const MAX_ROUNDS_PER_BASE = 3;
export const BASE_WINDOW_MS = 24 * 60 * 60_000;

export const coordinatorOf = (env: Env) => env.FEDERATION_COORDINATOR;

export function requireCoordinator(env: Env): void {
  if (env.REGION !== coordinatorOf(env))
    throw new Problem(
      409,
      "not-coordinator",
      "Rounds run on the coordinator",
      `Federated rounds run in ${coordinatorOf(env)} (FEDERATION_COORDINATOR), not in ${env.REGION}.`,
      { coordinator: coordinatorOf(env) },
    );
}

const wireModel = (m: GlobalModel): ModelV1 => ({
  version: m.version,
  parent: m.parent,
  round: m.round,
  hash: m.hash,
  params: encodeParams(m.params),
});

/**
 * A minUpdates asked for must be one some round could meet: at most the regions a round
 * asks. (The default, 2, stays: in a topology of one region rounds stall, as they should.)
 */
export function requireReachable(env: Env, minUpdates: number): void {
  const asked = regionsAsked(env).length;
  if (minUpdates > asked)
    throw new Problem(
      422,
      "min-updates-unreachable",
      "More updates asked for than regions",
      `minUpdates ${minUpdates} exceeds the ${asked} regions a round asks: no round could make a version.`,
      { errors: [{ field: "minUpdates", pointer: "#/minUpdates", message: `at most ${asked}` }] },
    );
}

/** `rounds` rounds of `tenantId` one after another; stops at the first that fails. */
export async function runRounds(
  env: Env,
  tenantId: string,
  rounds: number,
  config: RoundConfig = DEFAULT_ROUND_CONFIG,
): Promise<RoundSummary[]> {
  requireCoordinator(env);
  const out: RoundSummary[] = [];
  for (let i = 0; i < Math.min(rounds, MAX_ROUNDS_PER_RUN); i++)
    out.push(await oneRound(env, tenantId, config));
  return out;
}

async function oneRound(env: Env, tenantId: string, config: RoundConfig): Promise<RoundSummary> {
  const db = readModel(env);
  const now = () => new Date().toISOString();
  const last = await lastRound(db, tenantId);
  if (last?.status === "running") {
    if (Date.parse(last.startedAt) > Date.now() - ROUND_LEASE_MS) throw roundRunning(last.round);
    // Its trigger died mid-round: the round is over, and says so.
    await finishRound(db, tenantId, last.round, {
      status: "failed",
      version: null,
      finishedAt: now(),
      summary: { error: "abandoned: still running after the lease" },
    });
  }
  const stored = await latestModel(db, tenantId);
  const base = stored
    ? { ...stored, params: storedParams(tenantId, stored.version, stored) }
    : initialModel(PARAMS_LENGTH);
  if (!stored && (await putModel(db, tenantId, wireModel(base), now())) === "conflict")
    integrityFailure(0);
  const since = new Date(Date.now() - BASE_WINDOW_MS).toISOString();
  if ((await roundsFromBase(db, tenantId, base.version, since)) >= MAX_ROUNDS_PER_BASE)
    throw new Problem(
      409,
      "base-rounds-spent",
      "Enough rounds from this version today",
      `${MAX_ROUNDS_PER_BASE} rounds started from version ${base.version} in the last 24 hours; every region would answer them as before. Try again tomorrow, or once more regions take part.`,
      { baseVersion: base.version },
      { "retry-after": String(BASE_WINDOW_MS / 1000) },
    );
  const round = (last?.round ?? 0) + 1;
  if (!(await claimRound(db, { tenantId, round, baseVersion: base.version, startedAt: now() })))
    throw roundRunning(round);
  const regions = regionsAsked(env);
  try {
    const { summary, model } = await runRound(
      regions,
      round,
      base,
      config,
      transport(env, tenantId),
    );
    await finishRound(db, tenantId, round, {
      status: summary.outcome,
      version: summary.version,
      finishedAt: now(),
      summary: summary as unknown as Record<string, unknown>,
    });
    if (model) console.log(`federation ${tenantId}: round ${round} made version ${model.version}`);
    return summary;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await finishRound(db, tenantId, round, {
      status: "failed",
      version: null,
      finishedAt: now(),
      summary: { error },
    });
    throw err;
  }
}

const regionsAsked = (env: Env) =>
  regionsOf(env)
    .slice(0, MAX_REGIONS)
    .map((r) => r.region);

const roundRunning = (round: number) =>
  new Problem(
    409,
    "round-running",
    "A round is running",
    `Round ${round} of this tenant is running; retry once it has finished.`,
    {},
    { "retry-after": "10" },
  );

/** How the coordinator reaches each region: in-process for itself, signed HTTP for the rest. */
function transport(env: Env, tenantId: string): RoundTransport {
  const link = {
    // Participants accept a round only when it is signed with a key bound to the coordinator.
    ring: ringOfRegion(keyRingOf(env), env.REGION),
    self: { region: env.REGION, jurisdiction: env.JURISDICTION },
    jurisdictionKey: jurisdictionKeyOf(env),
    timeoutMs: REGION_TIMEOUT_MS,
    maxAnswerBytes: MAX_FEDERATION_BODY_BYTES,
  };
  const wire = new Map<number, ModelV1>();
  const onWire = (m: GlobalModel) => {
    if (!wire.has(m.version)) wire.set(m.version, wireModel(m));
    return wire.get(m.version)!;
  };
  const peer = (region: string): RegionInfo => regionInfo(env, region)!;
  const failed = (region: string, err: unknown) => ({
    kind: "failed" as const,
    region,
    reason: (err instanceof Error ? err.message : String(err)).slice(0, 300),
  });
  return {
    async train(region, round, base, training): Promise<UpdateReport> {
      const request: TrainRequestV1 = {
        v: 1,
        from: env.REGION,
        to: region,
        tenantId,
        round,
        base: onWire(base),
        training,
      };
      try {
        const answer =
          region === env.REGION
            ? await answerTrain(env, request)
            : await callPeer(
                link,
                peer(region),
                TRAIN_PATH,
                request,
                UpdateAnswerV1,
                "federated round",
              );
        if (answer.region !== region || answer.tenantId !== tenantId || answer.round !== round)
          return failed(region, new Error("the answer is for another region, tenant or round"));
        if (answer.kind === "declined") return { kind: "declined", region, reason: answer.reason };
        const delta = decodeParams(answer.delta, PARAMS_LENGTH);
        if (answer.baseVersion !== base.version || !delta || paramsHash(delta) !== answer.deltaHash)
          return failed(
            region,
            new Error("the update is not a finite Δ of the base with its hash"),
          );
        const { n, norm, clipped } = answer;
        return { kind: "update", region, n, norm, clipped, delta };
      } catch (err) {
        return failed(region, err);
      }
    },
    async commit(model) {
      // The coordinator keeps every version it makes, whether or not it serves it; a version
      // it already holds with other bytes is its own data gone bad, and nothing is published.
      const at = new Date().toISOString();
      if ((await putModel(readModel(env), tenantId, onWire(model), at)) === "conflict") {
        console.error(`federation ${tenantId}: version ${model.version} is held with another hash`);
        integrityFailure(model.version);
      }
    },
    async publish(region, model): Promise<DecisionReport> {
      const request: PublishRequestV1 = {
        v: 1,
        from: env.REGION,
        to: region,
        tenantId,
        model: onWire(model),
      };
      try {
        if (region === env.REGION)
          return { kind: "decided", region, ...(await answerPublish(env, request)) };
        await auditAbroad(env, region, `model:${model.hash}`, {
          tenantId,
          what: "federated-model",
          version: model.version,
          hash: model.hash,
          bytes: request.model.params.length,
        });
        const answer = await callPeer(
          link,
          peer(region),
          PUBLISH_PATH,
          request,
          DecisionAnswerV1,
          "federated round",
        );
        if (answer.region !== region || answer.decision.version !== model.version)
          return failed(region, new Error("the decision is for another region or version"));
        return { kind: "decided", region, ...answer.decision };
      } catch (err) {
        return failed(region, err);
      }
    },
  };
}
