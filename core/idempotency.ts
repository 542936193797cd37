// Idempotency-Key semantics (IETF draft-ietf-httpapi-idempotency-key-header): the first
// request with a key takes effect; a replay returns its response; the same key with a
// different payload is 422; a duplicate while the first is in flight is 409.
import { sha256Hex } from "./crypto/sha256.ts";
import { canonicalJson } from "./encoding.ts";

/** Keys are kept at least this long; the draft suggests a day, Stripe keeps 24 h, we keep 35 days. */
export const IDEMPOTENCY_RETENTION_MS = 35 * 24 * 60 * 60 * 1000;

export type ParsedKey = { ok: true; key: string } | { ok: false; reason: string };

/**
 * The header is a Structured Field string (`"abc"`); a bare token is accepted too, as
 * most clients send one. 1–255 printable ASCII characters.
 */
export function parseIdempotencyKey(header: string | null | undefined): ParsedKey {
  if (header === null || header === undefined) return { ok: false, reason: "missing" };
  let key = header.trim();
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"')) key = key.slice(1, -1);
  if (key.length === 0 || key.length > 255)
    return { ok: false, reason: "must be 1 to 255 characters" };
  if (!/^[\x20-\x7e]+$/.test(key)) return { ok: false, reason: "must be printable ASCII" };
  return { ok: true, key };
}

/** What identifies "the same request": method, route and the parsed body, canonicalised. */
export function fingerprint(method: string, path: string, body: unknown): string {
  return sha256Hex(canonicalJson({ method: method.toUpperCase(), path, body: body ?? null }));
}

export type StoredResponse = { status: number; headers: Record<string, string>; body: string };

export type LedgerEntry =
  | { state: "pending"; fingerprint: string; createdAtMs: number }
  | { state: "done"; fingerprint: string; createdAtMs: number; response: StoredResponse };

export type LedgerVerdict =
  | { kind: "new" }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "in-flight" };

export function judge(entry: LedgerEntry | null, requestFingerprint: string): LedgerVerdict {
  if (!entry) return { kind: "new" };
  if (entry.fingerprint !== requestFingerprint) return { kind: "mismatch" };
  if (entry.state === "pending") return { kind: "in-flight" };
  return { kind: "replay", response: entry.response };
}

/** A key's claim at the tenant-wide key registry, which sees every use of a key. */
export type KeyClaim = { fingerprint: string; state: "pending" | "done"; leaseUntilMs: number };
export type ClaimVerdict = "ok" | "mismatch" | "in-flight";

/** How long a claimed key blocks duplicates before a crashed first attempt is presumed dead. */
export const KEY_LEASE_MS = 30_000;

export function judgeClaim(
  claim: KeyClaim | null,
  requestFingerprint: string,
  nowMs: number,
): ClaimVerdict {
  if (!claim) return "ok";
  if (claim.fingerprint !== requestFingerprint) return "mismatch";
  if (claim.state === "pending" && claim.leaseUntilMs > nowMs) return "in-flight";
  return "ok";
}
