// The audit log's storage logic over the narrow SqlStore [LF7], so it runs in workerd
// (AuditDO) and in Node tests alike: the region's own keyed chain, the checkpoints this
// region holds for its peers (highest seq per region; rollbacks and forks refused and
// recorded), and which of its own heads each peer has acknowledged.
import {
  type AuditCheckpointV1,
  type AuditEntry,
  type AuditHead,
  type AuditKind,
  type AuditVerdict,
  appendAudit,
  countersign,
  countersignatureHolds,
  decideCheckpoint,
  verifyAuditLog,
} from "../../core/index.ts";
import { migrate, type SqlStore } from "../storage/sql-store.ts";

/** Append-only: entry i is applied once (see migrate). */
export const AUDIT_MIGRATIONS = [
  `CREATE TABLE audit (seq INTEGER PRIMARY KEY, dedup_key TEXT UNIQUE, body TEXT NOT NULL)`,
  `CREATE TABLE checkpoints_held (region TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL, countersignature TEXT NOT NULL, received_at TEXT NOT NULL);
   CREATE TABLE checkpoint_refusals (id INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, held_seq INTEGER NOT NULL, received_at TEXT NOT NULL);
   CREATE TABLE checkpoints_acked (holder TEXT PRIMARY KEY, seq INTEGER NOT NULL, countersignature TEXT NOT NULL, at TEXT NOT NULL)`,
] as const;

/** Refusals kept for operators; older ones are dropped so a noisy peer cannot grow storage. */
const MAX_REFUSALS = 1_000;

export type AuditAppend = {
  key: string;
  kind: AuditKind;
  detail: Record<string, unknown>;
};

export type HoldOutcome =
  | { kind: "stored" | "same"; countersignature: string }
  | { kind: "rollback" | "fork"; heldSeq: number };

export type HeldCheckpoint =
  | { kind: "none" }
  | { kind: "held"; checkpoint: AuditCheckpointV1; countersignature: string }
  /** The stored row no longer matches this holder's own countersignature. */
  | { kind: "tampered" };

export class AuditLog {
  constructor(
    private readonly store: SqlStore,
    private readonly key: string,
  ) {
    migrate(store, AUDIT_MIGRATIONS);
  }

  /** Appends one entry; the same `key` again returns the entry it made the first time. */
  append(input: AuditAppend, at: string): AuditEntry {
    return this.store.transactionSync(() => {
      const existing = this.store.sql
        .exec<{ body: string }>("SELECT body FROM audit WHERE dedup_key = ?", input.key)
        .toArray()[0];
      if (existing) return JSON.parse(existing.body) as AuditEntry;
      const entry = appendAudit(this.key, this.last(), {
        at,
        kind: input.kind,
        detail: input.detail,
      });
      this.store.sql.exec(
        "INSERT INTO audit (seq, dedup_key, body) VALUES (?, ?, ?)",
        entry.seq,
        input.key,
        JSON.stringify(entry),
      );
      return entry;
    });
  }

