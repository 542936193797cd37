// GroupsDO's runtime-agnostic engine over the narrow SqlStore: the tenant's journal of
// group events, the idempotency ledger and, per peer region, how far that peer has
// acknowledged the journal. A command's events, its state change and its ledger entry
// commit in one transactionSync, so a reply is never sent for a write that could be lost.

import {
  approvalPolicyOf,
  approvalView,
  chiWeightsOf,
  decideGroups,
  delegationView,
  emptyGroups,
  evolveGroups,
  type GroupCommand,
  type GroupError,
  type GroupEvent,
  type GroupsState,
  groupEventId,
  groupView,
  rolesOf,
  type Target,
} from "../../core/groups/index.ts";
import {
  type Actor,
  backoffDelayMs,
  decodeHlc,
  encodeHlc,
  IDEMPOTENCY_RETENTION_MS,
  OUTBOX_BACKOFF,
  receive,
  tick,
  zeroHlc,
} from "../../core/index.ts";
import { slaPolicyView, slaSettingOf } from "../../core/sla/tenant.ts";
import { migrate, type SqlStore, schemaExists } from "../storage/sql-store.ts";

const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL, body TEXT NOT NULL);
   CREATE TABLE ledger (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, created_at_ms INTEGER NOT NULL, outcome TEXT NOT NULL);
   CREATE INDEX ledger_by_age ON ledger (created_at_ms);
   CREATE TABLE peers (region TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT, pulled_seq INTEGER NOT NULL DEFAULT 0)`,
] as const;

/** Events per push or pull page: bounds a receiver's work per request. */
export const GROUP_BATCH = 200;
/** Expired ledger rows pruned per alarm. */
const PRUNE_BATCH = 500;

export type GroupsRequest = {
  tenantId: string;
  idempotencyKey: string;
  fingerprint: string;
  actor: Actor;
  command: GroupCommand;
};

/** What a write did, as the ledger keeps it: a replay answers it byte for byte. */
export type GroupsOutcome = {
  created: boolean;
  /** Whether the write recorded events (false: it changed nothing). */
  changed: boolean;
  /** HLC of the tenant's groups state after the write. */
  version: string;
  target: Target;
  body: string;
  /** The events this write recorded (for the audit entry). */
  eventIds: string[];
};

export type GroupsResult =
  | { kind: "response"; outcome: GroupsOutcome; replayed: boolean }
  | { kind: "mismatch" }
  | { kind: "rejected"; error: GroupError };

export type EngineOptions = {
  region: string;
  now: () => number;
  random: () => number;
  /** Every other region: each receives every event it does not originate. */
  peers: readonly string[];
};

export type PeerRow = {
  region: string;
  acked_seq: number;
  attempts: number;
  next_attempt_ms: number;
  pulled_seq: number;
};

export class GroupsEngine {
  private state: GroupsState = emptyGroups();
  private hasSchema: boolean;

  constructor(
    private readonly store: SqlStore,
    private readonly options: EngineOptions,
  ) {
    // Tables are made by the first write, never by a read: reading a tenant that has no
    // groups leaves nothing stored.
    this.hasSchema = schemaExists(store);
    if (!this.hasSchema) return;
    migrate(store, MIGRATIONS);
    for (const e of this.journal()) this.state = evolveGroups(this.state, e);
  }

  private ensureSchema(tenantId: string): void {
    if (!this.hasSchema) {
      migrate(this.store, MIGRATIONS);
      this.hasSchema = true;
    }
    const held = this.meta("tenantId");
    if (held === null) this.setMeta("tenantId", tenantId);
    else if (held !== tenantId) throw new Error(`this GroupsDO holds ${held}, not ${tenantId}`);
  }

  current(): GroupsState {
    return this.state;
  }

  tenantId(): string | null {
    return this.hasSchema ? this.meta("tenantId") : null;
  }

  execute(req: GroupsRequest): GroupsResult {
    // Judged before any storage exists: a refused first command leaves nothing behind.
    if (!this.hasSchema) {
      const first = decideGroups(this.state, req.command, this.options.now());
      if (!first.ok) return { kind: "rejected", error: first.error };
    }
    this.ensureSchema(req.tenantId);
    return this.store.transactionSync((): GroupsResult => {
      const row = this.store.sql
        .exec<{ fingerprint: string; outcome: string }>(
          "SELECT fingerprint, outcome FROM ledger WHERE key = ?",
          req.idempotencyKey,
        )
        .toArray()[0];
      if (row) {
        if (row.fingerprint !== req.fingerprint) return { kind: "mismatch" };
        return { kind: "response", outcome: JSON.parse(row.outcome), replayed: true };
      }
      const nowMs = this.options.now();
      const decision = decideGroups(this.state, req.command, nowMs);
      if (!decision.ok) return { kind: "rejected", error: decision.error };
      const eventIds: string[] = [];
      let last = this.meta("hlc") ?? encodeHlc(zeroHlc(this.options.region));
      for (const data of decision.events) {
        const hlc = encodeHlc(tick(decodeHlc(last), nowMs));
        const event: GroupEvent = {
          v: 1,
          id: groupEventId(hlc),
          tenantId: req.tenantId,
          hlc,
          region: this.options.region,
          actor: req.actor,
          data,
        };
        this.insert(event);
        this.state = evolveGroups(this.state, event);
        eventIds.push(event.id);
        last = hlc;
      }
      if (eventIds.length > 0) this.setMeta("hlc", last);
      const outcome: GroupsOutcome = {
        created: decision.created,
        changed: eventIds.length > 0,
        version: this.state.version ?? last,
        target: decision.target,
        body: JSON.stringify(render(this.state, decision.target, nowMs)),
        eventIds,
      };
      this.store.sql.exec(
        "INSERT INTO ledger (key, fingerprint, created_at_ms, outcome) VALUES (?, ?, ?, ?)",
        req.idempotencyKey,
        req.fingerprint,
        nowMs,
        JSON.stringify(outcome),
      );
      return { kind: "response", outcome, replayed: false };
    });
  }

  /**
   * Merges events another region sent (already checked [LF8]): deduplicated by id, joined
   * into the state, the clock advanced past them. They join the journal, so the outbox
   * forwards them to the regions other than their origin.
   */
  applyRemote(
    tenantId: string,
    events: readonly GroupEvent[],
  ): { applied: number; duplicates: number } {
    if (events.length === 0) return { applied: 0, duplicates: 0 };
    this.ensureSchema(tenantId);
    return this.store.transactionSync(() => {
      let hlc = decodeHlc(this.meta("hlc") ?? encodeHlc(zeroHlc(this.options.region)));
      let applied = 0;
      for (const event of events) {
        if (event.tenantId !== tenantId)
          throw new Error(`event ${event.id} belongs to tenant ${event.tenantId}`);
        if (!this.insert(event)) continue;
        const merged = receive(
          hlc,
          decodeHlc(event.hlc),
          this.options.now(),
          Number.POSITIVE_INFINITY,
        );
        if (merged.ok) hlc = merged.hlc;
        this.state = evolveGroups(this.state, event);
        applied++;
      }
      if (applied > 0) this.setMeta("hlc", encodeHlc(hlc));
      return { applied, duplicates: events.length - applied };
    });
  }

  /** Inserts an event once; false when the journal already holds it. */
  private insert(event: GroupEvent): boolean {
    return (
      this.store.sql
        .exec(
          "INSERT INTO journal (id, region, body) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq",
          event.id,
          event.region,
          JSON.stringify(event),
        )
        .toArray().length > 0
    );
  }

  journal(): GroupEvent[] {
    if (!this.hasSchema) return [];
    return this.store.sql
      .exec<{ body: string }>("SELECT body FROM journal ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.body) as GroupEvent);
  }

  /**
   * A page of the journal after `afterSeq` (a pull): `through` is where the next page
   * starts (the last position read, or `afterSeq` when nothing was), `more` whether one may.
   */
  journalPage(
    afterSeq: number,
    limit = GROUP_BATCH,
  ): { events: GroupEvent[]; through: number; more: boolean } {
    if (!this.hasSchema) return { events: [], through: afterSeq, more: false };
    const rows = this.store.sql
      .exec<{ seq: number; body: string }>(
        "SELECT seq, body FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray();
    return {
      events: rows.map((r) => JSON.parse(r.body) as GroupEvent),
      through: rows.at(-1)?.seq ?? afterSeq,
      more: rows.length === limit,
    };
  }

  // --- The outbox: one cursor per peer over the journal ----------------------------------

  private peerRow(region: string): PeerRow {
    this.store.sql.exec(
      "INSERT INTO peers (region) VALUES (?) ON CONFLICT (region) DO NOTHING",
      region,
    );
    return this.store.sql
      .exec<PeerRow>(
        "SELECT region, acked_seq, attempts, next_attempt_ms, pulled_seq FROM peers WHERE region = ?",
        region,
      )
      .one();
  }

  /**
   * The next batch `peer` lacks, if it is due: events after its cursor that it did not
   * write itself, at most GROUP_BATCH of them; `through` is the journal position the batch
   * covers (events skipped as the peer's own included).
   */
  duePush(peer: string): { events: GroupEvent[]; through: number } | null {
    if (!this.hasSchema) return null;
    const row = this.peerRow(peer);
    if (row.next_attempt_ms > this.options.now()) return null;
    const rows = this.store.sql
      .exec<{ seq: number; region: string; body: string }>(
        "SELECT seq, region, body FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
        row.acked_seq,
        GROUP_BATCH,
      )
      .toArray();
    if (rows.length === 0) return null;
    return {
      events: rows.filter((r) => r.region !== peer).map((r) => JSON.parse(r.body) as GroupEvent),
      through: rows.at(-1)!.seq,
    };
  }

  /** The peer holds everything through `seq`. */
  acked(peer: string, seq: number): void {
    this.peerRow(peer);
    this.store.sql.exec(
      "UPDATE peers SET acked_seq = max(acked_seq, ?), attempts = 0, next_attempt_ms = 0, last_error = NULL WHERE region = ?",
      seq,
      peer,
    );
  }

  /** A push failed: retried after a bounded exponential backoff. */
  failed(peer: string, error: string): void {
    const row = this.peerRow(peer);
    const attempts = row.attempts + 1;
    const delay = backoffDelayMs(OUTBOX_BACKOFF, attempts, this.options.random());
    this.store.sql.exec(
      "UPDATE peers SET attempts = ?, next_attempt_ms = ?, last_error = ? WHERE region = ?",
      attempts,
      this.options.now() + delay,
      error.slice(0, 500),
      peer,
    );
  }

  pulledFrom(peer: string): number {
    return this.hasSchema ? this.peerRow(peer).pulled_seq : 0;
  }

  setPulled(peer: string, seq: number): void {
    if (!this.hasSchema) return;
    this.peerRow(peer);
    this.store.sql.exec(
      "UPDATE peers SET pulled_seq = max(pulled_seq, ?) WHERE region = ?",
      seq,
      peer,
    );
  }

  /** Events some peer still lacks, and when the next push is due (null: none pending). */
  outboxStatus(): { pending: number; nextPushMs: number | null } {
    if (!this.hasSchema) return { pending: 0, nextPushMs: null };
    let pending = 0;
    let next: number | null = null;
    for (const peer of this.options.peers) {
      const row = this.peerRow(peer);
      const n = this.store.sql
        .exec<{ n: number }>(
          "SELECT count(*) AS n FROM journal WHERE seq > ? AND region <> ?",
          row.acked_seq,
          peer,
        )
        .one().n;
      if (n === 0) {
        // Nothing the peer needs: skip past its own events so the cursor does not lag.
        const top = this.store.sql
          .exec<{ s: number | null }>("SELECT max(seq) AS s FROM journal")
          .one().s;
        if (top !== null && top > row.acked_seq) this.acked(peer, top);
        continue;
      }
      pending += n;
      next = next === null ? row.next_attempt_ms : Math.min(next, row.next_attempt_ms);
    }
    return { pending, nextPushMs: next };
  }

  /** Drops ledger rows older than the retention period, a bounded number per call. */
  prune(): void {
    if (!this.hasSchema) return;
    this.store.sql.exec(
      "DELETE FROM ledger WHERE key IN (SELECT key FROM ledger WHERE created_at_ms < ? LIMIT ?)",
      this.options.now() - IDEMPOTENCY_RETENTION_MS,
      PRUNE_BATCH,
    );
  }

  private meta(key: string): string | null {
    return (
      this.store.sql
        .exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)
        .toArray()[0]?.value ?? null
    );
  }

  private setMeta(key: string, value: string): void {
    this.store.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}

/** The answer a write renders for its target, from the state after it. */
export function render(state: GroupsState, target: Target, nowMs: number): unknown {
  switch (target.kind) {
    case "roles":
      return { roles: [...rolesOf(state)], source: state.roles ? "tenant" : "default" };
    case "policy":
      return { policy: approvalPolicyOf(state), source: state.policy ? "tenant" : "default" };
    case "weights":
      return {
        weights: chiWeightsOf(state.weights?.value),
        source: state.weights ? "tenant" : "default",
      };
    case "portal-policy":
      return (
        state.portalPolicy && {
          version: state.portalPolicy.version,
          document: state.portalPolicy.document,
        }
      );
    case "sla-policy":
      return slaPolicyView(slaSettingOf(state.slaPolicy ?? null));
    case "group":
      return groupView(state, target.id, nowMs);
    case "delegation":
      return delegationView(state, target.id, nowMs);
    case "approval": {
      const approval = approvalView(state, target.id);
      if (!target.verdict) return approval;
      // The decision just recorded: stamped after every event this region holds, so last.
      const recorded = approval?.history.at(-1) ?? null;
      const reason = target.verdict.allowed ? {} : { reason: target.verdict.reason };
      return { approval, decision: recorded && { ...recorded, ...reason } };
    }
  }
}
