// Where each id lives: DO names are tenant-scoped, so a key of tenant A can never
// address tenant B's objects — the id alone is not enough to reach them.
export function accountStub(env: Env, tenantId: string, accountId: string) {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName(`${tenantId}/${accountId}`));
}

export function idempotencyKeyStub(env: Env, tenantId: string, key: string) {
  return env.IDEMPOTENCY_KEY.get(env.IDEMPOTENCY_KEY.idFromName(`${tenantId}/${key}`));
}
