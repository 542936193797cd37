// Anti-entropy wired to a region (the wire and the walk: replication/anti-entropy.ts): the
// directory knows which tenants and accounts this region holds, each AccountDO hashes and
// pages its own journal. Both sides live here: the requester's round (run by the RegionDO
// every ANTI_ENTROPY_INTERVAL_MS and by `npm run chaos -- repair`) and the responder's
// answers (the replication routes). Pulled batches take the receiver's path [LF8].
import { DEFAULT_FIELD_POLICY, ReplicationBatchV1 } from "../../core/index.ts";
import {
  answerDigestWith,
  callPeer,
  DIGEST_PATH,
  DigestAnswerV1,
  type DigestRequestV1,
  describeRepair,
  jurisdictionKeyOf,
  type PeerRepair,
  PULL_PATH,
  PullAnswerV1,
  type PullRequestV1,
  type RepairCursor,
  type RepairDeps,
  type RepairLimits,
  repairRound,
} from "../../replication/anti-entropy.ts";
import { applyBatch, type ReceiveDeps } from "../../replication/receive.ts";
import { peersOf, type RegionInfo } from "../../replication/regions.ts";
import { keyRingOf } from "../../replication/signing.ts";
import { accountStub } from "../stubs.ts";

/** A pull answer carries one batch: at most MAX_BATCH_EVENTS events of a few KiB each. */
export const MAX_PULL_ANSWER_BYTES = 4 * 1024 * 1024;
const MAX_DIGEST_ANSWER_BYTES = 256 * 1024;
/** The periodic job's interval when ANTI_ENTROPY_INTERVAL_MS is not set. */
const DEFAULT_INTERVAL_MS = 5 * 60_000;
/** A round never runs longer than this, nor longer than half its interval. */
const MAX_ROUND_MS = 30_000;

/** Per peer and round: enough for a drill, bounded for a big tenant (the walk resumes). */
export const ROUND_LIMITS = { maxAccounts: 5_000, maxPulls: 200 } as const;

const directoryOf = (env: Env) => env.DIRECTORY.get(env.DIRECTORY.idFromName("directory"));

/** How a receiver checks and applies a batch: a peer's push and a pulled page alike. */
export function receiverDeps(env: Env, nowMs = Date.now()): ReceiveDeps {
  return {
    nowMs,
    maxSkewMs: env.REPLICATION_MAX_SKEW_MS ? Number(env.REPLICATION_MAX_SKEW_MS) : undefined,
    sink: (tenantId, accountId, events, from, ledger) =>
      accountStub(env, tenantId, accountId).applyRemote(tenantId, accountId, events, from, ledger),
    tenants: async (ids) => {
      const rows = await directoryOf(env).tenantPolicies(ids);
      return new Map(rows.map((r) => [r.id, r.policy ?? DEFAULT_FIELD_POLICY]));
    },
    quarantine: async (entries) => {
      await env.QUARANTINE.get(env.QUARANTINE.idFromName("quarantine")).add(entries);
    },
  };
}

/** The requester's side of a round, wired to this region's objects and its peers. */
export function repairDeps(env: Env): RepairDeps {
  const self = { region: env.REGION, jurisdiction: env.JURISDICTION };
  const config = {
    ring: keyRingOf(env),
    self,
    jurisdictionKey: jurisdictionKeyOf(env),
  };
  return {
    self,
    tenants: (after, limit) => directoryOf(env).tenantIds(after, limit),
    ownAccounts: (tenantId, after, limit) =>
      directoryOf(env).accountsBetween(tenantId, after, null, limit),
    ownEntry: (tenantId, accountId) => accountStub(env, tenantId, accountId).digestFor(env.REGION),
    digest: (peer, request) =>
      callPeer(
        { ...config, maxAnswerBytes: MAX_DIGEST_ANSWER_BYTES },
        peer,
        DIGEST_PATH,
        request,
        DigestAnswerV1,
      ),
    pull: (peer, request) =>
      callPeer(
        { ...config, maxAnswerBytes: MAX_PULL_ANSWER_BYTES },
        peer,
        PULL_PATH,
        request,
        PullAnswerV1,
      ),
    apply: async (peer, raw) => {
      const parsed = ReplicationBatchV1.safeParse(raw);
      if (!parsed.success || parsed.data.from !== peer.region)
        throw new Error(`${peer.region} answered a pull with a malformed batch`);
      const outcome = await applyBatch(env, parsed.data, receiverDeps(env));
      if (!outcome.ok) throw new Error(`pulled batch refused: ${outcome.refusal.detail}`);
      return { applied: outcome.report.applied, quarantined: outcome.report.quarantined };
    },
    nowMs: () => Date.now(),
  };
}

