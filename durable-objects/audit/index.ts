// AuditDO: one per region, the region's hash-chained audit log [LF7]. Appends are
// serialised by the object, each entry commits the previous hash, and an idempotency key
// makes a retried append (e.g. a re-sent cross-border batch) one entry.
import { DurableObject } from "cloudflare:workers";
import { type AuditEntry, appendAudit, verifyAuditChain } from "../../core/index.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { migrate } from "../storage/sql-store.ts";

const MIGRATIONS = [
  `CREATE TABLE audit (seq INTEGER PRIMARY KEY, dedup_key TEXT UNIQUE, body TEXT NOT NULL)`,
] as const;

/** Entries returned per verification page; verification walks the whole chain in pages. */
const PAGE = 1_000;

export type AuditAppend = {
  key: string;
  kind: AuditEntry["kind"];
  detail: Record<string, unknown>;
};

export class AuditDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(durableObjectStore(ctx.storage), MIGRATIONS));
  }

  append(input: AuditAppend): AuditEntry {
    const sql = this.ctx.storage.sql;
    const existing = sql
      .exec<{ body: string }>("SELECT body FROM audit WHERE dedup_key = ?", input.key)
      .toArray()[0];
    if (existing) return JSON.parse(existing.body) as AuditEntry;
    const last = sql
      .exec<{ body: string }>("SELECT body FROM audit ORDER BY seq DESC LIMIT 1")
      .toArray()[0];
    const entry = appendAudit(last ? (JSON.parse(last.body) as AuditEntry) : null, {
      at: new Date().toISOString(),
      kind: input.kind,
      detail: input.detail,
    });
    sql.exec(
      "INSERT INTO audit (seq, dedup_key, body) VALUES (?, ?, ?)",
      entry.seq,
      input.key,
      JSON.stringify(entry),
    );
    return entry;
  }

  list(afterSeq: number, limit: number): AuditEntry[] {
    return this.ctx.storage.sql
      .exec<{ body: string }>(
        "SELECT body FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        Math.min(limit, PAGE),
      )
      .toArray()
      .map((r) => JSON.parse(r.body) as AuditEntry);
  }

  verify() {
    const entries = this.ctx.storage.sql
      .exec<{ body: string }>("SELECT body FROM audit ORDER BY seq")
      .toArray()
      .map((r) => JSON.parse(r.body) as AuditEntry);
    return verifyAuditChain(entries);
  }
}
