// Receiving a peer's batch [LF8][LF4]: the envelope is checked whole (addressed here, from
// a region of the map), then every event on its own (core's checkRemoteEvent). Events that
// pass go to their AccountDO (through `sink`), which deduplicates by event id and merges;
// events that fail are quarantined for an operator to list and redrive, and never fail the
// rest of the batch. The reply (2xx) leaves only after every DO committed and every
// quarantined event was stored, so the sender may count this region as holding them.
import {
  checkRemoteEvent,
  DEFAULT_MAX_EVENT_SKEW_MS,
  type DomainEvent,
  type EventRule,
  type FieldPolicy,
  type ReplicationBatchV1,
} from "../core/index.ts";
import { acceptLedger, type LedgerShare } from "../core/ledger-share.ts";
import { jurisdictionLookup, type RegionInfo, regionInfo } from "./regions.ts";

export type ApplyReport = {
  applied: number;
  duplicates: number;
  accounts: number;
  quarantined: number;
  /** Idempotency ledger entries adopted from a peer of this jurisdiction, and refused. */
  ledger: { adopted: number; refused: number };
};

/** Where a receiver sends one account's checked events: its AccountDO. */
export type AccountSink = (
  tenantId: string,
  accountId: string,
  events: DomainEvent[],
  from: string,
  ledger: LedgerShare[],
) => Promise<{ applied: number; duplicates: number }>;

/** An event that failed a rule, kept as it arrived. */
export type QuarantineEntry = {
  from: string;
  rule: EventRule;
  reason: string;
  tenantId: string | null;
  eventId: string | null;
  /** The event as received (JSON), for redrive. */
  raw: string;
  forwarded: boolean;
};

export type ReceiveDeps = {
  sink: AccountSink;
  /** The tenants among `ids` that this region knows, with their field policies. */
  tenants: (ids: string[]) => Promise<Map<string, FieldPolicy>>;
  quarantine: (entries: QuarantineEntry[]) => Promise<void>;
  nowMs: number;
  maxSkewMs?: number;
};

/** Why a whole batch is refused; the HTTP layer renders it as problem+json. */
export type BatchRefusal = { status: 403 | 409; slug: string; title: string; detail: string };

export type ReceiveOutcome =
  | { ok: true; report: ApplyReport }
  | { ok: false; refusal: BatchRefusal };

type ReceiverEnv = { REGION: string; REGIONS: string; JURISDICTION: string };

export async function applyBatch(
  env: ReceiverEnv,
  batch: ReplicationBatchV1,
  deps: ReceiveDeps,
): Promise<ReceiveOutcome> {
  if (batch.to !== env.REGION) {
    return refuse(
      409,
      "misdirected",
      "Batch addressed to another region",
      `This is ${env.REGION}; the batch is for ${batch.to}.`,
    );
  }
  const sender: RegionInfo | undefined = regionInfo(env, batch.from);
  if (!sender)
    return refuse(403, "unknown-region", "Unknown sender region", "The sender is not in REGIONS.");

  const checked = await checkEvents(env, batch, deps);
  const byAccount = new Map<string, { events: DomainEvent[]; ledger: LedgerShare[] }>();
  for (const e of checked.valid) {
    const k = `${e.tenantId}/${e.accountId}`;
    const group = byAccount.get(k);
    if (group) group.events.push(e);
    else byAccount.set(k, { events: [e], ledger: [] });
  }
  const ledger = acceptLedger(batch.ledger, {
    from: batch.from,
    sameJurisdiction: sender.jurisdiction === env.JURISDICTION,
    valid: checked.valid,
  });
  for (const { tenantId, accountId, ...share } of ledger.adopted)
    byAccount.get(`${tenantId}/${accountId}`)?.ledger.push(share);
  const [results] = await Promise.all([
    Promise.all(
      [...byAccount.values()].map(({ events, ledger }) => {
        const { tenantId, accountId } = events[0]!;
        return deps.sink(tenantId, accountId, events, batch.from, ledger);
      }),
    ),
    checked.quarantined.length > 0 ? deps.quarantine(checked.quarantined) : undefined,
  ]);
  return {
    ok: true,
    report: {
      applied: results.reduce((n, r) => n + r.applied, 0),
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      accounts: results.length,
      quarantined: checked.quarantined.length,
      ledger: { adopted: ledger.adopted.length, refused: ledger.refused },
    },
  };
}

/** Runs every event of a batch through core's rules; the verdicts split the batch in two. */
export async function checkEvents(
  env: ReceiverEnv,
  batch: Pick<ReplicationBatchV1, "from" | "to" | "events" | "forwarded">,
  deps: Pick<ReceiveDeps, "tenants" | "nowMs" | "maxSkewMs">,
): Promise<{ valid: DomainEvent[]; quarantined: QuarantineEntry[] }> {
  const tenantIds = new Set<string>();
  for (const raw of batch.events) {
    if (typeof raw === "object" && raw !== null && Object.hasOwn(raw, "tenantId")) {
      const t = (raw as { tenantId: unknown }).tenantId;
      if (typeof t === "string" && t.length <= 64) tenantIds.add(t);
    }
  }
  const tenants = tenantIds.size > 0 ? await deps.tenants([...tenantIds]) : new Map();
  const forwarded = new Set(batch.forwarded ?? []);
  const valid: DomainEvent[] = [];
  const quarantined: QuarantineEntry[] = [];
  for (const raw of batch.events) {
    const verdict = checkRemoteEvent(raw, {
      from: batch.from,
      to: batch.to,
      forwarded,
      jurisdictionOf: jurisdictionLookup(env),
      tenantKnown: (t) => tenants.has(t),
      policyOf: (t) => tenants.get(t)!,
      nowMs: deps.nowMs,
      maxSkewMs: deps.maxSkewMs ?? DEFAULT_MAX_EVENT_SKEW_MS,
    });
    if (verdict.ok) {
      valid.push(verdict.event);
      continue;
    }
    quarantined.push({
      from: batch.from,
      rule: verdict.rule,
      reason: verdict.reason,
      tenantId: verdict.tenantId,
      eventId: verdict.eventId,
      raw: JSON.stringify(raw),
      forwarded: verdict.eventId !== null && forwarded.has(verdict.eventId),
    });
  }
  return { valid, quarantined };
}

function refuse(status: 403 | 409, slug: string, title: string, detail: string): ReceiveOutcome {
  return { ok: false, refusal: { status, slug, title, detail } };
}
