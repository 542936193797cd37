// GroupsDO: one per (region, tenant), holding the tenant's customer success groups,
// delegations and approval requests (DESIGN §11). A thin shell: storage, the alarm that
// pushes and pulls, and the RPC surface; every rule lives in GroupsEngine and core/groups.
//
// Why one object per tenant, not one per group: a tenant's groups are few and small (a
// few hundred at most, each with ≤ 100 members and ≤ 200 accounts), and an approval is
// judged against the tenant's policy, the request's group and the caller's delegations
// together. In one object that judgement and the decision's record happen in one
// transaction, so two approvals of one request in one region never race, and "my groups"
// or "pending approvals" is one read instead of a fan-out over groups. Its state is a
// journal of tenant-level events merged as a join (like an AccountDO's), so every region
// accepts group changes and decisions while partitioned and converges afterwards [LF3];
// two different decisions of one request become a conflict record, never a silent loss
// [LF6].
//
// Replication: groups are staff data (user ids, roles, account ids, amounts; no customer
// personal data), so every event goes to every other region of the topology. Each peer
// has a cursor over the journal; the alarm pushes what a peer lacks in bounded batches
// over the signed route and retries with bounded exponential backoff; every few minutes
// (and first thing after the object starts) it pulls what each peer holds since its
// cursor, in bounded pages, so a region that was down catches up without an operator.
import { DurableObject } from "cloudflare:workers";
import {
  type ApprovalStatus,
  type ApprovalView,
  accountsOf,
  approvalIds,
  approvalPolicyOf,
  approvalView,
  chiWeightsOf,
  type GroupEvent,
  groupIds,
  groupOfAccount,
  groupsStateHash,
  groupView,
  membersOf,
  rolesOf,
} from "../../core/groups/index.ts";
import { type SlaSetting, slaSettingOf } from "../../core/sla/tenant.ts";
import { jurisdictionKeyOf, type PeerLink } from "../../replication/anti-entropy.ts";
import { pullGroupEvents, pushGroupEvents } from "../../replication/groups.ts";
import { peersOf, regionInfo, regionsOf } from "../../replication/regions.ts";
import { keyRingOf } from "../../replication/signing.ts";
import { wallClock } from "../clock.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { GroupsEngine, type GroupsRequest, type GroupsResult } from "./engine.ts";
import { type GroupsTransport, pullRound, pushRound } from "./replicate.ts";

export type { GroupsOutcome, GroupsRequest, GroupsResult } from "./engine.ts";

/** How often each peer is asked for what this region may have missed. */
export const PULL_INTERVAL_MS = 5 * 60_000;
/** Approval requests a list answers at most (newest first). */
export const MAX_APPROVALS_LISTED = 200;

export type ApprovalFilter = {
  status?: "pending" | "decided";
  /** Only requests of these groups, or requested by `requestedBy` (a rep's own view). */
  groupIds?: string[];
  requestedBy?: string;
  limit?: number;
};

