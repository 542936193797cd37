// RateLimitDO: token buckets and login lockouts for a shard of key names (DESIGN §12).
// Each object holds at most MAX_KEYS names; the least recently touched goes first.
import { DurableObject } from "cloudflare:workers";
import { sha256Hex } from "../../core/index.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { migrate } from "../storage/sql-store.ts";
import {
  type BucketPolicy,
  type BucketState,
  type FailureState,
  type LockoutPolicy,
  recordFailure,
  take,
} from "./bucket.ts";

const MIGRATIONS = [
  `CREATE TABLE buckets (name TEXT PRIMARY KEY, tokens REAL NOT NULL, at_ms INTEGER NOT NULL, failures INTEGER NOT NULL DEFAULT 0, locked_until_ms INTEGER NOT NULL DEFAULT 0, touched_ms INTEGER NOT NULL);
   CREATE INDEX buckets_touched ON buckets (touched_ms)`,
] as const;

/** Names one object keeps; past it the least recently touched name is forgotten. */
export const MAX_KEYS = 10_000;
/** Objects per kind of key: enough to spread a storm, few enough to stay warm. */
export const RATE_LIMIT_SHARDS = 64;

export type RateLimitKind = "login-ip" | "login-email" | "key" | "tenant";

/** The object that holds `key`'s bucket, and the name it is stored under there. */
export function rateLimitStub(env: Env, kind: RateLimitKind, key: string) {
  const hash = sha256Hex(`${kind}\u0000${key}`);
  const shard = Number.parseInt(hash.slice(0, 8), 16) % RATE_LIMIT_SHARDS;
  // Names are hashed: the objects never hold an e-mail or an address in clear.
  return {
    stub: env.RATE_LIMIT.get(env.RATE_LIMIT.idFromName(`${kind}/${shard}`)),
    name: hash,
  };
}

export type TakeResult =
  | { ok: true; granted: number; remaining: number; tokens: number }
  | { ok: false; remaining: number; retryAfterMs: number; tokens: number };

export type LoginGate =
  | { ok: true }
  | { ok: false; reason: "locked" | "rate"; retryAfterMs: number };

type Row = {
  tokens: number;
  at_ms: number;
  failures: number;
  locked_until_ms: number;
};

const clampPolicy = (p: BucketPolicy): BucketPolicy => ({
  burst: Math.max(1, Math.min(1e9, Math.floor(p.burst))),
  perS: Math.max(1e-6, Math.min(1e9, p.perS)),
});

export class RateLimitDO extends DurableObject<Env> {
  private count = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      migrate(durableObjectStore(ctx.storage), MIGRATIONS);
      this.count = ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM buckets").one().n;
    });
  }

  /** Takes up to `want` tokens (at least `min`) from `name`'s bucket. */
  take(name: string, policy: BucketPolicy, want = 1, min = 1): TakeResult {
    const p = clampPolicy(policy);
    const row = this.row(name);
    const now = Date.now();
    const result = take(p, row ? bucket(row) : undefined, now, Math.max(1, want), Math.max(1, min));
    this.write(name, result.state, row, now);
    return result.ok
      ? {
          ok: true,
          granted: result.granted,
          remaining: result.remaining,
          tokens: result.state.tokens,
        }
      : {
          ok: false,
          remaining: result.remaining,
          retryAfterMs: result.retryAfterMs,
          tokens: result.state.tokens,
        };
  }

  /** A login may go ahead: `name` is not locked out and has a token left. */
  loginAttempt(name: string, policy: BucketPolicy): LoginGate {
    const row = this.row(name);
    const now = Date.now();
    if (row && row.locked_until_ms > now) {
      return { ok: false, reason: "locked", retryAfterMs: row.locked_until_ms - now };
    }
    const result = take(clampPolicy(policy), row ? bucket(row) : undefined, now);
    this.write(name, result.state, row, now);
    return result.ok
      ? { ok: true }
      : { ok: false, reason: "rate", retryAfterMs: result.retryAfterMs };
  }

  /** Counts a failed login; from the policy's threshold on, the next attempt must wait. */
  loginFailed(name: string, policy: LockoutPolicy): FailureState {
    const row = this.row(name);
    const now = Date.now();
    const next = recordFailure(
      policy,
      row ? { failures: row.failures, lockedUntilMs: row.locked_until_ms } : undefined,
      now,
    );
    // Normally loginAttempt made the row; if it was evicted since, start it empty (strict).
    if (!row) this.write(name, { tokens: 0, atMs: now }, row, now);
    this.ctx.storage.sql.exec(
      "UPDATE buckets SET failures = ?, locked_until_ms = ?, touched_ms = ? WHERE name = ?",
      next.failures,
      next.lockedUntilMs,
      now,
      name,
    );
    return next;
  }

  /**
   * A successful login forgets the failures; with `forgetBudget` (an e-mail: only its
   * owner can succeed) the spent budget too. An address keeps its budget, or one valid
   * account would buy its address unlimited guesses for others.
   */
  loginSucceeded(name: string, forgetBudget: boolean): void {
    if (forgetBudget) {
      const cursor = this.ctx.storage.sql.exec("DELETE FROM buckets WHERE name = ?", name);
      this.count -= cursor.rowsWritten;
      return;
    }
    this.ctx.storage.sql.exec(
      "UPDATE buckets SET failures = 0, locked_until_ms = 0 WHERE name = ?",
      name,
    );
  }

  private row(name: string): Row | undefined {
    return this.ctx.storage.sql
      .exec<Row>(
        "SELECT tokens, at_ms, failures, locked_until_ms FROM buckets WHERE name = ?",
        name,
      )
      .toArray()[0];
  }

  private write(name: string, state: BucketState, existing: Row | undefined, now: number): void {
    const sql = this.ctx.storage.sql;
    if (existing) {
      sql.exec(
        "UPDATE buckets SET tokens = ?, at_ms = ?, touched_ms = ? WHERE name = ?",
        state.tokens,
        state.atMs,
        now,
        name,
      );
      return;
    }
    if (this.count >= MAX_KEYS) {
      sql.exec(
        "DELETE FROM buckets WHERE name IN (SELECT name FROM buckets ORDER BY touched_ms LIMIT 1)",
      );
      this.count--;
    }
    sql.exec(
      "INSERT INTO buckets (name, tokens, at_ms, touched_ms) VALUES (?, ?, ?, ?)",
      name,
      state.tokens,
      state.atMs,
      now,
    );
    this.count++;
  }
}

const bucket = (row: Row): BucketState => ({ tokens: row.tokens, atMs: row.at_ms });
