// The hash-chained audit log entry [LF7]: each entry commits to its predecessor's hash,
// so changing, deleting, inserting or reordering any entry breaks verification from there.
import { z } from "zod";
import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";

/** prevHash of the first entry of a chain. */
export const AUDIT_GENESIS = "0".repeat(64);

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const AuditKind = z.enum([
  "cross-border-transfer",
  "degradation-mode",
  "conflict-recorded",
  "policy-change",
  "key-rotation",
  "relay-transfer",
]);
export type AuditKind = z.infer<typeof AuditKind>;

export const AuditEntry = z
  .object({
    seq: z.int().min(1),
    at: z.iso.datetime({ offset: true }),
    kind: AuditKind,
    /** Any JSON value; hashed in canonical form, so key order never matters. */
    detail: z.unknown(),
    prevHash: Hex64,
    hash: Hex64,
  })
  .meta({ id: "AuditEntry" });
export type AuditEntry = z.infer<typeof AuditEntry>;

/** `at` is passed in (core never reads the clock); `detail` must be JSON. */
export type AuditInput = { at: string; kind: AuditKind; detail: unknown };

export function auditHash(e: Omit<AuditEntry, "hash">): string {
  const { seq, at, kind, detail, prevHash } = e;
  return sha256Hex(canonicalJson({ seq, at, kind, detail, prevHash }));
}

/** The entry that follows `prev` (null: the first entry of the chain). */
export function appendAudit(prev: AuditEntry | null, input: AuditInput): AuditEntry {
  const body = {
    seq: prev ? prev.seq + 1 : 1,
    at: z.iso.datetime({ offset: true }).parse(input.at),
    kind: AuditKind.parse(input.kind),
    // Stored as its JSON round trip, so the entry hashes the same once read back.
    detail: JSON.parse(canonicalJson(input.detail)) as unknown,
    prevHash: prev ? prev.hash : AUDIT_GENESIS,
  };
  return { ...body, hash: auditHash(body) };
}

export type AuditVerdict =
  | { ok: true; count: number; head: string }
  | { ok: false; brokenAt: number; reason: string };

/**
 * Verifies a chain, or a segment of one that continues `anchor` (the last entry before
 * it). The chain alone cannot show that entries were cut off its end: compare `head`
 * with a head recorded elsewhere for that.
 */
export function verifyAuditChain(
  entries: readonly AuditEntry[],
  anchor: { seq: number; hash: string } = { seq: 0, hash: AUDIT_GENESIS },
): AuditVerdict {
  let prevHash = anchor.hash;
  for (const [i, entry] of entries.entries()) {
    const seq = anchor.seq + 1 + i;
    const broken = (reason: string): AuditVerdict => ({ ok: false, brokenAt: seq, reason });
    if (!AuditEntry.safeParse(entry).success) return broken("malformed entry");
    if (entry.seq !== seq) return broken(`expected seq ${seq}, found ${entry.seq}`);
    if (entry.prevHash !== prevHash) return broken("prevHash does not link to the previous entry");
    let hash: string;
    try {
      hash = auditHash(entry);
    } catch {
      return broken("detail is not JSON");
    }
    if (entry.hash !== hash) return broken("hash does not match the entry's content");
    prevHash = entry.hash;
  }
  return { ok: true, count: entries.length, head: prevHash };
}