export class GroupsDO extends DurableObject<Env> {
  private engine!: GroupsEngine;
  /** The first alarm after the object starts pulls from every peer. */
  private nextPullMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.engine = new GroupsEngine(durableObjectStore(ctx.storage), {
        region: env.REGION,
        now: wallClock,
        random: () => Math.random(),
        peers: peersOf(env).map((p) => p.region),
      });
    });
  }

  async execute(request: GroupsRequest): Promise<GroupsResult> {
    const result = this.engine.execute(request);
    if (result.kind === "response" && result.outcome.changed && !result.replayed)
      await this.armAlarm();
    return result;
  }

  /**
   * Publishes the tenant's portal visibility policy, validated by its writer (core/portal):
   * stored, merged (highest version wins, then the later HLC) and replicated here as any
   * group event; `document` is its JSON text. A version not above the published one is
   * refused (`invalid-state`).
   */
  async publishPortalPolicy(
    request: Omit<GroupsRequest, "command"> & { version: number; document: string },
  ): Promise<GroupsResult> {
    const { version, document, ...rest } = request;
    const command = {
      type: "portal-policy.publish" as const,
      version,
      document: JSON.parse(document),
    };
    return this.execute({ ...rest, command });
  }

  /** Events a receiver already checked [LF8] (replication/groups.ts). */
  async applyRemote(tenantId: string, events: GroupEvent[]) {
    const result = this.engine.applyRemote(tenantId, events);
    // Forwarded to the regions other than their origin, in case it is lost [LF1].
    if (result.applied > 0) await this.armAlarm();
    return result;
  }

  /** A page of the journal for a peer's pull, its events as JSON text (as they travel). */
  pullPage(afterSeq: number): { events: string; through: number; more: boolean } {
    const page = this.engine.journalPage(afterSeq);
    return { events: JSON.stringify(page.events), through: page.through, more: page.more };
  }

  // --- Reads ---------------------------------------------------------------------------

  groups(nowMs: number) {
    const state = this.engine.current();
    return groupIds(state).map((id) => groupView(state, id, nowMs)!);
  }

  group(groupId: string, nowMs: number) {
    return groupView(this.engine.current(), groupId, nowMs);
  }

  /** The group that owns an account, null when none does. */
  groupOfAccount(accountId: string): string | null {
    return groupOfAccount(this.engine.current(), accountId);
  }

  /** The groups `userId` is a member of, with their role and the groups' account ids. */
  groupsOf(userId: string) {
    const state = this.engine.current();
    return groupIds(state).flatMap((id) => {
      const member = membersOf(state, id).find((m) => m.userId === userId);
      if (!member) return [];
      return [
        {
          groupId: id,
          name: state.groups[id]!.name.value,
          role: member.role,
          accountIds: accountsOf(state, id),
        },
      ];
    });
  }

  settings() {
    const state = this.engine.current();
    return {
      roles: [...rolesOf(state)],
      rolesSource: state.roles ? ("tenant" as const) : ("default" as const),
      policy: approvalPolicyOf(state),
      policySource: state.policy ? ("tenant" as const) : ("default" as const),
      weights: chiWeightsOf(state.weights?.value),
      weightsSource: state.weights ? ("tenant" as const) : ("default" as const),
    };
  }

  /**
   * The tenant's SLA policy for change requests as it is in force here (core/sla/tenant.ts):
   * the published one, or the defaults and why (none published, or one this build cannot
   * read). A change request's filing carries it to the account's object.
   */
  slaSetting(): SlaSetting {
    return slaSettingOf(this.engine.current().slaPolicy ?? null);
  }

  /**
   * The tenant's published portal visibility policy (stored and merged here, validated by
   * its writer), its document as JSON text: RPC carries typed values, not `unknown`.
   */
  portalPolicy(): { version: number; document: string } | null {
    const p = this.engine.current().portalPolicy;
    return p ? { version: p.version, document: JSON.stringify(p.document) } : null;
  }

  /**
   * An approval request as JSON text (null: none): RPC's types cannot carry the view's
   * conflict records (unions of records), so the route parses what this object rendered.
   */
  approval(approvalId: string): string | null {
    const view = approvalView(this.engine.current(), approvalId);
    return view && JSON.stringify(view);
  }

  /** Approval requests, newest first, at most MAX_APPROVALS_LISTED, as JSON text. */
  approvals(filter: ApprovalFilter): string {
    return JSON.stringify(this.approvalViews(filter));
  }

  private approvalViews(filter: ApprovalFilter): ApprovalView[] {
    const state = this.engine.current();
    const limit = Math.min(filter.limit ?? MAX_APPROVALS_LISTED, MAX_APPROVALS_LISTED);
    const wanted: Record<"pending" | "decided", readonly ApprovalStatus[]> = {
      pending: ["pending", "escalated"],
      decided: ["approved", "rejected"],
    };
    const groups = filter.groupIds ? new Set(filter.groupIds) : null;
    const out: ApprovalView[] = [];
    const views = approvalIds(state)
      .map((id) => approvalView(state, id)!)
      .sort((a, b) =>
        a.requestedAt > b.requestedAt
          ? -1
          : a.requestedAt < b.requestedAt
            ? 1
            : a.id < b.id
              ? -1
              : 1,
      );
    for (const view of views) {
      if (out.length >= limit) break;
      if (filter.status && !wanted[filter.status].includes(view.status)) continue;
      if (groups && !groups.has(view.groupId) && view.requestedBy !== filter.requestedBy) continue;
      out.push(view);
    }
    return out;
  }

  /** [LF3] The canonical hash of the tenant's groups state, for comparing regions. */
  stateHash() {
    const state = this.engine.current();
    return { hash: groupsStateHash(state), version: state.version, ...this.engine.outboxStatus() };
  }

  // --- Replication ---------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const tenantId = this.engine.tenantId();
    if (tenantId === null) return;
    try {
      const peers = peersOf(this.env).map((p) => p.region);
      const transport = this.transport();
      await pushRound(this.engine, peers, tenantId, transport);
      if (wallClock() >= this.nextPullMs) {
        const known = new Set(regionsOf(this.env).map((r) => r.region));
        const pulled = await pullRound(this.engine, peers, tenantId, transport, {
          knownRegion: (r) => known.has(r),
          nowMs: () => Date.now(),
        });
        for (const failure of pulled.failed) console.warn("groups pull failed", failure);
        // A peer with more to give is asked again at once; otherwise after the interval.
        this.nextPullMs = pulled.more ? 0 : wallClock() + PULL_INTERVAL_MS;
      }
      this.engine.prune();
      // A push already due (more batches than one round sends, or events just pulled that
      // go on to the other peers) runs at once; otherwise at the next backoff or pull.
      const { nextPushMs } = this.engine.outboxStatus();
      const next = Math.min(nextPushMs ?? Number.POSITIVE_INFINITY, this.nextPullMs);
      await this.ctx.storage.setAlarm(Math.max(next, Date.now()));
    } catch (err) {
      // Re-armed even when a round blew up: the outbox must never stall.
      console.error("groups replication failed", err);
      await this.ctx.storage.setAlarm(Date.now() + 5_000);
    }
  }

  /** Signed HTTP to the peers of REGIONS (replication/groups.ts). */
  private transport(): GroupsTransport {
    const link: PeerLink = {
      ring: keyRingOf(this.env),
      self: { region: this.env.REGION, jurisdiction: this.env.JURISDICTION },
      jurisdictionKey: jurisdictionKeyOf(this.env),
    };
    const peer = (region: string) => {
      const info = regionInfo(this.env, region);
      if (!info) throw new Error(`${region} is not in REGIONS`);
      return info;
    };
    return {
      push: async (region, tenantId, events) => {
        await pushGroupEvents(link, peer(region), tenantId, events);
      },
      pull: (region, tenantId, after) =>
        pullGroupEvents(link, peer(region), {
          v: 1,
          from: this.env.REGION,
          to: region,
          tenantId,
          after,
        }),
      quarantine: async (entries) => {
        await this.env.QUARANTINE.get(this.env.QUARANTINE.idFromName("quarantine")).add(entries);
      },
    };
  }

  private async armAlarm(): Promise<void> {
    if (peersOf(this.env).length === 0) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }
}
