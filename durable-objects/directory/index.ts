// DirectoryDO: one per region. Tenants, integrator API keys (stored as SHA-256 hashes)
// and rep users (PBKDF2 password hashes, session token versions). Authentication reads
// only this DO, never libSQL, so logging in and calling the API keep working when libSQL
// is down [LF5]. It never hashes a password: the region-wide singleton that resolves API
// keys must not queue them behind PBKDF2 (DESIGN §12); the credentials worker hashes.
import { DurableObject } from "cloudflare:workers";
import { FieldPolicy, type PortalUserLogin } from "../../core/index.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { migrate } from "../storage/sql-store.ts";

const MIGRATIONS = [
  `CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE api_keys (hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL REFERENCES tenants (id), name TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);
   CREATE TABLE users (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants (id), email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL, password TEXT NOT NULL)`,
  // Which accounts this region holds, per tenant: Durable Objects cannot be enumerated,
  // and convergence checks must not depend on libSQL.
  `CREATE TABLE accounts (tenant_id TEXT NOT NULL, account_id TEXT NOT NULL, PRIMARY KEY (tenant_id, account_id))`,
  // A tenant's own field policy (DESIGN §4); null means the default.
  `ALTER TABLE tenants ADD COLUMN field_policy TEXT`,
  // A tenant's insight rules (signal keywords and patterns, competitor gazetteer: DESIGN
  // §7) as JSON, validated by the API before it is stored; null means the defaults.
  `ALTER TABLE tenants ADD COLUMN insight_rules TEXT`,
  // Session tokens carry the version they were issued under; logout bumps it.
  `ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0`,
  // Customer portal users (DESIGN §11, §12): the login index of a fact that lives in its
  // account (the AccountDO journals invitations and passwords, replicated within the
  // jurisdiction only, and writes each user's merged state here). Token versions are this
  // region's, like the reps'.
  `CREATE TABLE portal_users (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, account_id TEXT NOT NULL, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password TEXT, invitation_hash TEXT UNIQUE, invitation_expires_at TEXT, disabled INTEGER NOT NULL DEFAULT 0, token_version INTEGER NOT NULL DEFAULT 0)`,
] as const;

/** Accounts returned per page of the account index. */
const ACCOUNT_PAGE = 1_000;

export type Principal = { tenantId: string; kind: "apiKey" | "user"; id: string; role: string };

export type DirectorySeed = {
  tenant: {
    id: string;
    name: string;
    fieldPolicy?: FieldPolicy | undefined;
    /** Insight rules as validated JSON, stored only if the tenant has none yet. */
    insightRules?: string | undefined;
  };
  apiKeys: Array<{ id: string; name: string; keyHash: string }>;
  users: Array<{
    id: string;
    email: string;
    name: string;
    role: "rep" | "manager" | "admin";
    /** The PBKDF2 hash (workers/credentials/password.ts), computed there. */
    passwordHash: string;
  }>;
};

/** What a login needs to check a password outside this object. */
export type LoginRow = {
  id: string;
  tenantId: string;
  name: string;
  role: string;
  passwordHash: string;
  tokenVersion: number;
};

/** A portal user as its account's merged state says (the AccountDO writes it here). */
export type PortalUserRow = PortalUserLogin;

export type PortalLoginRow = PortalUserRow & { tokenVersion: number };

