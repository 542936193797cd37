// The keyed hash chain of a region's audit log [LF7]: each entry's MAC (HMAC-SHA256 with
// the region's audit key) commits to its predecessor's, so changing, deleting, inserting
// or reordering any entry breaks verification from there, and someone who can write the
// region's storage but does not hold the key cannot recompute a chain that verifies.
import { z } from "zod";
import { hmacSha256Hex } from "../crypto/hmac.ts";
import { SHA256_HEX } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";

/** prevHash of the first entry of a chain. */
export const AUDIT_GENESIS = "0".repeat(64);

/** An audit key shorter than this (in UTF-8 bytes) is refused: HMAC-SHA256 wants 256 bits. */
export const MIN_AUDIT_KEY_BYTES = 32;

const Hex64 = z.string().regex(SHA256_HEX);

export const AuditKind = z.enum([
  "cross-border-transfer",
  "degradation-mode",
  "conflict-recorded",
  "policy-change",
  "key-rotation",
  "relay-transfer",
  "owner-assigned",
  /** A customer success group, its members, accounts, delegations or a tenant setting changed. */
  "group-change",
  /** An approval request decided or escalated: who, what, under which delegation. */
  "approval-decision",
  /** A portal user's question: what it was understood as and how much it returned. */
  "portal-query",
  /** A tenant's portal visibility policy published (version, by whom). */
  "portal-policy",
  /** A portal user invited, activated or disabled. */
  "portal-user",
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

/** A position in a chain: the seq of an entry and its hash (seq 0: the genesis). */
export type AuditHead = { seq: number; hash: string };
export const AUDIT_START: AuditHead = { seq: 0, hash: AUDIT_GENESIS };

/**
 * The region's audit key, checked: a missing or short key is a deployment error, refused
 * with a message that says what to set (`name` is the secret's name, for that message).
 */
export function auditKey(raw: string | undefined, name = "AUDIT_KEY"): string {
  if (!raw) throw new Error(`${name} is not set: the audit chain needs a secret key`);
  const bytes = new TextEncoder().encode(raw).length;
  if (bytes < MIN_AUDIT_KEY_BYTES)
    throw new Error(`${name} is ${bytes} bytes; it must be at least ${MIN_AUDIT_KEY_BYTES}`);
  return raw;
}

export function auditHash(key: string, e: Omit<AuditEntry, "hash">): string {
  const { seq, at, kind, detail, prevHash } = e;
  return hmacSha256Hex(key, canonicalJson({ seq, at, kind, detail, prevHash }));
}

/** The entry that follows `prev` (null: the first entry of the chain). */
export function appendAudit(key: string, prev: AuditEntry | null, input: AuditInput): AuditEntry {
  const body = {
    seq: prev ? prev.seq + 1 : 1,
    at: z.iso.datetime({ offset: true }).parse(input.at),
    kind: AuditKind.parse(input.kind),
    // Stored as its JSON round trip, so the entry hashes the same once read back.
    detail: JSON.parse(canonicalJson(input.detail)) as unknown,
    prevHash: prev ? prev.hash : AUDIT_GENESIS,
  };
  return { ...body, hash: auditHash(key, body) };
}

/** What a broken verdict found: a link that does not hold, or a chain that disagrees with a checkpoint. */
export type AuditFinding = "chain-broken" | "checkpoint-differs" | "entries-removed";

export type AuditVerdict =
  | { ok: true; count: number; head: AuditHead }
  | { ok: false; brokenAt: number; finding: AuditFinding; reason: string };

/**
 * Verifies a chain, or a segment of one that continues `anchor` (the last entry before
 * it). The chain alone cannot show that entries were cut off its end: see
 * `verifyAuditLog`, which also checks heads recorded elsewhere (checkpoints).
 */
export function verifyAuditChain(
  key: string,
  entries: readonly AuditEntry[],
  anchor: AuditHead = AUDIT_START,
): AuditVerdict {
  let prevHash = anchor.hash;
  for (const [i, entry] of entries.entries()) {
    const seq = anchor.seq + 1 + i;
    const broken = (reason: string): AuditVerdict => ({
      ok: false,
      brokenAt: seq,
      finding: "chain-broken",
      reason,
    });
    if (!AuditEntry.safeParse(entry).success) return broken("malformed entry");
    if (entry.seq !== seq) return broken(`expected seq ${seq}, found ${entry.seq}`);
    if (entry.prevHash !== prevHash) return broken("prevHash does not link to the previous entry");
    let hash: string;
    try {
      hash = auditHash(key, entry);
    } catch {
      return broken("detail is not JSON");
    }
    if (entry.hash !== hash) return broken("hash does not match the entry's content");
    prevHash = entry.hash;
  }
  return {
    ok: true,
    count: entries.length,
    head: { seq: anchor.seq + entries.length, hash: prevHash },
  };
}

/** Reads at most `limit` entries with seq greater than `afterSeq`, in seq order. */
export type AuditPageReader = (afterSeq: number, limit: number) => readonly AuditEntry[];

/** Entries held in memory at once by `verifyAuditLog` unless told otherwise. */
export const AUDIT_VERIFY_PAGE = 500;

/**
 * Verifies a whole log page by page (at most `pageSize` entries in memory), carrying the
 * last entry of each page as the next page's anchor. Every checkpoint (a head recorded
 * outside this region) must be on the chain: a checkpoint past the end means entries
 * were cut off; a different hash at its seq means history was rewritten. `onEntry` sees
 * each verified entry (e.g. to count those of one tenant) without keeping it.
 */
export function verifyAuditLog(
  key: string,
  read: AuditPageReader,
  options: {
    checkpoints?: readonly AuditHead[];
    pageSize?: number;
    onEntry?: (entry: AuditEntry) => void;
  } = {},
): AuditVerdict {
  const pageSize = options.pageSize ?? AUDIT_VERIFY_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error("pageSize must be ≥ 1");
  const pending = [...(options.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
  let anchor = AUDIT_START;
  let count = 0;
  const passCheckpoints = (upTo: AuditHead, hashAt: (seq: number) => string | undefined) => {
    while (pending.length > 0 && pending[0]!.seq <= upTo.seq) {
      const cp = pending.shift()!;
      if (hashAt(cp.seq) !== cp.hash)
        return {
          ok: false as const,
          brokenAt: cp.seq,
          finding: "checkpoint-differs" as const,
          reason: "differs from a checkpoint held by a peer region",
        };
    }
    return null;
  };
  const atStart = passCheckpoints(AUDIT_START, (seq) => (seq === 0 ? AUDIT_GENESIS : undefined));
  if (atStart) return atStart;
  for (;;) {
    const page = read(anchor.seq, pageSize);
    if (page.length > pageSize) throw new Error("page reader returned more than asked for");
    const verdict = verifyAuditChain(key, page, anchor);
    if (!verdict.ok) return verdict;
    const first = anchor.seq + 1;
    const missed = passCheckpoints(verdict.head, (seq) => page[seq - first]?.hash);
    if (missed) return missed;
    if (options.onEntry) for (const e of page) options.onEntry(e);
    count += page.length;
    anchor = verdict.head;
    if (page.length < pageSize) break;
  }
  const beyond = pending.at(-1);
  if (beyond)
    return {
      ok: false,
      brokenAt: anchor.seq + 1,
      finding: "entries-removed",
      reason: `the chain ends at seq ${anchor.seq}, but a peer region holds a checkpoint at seq ${beyond.seq}: entries were removed`,
    };
  return { ok: true, count, head: anchor };
}