export type RoundReport = { region: string; ms: number; peers: PeerRepair[] };

/** One round against `peers` (default: every peer), bounded by `limits`. */
export async function runRepairRound(
  env: Env,
  options: {
    peers?: readonly RegionInfo[];
    budgetMs?: number;
    limits?: Partial<Omit<RepairLimits, "deadlineMs">>;
    cursors?: Map<string, RepairCursor>;
  } = {},
): Promise<RoundReport> {
  const startedMs = Date.now();
  const peers = options.peers ?? peersOf(env);
  const limits: RepairLimits = {
    deadlineMs: startedMs + (options.budgetMs ?? MAX_ROUND_MS),
    ...ROUND_LIMITS,
    ...options.limits,
  };
  const reports = await repairRound(repairDeps(env), peers, limits, options.cursors);
  return { region: env.REGION, ms: Date.now() - startedMs, peers: reports };
}

// --- The responder ---------------------------------------------------------------------

/** This region's digest of the requested range (replication/anti-entropy.ts). */
export function answerDigest(env: Env, request: DigestRequestV1, requester: RegionInfo) {
  return answerDigestWith(
    {
      accounts: (tenantId, after, through, limit) =>
        directoryOf(env).accountsBetween(tenantId, after, through, limit),
      entry: (tenantId, accountId, asRegion) =>
        accountStub(env, tenantId, accountId).digestFor(asRegion),
    },
    env.JURISDICTION,
    request,
    requester,
  );
}

/** One page of an account's journal as this region's outbox would ship it to the requester. */
export function answerPull(
  env: Env,
  request: PullRequestV1,
): Promise<{ batch: unknown; next: number | null }> {
  return accountStub(env, request.tenantId, request.accountId).pullFor(request.from, request.after);
}

// --- The periodic job ------------------------------------------------------------------

/** ANTI_ENTROPY_INTERVAL_MS (at least a second), null when "0" (off) or not a number. */
export function intervalOf(env: Pick<Env, "ANTI_ENTROPY_INTERVAL_MS">): number | null {
  const raw = env.ANTI_ENTROPY_INTERVAL_MS;
  if (raw === undefined || raw === "") return DEFAULT_INTERVAL_MS;
  const ms = Number(raw);
  return Number.isFinite(ms) && ms > 0 ? Math.max(ms, 1_000) : null;
}

/**
 * The periodic round, ticked by the RegionDO's probe alarm: one round at a time, the first
 * one interval after the object woke, never awaited by the tick (the probes go on). Each
 * peer's walk resumes where the last round's limits stopped it.
 */
export class AntiEntropyJob {
  private nextAtMs: number | null = null;
  private running: Promise<void> | null = null;
  private readonly cursors = new Map<string, RepairCursor>();

  constructor(private readonly env: Env) {}

  /** Never throws: the probe loop that calls it must go on whatever this job does. */
  tick(nowMs: number): void {
    const interval = intervalOf(this.env);
    if (interval === null) {
      if (this.nextAtMs === null && this.env.ANTI_ENTROPY_INTERVAL_MS !== "0")
        console.error(
          `[anti-entropy] ANTI_ENTROPY_INTERVAL_MS=${this.env.ANTI_ENTROPY_INTERVAL_MS} is not a number of ms: the periodic job is off`,
        );
      this.nextAtMs = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.running) return;
    if (this.nextAtMs === null || this.nextAtMs > nowMs + interval) {
      this.nextAtMs = nowMs + interval;
      return;
    }
    if (nowMs < this.nextAtMs) return;
    this.nextAtMs = nowMs + interval;
    this.running = runRepairRound(this.env, {
      budgetMs: Math.min(MAX_ROUND_MS, interval / 2),
      cursors: this.cursors,
    })
      .then((round) => {
        for (const r of round.peers)
          if (!r.reachable || r.differing > 0 || r.error)
            console.log(`[anti-entropy] ${describeRepair(round.region, r)}`);
      })
      .catch((err: unknown) =>
        console.error("[anti-entropy] round failed", err instanceof Error ? err.message : err),
      )
      .finally(() => {
        this.running = null;
      });
  }
}
