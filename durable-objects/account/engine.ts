// AccountDO's runtime-agnostic engine: the event journal, the idempotency ledger and the
// outbox, changed together in one transactionSync per command, so a reply is never sent
// for a command whose effects (or whose ledger entry) could still be lost.
import {
  type AccountState,
  type Actor,
  backoffDelayMs,
  type ChangeRequestState,
  type ChangeRequestView,
  type Command,
  type ContractView,
  type CustomerView,
  changeRequestView,
  changeRequestViews,
  changeStatus,
  contractView,
  customerView,
  type Decision,
  type DomainError,
  type DomainEvent,
  decide,
  decodeHlc,
  type EventData,
  emptyAccount,
  encodeHlc,
  evolve,
  IDEMPOTENCY_RETENTION_MS,
  judge,
  type LedgerEntry,
  MAX_BATCH_EVENTS,
  type MilestoneView,
  OUTBOX_BACKOFF,
  outcomeOf,
  type PaymentView,
  type PortalUserLogin,
  type PortalUserView,
  paymentViewOf,
  portalUserLogin,
  portalUserView,
  portalUserViews,
  receive,
  type ServiceRequestView,
  type SlaMark,
  serviceRequestView,
  serviceRequestViews,
  type Target,
  tick,
  type WriteOutcome,
  zeroHlc,
} from "../../core/index.ts";
import type { LedgerShare } from "../../core/ledger-share.ts";
import type { PlantedBugs } from "../../core/planted-bugs.ts";
import { migrate, type SqlStore, schemaExists } from "../storage/sql-store.ts";
import { businessHoursClock, type SlaClock } from "./sla-clock.ts";

type Accepted = Extract<Decision, { ok: true }>;