  head(): AuditHead {
    const last = this.last();
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: "0".repeat(64) };
  }

  /**
   * Walks the whole chain a page at a time against checkpoints held elsewhere.
   * `tenantId` counts the entries about one tenant (what its admin may see).
   */
  verify(
    checkpoints: readonly AuditHead[],
    tenantId: string,
    pageSize?: number,
  ): { verdict: AuditVerdict; tenantEntries: number } {
    let tenantEntries = 0;
    const verdict = verifyAuditLog(this.key, (after, limit) => this.page(after, limit), {
      checkpoints,
      pageSize,
      onEntry: (e) => {
        const detail = e.detail as { tenantId?: unknown } | null;
        if (typeof detail === "object" && detail?.tenantId === tenantId) tenantEntries++;
      },
    });
    return { verdict, tenantEntries };
  }

  /** A peer's head, as its holder: kept if it is the highest seen, refused and recorded if lower. */
  hold(cp: AuditCheckpointV1, receivedAt: string): HoldOutcome {
    return this.store.transactionSync(() => {
      const held = this.store.sql
        .exec<{ seq: number; hash: string; countersignature: string }>(
          "SELECT seq, hash, countersignature FROM checkpoints_held WHERE region = ?",
          cp.region,
        )
        .toArray()[0];
      const decision = decideCheckpoint(held ?? null, cp);
      switch (decision.kind) {
        case "same":
          return { kind: "same", countersignature: held!.countersignature };
        case "store": {
          const countersignature = countersign(this.key, cp);
          this.store.sql.exec(
            `INSERT INTO checkpoints_held (region, seq, hash, at, countersignature, received_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (region) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at,
               countersignature = excluded.countersignature, received_at = excluded.received_at`,
            cp.region,
            cp.seq,
            cp.hash,
            cp.at,
            countersignature,
            receivedAt,
          );
          return { kind: "stored", countersignature };
        }
        case "rollback":
        case "fork":
          this.store.sql.exec(
            "INSERT INTO checkpoint_refusals (region, kind, seq, hash, held_seq, received_at) VALUES (?, ?, ?, ?, ?, ?)",
            cp.region,
            decision.kind,
            cp.seq,
            cp.hash,
            decision.heldSeq,
            receivedAt,
          );
          this.store.sql.exec(
            "DELETE FROM checkpoint_refusals WHERE id <= (SELECT MAX(id) FROM checkpoint_refusals) - ?",
            MAX_REFUSALS,
          );
          return { kind: decision.kind, heldSeq: decision.heldSeq };
      }
    });
  }

  /** The checkpoint held for `region`, rechecked against this holder's countersignature. */
  held(region: string): HeldCheckpoint {
    const row = this.store.sql
      .exec<{ seq: number; hash: string; at: string; countersignature: string }>(
        "SELECT seq, hash, at, countersignature FROM checkpoints_held WHERE region = ?",
        region,
      )
      .toArray()[0];
    if (!row) return { kind: "none" };
    const checkpoint: AuditCheckpointV1 = {
      v: 1,
      region,
      seq: row.seq,
      hash: row.hash,
      at: row.at,
    };
    return countersignatureHolds(this.key, checkpoint, row.countersignature)
      ? { kind: "held", checkpoint, countersignature: row.countersignature }
      : { kind: "tampered" };
  }

  refusals(limit: number) {
    return this.store.sql
      .exec<{ region: string; kind: string; seq: number; held_seq: number; received_at: string }>(
        "SELECT region, kind, seq, held_seq, received_at FROM checkpoint_refusals ORDER BY id DESC LIMIT ?",
        Math.min(limit, MAX_REFUSALS),
      )
      .toArray();
  }

  /** The highest seq of this region's chain that `holder` has acknowledged (0: none). */
  ackedBy(holder: string): number {
    return (
      this.store.sql
        .exec<{ seq: number }>("SELECT seq FROM checkpoints_acked WHERE holder = ?", holder)
        .toArray()[0]?.seq ?? 0
    );
  }

  recordAck(holder: string, seq: number, countersignature: string, at: string): void {
    this.store.sql.exec(
      `INSERT INTO checkpoints_acked (holder, seq, countersignature, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (holder) DO UPDATE SET seq = excluded.seq, countersignature = excluded.countersignature, at = excluded.at`,
      holder,
      seq,
      countersignature,
      at,
    );
  }

  private last(): AuditEntry | null {
    const row = this.store.sql
      .exec<{ body: string }>("SELECT body FROM audit ORDER BY seq DESC LIMIT 1")
      .toArray()[0];
    return row ? (JSON.parse(row.body) as AuditEntry) : null;
  }

  /**
   * Entries a tenant's admin may read, oldest first, after `afterSeq`: those about the
   * tenant, and the region-wide degradation-mode changes (they name no tenant and affect
   * every one). At most `scan` entries are read per call, so a region full of other
   * tenants' entries costs a bounded page; `nextAfter` continues where the scan stopped.
   */
  entriesFor(
    tenantId: string,
    afterSeq: number,
    limit: number,
    kind?: AuditKind,
    scan = 5_000,
  ): { entries: AuditEntry[]; nextAfter: number | null } {
    const out: AuditEntry[] = [];
    let after = afterSeq;
    let scanned = 0;
    while (out.length < limit && scanned < scan) {
      const page = this.page(after, Math.min(500, scan - scanned));
      if (page.length === 0) return { entries: out, nextAfter: null };
      for (const e of page) {
        scanned++;
        after = e.seq;
        const about = (e.detail as { tenantId?: unknown } | null)?.tenantId;
        const visible = about === tenantId || (about === null && e.kind === "degradation-mode");
        if (visible && (kind === undefined || e.kind === kind)) out.push(e);
        if (out.length >= limit) break;
      }
    }
    return { entries: out, nextAfter: after };
  }

  private page(afterSeq: number, limit: number): AuditEntry[] {
    return this.store.sql
      .exec<{ body: string }>(
        "SELECT body FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray()
      .map((r) => parseEntry(r.body));
  }
}

/** A row that is not JSON becomes a malformed entry, which verification reports, not a throw. */
function parseEntry(body: string): AuditEntry {
  try {
    return JSON.parse(body) as AuditEntry;
  } catch {
    return {} as AuditEntry;
  }
}
