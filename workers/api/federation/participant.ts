// A region's side of a round (DESIGN §4 applied to learning): on the coordinator's request
// it fine-tunes on its own labelled rows and answers with a clipped (optionally noised)
// update — n, Δ and numbers about Δ, never a row — audited as a cross-border transfer when
// the coordinator is abroad; on a new version it judges it on its own held-out rows and
// records whether it serves it. Called by the peer routes, and in-process on the coordinator.
import { auditStub } from "../../../durable-objects/stubs.ts";
import { decodeParams, encodeParams, paramsHash } from "../../../ml/federated/codec.ts";
import { judge } from "../../../ml/federated/gate.ts";
import { FEDERATED_SPEC } from "../../../ml/federated/model.ts";
import { examplesOf, regionUpdate } from "../../../ml/federated/update.ts";
import {
  type DecisionV1,
  MAX_HOLDOUT_ROWS,
  MAX_TRAIN_ROWS,
  type ModelV1,
  PARAMS_LENGTH,
  type PublishRequestV1,
  type TrainRequestV1,
  type UpdateAnswerV1,
} from "../../../ml/federated/wire.ts";
import { jurisdictionLookup } from "../../../replication/regions.ts";
import { Problem } from "../errors.ts";
import { readModel } from "../read-model.ts";
import {
  decisionFor,
  modelAt,
  participationOf,
  putModel,
  recordDecision,
  servedDecision,
  utterancesFor,
} from "./store.ts";

type Unsigned<T> = T extends unknown ? Omit<T, "v" | "re"> : never;

/** The parameters of a model off the wire, checked against its hash. */
export function paramsOf(model: ModelV1): Float32Array {
  const params = decodeParams(model.params, PARAMS_LENGTH);
  if (!params || paramsHash(params) !== model.hash)
    throw new Problem(
      422,
      "model-hash-mismatch",
      "Model parameters refused",
      `Version ${model.version} is not ${PARAMS_LENGTH} finite floats with hash ${model.hash}.`,
    );
  return params;
}

/** A fresh 32-bit seed for this update's noise: drawn here and kept nowhere, so no one can subtract it. */
function secretSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

export async function answerTrain(
  env: Env,
  request: TrainRequestV1,
): Promise<Unsigned<UpdateAnswerV1>> {
  const db = readModel(env);
  const { tenantId, round } = request;
  const head = { region: env.REGION, tenantId, round };
  const participation = await participationOf(db, tenantId);
  if (!participation.enabled) return { ...head, kind: "declined", reason: "not-participating" };
  const base = paramsOf(request.base);
  // A version this region never saw published (it was down) is judged now, from the base.
  if (request.base.version > 0) await judgeAndRecord(env, tenantId, request.base, base);
  const rows = await utterancesFor(db, tenantId, "train", MAX_TRAIN_ROWS);
  const examples = examplesOf(FEDERATED_SPEC, rows);
  if (examples.length === 0) return { ...head, kind: "declined", reason: "no-examples" };
  const training = {
    ...request.training,
    noiseMultiplier: Math.max(request.training.noiseMultiplier, participation.minNoiseMultiplier),
  };
  const u = regionUpdate(FEDERATED_SPEC, base, examples, training, env.REGION, secretSeed());
  const delta = encodeParams(u.delta);
  const answer = {
    ...head,
    kind: "update" as const,
    baseVersion: request.base.version,
    n: u.n,
    norm: u.norm,
    clipped: u.clipped,
    noiseMultiplier: training.noiseMultiplier,
    deltaHash: paramsHash(u.delta),
    delta,
  };
  const { delta: _, ...about } = answer;
  await auditAbroad(env, request.from, `update:${answer.deltaHash}`, {
    ...about,
    what: "federated-update",
    bytes: delta.length,
  });
  return answer;
}

export async function answerPublish(env: Env, request: PublishRequestV1): Promise<DecisionV1> {
  const db = readModel(env);
  const { tenantId, model } = request;
  const participation = await participationOf(db, tenantId);
  if (!participation.enabled)
    return {
      version: model.version,
      serve: false,
      reason: "not-participating",
      holdout: 0,
      candidateMacroF1: null,
      servedVersion: null,
      servedMacroF1: null,
    };
  return judgeAndRecord(env, tenantId, model, paramsOf(model));
}

/** Stores `model`, judges it once on this region's held-out rows, and records the decision. */
async function judgeAndRecord(
  env: Env,
  tenantId: string,
  model: ModelV1,
  params: Float32Array,
): Promise<DecisionV1> {
  const db = readModel(env);
  const now = new Date().toISOString();
  if ((await putModel(db, tenantId, model, now)) === "conflict")
    throw new Problem(
      409,
      "model-version-conflict",
      "Another model holds this version",
      `Version ${model.version} is held here with another hash.`,
    );
  const known = await decisionFor(db, tenantId, model.version);
  if (known) return decisionOf(known);
  const servedRow = await servedDecision(db, tenantId);
  const servedModel = servedRow ? await modelAt(db, tenantId, servedRow.version) : null;
  const served = servedModel
    ? { version: servedModel.version, params: paramsOf(servedModel) }
    : null;
  const holdout = examplesOf(
    FEDERATED_SPEC,
    await utterancesFor(db, tenantId, "holdout", MAX_HOLDOUT_ROWS),
  );
  const decision = judge(FEDERATED_SPEC, { version: model.version, params }, served, holdout);
  await recordDecision(db, tenantId, decision, now);
  return decision;
}

const decisionOf = (row: NonNullable<Awaited<ReturnType<typeof decisionFor>>>): DecisionV1 => ({
  version: row.version,
  serve: row.serve,
  reason: row.reason as DecisionV1["reason"],
  holdout: row.holdout,
  candidateMacroF1: row.candidateMacroF1,
  servedVersion: row.servedVersion,
  servedMacroF1: row.servedMacroF1,
});

/**
 * An entry in this region's audit chain for a federation transfer to `to`, when `to` is in
 * another jurisdiction (as replication audits what crosses a border) [LF4][LF7].
 */
export async function auditAbroad(
  env: Env,
  to: string,
  key: string,
  detail: { tenantId: string } & Record<string, unknown>,
): Promise<void> {
  const toJurisdiction = jurisdictionLookup(env)(to);
  if (toJurisdiction === env.JURISDICTION) return;
  await auditStub(env).append({
    key: `federation:${detail.tenantId}:${to}:${key}`,
    kind: "cross-border-transfer",
    detail: { ...detail, from: env.REGION, to, toJurisdiction },
  });
}
