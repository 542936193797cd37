// core/ public surface: pure domain logic with no runtime imports (a test enforces it).
export * from "./account/conflicts.ts";
export * from "./account/decide.ts";
export * from "./account/engagement.ts";
export * from "./account/evolve.ts";
export * from "./account/state.ts";
export * from "./account/state-hash.ts";
export * from "./account/view.ts";
export * from "./audit/chain.ts";
export * from "./audit/checkpoint.ts";
export * from "./backoff.ts";
export * from "./concurrency.ts";
export { hmacSha256, hmacSha256Hex, timingSafeEqual } from "./crypto/hmac.ts";
export { SHA256_HEX, sha256, sha256Hex, toHex } from "./crypto/sha256.ts";
export * from "./encoding.ts";
export * from "./events.ts";
export * from "./files.ts";
export * from "./hlc.ts";
export * from "./idempotency.ts";
export * from "./ids.ts";
export * as insights from "./insights/index.ts";
export * from "./money.ts";
export {
  batchSignature,
  type CrossBorderAudit,
  checkRemoteEvent,
  DEFAULT_MAX_EVENT_SKEW_MS,
  type EventCheckContext,
  type EventRule,
  type EventVerdict,
  type JurisdictionLookup,
  MAX_BATCH_EVENTS,
  mustMask,
  type Outgoing,
  type OutgoingBatch,
  outgoingBatch,
  ReplicationBatchV1,
  verifyBatchSignature,
} from "./replication.ts";
export * from "./schemas.ts";
export * from "./sovereignty/jurisdiction.ts";
export * from "./sovereignty/mask.ts";
export * from "./sovereignty/policy.ts";
export * from "./survival.ts";
export * from "./text.ts";
