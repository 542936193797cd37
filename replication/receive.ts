// Applying a peer's batch: each account's events go to its AccountDO (through `sink`),
// which deduplicates by event id and merges. The reply (2xx) leaves only after every DO
// committed, so the sender may count this region as holding the events durably.
import type { DomainEvent, ReplicationBatchV1 } from "../core/index.ts";
import { type RegionInfo, regionInfo } from "./regions.ts";

export type ApplyReport = { applied: number; duplicates: number; accounts: number };

/** Where a receiver sends one account's events: its AccountDO. */
export type AccountSink = (
  tenantId: string,
  accountId: string,
  events: DomainEvent[],
  masked: boolean,
  from: string,
) => Promise<{ applied: number; duplicates: number }>;

/** Why a whole batch is refused; the HTTP layer renders it as problem+json. */
export type BatchRefusal = { status: 403 | 409; slug: string; title: string; detail: string };

export type ReceiveOutcome =
  | { ok: true; report: ApplyReport }
  | { ok: false; refusal: BatchRefusal };

export async function applyBatch(
  env: { REGION: string; REGIONS: string; JURISDICTION: string },
  batch: ReplicationBatchV1,
  sink: AccountSink,
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
    return refuse(
      403,
      "unknown-region",
      "Unknown sender region",
      `${batch.from} is not in REGIONS.`,
    );
  // [LF4] defence in depth: a region outside the sender's jurisdiction accepts only
  // masked projections; the sender masks, the receiver refuses anything else.
  if (sender.jurisdiction !== env.JURISDICTION && !batch.masked) {
    return refuse(
      403,
      "unmasked-cross-border",
      "Unmasked data may not cross this border",
      `${batch.from} (${sender.jurisdiction}) sent unmasked events to ${env.JURISDICTION}.`,
    );
  }
  const byAccount = new Map<string, DomainEvent[]>();
  for (const e of batch.events) {
    const k = `${e.tenantId}/${e.accountId}`;
    const list = byAccount.get(k);
    if (list) list.push(e);
    else byAccount.set(k, [e]);
  }
  const results = await Promise.all(
    [...byAccount.values()].map((events) => {
      const { tenantId, accountId } = events[0]!;
      return sink(tenantId, accountId, events, batch.masked, batch.from);
    }),
  );
  return {
    ok: true,
    report: {
      applied: results.reduce((n, r) => n + r.applied, 0),
      duplicates: results.reduce((n, r) => n + r.duplicates, 0),
      accounts: results.length,
    },
  };
}

function refuse(status: 403 | 409, slug: string, title: string, detail: string): ReceiveOutcome {
  return { ok: false, refusal: { status, slug, title, detail } };
}
