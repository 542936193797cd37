// A region's side of a round (DESIGN §4 applied to learning): on the coordinator's request
// it fine-tunes on its own labelled rows and answers with a clipped, noised update — n, Δ
// and numbers about Δ, never a row. Abroad it answers only within the border rules
// (ml/federated/border.ts), once per base version, audited as a cross-border transfer. The
// noise is keyed by the region's secret, so asking again gets the same update. On a new
// version it judges it on its own held-out rows and records whether it serves it. Called by
// the peer routes, and in-process on the coordinator.
import { type AuditEntry, auditKey, hmacSha256Hex } from "../../../core/index.ts";
import { auditStub } from "../../../durable-objects/stubs.ts";
import { refusedAbroad, statedRows } from "../../../ml/federated/border.ts";
import { decodeParams, encodeParams, paramsHash } from "../../../ml/federated/codec.ts";
import { judge, type Reference } from "../../../ml/federated/gate.ts";
import { FEDERATED_SPEC } from "../../../ml/federated/model.ts";
import { noiseKey } from "../../../ml/federated/privacy.ts";
import { examplesOf, regionUpdate } from "../../../ml/federated/update.ts";
import {
  type DecisionV1,
  type DeclineReason,
  MAX_HOLDOUT_ROWS,
  MAX_TRAIN_ROWS,
  type ModelV1,
  PARAMS_LENGTH,
  type PublishRequestV1,
  type TrainRequestV1,
  type UpdateAnswerV1,
} from "../../../ml/federated/wire.ts";
import { jurisdictionLookup } from "../../../replication/regions.ts";
import { ConfigError } from "../../../replication/signing.ts";
import { Problem } from "../errors.ts";
import { readModel } from "../read-model.ts";
import {
  bestServedDecision,
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

/**
 * The parameters of a version this region stored, checked against its hash. A mismatch is
 * this region's own data gone bad, not the caller's fault nor a passing outage: a 500
 * saying so, logged, never "retry shortly".
 */
export function storedParams(tenantId: string, version: number, model: ModelV1 | null) {
  const params = model && decodeParams(model.params, PARAMS_LENGTH);
  if (model && params && paramsHash(params) === model.hash) return params;
  console.error(
    `federation ${tenantId}: stored version ${version} is ${model ? "not its hash's parameters" : "missing"}`,
  );
  return integrityFailure(version);
}

export function integrityFailure(version: number): never {
  throw new Problem(
    500,
    "model-integrity",
    "A stored model failed its integrity check",
    `Version ${version} as this region stores it is missing or does not match its hash; the error was logged. Nothing was served from it.`,
  );
}

/** The regional database failed (as distinct from a bug): a train request declines, a publication is a 503. */
class StoreUnavailable extends Error {}

async function stored<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (err) {
    throw new StoreUnavailable(err instanceof Error ? err.message : String(err));
  }
}

/**
 * This region's noise secret: derived from its audit-chain key (its own in a deployment,
 * never sent anywhere), so no other region can reproduce its noise and subtract it.
 */
function noiseSecret(env: Env): string {
  let key: string;
  try {
    key = auditKey(env.AUDIT_KEY);
  } catch (err) {
    throw new ConfigError(
      `federated updates are noised with a key derived from AUDIT_KEY: ${(err as Error).message}`,
    );
  }
  return hmacSha256Hex(key, "lifeline/federated-noise-secret/v1");
}

export async function answerTrain(
  env: Env,
  request: TrainRequestV1,
): Promise<Unsigned<UpdateAnswerV1>> {
  const head = { region: env.REGION, tenantId: request.tenantId, round: request.round };
  const declined = (reason: DeclineReason) => {
    if (reason !== "not-participating")
      console.warn(`federation ${request.tenantId}: round ${request.round} declined: ${reason}`);
    return { ...head, kind: "declined" as const, reason };
  };
  try {
    return await trainAnswer(env, request, head, declined);
  } catch (err) {
    if (err instanceof StoreUnavailable) return declined("read-model-unavailable");
    throw err;
  }
}

