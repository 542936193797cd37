// Where each id lives: DO names are tenant-scoped, so a key of tenant A can never
// address tenant B's objects — the id alone is not enough to reach them.
import { sha256Hex } from "../core/index.ts";

export function accountStub(env: Env, tenantId: string, accountId: string) {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(`${tenantId}/${accountId}`));
}

/** Shards of a tenant's Idempotency-Key registry: enough to spread load, few enough to stay warm. */
export const KEY_REGISTRY_SHARDS = 32;

export function idempotencyKeyStub(env: Env, tenantId: string, key: string) {
  const shard = Number.parseInt(sha256Hex(key).slice(0, 8), 16) % KEY_REGISTRY_SHARDS;
  return env.IDEMPOTENCY_KEY.get(env.IDEMPOTENCY_KEY.idFromName(`${tenantId}/keys/${shard}`));
}

/** The region's one audit log [LF7]. */
export function auditStub(env: Env) {
  return env.AUDIT.get(env.AUDIT.idFromName("audit"));
}
