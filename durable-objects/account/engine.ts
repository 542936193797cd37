// AccountDO's runtime-agnostic engine: the event journal, the idempotency ledger and the
// outbox, changed together in one transactionSync per command, so a reply is never sent
// for a command whose effects (or whose ledger entry) could still be lost.
import {
  type AccountState,
  type Actor,
  backoffDelayMs,
  type Command,
  type ContractView,
  type CustomerView,
  contractView,
  customerView,
  type DomainError,
  type DomainEvent,
  decide,
  decodeHlc,
  emptyAccount,
  encodeHlc,
  evolve,
  IDEMPOTENCY_RETENTION_MS,
  judge,
  type LedgerEntry,
  OUTBOX_BACKOFF,
  type PaymentView,
  paymentViewOf,
  type StoredResponse,
  type Target,
  tick,
  zeroHlc,
} from "../../core/index.ts";
import { migrate, type SqlStore } from "../storage/sql-store.ts";

const MIGRATIONS = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, hlc TEXT NOT NULL, body TEXT NOT NULL);
   CREATE TABLE idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, created_at_ms INTEGER NOT NULL, response TEXT);
   CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);
   CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT NOT NULL, event_id TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_ms INTEGER NOT NULL, last_error TEXT);
   CREATE INDEX outbox_due ON outbox (next_attempt_ms)`,
] as const;

/** Outbox rows handled per drain: bounds the work (and the libSQL batch) of one alarm. */
export const OUTBOX_BATCH = 64;
/** Expired ledger rows pruned per alarm. */
const PRUNE_BATCH = 500;
export const PROJECTION = "projection";

export type ExecuteRequest = {
  tenantId: string;
  accountId: string;
  idempotencyKey: string;
  fingerprint: string;
  actor: Actor;
  command: Command;
};

export type ExecuteResult =
  | { kind: "response"; response: StoredResponse; replayed: boolean }
  | { kind: "mismatch" }
  | { kind: "in-flight" }
  | { kind: "rejected"; error: DomainError };

/** Current rows for the regional read model; idempotent, guarded by `version`. */
export type Projection = {
  tenantId: string;
  accountId: string;
  version: string;
  customer: CustomerView | null;
  contracts: ContractView[];
  payments: PaymentView[];
};

export type ProjectionSink = (projection: Projection) => Promise<void>;

export type EngineOptions = { region: string; now: () => number; random: () => number };

export type DrainReport = {
  delivered: number;
  failed: number;
  remaining: number;
  nextAlarmMs: number | null;
};

export class AccountEngine {
  private state: AccountState | null = null;

  constructor(
    private readonly store: SqlStore,
    private readonly options: EngineOptions,
  ) {
    migrate(store, MIGRATIONS);
    const ids = this.meta("tenantId") && this.meta("accountId");
    if (ids) this.state = this.replayJournal(this.meta("tenantId")!, this.meta("accountId")!);
  }

  /** The aggregate, or null when this account has never accepted a command. */
  current(): AccountState | null {
    return this.state;
  }

  customer(): CustomerView | null {
    return this.state ? customerView(this.state) : null;
  }

  contract(contractId: string): ContractView | null {
    return this.state ? contractView(this.state, contractId) : null;
  }

  execute(req: ExecuteRequest): ExecuteResult {
    return this.store.transactionSync((): ExecuteResult => {
      const verdict = judge(this.ledgerEntry(req.idempotencyKey), req.fingerprint);
      switch (verdict.kind) {
        case "replay":
          return { kind: "response", response: verdict.response, replayed: true };
        case "mismatch":
        case "in-flight":
          return verdict;
        case "new":
          break;
      }
      const state = this.ensureState(req.tenantId, req.accountId);
      const decision = decide(state, req.command);
      // A refused command took no effect, so its key stays free for a corrected retry.
      if (!decision.ok) return { kind: "rejected", error: decision.error };

      let next = state;
      let lastHlc = this.meta("hlc") ?? encodeHlc(zeroHlc(this.options.region));
      for (const data of decision.events) {
        const hlc = encodeHlc(tick(decodeHlc(lastHlc), this.options.now()));
        const event: DomainEvent = {
          v: 1,
          id: `evt_${hlc}`,
          tenantId: req.tenantId,
          accountId: req.accountId,
          hlc,
          region: this.options.region,
          actor: req.actor,
          data,
        };
        this.store.sql.exec(
          "INSERT INTO journal (id, hlc, body) VALUES (?, ?, ?)",
          event.id,
          hlc,
          JSON.stringify(event),
        );
        this.store.sql.exec(
          "INSERT INTO outbox (destination, event_id, next_attempt_ms) VALUES (?, ?, ?)",
          PROJECTION,
          event.id,
          this.options.now(),
        );
        next = evolve(next, event);
        lastHlc = hlc;
      }
      if (decision.events.length > 0) this.setMeta("hlc", lastHlc);
      this.state = next;

      const response = this.render(decision.target, decision.created, next.version ?? lastHlc);
      this.store.sql.exec(
        "INSERT INTO idempotency (key, fingerprint, state, created_at_ms, response) VALUES (?, ?, 'done', ?, ?)",
        req.idempotencyKey,
        req.fingerprint,
        this.options.now(),
        JSON.stringify(response),
      );
      return { kind: "response", response, replayed: false };
    });
  }

  private render(target: Target, created: boolean, version: string): StoredResponse {
    const state = this.state!;
    const body =
      target.kind === "customer"
        ? customerView(state)
        : target.kind === "contract"
          ? contractView(state, target.id)
          : paymentViewOf(state, target.contractId, target.id);
    const path = { customer: "customers", contract: "contracts", payment: "payments" }[target.kind];
    return {
      status: created ? 201 : 200,
      headers: {
        "content-type": "application/json",
        "lifeline-hlc": version,
        location: `/v1/${path}/${target.id}`,
      },
      body: JSON.stringify(body),
    };
  }

  /**
   * Delivers due outbox rows to the projection sink in one bounded batch. Failures are
   * rescheduled with backoff; rows are never dropped, because each is an acknowledged fact.
   */
  async drainOutbox(sink: ProjectionSink): Promise<DrainReport> {
    const now = this.options.now();
    const due = this.store.sql
      .exec<{ seq: number; attempts: number }>(
        "SELECT seq, attempts FROM outbox WHERE destination = ? AND next_attempt_ms <= ? ORDER BY seq LIMIT ?",
        PROJECTION,
        now,
        OUTBOX_BATCH,
      )
      .toArray();
    let delivered = 0;
    let failed = 0;
    if (due.length > 0 && this.state) {
      // The projection is the current state of the account, so one upsert covers every due row.
      const projection = this.projection(this.state);
      try {
        await sink(projection);
        this.store.transactionSync(() => {
          for (const row of due) this.store.sql.exec("DELETE FROM outbox WHERE seq = ?", row.seq);
        });
        delivered = due.length;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.store.transactionSync(() => {
          for (const row of due) {
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
        failed = due.length;
      }
    }
    this.pruneLedger(now);
    return { delivered, failed, ...this.outboxStatus() };
  }

  /** Remaining rows and when the alarm should next fire (null: nothing pending). */
  outboxStatus(): { remaining: number; nextAlarmMs: number | null } {
    const row = this.store.sql
      .exec<{ n: number; next: number | null }>(
        "SELECT count(*) AS n, min(next_attempt_ms) AS next FROM outbox",
      )
      .one();
    const oldestKey = this.store.sql
      .exec<{ t: number | null }>("SELECT min(created_at_ms) AS t FROM idempotency")
      .one().t;
    const expiry = oldestKey === null ? null : oldestKey + IDEMPOTENCY_RETENTION_MS;
    const candidates = [row.next, expiry].filter((t): t is number => t !== null);
    return { remaining: row.n, nextAlarmMs: candidates.length ? Math.min(...candidates) : null };
  }

  private pruneLedger(now: number): void {
    this.store.sql.exec(
      "DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE created_at_ms < ? LIMIT ?)",
      now - IDEMPOTENCY_RETENTION_MS,
      PRUNE_BATCH,
    );
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
    };
  }

  journal(): DomainEvent[] {
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
      response: JSON.parse(row.response) as StoredResponse,
    };
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
