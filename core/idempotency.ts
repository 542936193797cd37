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

/**
 * What a lifeline write did, as the AccountDO ledger keeps it: typed facts, not HTTP. The
 * API renders status and headers from it; `body` is the view as first rendered, so a
 * replay answers byte for byte what the first attempt answered.
 */
export type WriteOutcome = {
  target: { kind: WriteTargetKind; id: string };
  created: boolean;
  /** HLC of the write: the account's version after it. */
  version: string;
  /** `pending` until a `region` write is held by a peer or settled as local. */
  durability: "local" | "region" | "pending";
  /**
   * Whether the write recorded events: false when it changed nothing (assigning the owner
   * a customer already has). Absent from ledger rows written before it was kept: unknown.
   */
  changed?: boolean;
  body: string;
};

/** What a write answers with: the record it wrote, by kind. */
export const WRITE_TARGET_KINDS = [
  "customer",
  "contract",
  "payment",
  "service-request",
  "change-request",
  "portal-user",
] as const;
export type WriteTargetKind = (typeof WRITE_TARGET_KINDS)[number];

/** Ledger rows from before outcomes were typed name their target by its path. */
const KIND_OF_PATH = new Map([
  ["customers", "customer"],
  ["contracts", "contract"],
  ["payments", "payment"],
] as const);
const KINDS = new Set<string>(WRITE_TARGET_KINDS);

/**
 * Reads a ledger row's outcome. Rows written before outcomes were typed held an HTTP
 * response (status, headers, body); every such response named its target in `Location`,
 * so it reads as the same outcome. A row that is neither names no target to answer with:
 * it throws (a 500 that says so) rather than replay a guess.
 */
export function outcomeOf(stored: unknown): WriteOutcome {
  const o = (
    typeof stored === "object" && stored !== null ? stored : {}
  ) as Partial<WriteOutcome> & {
    status?: unknown;
    headers?: Record<string, unknown>;
  };
  if (
    typeof o.target === "object" &&
    o.target !== null &&
    KINDS.has(o.target.kind) &&
    typeof o.target.id === "string" &&
    typeof o.body === "string"
  )
    return o as WriteOutcome;
  const headers = typeof o.headers === "object" && o.headers !== null ? o.headers : {};
  const header = (name: string) =>
    Object.hasOwn(headers, name) && typeof headers[name] === "string" ? headers[name] : undefined;
  const [, path = "", id = ""] = /^\/v1\/([a-z]+)\/([^/]+)$/.exec(header("location") ?? "") ?? [];
  const kind = KIND_OF_PATH.get(path as "customers");
  if (!kind || typeof o.body !== "string" || typeof o.status !== "number")
    throw new Error("unreadable idempotency ledger row: neither an outcome nor a stored response");
  const durability = header("lifeline-durability");
  return {
    target: { kind, id },
    created: o.status === 201,
    version: header("lifeline-hlc") ?? "",
    durability: durability === "region" || durability === "local" ? durability : "pending",
    body: o.body,
  };
}

export type LedgerEntry =
  | { state: "pending"; fingerprint: string; createdAtMs: number }
  | { state: "done"; fingerprint: string; createdAtMs: number; response: WriteOutcome };

export type LedgerVerdict =
  | { kind: "new" }
  | { kind: "replay"; response: WriteOutcome }
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
