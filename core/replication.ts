// The replication wire message between regions, versioned because regions run different
// builds during a rollout; bodies are signed with HMAC-SHA256 by the sending region.
import { z } from "zod";
import { hmacSha256Hex, timingSafeEqual } from "./crypto/hmac.ts";
import { EventEnvelopeV1 } from "./events.ts";
import { RegionName } from "./sovereignty/jurisdiction.ts";

export { hmacSha256Hex } from "./crypto/hmac.ts";

/** Events per batch: bounds a receiver's work and memory per request. */
export const MAX_BATCH_EVENTS = 256;

export const ReplicationBatchV1 = z
  .object({
    v: z.literal(1),
    from: RegionName,
    to: RegionName,
    sentAt: z.iso.datetime({ offset: true }),
    events: z.array(EventEnvelopeV1).min(1).max(MAX_BATCH_EVENTS),
    /** True when the events are the masked projection for another jurisdiction [LF4]. */
    masked: z.boolean(),
  })
  .refine((b) => b.from !== b.to, {
    message: "a region does not replicate to itself",
    path: ["to"],
  })
  .meta({ id: "ReplicationBatchV1" });
export type ReplicationBatchV1 = z.infer<typeof ReplicationBatchV1>;

/** Signature of a body sent at `timestampMs`: binding the time bounds replay of a captured body. */
export function batchSignature(key: string, timestampMs: number, body: string): string {
  return hmacSha256Hex(key, `${timestampMs}.${body}`);
}

export function verifyBatchSignature(
  key: string,
  timestampMs: number,
  body: string,
  signature: string,
): boolean {
  return timingSafeEqual(batchSignature(key, timestampMs, body), signature);
}
