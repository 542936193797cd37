// QuarantineDO: one per region, the events a peer sent that failed a receiving rule [LF8]
// (schema, clock, origin, tenant, masking). They are kept as they arrived, for an operator
// to list, redrive (after fixing what made them fail, e.g. creating the tenant) or drop.
// Bounded: past MAX_ROWS new entries are counted as dropped instead of stored, so a hostile
// or broken peer cannot fill a region's storage; the same event from the same sender is
// one entry however often its batch is retried.
import { DurableObject } from "cloudflare:workers";
import { sha256Hex } from "../../core/index.ts";
import type { QuarantineEntry } from "../../replication/receive.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { migrate } from "../storage/sql-store.ts";

const MIGRATIONS = [
  `CREATE TABLE quarantine (id INTEGER PRIMARY KEY AUTOINCREMENT, digest TEXT NOT NULL UNIQUE, at_ms INTEGER NOT NULL, from_region TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL, tenant_id TEXT, event_id TEXT, raw TEXT NOT NULL, forwarded INTEGER NOT NULL, redrives INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX quarantine_by_tenant ON quarantine (tenant_id, id);
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
] as const;

export const MAX_QUARANTINE_ROWS = 10_000;
export const QUARANTINE_PAGE = 100;

export type QuarantinedEvent = QuarantineEntry & { id: number; at: string; redrives: number };

type Row = {
  id: number;
  at_ms: number;
  from_region: string;
  rule: string;
  reason: string;
  tenant_id: string | null;
  event_id: string | null;
  raw: string;
  forwarded: number;
  redrives: number;
};

const toEntry = (r: Row): QuarantinedEvent => ({
  id: r.id,
  at: new Date(r.at_ms).toISOString(),
  from: r.from_region,
  rule: r.rule as QuarantineEntry["rule"],
  reason: r.reason,
  tenantId: r.tenant_id,
  eventId: r.event_id,
  raw: r.raw,
  forwarded: r.forwarded === 1,
  redrives: r.redrives,
});

export class QuarantineDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(durableObjectStore(ctx.storage), MIGRATIONS));
  }

  add(entries: QuarantineEntry[]): { stored: number; dropped: number } {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      let stored = 0;
      let dropped = 0;
      let count = sql.exec<{ n: number }>("SELECT count(*) AS n FROM quarantine").one().n;
      for (const e of entries) {
        if (count >= MAX_QUARANTINE_ROWS) {
          dropped++;
          continue;
        }
        const inserted = sql
          .exec(
            "INSERT INTO quarantine (digest, at_ms, from_region, rule, reason, tenant_id, event_id, raw, forwarded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING RETURNING id",
            sha256Hex(`${e.from}\u0000${e.raw}`),
            Date.now(),
            e.from,
            e.rule,
            e.reason.slice(0, 500),
            e.tenantId,
            e.eventId,
            e.raw,
            e.forwarded ? 1 : 0,
          )
          .toArray();
        if (inserted.length > 0) {
          stored++;
          count++;
        }
      }
      if (dropped > 0) {
        sql.exec(
          "INSERT INTO counters (name, value) VALUES ('dropped', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
          dropped,
        );
        console.error(`quarantine full: ${dropped} events dropped`);
      }
      return { stored, dropped };
    });
  }

  /** A tenant's quarantined events, oldest first, after `afterId`; plus what cannot be attributed. */
  list(
    tenantId: string,
    afterId: number,
    limit: number,
  ): { events: QuarantinedEvent[]; unattributed: number; dropped: number } {
    const sql = this.ctx.storage.sql;
    const events = sql
      .exec<Row>(
        "SELECT * FROM quarantine WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?",
        tenantId,
        afterId,
        Math.min(Math.max(1, limit), QUARANTINE_PAGE),
      )
      .toArray()
      .map(toEntry);
    const unattributed = sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM quarantine WHERE tenant_id IS NULL")
      .one().n;
    const dropped =
      sql.exec<{ value: number }>("SELECT value FROM counters WHERE name = 'dropped'").toArray()[0]
        ?.value ?? 0;
    return { events, unattributed, dropped };
  }

  get(tenantId: string, id: number): QuarantinedEvent | null {
    const row = this.ctx.storage.sql
      .exec<Row>("SELECT * FROM quarantine WHERE id = ? AND tenant_id = ?", id, tenantId)
      .toArray()[0];
    return row ? toEntry(row) : null;
  }

  /** After a failed redrive: the rule it failed this time. */
  noteRedrive(id: number, rule: string, reason: string): void {
    this.ctx.storage.sql.exec(
      "UPDATE quarantine SET redrives = redrives + 1, rule = ?, reason = ? WHERE id = ?",
      rule,
      reason.slice(0, 500),
      id,
    );
  }

  remove(tenantId: string, id: number): boolean {
    return (
      this.ctx.storage.sql.exec(
        "DELETE FROM quarantine WHERE id = ? AND tenant_id = ?",
        id,
        tenantId,
      ).rowsWritten > 0
    );
  }
}
