// IdempotencyKeyDO: the tenant-wide registry of Idempotency-Keys, sharded by key hash.
// It sees every use of a key, even when two uses target different accounts, so it can
// answer 422 (another payload) and 409 (first still in flight). The AccountDO ledger stays
// the authority for replays. Sharding (not one object per key) keeps the registry warm:
// a new key costs a row, not a new Durable Object.
import { DurableObject } from "cloudflare:workers";
import {
  type ClaimVerdict,
  IDEMPOTENCY_RETENTION_MS,
  judgeClaim,
  KEY_LEASE_MS,
  type KeyClaim,
} from "../../core/index.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { migrate } from "../storage/sql-store.ts";

const MIGRATIONS = [
  `CREATE TABLE claims (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT NOT NULL, lease_until_ms INTEGER NOT NULL, created_at_ms INTEGER NOT NULL);
   CREATE INDEX claims_by_age ON claims (created_at_ms)`,
] as const;

/** Expired claims removed per alarm; the alarm re-arms while any remain. */
const PRUNE_BATCH = 1_000;
const PRUNE_INTERVAL_MS = 24 * 60 * 60 * 1000;

type ClaimRow = { fingerprint: string; state: "pending" | "done"; lease_until_ms: number };

export class IdempotencyKeyDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(durableObjectStore(ctx.storage), MIGRATIONS));
  }

  async claim(key: string, fingerprint: string): Promise<ClaimVerdict> {
    const now = Date.now();
    const row = this.row(key);
    const current: KeyClaim | null = row
      ? { fingerprint: row.fingerprint, state: row.state, leaseUntilMs: row.lease_until_ms }
      : null;
    const verdict = judgeClaim(current, fingerprint, now);
    if (verdict === "ok" && current?.state !== "done") {
      this.ctx.storage.sql.exec(
        `INSERT INTO claims (key, fingerprint, state, lease_until_ms, created_at_ms) VALUES (?, ?, 'pending', ?, ?)
         ON CONFLICT (key) DO UPDATE SET lease_until_ms = excluded.lease_until_ms`,
        key,
        fingerprint,
        now + KEY_LEASE_MS,
        now,
      );
      if ((await this.ctx.storage.getAlarm()) === null) {
        await this.ctx.storage.setAlarm(now + PRUNE_INTERVAL_MS);
      }
    }
    return verdict;
  }

  complete(key: string, fingerprint: string): void {
    this.ctx.storage.sql.exec(
      "UPDATE claims SET state = 'done' WHERE key = ? AND fingerprint = ?",
      key,
      fingerprint,
    );
  }

  /** A refused command took no effect: free the key for a corrected retry. */
  release(key: string, fingerprint: string): void {
    this.ctx.storage.sql.exec(
      "DELETE FROM claims WHERE key = ? AND fingerprint = ? AND state = 'pending'",
      key,
      fingerprint,
    );
  }

  override async alarm(): Promise<void> {
    const cutoff = Date.now() - IDEMPOTENCY_RETENTION_MS;
    this.ctx.storage.sql.exec(
      "DELETE FROM claims WHERE key IN (SELECT key FROM claims WHERE created_at_ms < ? LIMIT ?)",
      cutoff,
      PRUNE_BATCH,
    );
    const left = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM claims")
      .one().n;
    if (left > 0) await this.ctx.storage.setAlarm(Date.now() + PRUNE_INTERVAL_MS);
  }

  private row(key: string): ClaimRow | null {
    return (
      this.ctx.storage.sql
        .exec<ClaimRow>("SELECT fingerprint, state, lease_until_ms FROM claims WHERE key = ?", key)
        .toArray()[0] ?? null
    );
  }
}
