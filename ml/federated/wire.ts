// The wire of a federated round between regions (versioned, bounded, signed by the
// replication key ring like every peer call): the coordinator's train request carrying the
// global version, a region's answer carrying only {n, Δ, numbers about Δ}, the publication
// of a new version, and a region's serve decision. No field can carry a text: every string
// is an id, a hash, a reason from a closed list, or base64 floats of a fixed length.
import { z } from "zod";
import { SHA256_HEX } from "../../core/crypto/sha256.ts";
import { encodedLength } from "./codec.ts";
import { FEDERATED_SPEC, paramCount } from "./model.ts";

export const TRAIN_PATH = "/v1/replication/federation/train";
export const PUBLISH_PATH = "/v1/replication/federation/publish";

/** Parameters (or an update) of the federated model, as base64 text: exactly this long. */
export const PARAMS_LENGTH = paramCount(FEDERATED_SPEC);
const Params = z.base64().length(encodedLength(PARAMS_LENGTH));
/** Any request or answer of a round: one parameter vector plus small fields. */
export const MAX_FEDERATION_BODY_BYTES = encodedLength(PARAMS_LENGTH) + 16 * 1024;
/** Rows a region trains on or holds out at most per round (and the most `n` it may claim). */
export const MAX_TRAIN_ROWS = 5_000;
export const MAX_HOLDOUT_ROWS = 2_000;

const Region = z.string().regex(/^[a-z0-9-]{1,32}$/);
const TenantId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
const Hash = z.string().regex(SHA256_HEX);
const Round = z.int().min(1).max(1_000_000);
const Version = z.int().min(0).max(1_000_000);

export const TrainingV1 = z.strictObject({
  epochs: z.int().min(1).max(20),
  learningRate: z.number().gt(0).max(5),
  proximal: z.number().min(0).max(1),
  clipNorm: z.number().gt(0).max(100),
  noiseMultiplier: z.number().min(0).max(10),
  /** Seeds the local shuffle (each region mixes in its name); never the noise. */
  seed: z.int().min(0).max(0xffffffff),
});
export type TrainingV1 = z.infer<typeof TrainingV1>;

const ModelV1 = z.strictObject({
  version: Version,
  parent: Version.nullable(),
  round: z.int().min(0).max(1_000_000),
  hash: Hash,
  params: Params,
});
export type ModelV1 = z.infer<typeof ModelV1>;

export const TrainRequestV1 = z.strictObject({
  v: z.literal(1),
  from: Region,
  to: Region,
  tenantId: TenantId,
  round: Round,
  base: ModelV1,
  training: TrainingV1,
});
export type TrainRequestV1 = z.infer<typeof TrainRequestV1>;

const Answer = { v: z.literal(1), re: Hash, region: Region, tenantId: TenantId, round: Round };

/** Why a region sends no update: each is recorded in the coordinator's round. */
export const DECLINE_REASONS = [
  "not-participating",
  "no-examples",
  /** Its database did not answer: the round goes on without it. */
  "read-model-unavailable",
  /** Abroad, σ below the floor (border.ts). */
  "noise-below-floor",
  /** Abroad, fewer training rows than the minimum (border.ts). */
  "too-few-rows",
  /** Abroad, it already sent another update for this base version (one per base). */
  "base-answered",
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];
export const UpdateAnswerV1 = z.discriminatedUnion("kind", [
  z.strictObject({
    ...Answer,
    kind: z.literal("update"),
    baseVersion: Version,
    /** Rows trained on: exact at home, rounded down to a multiple of 50 abroad (border.ts). */
    n: z.int().min(1).max(MAX_TRAIN_ROWS),
    /** ‖Δ‖₂ before the clip; null when the answer leaves the region's jurisdiction. */
    norm: z.number().min(0).nullable(),
    clipped: z.boolean(),
    noiseMultiplier: z.number().min(0).max(10),
    deltaHash: Hash,
    delta: Params,
  }),
  z.strictObject({
    ...Answer,
    kind: z.literal("declined"),
    reason: z.enum(DECLINE_REASONS),
  }),
]);
export type UpdateAnswerV1 = z.infer<typeof UpdateAnswerV1>;

export const PublishRequestV1 = z.strictObject({
  v: z.literal(1),
  from: Region,
  to: Region,
  tenantId: TenantId,
  model: ModelV1,
});
export type PublishRequestV1 = z.infer<typeof PublishRequestV1>;

const Score = z.number().min(0).max(1).nullable();
export const DecisionV1 = z.strictObject({
  version: Version,
  serve: z.boolean(),
  reason: z.enum([
    "passes-floor",
    "not-worse-than-served",
    "too-few-holdout",
    "below-floor",
    "worse-than-served",
    "not-participating",
  ]),
  holdout: z.int().min(0),
  candidateMacroF1: Score,
  /** What the candidate was held against: the better, now, of the served and the best ever served version. */
  servedVersion: Version.nullable(),
  servedMacroF1: Score,
});
export type DecisionV1 = z.infer<typeof DecisionV1>;

export const DecisionAnswerV1 = z.strictObject({
  v: z.literal(1),
  re: Hash,
  region: Region,
  tenantId: TenantId,
  decision: DecisionV1,
});
export type DecisionAnswerV1 = z.infer<typeof DecisionAnswerV1>;