const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, hlc TEXT NOT NULL, body TEXT NOT NULL);
   CREATE TABLE idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, created_at_ms INTEGER NOT NULL, response TEXT);
   CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT NOT NULL, event_id TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, last_error TEXT);
   CREATE INDEX outbox_due ON outbox (next_attempt_ms)`,
  // A `region`-survival write stays pending (response stored) until a peer holds its events.
  `ALTER TABLE idempotency ADD COLUMN event_ids TEXT`,
  // Portal users whose merged state the region's login index (DirectoryDO) has not taken
  // yet: a row per user, `gen` bumped by each new event, deleted only once the index
  // answered for that generation (see syncPortalUsers).
  `CREATE TABLE portal_sync (user_id TEXT PRIMARY KEY, gen INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, last_error TEXT)`,
] as const;

/** Outbox rows handled per drain: bounds the work (and the libSQL batch) of one alarm. */
export const OUTBOX_BATCH = 64;
/** Expired ledger rows pruned per alarm. */
const PRUNE_BATCH = 500;
/** Portal users written to the login index per sync: past it, the next sync (due at once) goes on. */
export const PORTAL_SYNC_BATCH = 32;
/** SLA marks journaled per alarm: past it, the rest are marked by the next one (due at once). */
export const SLA_MARK_BATCH = 64;
/** Who journals SLA marks: the account's own clock, not a person. */
export const SLA_ACTOR: Actor = { kind: "system", id: "sla-clock" };
export const PROJECTION = "projection";

export type ExecuteRequest = {
  tenantId: string;
  accountId: string;
  idempotencyKey: string;
  fingerprint: string;
  actor: Actor;
  command: Command;
};

/** A fact the account notes in the background: no key, no ledger (see `note`). */
export type NoteRequest = Omit<ExecuteRequest, "idempotencyKey" | "fingerprint">;

/** Why a command took no effect: refused by the domain or by the jurisdiction gate. */
type Refusal = Extract<
  ExecuteResult,
  { kind: "rejected" | "misdirected" | "jurisdiction-unknown" }
>;

export type NoteResult =
  | { kind: "recorded"; eventIds: string[] }
  /** Already known (the day was noted, the insight recorded): nothing was written. */
  | { kind: "unchanged" }
  | Refusal;

export type Survival = "zone" | "region";
export type Durability = "local" | "region";

export type ExecuteOptions = {
  survival?: Survival;
  /**
   * The regions whose copy makes a write `region`-durable (the other regions of this
   * one's jurisdiction; default: every peer).
   */
  survivalPeers?: readonly string[];
  /** The DO is awaiting a peer for this key right now: a duplicate is 409, not a second push. */
  inFlight?: boolean;
  /**
   * Answer only from what is stored for this key (a replay; a pending write, pushed again):
   * a command it has no answer for is `not-stored`, neither judged nor written. For a write
   * whose route could not check its precondition (a named file): a retry of one that
   * committed gets its answer whatever the check says now [LF2].
   */
  replayOnly?: boolean;
};

export type ExecuteResult =
  | {
      kind: "response";
      outcome: WriteOutcome;
      replayed: boolean;
      /** Degradation modes this answer was given under (not part of the stored outcome). */
      degraded?: string[];
      /** Events a peer of the same jurisdiction must hold before this response may be sent. */
      awaitingRegion?: string[];
    }
  | { kind: "mismatch" }
  | { kind: "in-flight" }
  | { kind: "rejected"; error: DomainError }
  /** [LF4] The account lives in another jurisdiction: nothing was written. */
  | { kind: "misdirected"; jurisdiction: string }
  /** [LF4] This region holds some of the account's events but not yet its residency. */
  | { kind: "jurisdiction-unknown" }
  /** `replayOnly`: nothing is stored for this key; nothing was done. */
  | { kind: "not-stored" };

/** Current rows for the regional read model; idempotent, guarded by `version`. */
export type Projection = {
  tenantId: string;
  accountId: string;
  version: string;
  customer: CustomerView | null;
  contracts: ContractView[];
  payments: PaymentView[];
  milestones: MilestoneView[];
  changeRequests: ChangeRequestView[];
};

export type ProjectionSink = (projection: Projection) => Promise<void>;

export type EngineOptions = {
  region: string;
  /** The jurisdiction of this region: the only one whose accounts it accepts writes for. */
  jurisdiction?: string;
  now: () => number;
  random: () => number;
  /** Other regions every local event is replicated to (`peer:<region>` outbox rows). */
  peers?: readonly string[];
  /** This region's jurisdiction's account id key: creating a customer by tax id checks its id. */
  accountIdKey?: string | undefined;
  /** Deliberate defects (core/planted-bugs.ts): the simulator's, or a local region's by env. */
  plantedBugs?: PlantedBugs | undefined;
  /** The SLA clock of change requests filed here (default: changeRequestClock). */
  slaClock?: SlaClock;
};

/** Where outbox rows go: the regional read model, or a peer region. */
export const peerDestination = (region: string) => `peer:${region}`;

export type PeerSink = (region: string, events: DomainEvent[]) => Promise<void>;
/** Writes one portal user's merged state to the region's login index; resolves once it answered. */
export type PortalUserSink = (login: PortalUserLogin) => Promise<unknown>;
export type OutboxSinks = { projection: ProjectionSink; peer?: PeerSink; portal?: PortalUserSink };

export type PortalSyncReport = { synced: number; failed: number };

export type RemoteApplyResult = { applied: number; duplicates: number };

export type DrainReport = {
  delivered: number;
  failed: number;
  remaining: number;
  nextAlarmMs: number | null;
};

export class AccountEngine {
  private state: AccountState | null = null;
  /** The login index is written by one sync at a time, so an older state never lands last. */
  private portalSyncChain: Promise<unknown> = Promise.resolve();
  /**
   * Whether this account's tables exist. They are made by the first write, never by a read:
   * a GET of an id nobody created must leave no stored state behind.
   */
  private hasSchema: boolean;

  constructor(
    private readonly store: SqlStore,
    private readonly options: EngineOptions,
  ) {
    this.hasSchema = schemaExists(store);
    if (!this.hasSchema) return;
    migrate(store, MIGRATIONS);
    const ids = this.meta("tenantId") && this.meta("accountId");
    if (ids) this.state = this.replayJournal(this.meta("tenantId")!, this.meta("accountId")!);
  }

  private ensureSchema(): void {
    if (this.hasSchema) return;
    migrate(this.store, MIGRATIONS);
    this.hasSchema = true;
  }

  /** The aggregate, or null when this account has never accepted a command. */
  current(): AccountState | null {
    return this.state;
  }

  customer(): CustomerView | null {
    return this.state ? customerView(this.state) : null;
  }

  /** `nowMs`: the time of the read, for what depends on it (overdue invoices). */
  contract(contractId: string, nowMs?: number): ContractView | null {
    return this.state ? contractView(this.state, contractId, nowMs) : null;
  }

  serviceRequest(id: string): ServiceRequestView | null {
    return this.state ? serviceRequestView(this.state, id) : null;
  }

  changeRequest(id: string): ChangeRequestView | null {
    return this.state ? changeRequestView(this.state, id) : null;
  }

  /** Every service request of the account, newest first. */
  serviceRequests(): ServiceRequestView[] {
    return this.state ? serviceRequestViews(this.state) : [];
  }

  /** Every change request of the account, newest first. */
  changeRequests(): ChangeRequestView[] {
    return this.state ? changeRequestViews(this.state) : [];
  }

  execute(req: ExecuteRequest, opts: ExecuteOptions = {}): ExecuteResult {
    // A never-written account has no ledger to consult: the command is judged before any
    // storage exists, so one refused here leaves the account as unstored as it was, and
    // the decision carries into the transaction (nothing runs in between: this is sync).
    let firstWrite: Accepted | undefined;
    if (!this.hasSchema) {
      if (opts.replayOnly) return { kind: "not-stored" };
      const admitted = this.admit(req, emptyAccount(req.tenantId, req.accountId));
      if (!admitted.ok) return admitted.result;
      firstWrite = admitted.decision;
      this.ensureSchema();
    }
    return this.store.transactionSync((): ExecuteResult => {
      if (firstWrite)
        return this.commit(req, opts, this.ensureState(req.tenantId, req.accountId), firstWrite);
      const pending = this.pendingEntry(req.idempotencyKey);
      if (pending && pending.fingerprint === req.fingerprint && !opts.inFlight) {
        // A earlier attempt committed locally but no peer confirmed it: push again, then reply.
        return {
          kind: "response",
          outcome: pending.outcome,
          replayed: true,
          awaitingRegion: pending.eventIds,
        };
      }
      const verdict = judge(this.ledgerEntry(req.idempotencyKey), req.fingerprint);
      switch (verdict.kind) {
        case "replay":
          return { kind: "response", outcome: verdict.response, replayed: true };
        case "mismatch":
        case "in-flight":
          return verdict;
        case "new":
          if (opts.replayOnly) return { kind: "not-stored" };
          break;
      }
      const state = this.ensureState(req.tenantId, req.accountId);
      const admitted = this.admit(req, state);
      return admitted.ok ? this.commit(req, opts, state, admitted.decision) : admitted.result;
    });
  }

  /**
   * A fact the account notes in the background (a portal user's active day, a call's
   * sentiment): judged by core like any command, journaled for the read model and the peers,
   * but with no ledger entry — nobody retries it under a key, and the facts deduplicate
   * themselves (a noted day or a recorded insight makes no new event). Never creates the
   * account: one this region holds nothing of is not found.
   */
  note(req: NoteRequest): NoteResult {
    if (!this.hasSchema || this.state === null)
      return {
        kind: "rejected",
        error: { code: "not-found", entity: "customer", id: req.accountId },
      };
    return this.store.transactionSync((): NoteResult => {
      const state = this.ensureState(req.tenantId, req.accountId);
      const admitted = this.admit(req, state);
      if (!admitted.ok) return admitted.result;
      const { events } = admitted.decision;
      if (events.length === 0) return { kind: "unchanged" };
      this.journalLocal(state, req.tenantId, req.accountId, req.actor, events);
      return { kind: "recorded", eventIds: this.lastEventIds(events.length) };
    });
  }

  /**
   * The jurisdiction gate, then the domain's decision. A refused command takes no
   * effect, so its key stays free for a corrected retry.
   */
  private admit(
    req: NoteRequest,
    state: AccountState,
  ): { ok: true; decision: Accepted } | { ok: false; result: Refusal } {
    const gate = this.jurisdictionGate(req);
    if (gate) return { ok: false, result: gate };
    const decision = decide(state, req.command, {
      accountIdKey: this.options.accountIdKey,
      plantedBugs: this.options.plantedBugs,
      nowMs: this.options.now(),
      actor: req.actor,
      slaClock:
        this.options.slaClock ??
        businessHoursClock(
          state.customer?.residency ?? (this.options.jurisdiction === "eu" ? "eu" : "cn"),
          req.command.type === "change.file" ? (req.command.sla ?? null) : null,
        ),
    });
    if (!decision.ok) return { ok: false, result: { kind: "rejected", error: decision.error } };
    return { ok: true, decision };
  }

  /** Journals an accepted decision's events and its ledger entry (inside the transaction). */
  private commit(
    req: ExecuteRequest,
    opts: ExecuteOptions,
    state: AccountState,
    decision: Accepted,
  ): ExecuteResult {
    const next = this.journalLocal(state, req.tenantId, req.accountId, req.actor, decision.events);
    const lastHlc = next.version ?? encodeHlc(zeroHlc(this.options.region));

    const eventIds = decision.events.length > 0 ? this.lastEventIds(decision.events.length) : [];
    // [LF1] A command that changes nothing (the same payment under a new key, a signature
    // already given) answers with a fact this region holds. Under `region` survival that
    // answer is owed the same guarantee: if no survival peer is known to hold this account's
    // events yet (a first attempt answered 503 and never reached one), they are pushed first.
    // The same holds for a new event: a send whose contract draft never reached a peer
    // would be held there without its contract. So the push carries every event of the
    // account no survival peer holds yet, oldest first, then the new ones.
    const awaitingIds =
      opts.survival !== "region"
        ? []
        : [
            ...this.undeliveredTo(
              opts.survivalPeers ?? this.options.peers ?? [],
              MAX_BATCH_EVENTS - eventIds.length,
            ).filter((id) => !eventIds.includes(id)),
            ...eventIds,
          ];
    const awaiting = awaitingIds.length > 0;
    const outcome = this.render(
      decision.target,
      decision.created,
      decision.events.length > 0,
      next.version ?? lastHlc,
      // Nothing to push under region survival: every event of the account is already held
      // by a survival peer, so the fact this answer states is region-durable.
      awaiting ? "pending" : opts.survival === "region" ? "region" : "local",
    );
    this.store.sql.exec(
      "INSERT INTO idempotency (key, fingerprint, state, created_at_ms, response, event_ids) VALUES (?, ?, ?, ?, ?, ?)",
      req.idempotencyKey,
      req.fingerprint,
      awaiting ? "pending" : "done",
      this.options.now(),
      JSON.stringify(outcome),
      JSON.stringify(awaitingIds),
    );
    return awaiting
      ? { kind: "response", outcome, replayed: false, awaitingRegion: awaitingIds }
      : { kind: "response", outcome, replayed: false };
  }

  /**
   * Journals events written here (stamped with this region's HLC, queued for the read
   * model and every peer) and makes the state they lead to current. Inside a transaction.
   */
  private journalLocal(
    state: AccountState,
    tenantId: string,
    accountId: string,
    actor: Actor,
    events: readonly EventData[],
  ): AccountState {
    let next = state;
    let lastHlc = this.meta("hlc") ?? encodeHlc(zeroHlc(this.options.region));
    for (const data of events) {
      const hlc = encodeHlc(tick(decodeHlc(lastHlc), this.options.now()));
      const event: DomainEvent = {
        v: 1,
        // Globally unique: two accounts of one region can stamp the same HLC.
        id: `evt_${accountId.slice(4)}_${hlc}`,
        tenantId,
        accountId,
        hlc,
        region: this.options.region,
        actor,
        data,
      };
      this.store.sql.exec(
        "INSERT INTO journal (id, hlc, body) VALUES (?, ?, ?)",
        event.id,
        hlc,
        JSON.stringify(event),
      );
      this.enqueue(event.id, [PROJECTION, ...(this.options.peers ?? []).map(peerDestination)]);
      this.markPortalSync(next, event);
      next = evolve(next, event);
      lastHlc = hlc;
    }
    if (events.length > 0) this.setMeta("hlc", lastHlc);
    this.state = next;
    return next;
  }

  /**
   * The SLA clock of change requests (DESIGN §11): each open (unanswered, not withdrawn)
   * request whose warning or due instant has passed is marked once per mark, at most
   * SLA_MARK_BATCH per call. Only a region of the account's jurisdiction marks (it is a
   * write); both of them may, and a mark counts once however many regions made it. Run by
   * every drain of the outbox, i.e. by the alarm, which `nextAlarmMs` arms for the next
   * instant. Returns how many marks it journaled.
   */
  markSla(): number {
    const state = this.state;
    if (!state || !this.marksSla(state)) return 0;
    const now = this.options.now();
    const due: EventData[] = [];
    for (const [id, cr] of Object.entries(state.changeRequests ?? {})) {
      if (due.length >= SLA_MARK_BATCH) break;
      for (const [mark, at] of slaInstants(cr)) {
        if (at <= now && due.length < SLA_MARK_BATCH)
          due.push({
            type: "change.sla-marked",
            changeRequestId: id,
            mark,
            at: new Date(now).toISOString(),
          });
      }
    }
    if (due.length === 0) return 0;
    this.store.transactionSync(() => {
      this.journalLocal(state, state.tenantId, state.accountId, SLA_ACTOR, due);
    });
    return due.length;
  }

  /** The next instant the SLA clock must look again; null when no open request waits on one. */
  nextSlaMs(): number | null {
    const state = this.state;
    if (!state || !this.marksSla(state)) return null;
    let next: number | null = null;
    for (const cr of Object.values(state.changeRequests ?? {}))
      for (const [, at] of slaInstants(cr)) next = next === null ? at : Math.min(next, at);
    return next;
  }

  /** Whether this region writes SLA marks for the account: only inside its jurisdiction. */
  private marksSla(state: AccountState): boolean {
    const own = this.options.jurisdiction;
    return own === undefined || state.customer?.residency === own;
  }

  /**
   * This account's events no survival peer is known to hold: each still has an outbox row
   * to every one of them (a delivered row is deleted; a peer's own events have none). At
   * most one batch: past it, the oldest go first and the write waits for the rest.
   */
  private undeliveredTo(peers: readonly string[], limit: number): string[] {
    if (peers.length === 0 || limit <= 0) return [];
    const destinations = peers.map(peerDestination);
    return this.store.sql
      .exec<{ event_id: string }>(
        `SELECT event_id FROM outbox WHERE destination IN (SELECT value FROM json_each(?))
         GROUP BY event_id HAVING COUNT(DISTINCT destination) = ? ORDER BY MIN(seq) LIMIT ?`,
        JSON.stringify(destinations),
        destinations.length,
        limit,
      )
      .toArray()
      .map((r) => r.event_id);
  }

  /**
   * [LF4] Jurisdiction before anything else: a write is taken only for an account whose
   * residency this region knows and shares. A region that holds a contract draft whose
   * customer has not arrived yet does not know where the account lives, so it refuses
   * (a retry succeeds once the customer arrives, or at a region of its jurisdiction).
   * An account this region holds nothing of is left to `decide` (not found).
   */
  private jurisdictionGate(req: NoteRequest): Refusal | null {
    const own = this.options.jurisdiction;
    if (own === undefined) return null;
    const residency =
      req.command.type === "customer.create"
        ? req.command.input.residency
        : (this.state?.customer?.residency ?? null);
    if (residency !== null)
      return residency === own ? null : { kind: "misdirected", jurisdiction: residency };
    const holdsAnything = this.state !== null && this.state.version !== null;
    return holdsAnything ? { kind: "jurisdiction-unknown" } : null;
  }

  /** Settles a pending write: from now on a replay returns it with this durability. */
  markDone(key: string, durability: Durability): WriteOutcome | null {
    if (!this.hasSchema) return null;
    return this.store.transactionSync(() => {
      const row = this.store.sql
        .exec<{ response: string | null }>("SELECT response FROM idempotency WHERE key = ?", key)
        .toArray()[0];
      if (!row?.response) return null;
      const outcome: WriteOutcome = { ...outcomeOf(JSON.parse(row.response)), durability };
      this.store.sql.exec(
        "UPDATE idempotency SET state = 'done', response = ? WHERE key = ?",
        JSON.stringify(outcome),
        key,
      );
      return outcome;
    });
  }

  private pendingEntry(
    key: string,
  ): { fingerprint: string; outcome: WriteOutcome; eventIds: string[] } | null {
    const row = this.store.sql
      .exec<{ fingerprint: string; response: string | null; event_ids: string | null }>(
        "SELECT fingerprint, response, event_ids FROM idempotency WHERE key = ? AND state = 'pending'",
        key,
      )
      .toArray()[0];
    if (!row?.response) return null;
    return {
      fingerprint: row.fingerprint,
      outcome: outcomeOf(JSON.parse(row.response)),
      eventIds: JSON.parse(row.event_ids ?? "[]") as string[],
    };
  }

  private lastEventIds(n: number): string[] {
    return this.store.sql
      .exec<{ id: string }>("SELECT id FROM journal ORDER BY seq DESC LIMIT ?", n)
      .toArray()
      .map((r) => r.id)
      .reverse();
  }

  /** The typed outcome of a write; the API turns it into status and headers. */
  private render(
    target: Target,
    created: boolean,
    changed: boolean,
    version: string,
    durability: WriteOutcome["durability"],
  ): WriteOutcome {
    const body = this.viewOf(this.state!, target);
    return {
      target: { kind: target.kind, id: target.id },
      created,
      version,
      durability,
      changed,
      body: JSON.stringify(body),
    };
  }

  /** The view a write answers with; a function of the facts only (it is replayed as stored). */
  private viewOf(state: AccountState, target: Target): unknown {
    switch (target.kind) {
      case "customer":
        return customerView(state);
      case "contract":
        return contractView(state, target.id);
      case "payment":
        return paymentViewOf(state, target.contractId, target.id);
      case "service-request":
        return serviceRequestView(state, target.id);
      case "change-request":
        return changeRequestView(state, target.id);
      case "portal-user":
        return portalUserView(state, target.id);
    }
  }

  /**
   * Delivers due outbox rows, one bounded batch per destination. Failures are
   * rescheduled with backoff per destination; rows are never dropped, because each is
   * an acknowledged fact that the read model or a peer region still lacks.
   */
  async drainOutbox({ projection, peer, portal }: OutboxSinks): Promise<DrainReport> {
    if (!this.hasSchema) return { delivered: 0, failed: 0, remaining: 0, nextAlarmMs: null };
    // The alarm's other duties: SLA marks due now go out with this drain, and portal users
    // the login index has not taken yet are written to it (a failure waits with backoff).
    this.markSla();
    if (portal) await this.syncPortalUsers(portal);
    const now = this.options.now();
    const due = this.store.sql
      .exec<{ seq: number; destination: string; event_id: string; attempts: number }>(
        `SELECT seq, destination, event_id, attempts FROM (
           SELECT seq, destination, event_id, attempts,
                  row_number() OVER (PARTITION BY destination ORDER BY seq) AS n
           FROM outbox WHERE next_attempt_ms <= ?)
         WHERE n <= ? ORDER BY seq`,
        now,
        OUTBOX_BATCH,
      )
      .toArray();
    const groups = new Map<string, typeof due>();
    for (const row of due)
      groups.set(row.destination, [...(groups.get(row.destination) ?? []), row]);
    let delivered = 0;
    let failed = 0;
    // Destinations are independent: a slow or distant peer must not delay the others.
    const drainOne = async (destination: string, rows: typeof due) => {
      try {
        if (destination === PROJECTION) {
          // The projection is the current state of the account: one upsert covers every row.
          if (this.state) await projection(this.projection(this.state));
        } else if (destination.startsWith("peer:") && peer) {
          await peer(
            destination.slice("peer:".length),
            this.eventsById(rows.map((r) => r.event_id)),
          );
        } else {
          throw new Error(`no sink for outbox destination ${destination}`);
        }
        this.store.transactionSync(() => {
          for (const row of rows) this.store.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
        });
        delivered += rows.length;
      } catch (err) {
        this.reschedule(rows, now, err);
        failed += rows.length;
      }
    };
    await Promise.all([...groups].map(([destination, rows]) => drainOne(destination, rows)));
    this.pruneLedger(now);
    return { delivered, failed, ...this.outboxStatus() };
  }

  /**
   * Merges events from another region: deduplicated by event id, folded with the same
   * join as local events, the clock advanced past them, projected locally. New events
   * this region holds unmasked are also forwarded (`forwardTo(event)`: the regions other
   * than their origin and sender): if the origin is lost right after a peer acknowledged
   * them, they still reach every region. Duplicates stop at the receiver's dedup, so each
   * event crosses each link at most once per holder. Masked copies are never forwarded.
   */
  applyRemote(
    tenantId: string,
    accountId: string,
    events: readonly DomainEvent[],
    forwardTo: (event: DomainEvent) => readonly string[] = () => [],
    ledger: readonly LedgerShare[] = [],
  ): RemoteApplyResult {
    this.ensureSchema();
    return this.store.transactionSync(() => {
      let state = this.ensureState(tenantId, accountId);
      let hlc = decodeHlc(this.meta("hlc") ?? encodeHlc(zeroHlc(this.options.region)));
      let applied = 0;
      for (const event of events) {
        if (event.tenantId !== tenantId || event.accountId !== accountId) {
          throw new Error(`event ${event.id} belongs to ${event.tenantId}/${event.accountId}`);
        }
        const inserted = this.store.sql
          .exec<{ id: string }>(
            "INSERT INTO journal (id, hlc, body) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id",
            event.id,
            event.hlc,
            JSON.stringify(event),
          )
          .toArray();
        if (inserted.length === 0) continue;
        const merged = receive(
          hlc,
          decodeHlc(event.hlc),
          this.options.now(),
          Number.POSITIVE_INFINITY,
        );
        if (merged.ok) hlc = merged.hlc;
        this.markPortalSync(state, event);
        state = evolve(state, event);
        const onward = forwardTo(event)
          .filter((r) => r !== event.region)
          .map(peerDestination);
        this.enqueue(event.id, [PROJECTION, ...onward]);
        applied++;
      }
      if (applied > 0) this.setMeta("hlc", encodeHlc(hlc));
      this.state = state;
      this.adoptLedger(ledger);
      return { applied, duplicates: events.length - applied };
    });
  }

  /**
   * [LF2] A peer's ledger entries for writes whose events this region now holds: a retry
   * here with the same key replays the first answer. Held by two regions, the write is
   * `region`-durable. An entry this region has already (its own attempt) is kept.
   */
  private adoptLedger(ledger: readonly LedgerShare[]): void {
    for (const share of ledger) {
      const response = JSON.stringify({
        ...share.outcome,
        durability: "region",
      } satisfies WriteOutcome);
      const local = this.store.sql
        .exec<{ state: string; fingerprint: string; event_ids: string | null }>(
          "SELECT state, fingerprint, event_ids FROM idempotency WHERE key = ?",
          share.key,
        )
        .toArray()[0];
      if (!local) {
        this.store.sql.exec(
          "INSERT INTO idempotency (key, fingerprint, state, created_at_ms, response, event_ids) VALUES (?, ?, 'done', ?, ?, ?)",
          share.key,
          share.fingerprint,
          this.options.now(),
          response,
          JSON.stringify(share.eventIds),
        );
        continue;
      }
      // This region answered the key 503 (its own attempt is pending) and the peer made its
      // own attempt: one answer must win in both regions, or a replay here would differ
      // from what the peer acknowledged. An acknowledged answer wins; between two pending
      // ones, the attempt with the earlier first event (HLC order, the same in both).
      // An entry this region acknowledged itself is never replaced.
      if (local.state !== "pending" || local.fingerprint !== share.fingerprint) continue;
      const acked = share.outcome.durability !== "pending";
      const mine = (JSON.parse(local.event_ids ?? "[]") as string[]).sort()[0];
      const theirs = [...share.eventIds].sort()[0]!;
      if (!acked && mine !== undefined && mine <= theirs) continue;
      this.store.sql.exec(
        "UPDATE idempotency SET state = 'done', response = ?, event_ids = ? WHERE key = ?",
        response,
        JSON.stringify(share.eventIds),
        share.key,
      );
    }
  }

  /** The ledger entries of the writes that made `eventIds` (answered ones only). */
  ledgerFor(eventIds: readonly string[]): LedgerShare[] {
    if (eventIds.length === 0 || !this.hasSchema) return [];
    return this.store.sql
      .exec<{ key: string; fingerprint: string; response: string; event_ids: string }>(
        `SELECT DISTINCT i.key, i.fingerprint, i.response, i.event_ids FROM idempotency i, json_each(i.event_ids) e
         WHERE i.response IS NOT NULL AND e.value IN (SELECT value FROM json_each(?))`,
        JSON.stringify(eventIds),
      )
      .toArray()
      .flatMap((r) => {
        try {
          const ids = JSON.parse(r.event_ids) as string[];
          return ids.length > 0
            ? [
                {
                  key: r.key,
                  fingerprint: r.fingerprint,
                  eventIds: ids,
                  outcome: outcomeOf(JSON.parse(r.response)),
                },
              ]
            : [];
        } catch {
          return []; // an unreadable row is not shared; the natural key still holds
        }
      });
  }

  /** Events of this account by id, in journal order (at most one outbox batch at a time). */
  eventsById(ids: readonly string[]): DomainEvent[] {
    if (ids.length === 0 || !this.hasSchema) return [];
    return this.store.sql
      .exec<{ body: string }>(
        `SELECT body FROM journal WHERE id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
        JSON.stringify(ids),
      )
      .toArray()
      .map((r) => JSON.parse(r.body) as DomainEvent);
  }

  private enqueue(eventId: string, destinations: readonly string[]): void {
    for (const destination of destinations) {
      this.store.sql.exec(
        "INSERT INTO outbox (destination, event_id, next_attempt_ms) VALUES (?, ?, ?)",
        destination,
        eventId,
        this.options.now(),
      );
    }
  }

  private reschedule(
    rows: ReadonlyArray<{ seq: number; attempts: number }>,
    now: number,
    err: unknown,
  ): void {
    const message = err instanceof Error ? err.message : String(err);
    this.store.transactionSync(() => {
      for (const row of rows) {
        const attempts = row.attempts + 1;
        const delay = backoffDelayMs(OUTBOX_BACKOFF, attempts, this.options.random());
        this.store.sql.exec(
          "UPDATE outbox SET attempts = ?, next_attempt_ms = ?, last_error = ? WHERE seq = ?",
          attempts,
          now + delay,
          message.slice(0, 500),
          row.seq,
        );
      }
    });
  }

  /**
   * Remaining rows and when the alarm should next fire (null: nothing pending): the earliest
   * of the outbox's next attempt, the ledger's next expiry and the SLA clock's next instant.
   */
  outboxStatus(): { remaining: number; nextAlarmMs: number | null } {
    if (!this.hasSchema) return { remaining: 0, nextAlarmMs: null };
    const row = this.store.sql
      .exec<{ n: number; next: number | null }>(
        "SELECT count(*) AS n, min(next_attempt_ms) AS next FROM outbox",
      )
      .one();
    const oldestKey = this.store.sql
      .exec<{ t: number | null }>("SELECT min(created_at_ms) AS t FROM idempotency")
      .one().t;
    const expiry = oldestKey === null ? null : oldestKey + IDEMPOTENCY_RETENTION_MS;
    const portal = this.store.sql
      .exec<{ next: number | null }>("SELECT min(next_attempt_ms) AS next FROM portal_sync")
      .one().next;
    // One alarm serves them all: the outbox, the ledger's expiry, the SLA clock and the
    // portal users the login index still lacks.
    const candidates = [row.next, expiry, this.nextSlaMs(), portal].filter(
      (t): t is number => t !== null,
    );
    return { remaining: row.n, nextAlarmMs: candidates.length ? Math.min(...candidates) : null };
  }

  private pruneLedger(now: number): void {
    this.store.sql.exec(
      "DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE created_at_ms < ? LIMIT ?)",
      now - IDEMPOTENCY_RETENTION_MS,
      PRUNE_BATCH,
    );
  }

  /**
   * Queues for the login index the portal user `event` touches (inside the transaction
   * that applies it to `before`). A customer's first arrival queues every user already
   * held: whether this region indexes them depends on the residency it brings.
   */
  private markPortalSync(before: AccountState, event: DomainEvent): void {
    const { data } = event;
    const users =
      data.type === "portal-user.invited" ||
      data.type === "portal-user.activated" ||
      data.type === "portal-user.disabled"
        ? [data.userId]
        : data.type === "customer.created" && before.customer === null
          ? Object.keys(before.portalUsers ?? {})
          : [];
    for (const userId of users)
      this.store.sql.exec(
        `INSERT INTO portal_sync (user_id, gen, next_attempt_ms) VALUES (?, 1, ?)
         ON CONFLICT (user_id) DO UPDATE SET gen = gen + 1, attempts = 0, next_attempt_ms = excluded.next_attempt_ms, last_error = NULL`,
        userId,
        this.options.now(),
      );
  }

  /**
   * What the login index must be told, due now, at most PORTAL_SYNC_BATCH: each queued
   * user's merged state, or null when this region does not index it (the account lives in
   * another jurisdiction, its customer has not arrived, or this copy has no e-mail: a
   * masked copy) — then there is nothing to write, and the row is done.
   */
  portalSyncDue(): Array<{ userId: string; gen: number; login: PortalUserLogin | null }> {
    if (!this.hasSchema) return [];
    const rows = this.store.sql
      .exec<{ user_id: string; gen: number }>(
        "SELECT user_id, gen FROM portal_sync WHERE next_attempt_ms <= ? ORDER BY next_attempt_ms, user_id LIMIT ?",
        this.options.now(),
        PORTAL_SYNC_BATCH,
      )
      .toArray();
    const state = this.state;
    const own = this.options.jurisdiction;
    const indexed =
      state !== null &&
      state.customer !== null &&
      (own === undefined || state.customer.residency === own);
    return rows.map((r) => ({
      userId: r.user_id,
      gen: r.gen,
      login: indexed ? portalUserLogin(state, r.user_id) : null,
    }));
  }

  /**
   * Writes the due portal users to the login index through `sink`, one at a time; a row is
   * cleared only when the index answered for the generation that was read (a user changed
   * meanwhile stays queued), and a failure is retried with backoff. Calls are serialised.
   */
  syncPortalUsers(sink: PortalUserSink): Promise<PortalSyncReport> {
    const run = this.portalSyncChain.then(() => this.syncPortalUsersNow(sink));
    this.portalSyncChain = run.catch(() => undefined);
    return run;
  }

  private async syncPortalUsersNow(sink: PortalUserSink): Promise<PortalSyncReport> {
    let synced = 0;
    let failed = 0;
    for (const { userId, gen, login } of this.portalSyncDue()) {
      try {
        if (login) await sink(login);
        this.store.sql.exec("DELETE FROM portal_sync WHERE user_id = ? AND gen = ?", userId, gen);
        synced++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.store.sql.exec(
          `UPDATE portal_sync SET attempts = attempts + 1, next_attempt_ms = ?, last_error = ?
           WHERE user_id = ? AND gen = ?`,
          this.options.now() +
            backoffDelayMs(OUTBOX_BACKOFF, this.portalAttempts(userId) + 1, this.options.random()),
          message.slice(0, 500),
          userId,
          gen,
        );
        failed++;
      }
    }
    return { synced, failed };
  }

  private portalAttempts(userId: string): number {
    return (
      this.store.sql
        .exec<{ attempts: number }>("SELECT attempts FROM portal_sync WHERE user_id = ?", userId)
        .toArray()[0]?.attempts ?? 0
    );
  }

  /** Portal users queued for the login index (what an operator and the tests look at). */
  portalSyncPending(): Array<{ userId: string; attempts: number; lastError: string | null }> {
    if (!this.hasSchema) return [];
    return this.store.sql
      .exec<{ user_id: string; attempts: number; last_error: string | null }>(
        "SELECT user_id, attempts, last_error FROM portal_sync ORDER BY user_id",
      )
      .toArray()
      .map((r) => ({ userId: r.user_id, attempts: r.attempts, lastError: r.last_error }));
  }

  portalUsers(): PortalUserView[] {
    return this.state ? portalUserViews(this.state) : [];
  }

  projection(state: AccountState): Projection {
    const contracts = Object.keys(state.contracts)
      .map((id) => contractView(state, id))
      .filter((c): c is ContractView => c !== null);
    return {
      tenantId: state.tenantId,
      accountId: state.accountId,
      version: state.version ?? "",
      customer: customerView(state),
      contracts,
      payments: contracts.flatMap((c) => c.payments),
      milestones: contracts.flatMap((c) => c.milestones),
      changeRequests: changeRequestViews(state),
    };
  }

  /**
   * Journal events after position `afterSeq`, oldest first, at most `limit`: what an
   * anti-entropy pull pages through. `next` is the position to ask after, null at the end.
   */
  journalPage(afterSeq: number, limit: number): { events: DomainEvent[]; next: number | null } {
    if (!this.hasSchema) return { events: [], next: null };
    const rows = this.store.sql
      .exec<{ seq: number; body: string }>(
        "SELECT seq, body FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray();
    return {
      events: rows.map((r) => JSON.parse(r.body) as DomainEvent),
      next: rows.length === limit ? rows.at(-1)!.seq : null,
    };
  }

  journal(): DomainEvent[] {
    if (!this.hasSchema) return [];
    return this.store.sql
      .exec<{ body: string }>("SELECT body FROM journal ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.body) as DomainEvent);
  }

  private ensureState(tenantId: string, accountId: string): AccountState {
    if (this.state) {
      if (this.state.tenantId !== tenantId || this.state.accountId !== accountId) {
        throw new Error(
          `AccountDO holds ${this.state.tenantId}/${this.state.accountId}, not ${tenantId}/${accountId}`,
        );
      }
      return this.state;
    }
    this.setMeta("tenantId", tenantId);
    this.setMeta("accountId", accountId);
    return emptyAccount(tenantId, accountId);
  }

  private replayJournal(tenantId: string, accountId: string): AccountState {
    let s = emptyAccount(tenantId, accountId);
    for (const e of this.journal()) s = evolve(s, e);
    return s;
  }

  private ledgerEntry(key: string): LedgerEntry | null {
    const rows = this.store.sql
      .exec<{ fingerprint: string; state: string; created_at_ms: number; response: string | null }>(
        "SELECT fingerprint, state, created_at_ms, response FROM idempotency WHERE key = ?",
        key,
      )
      .toArray();
    const row = rows[0];
    if (!row) return null;
    if (row.state === "pending" || row.response === null) {
      return { state: "pending", fingerprint: row.fingerprint, createdAtMs: row.created_at_ms };
    }
    return {
      state: "done",
      fingerprint: row.fingerprint,
      createdAtMs: row.created_at_ms,
      response: outcomeOf(JSON.parse(row.response)),
    };
  }

  /** Small durable flags the shell keeps (e.g. "registered in the account index"). */
  flag(name: string): boolean {
    if (!this.hasSchema) return false;
    return this.meta(`flag:${name}`) === "1";
  }

  setFlag(name: string): void {
    this.ensureSchema();
    this.setMeta(`flag:${name}`, "1");
  }

  private meta(key: string): string | null {
    const rows = this.store.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)
      .toArray();
    return rows[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.store.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }
}

/** The SLA instants an open change request still waits on, with the mark each one makes. */
function slaInstants(cr: ChangeRequestState): Array<[SlaMark, number]> {
  const filed = cr.filed?.value;
  if (!filed || changeStatus(cr) !== "open") return [];
  const out: Array<[SlaMark, number]> = [];
  if (!cr.slaMarks.warning) out.push(["warning", Date.parse(filed.slaWarnAt)]);
  if (!cr.slaMarks.violation) out.push(["violation", Date.parse(filed.slaDueAt)]);
  return out.filter(([, at]) => Number.isFinite(at));
}
