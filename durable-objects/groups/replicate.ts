// One replication round of a GroupsDO, runtime-agnostic: the transport (signed HTTP in
// workerd, direct calls in Node tests) is a parameter. Pushes send each peer what it
// lacks, at most MAX_PUSHES_PER_PEER batches per round, a failure backing off per peer;
// pulls ask each peer for its journal since this region's cursor, at most MAX_PULL_PAGES
// pages per round, every event checked as a push's are [LF8].
import type { GroupEvent } from "../../core/groups/index.ts";
import { checkGroupEvents } from "../../replication/groups.ts";
import type { QuarantineEntry } from "../../replication/receive.ts";
import type { GroupsEngine } from "./engine.ts";

/** Batches pushed to one peer per round; the rest waits for the next (due at once). */
export const MAX_PUSHES_PER_PEER = 4;
/** Pull pages asked of one peer per round. */
export const MAX_PULL_PAGES = 10;

export type GroupsTransport = {
  push(peer: string, tenantId: string, events: GroupEvent[]): Promise<void>;
  pull(
    peer: string,
    tenantId: string,
    after: number,
  ): Promise<{ events: unknown[]; through: number; more: boolean }>;
  quarantine(entries: QuarantineEntry[]): Promise<void>;
};

/** Pushes to every peer at once; one peer's failure never holds up another. */
export async function pushRound(
  engine: GroupsEngine,
  peers: readonly string[],
  tenantId: string,
  transport: GroupsTransport,
): Promise<void> {
  await Promise.all(
    peers.map(async (peer) => {
      for (let i = 0; i < MAX_PUSHES_PER_PEER; i++) {
        const batch = engine.duePush(peer);
        if (!batch) return;
        try {
          if (batch.events.length > 0) await transport.push(peer, tenantId, batch.events);
          engine.acked(peer, batch.through);
        } catch (err) {
          engine.failed(peer, err instanceof Error ? err.message : String(err));
          return;
        }
      }
    }),
  );
}

export type PullReport = { applied: number; quarantined: number; failed: string[]; more: boolean };

/** Pulls from every peer at once; `more`: some peer had more than this round took. */
export async function pullRound(
  engine: GroupsEngine,
  peers: readonly string[],
  tenantId: string,
  transport: GroupsTransport,
  ctx: { knownRegion: (region: string) => boolean; nowMs: () => number; maxSkewMs?: number },
): Promise<PullReport> {
  const report: PullReport = { applied: 0, quarantined: 0, failed: [], more: false };
  await Promise.all(
    peers.map(async (peer) => {
      try {
        for (let page = 0; page < MAX_PULL_PAGES; page++) {
          const after = engine.pulledFrom(peer);
          const answer = await transport.pull(peer, tenantId, after);
          if (answer.through < after) throw new Error(`${peer}'s pull cursor went back`);
          const checked = checkGroupEvents(answer.events, {
            from: peer,
            tenantId,
            knownRegion: ctx.knownRegion,
            nowMs: ctx.nowMs(),
            maxSkewMs: ctx.maxSkewMs,
          });
          if (checked.quarantined.length > 0) await transport.quarantine(checked.quarantined);
          report.quarantined += checked.quarantined.length;
          report.applied += engine.applyRemote(tenantId, checked.valid).applied;
          engine.setPulled(peer, answer.through);
          if (!answer.more) return;
        }
        report.more = true;
      } catch (err) {
        report.failed.push(`${peer}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  return report;
}