export class DirectoryDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(durableObjectStore(ctx.storage), MIGRATIONS));
  }

  resolveApiKey(keyHash: string): Principal | null {
    const row = this.ctx.storage.sql
      .exec<{ id: string; tenant_id: string }>(
        "SELECT id, tenant_id FROM api_keys WHERE hash = ? AND revoked_at IS NULL",
        keyHash,
      )
      .toArray()[0];
    return row ? { tenantId: row.tenant_id, kind: "apiKey", id: row.id, role: "integrator" } : null;
  }

  /** The user's row for a login; the caller verifies the password. */
  userByEmail(email: string): LoginRow | null {
    const row = this.ctx.storage.sql
      .exec<{
        id: string;
        tenant_id: string;
        name: string;
        role: string;
        password: string;
        token_version: number;
      }>(
        "SELECT id, tenant_id, name, role, password, token_version FROM users WHERE email = ?",
        email.trim().toLowerCase(),
      )
      .toArray()[0];
    return row
      ? {
          id: row.id,
          tenantId: row.tenant_id,
          name: row.name,
          role: row.role,
          passwordHash: row.password,
          tokenVersion: row.token_version,
        }
      : null;
  }

  /** The version a user's session tokens must carry; null for an unknown user. */
  tokenVersion(tenantId: string, userId: string): number | null {
    return this.userVersion("SELECT token_version FROM users", tenantId, userId);
  }

  /** Revokes every session token of the user issued so far; returns the new version. */
  revokeSessions(tenantId: string, userId: string): number | null {
    return this.userVersion(
      "UPDATE users SET token_version = token_version + 1",
      tenantId,
      userId,
      "RETURNING token_version",
    );
  }

  /** Runs `statement` on one user of one tenant; its token version after, null if none. */
  private userVersion(
    statement: string,
    tenantId: string,
    userId: string,
    returning = "",
  ): number | null {
    const row = this.ctx.storage.sql
      .exec<{ token_version: number }>(
        `${statement} WHERE id = ? AND tenant_id = ? ${returning}`,
        userId,
        tenantId,
      )
      .toArray()[0];
    return row ? row.token_version : null;
  }

  /**
   * Writes a portal user's merged state. An e-mail already used by another portal user
   * is not taken over: the answer is false and the user cannot log in here (the invite
   * route refuses such e-mails before they become facts; this covers two regions racing).
   */
  syncPortalUser(u: PortalUserRow): boolean {
    const clash = this.ctx.storage.sql
      .exec<{ id: string }>(
        "SELECT id FROM portal_users WHERE email = ? AND id != ?",
        u.email,
        u.id,
      )
      .toArray()[0];
    if (clash) return false;
    this.ctx.storage.sql.exec(
      `INSERT INTO portal_users (id, tenant_id, account_id, email, name, password, invitation_hash, invitation_expires_at, disabled)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, password = excluded.password,
         invitation_hash = excluded.invitation_hash, invitation_expires_at = excluded.invitation_expires_at,
         disabled = excluded.disabled,
         token_version = portal_users.token_version + (excluded.disabled > portal_users.disabled)`,
      u.id,
      u.tenantId,
      u.accountId,
      u.email,
      u.name,
      u.passwordHash,
      u.invitationHash,
      u.invitationExpiresAt,
      u.disabled ? 1 : 0,
    );
    return true;
  }

  /** A portal user's login row by e-mail (any tenant: e-mails are unique), or null. */
  portalUserByEmail(email: string): PortalLoginRow | null {
    return this.portalUser("email = ?", email.trim().toLowerCase());
  }

  /** The portal user an open invitation code (by its SHA-256) belongs to, or null. */
  portalUserByInvitation(invitationHash: string): PortalLoginRow | null {
    return this.portalUser("invitation_hash = ?", invitationHash);
  }

  /** A tenant's portal user by id, or null. */
  portalUserById(tenantId: string, userId: string): PortalLoginRow | null {
    const row = this.portalUser("id = ?", userId);
    return row && row.tenantId === tenantId ? row : null;
  }

  /** The version a portal user's tokens must carry; null for an unknown or disabled user. */
  portalTokenVersion(tenantId: string, userId: string): number | null {
    const row = this.portalUserById(tenantId, userId);
    return row && !row.disabled && row.passwordHash ? row.tokenVersion : null;
  }

  /** Ends every portal session of the user issued so far in this region; the new version. */
  revokePortalSessions(tenantId: string, userId: string): number | null {
    const row = this.ctx.storage.sql
      .exec<{ token_version: number }>(
        "UPDATE portal_users SET token_version = token_version + 1 WHERE id = ? AND tenant_id = ? RETURNING token_version",
        userId,
        tenantId,
      )
      .toArray()[0];
    return row ? row.token_version : null;
  }

  private portalUser(where: string, value: string): PortalLoginRow | null {
    const r = this.ctx.storage.sql
      .exec<{
        id: string;
        tenant_id: string;
        account_id: string;
        email: string;
        name: string;
        password: string | null;
        invitation_hash: string | null;
        invitation_expires_at: string | null;
        disabled: number;
        token_version: number;
      }>(`SELECT * FROM portal_users WHERE ${where}`, value)
      .toArray()[0];
    return r
      ? {
          id: r.id,
          tenantId: r.tenant_id,
          accountId: r.account_id,
          email: r.email,
          name: r.name,
          passwordHash: r.password,
          invitationHash: r.invitation_hash,
          invitationExpiresAt: r.invitation_expires_at,
          disabled: r.disabled === 1,
          tokenVersion: r.token_version,
        }
      : null;
  }

  /** The tenant's field policy, or null for the default. */
  fieldPolicy(tenantId: string): FieldPolicy | null {
    const row = this.ctx.storage.sql
      .exec<{ field_policy: string | null }>(
        "SELECT field_policy FROM tenants WHERE id = ?",
        tenantId,
      )
      .toArray()[0];
    return row?.field_policy ? FieldPolicy.parse(JSON.parse(row.field_policy)) : null;
  }

  /**
   * Which of `ids` are tenants of this region, with their field policies (null: the
   * default): what a receiver needs to check a peer's batch [LF8]. At most 256 ids.
   */
  tenantPolicies(ids: string[]): Array<{ id: string; policy: FieldPolicy | null }> {
    if (ids.length === 0 || ids.length > 256) return [];
    return this.ctx.storage.sql
      .exec<{ id: string; field_policy: string | null }>(
        "SELECT id, field_policy FROM tenants WHERE id IN (SELECT value FROM json_each(?))",
        JSON.stringify(ids),
      )
      .toArray()
      .map((r) => ({
        id: r.id,
        policy: r.field_policy ? FieldPolicy.parse(JSON.parse(r.field_policy)) : null,
      }));
  }

  /** Whether any tenant is registered: a local region is not ready before its dev seed. */
  hasTenants(): boolean {
    return this.ctx.storage.sql.exec("SELECT 1 FROM tenants LIMIT 1").toArray().length > 0;
  }

  /** The tenant's insight rules as stored JSON text, or null for the defaults. */
  insightRules(tenantId: string): string | null {
    const row = this.ctx.storage.sql
      .exec<{ insight_rules: string | null }>(
        "SELECT insight_rules FROM tenants WHERE id = ?",
        tenantId,
      )
      .toArray()[0];
    return row?.insight_rules ?? null;
  }

  /** Replaces the tenant's insight rules (JSON the caller validated); null restores the defaults. */
  setInsightRules(tenantId: string, rules: string | null): boolean {
    const cursor = this.ctx.storage.sql.exec(
      "UPDATE tenants SET insight_rules = ? WHERE id = ?",
      rules,
      tenantId,
    );
    return cursor.rowsWritten > 0;
  }

  registerAccount(tenantId: string, accountId: string): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO accounts (tenant_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
      tenantId,
      accountId,
    );
  }

  accounts(tenantId: string, after: string, limit: number): string[] {
    return this.ctx.storage.sql
      .exec<{ account_id: string }>(
        "SELECT account_id FROM accounts WHERE tenant_id = ? AND account_id > ? ORDER BY account_id LIMIT ?",
        tenantId,
        after,
        Math.min(limit, ACCOUNT_PAGE),
      )
      .toArray()
      .map((r) => r.account_id);
  }

  /** A tenant's accounts in (after, through] in id order (through null: to the end), at most a page. */
  accountsBetween(
    tenantId: string,
    after: string,
    through: string | null,
    limit: number,
  ): string[] {
    return this.ctx.storage.sql
      .exec<{ account_id: string }>(
        "SELECT account_id FROM accounts WHERE tenant_id = ? AND account_id > ? AND (? IS NULL OR account_id <= ?) ORDER BY account_id LIMIT ?",
        tenantId,
        after,
        through,
        through,
        Math.min(limit, ACCOUNT_PAGE),
      )
      .toArray()
      .map((r) => r.account_id);
  }

  /** Tenants of this region after `after` in id order, at most `limit` (anti-entropy walks them). */
  tenantIds(after: string, limit: number): string[] {
    return this.ctx.storage.sql
      .exec<{ id: string }>(
        "SELECT id FROM tenants WHERE id > ? ORDER BY id LIMIT ?",
        after,
        Math.min(limit, ACCOUNT_PAGE),
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Local mode only (the API refuses the route elsewhere): creates or refreshes a tenant. */
  seed(seed: DirectorySeed): void {
    const now = new Date().toISOString();
    this.ctx.storage.transactionSync(() => {
      const sql = this.ctx.storage.sql;
      sql.exec(
        "INSERT INTO tenants (id, name, created_at, field_policy, insight_rules) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, field_policy = excluded.field_policy, insight_rules = coalesce(tenants.insight_rules, excluded.insight_rules)",
        seed.tenant.id,
        seed.tenant.name,
        now,
        seed.tenant.fieldPolicy ? JSON.stringify(seed.tenant.fieldPolicy) : null,
        seed.tenant.insightRules ?? null,
      );
      for (const k of seed.apiKeys) {
        sql.exec("DELETE FROM api_keys WHERE id = ?", k.id);
        sql.exec(
          "INSERT INTO api_keys (hash, id, tenant_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
          k.keyHash,
          k.id,
          seed.tenant.id,
          k.name,
          now,
        );
      }
      for (const u of seed.users) {
        sql.exec(
          "INSERT INTO users (id, tenant_id, email, name, role, password) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, role = excluded.role, password = excluded.password",
          u.id,
          seed.tenant.id,
          u.email.toLowerCase(),
          u.name,
          u.role,
          u.passwordHash,
        );
      }
    });
  }
}