async function trainAnswer(
  env: Env,
  request: TrainRequestV1,
  head: { region: string; tenantId: string; round: number },
  declined: (reason: DeclineReason) => Unsigned<UpdateAnswerV1>,
): Promise<Unsigned<UpdateAnswerV1>> {
  const db = readModel(env);
  const { tenantId } = request;
  const participation = await stored(() => participationOf(db, tenantId));
  if (!participation.enabled) return declined("not-participating");
  const base = paramsOf(request.base);
  // A version this region never saw published (it was down) is judged now, from the base.
  if (request.base.version > 0) await judgeAndRecord(env, tenantId, request.base, base);
  const rows = await stored(() => utterancesFor(db, tenantId, "train", MAX_TRAIN_ROWS));
  const examples = examplesOf(FEDERATED_SPEC, rows);
  if (examples.length === 0) return declined("no-examples");
  const training = {
    ...request.training,
    noiseMultiplier: Math.max(request.training.noiseMultiplier, participation.minNoiseMultiplier),
  };
  // An unknown sender cannot reach here (the peer route refuses it); unknown counts as abroad.
  const abroad = jurisdictionLookup(env)(request.from) !== env.JURISDICTION;
  const refusal = abroad ? refusedAbroad(examples.length, training.noiseMultiplier) : null;
  if (refusal) return declined(refusal);
  const u = regionUpdate(FEDERATED_SPEC, base, examples, training, env.REGION, (clipped) =>
    noiseKey(noiseSecret(env), {
      tenantId,
      baseHash: request.base.hash,
      noiseMultiplier: training.noiseMultiplier,
      cleanHash: paramsHash(clipped),
    }),
  );
  const delta = encodeParams(u.delta);
  const answer = {
    ...head,
    kind: "update" as const,
    baseVersion: request.base.version,
    n: statedRows(u.n, abroad),
    norm: abroad ? null : u.norm,
    clipped: u.clipped,
    noiseMultiplier: training.noiseMultiplier,
    deltaHash: paramsHash(u.delta),
    delta,
  };
  if (!abroad) return answer;
  // Abroad, one update per base version: the audit entry of the first is its memory. The
  // same question again recomputes the same update (keyed noise) and matches it; another
  // (other settings, rows changed since) is refused rather than sent with fresh noise.
  const { delta: _, ...about } = answer;
  // (The RPC stub types an entry's free-form detail as never; it is the entry appended.)
  const entry = (await auditStub(env).append({
    key: `federation:${tenantId}:${request.from}:base:${request.base.hash}`,
    kind: "cross-border-transfer",
    detail: {
      ...about,
      what: "federated-update",
      bytes: delta.length,
      from: env.REGION,
      to: request.from,
      toJurisdiction: jurisdictionLookup(env)(request.from),
    },
  })) as AuditEntry;
  const sent = (entry.detail as { deltaHash?: unknown } | null)?.deltaHash;
  return sent === answer.deltaHash ? answer : declined("base-answered");
}

export async function answerPublish(env: Env, request: PublishRequestV1): Promise<DecisionV1> {
  const { tenantId, model } = request;
  try {
    const participation = await stored(() => participationOf(readModel(env), tenantId));
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
    return await judgeAndRecord(env, tenantId, model, paramsOf(model));
  } catch (err) {
    if (!(err instanceof StoreUnavailable)) throw err;
    console.warn(`federation ${tenantId}: version ${model.version} not judged:`, err.message);
    throw new Problem(
      503,
      "read-model-unavailable",
      "Federation storage is temporarily unavailable",
      "This region's database did not answer; the version is judged when the next round brings it.",
      {},
      { "retry-after": "10" },
    );
  }
}

/**
 * Stores `model`, judges it once on this region's held-out rows against the version it
 * serves and the best it ever served, and records the decision.
 */
async function judgeAndRecord(
  env: Env,
  tenantId: string,
  model: ModelV1,
  params: Float32Array,
): Promise<DecisionV1> {
  const db = readModel(env);
  const now = new Date().toISOString();
  if ((await stored(() => putModel(db, tenantId, model, now))) === "conflict")
    throw new Problem(
      409,
      "model-version-conflict",
      "Another model holds this version",
      `Version ${model.version} is held here with another hash.`,
    );
  const known = await stored(() => decisionFor(db, tenantId, model.version));
  if (known) return decisionOf(known);
  const [servedRow, bestRow] = await stored(() =>
    Promise.all([servedDecision(db, tenantId), bestServedDecision(db, tenantId)]),
  );
  const reference = async (row: { version: number } | null): Promise<Reference | null> => {
    if (!row) return null;
    const held = await stored(() => modelAt(db, tenantId, row.version));
    return { version: row.version, params: storedParams(tenantId, row.version, held) };
  };
  const against = { served: await reference(servedRow), best: await reference(bestRow) };
  const holdout = examplesOf(
    FEDERATED_SPEC,
    await stored(() => utterancesFor(db, tenantId, "holdout", MAX_HOLDOUT_ROWS)),
  );
  const decision = judge(FEDERATED_SPEC, { version: model.version, params }, against, holdout);
  await stored(() => recordDecision(db, tenantId, decision, now));
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
