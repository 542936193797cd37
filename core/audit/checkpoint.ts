// Audit checkpoints [LF7]: a region's chain head (seq, hash) held by a peer region, so
// entries cut off the end of a chain are noticed by someone outside the region's own
// storage. The wire shape, the holder's countersignature and the rule for what a holder
// keeps: the highest seq per region, never a lower one (a rollback) or another hash at
// the same seq (a fork).
import { z } from "zod";
import { hmacSha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { SHA256_HEX } from "../crypto/sha256.ts";

export const AuditCheckpointV1 = z
  .strictObject({
    v: z.literal(1),
    region: z.string().regex(/^[a-z0-9-]{1,32}$/),
    seq: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    hash: z.string().regex(SHA256_HEX),
    at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "AuditCheckpointV1" });
export type AuditCheckpointV1 = z.infer<typeof AuditCheckpointV1>;

/** The holder's MAC over what it holds (with its own audit key): a receipt it can recheck. */
export function countersign(key: string, cp: AuditCheckpointV1): string {
  return hmacSha256Hex(key, `${cp.region}|${cp.seq}|${cp.hash}|${cp.at}`);
}

export function countersignatureHolds(
  key: string,
  cp: AuditCheckpointV1,
  signature: string,
): boolean {
  return timingSafeEqual(countersign(key, cp), signature);
}

/** What a holder does with an incoming checkpoint, given the one it holds for that region. */
export type CheckpointDecision =
  | { kind: "store" }
  | { kind: "same" }
  | { kind: "rollback"; heldSeq: number }
  | { kind: "fork"; heldSeq: number };

export function decideCheckpoint(
  held: Pick<AuditCheckpointV1, "seq" | "hash"> | null,
  incoming: Pick<AuditCheckpointV1, "seq" | "hash">,
): CheckpointDecision {
  if (!held || incoming.seq > held.seq) return { kind: "store" };
  if (incoming.seq < held.seq) return { kind: "rollback", heldSeq: held.seq };
  return incoming.hash === held.hash ? { kind: "same" } : { kind: "fork", heldSeq: held.seq };
}
