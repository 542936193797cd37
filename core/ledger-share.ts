// [LF2] Idempotency across the regions of one jurisdiction. A client that fails over
// retries with the same Idempotency-Key in the other region; once the first attempt has
// replicated, that retry must be a true replay (same status, same body, marked replayed),
// not a second answer. So a batch to a peer of the sender's own jurisdiction carries the
// idempotency ledger entries of the writes whose events it carries, and the receiver
// adopts them. Before they arrive, the natural key (tax id, client id, or the key itself
// for the account id) still makes the retry one effect.
//
// Never abroad: an entry's body is the first answer, unmasked personal data included.
// A receiver takes an entry only from a peer of its own jurisdiction, and only when every
// event it names came in the same batch from that peer, for one account.
import { z } from "zod";
import { SHA256_HEX } from "./crypto/sha256.ts";
import type { DomainEvent } from "./events.ts";
import { WRITE_TARGET_KINDS } from "./idempotency.ts";

export const MAX_SHARED_BODY_CHARS = 256 * 1024;

export const LedgerShare = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x20-\x7e]+$/),
  fingerprint: z.string().regex(SHA256_HEX),
  eventIds: z.array(z.string().min(1).max(200)).min(1).max(64),
  outcome: z.strictObject({
    target: z.strictObject({
      kind: z.enum(WRITE_TARGET_KINDS),
      id: z.string().min(1).max(200),
    }),
    created: z.boolean(),
    version: z.string().max(64),
    durability: z.enum(["local", "region", "pending"]),
    // Absent from entries written before outcomes said whether the write changed anything.
    changed: z.boolean().optional(),
    body: z.string().max(MAX_SHARED_BODY_CHARS),
  }),
});
export type LedgerShare = z.infer<typeof LedgerShare>;

/** The entries a batch from `from` may carry: inside the jurisdiction, for its own events in it. */
export function shareableLedger(
  entries: readonly LedgerShare[],
  batchEvents: readonly DomainEvent[],
  from: string,
  sameJurisdiction: boolean,
): LedgerShare[] {
  if (!sameJurisdiction) return [];
  const own = new Set(batchEvents.filter((e) => e.region === from).map((e) => e.id));
  return entries.filter((e) => e.eventIds.length > 0 && e.eventIds.every((id) => own.has(id)));
}

export type AdoptedShare = LedgerShare & { tenantId: string; accountId: string };

/**
 * What a receiver adopts of a batch's `ledger`: well-formed entries from a peer of its own
 * jurisdiction whose events all arrived, valid, in this batch from that peer, for one
 * account. Anything else is refused (counted, never stored).
 */
export function acceptLedger(
  raw: readonly unknown[] | undefined,
  ctx: { from: string; sameJurisdiction: boolean; valid: readonly DomainEvent[] },
): { adopted: AdoptedShare[]; refused: number } {
  if (!raw || raw.length === 0) return { adopted: [], refused: 0 };
  if (!ctx.sameJurisdiction) return { adopted: [], refused: raw.length };
  const byId = new Map(ctx.valid.filter((e) => e.region === ctx.from).map((e) => [e.id, e]));
  const adopted: AdoptedShare[] = [];
  for (const entry of raw) {
    const parsed = LedgerShare.safeParse(entry);
    if (!parsed.success) continue;
    const events = parsed.data.eventIds.map((id) => byId.get(id));
    const first = events[0];
    if (
      !first ||
      events.some((e) => !e || e.tenantId !== first.tenantId || e.accountId !== first.accountId)
    )
      continue;
    adopted.push({ ...parsed.data, tenantId: first.tenantId, accountId: first.accountId });
  }
  return { adopted, refused: raw.length - adopted.length };
}
