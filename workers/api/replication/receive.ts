// Applying a peer's batch: each account's events go to its AccountDO, which deduplicates
// by event id and merges. The reply (2xx) leaves only after every DO committed, so the
// sender may count this region as holding the events durably.
import type { ReplicationBatchV1 } from "../../../core/index.ts";
import { Problem } from "../errors.ts";
import { accountStub } from "../stubs.ts";
import { regionInfo } from "./regions.ts";

export type ApplyReport = { applied: number; duplicates: number; accounts: number };

export async function applyBatch(env: Env, batch: ReplicationBatchV1): Promise<ApplyReport> {
  if (batch.to !== env.REGION) {
    throw new Problem(
      409,
      "misdirected",
      "Batch addressed to another region",
      `This is ${env.REGION}; the batch is for ${batch.to}.`,
    );
  }
  const sender = regionInfo(env, batch.from);
  if (!sender)
    throw new Problem(
      403,
      "unknown-region",
      "Unknown sender region",
      `${batch.from} is not in REGIONS.`,
    );
  // [LF4] defence in depth: a region outside the sender's jurisdiction accepts only
  // masked projections; the sender masks, the receiver refuses anything else.
  if (sender.jurisdiction !== env.JURISDICTION && !batch.masked) {
    throw new Problem(
      403,
      "unmasked-cross-border",
      "Unmasked data may not cross this border",
      `${batch.from} (${sender.jurisdiction}) sent unmasked events to ${env.JURISDICTION}.`,
    );
  }
  const byAccount = new Map<string, ReplicationBatchV1["events"]>();
  for (const e of batch.events) {
    const k = `${e.tenantId}/${e.accountId}`;
    byAccount.set(k, [...(byAccount.get(k) ?? []), e]);
  }
  const results = await Promise.all(
    [...byAccount.values()].map((events) => {
      const { tenantId, accountId } = events[0]!;
      return accountStub(env, tenantId, accountId).applyRemote(
        tenantId,
        accountId,
        events,
        batch.masked,
        batch.from,
      );
    }),
  );
  return {
    applied: results.reduce((n, r) => n + r.applied, 0),
    duplicates: results.reduce((n, r) => n + r.duplicates, 0),
    accounts: results.length,
  };
}
