// Where each id lives: DO names are tenant-scoped, so a key of tenant A can never
// address tenant B's objects — the id alone is not enough to reach them. A region whose
// jurisdiction maps to a Cloudflare jurisdiction creates its account objects there [LF4].
import { z } from "zod";
import { sha256Hex } from "../core/index.ts";

/** Lifeline jurisdiction → Cloudflare Durable Object jurisdiction, e.g. `{"eu":"eu"}`. */
const DoJurisdictions = z.record(
  z.string().regex(/^[a-z]{2,8}$/),
  z.enum(["eu", "fedramp", "fedramp-high"] satisfies DurableObjectJurisdiction[]),
);

const parsed = new Map<string, Map<string, DurableObjectJurisdiction>>();

function doJurisdictions(raw: string | undefined): Map<string, DurableObjectJurisdiction> {
  const text = raw?.trim() || "{}";
  let map = parsed.get(text);
  if (map) return map;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const result = DoJurisdictions.safeParse(json);
  if (!result.success)
    throw new Error(`DO_JURISDICTIONS must be a JSON map such as {"eu":"eu"}, got ${text}`);
  map = new Map(Object.entries(result.data));
  parsed.set(text, map);
  return map;
}

/**
 * The namespace this region creates objects in: restricted to the Cloudflare jurisdiction
 * that DO_JURISDICTIONS maps the region's own jurisdiction to. Every account an EU region
 * holds unmasked is EU-resident (writes are accepted only in-jurisdiction), so pinning by
 * the region's jurisdiction pins every EU account; masked copies of foreign accounts stay
 * in the region too.
 */
export function pinnedNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  env: Pick<Env, "JURISDICTION" | "DO_JURISDICTIONS">,
  namespace: DurableObjectNamespace<T>,
): DurableObjectNamespace<T> {
  const cloudflare = doJurisdictions(env.DO_JURISDICTIONS).get(env.JURISDICTION);
  return cloudflare ? namespace.jurisdiction(cloudflare) : namespace;
}

export function accountStub(env: Env, tenantId: string, accountId: string) {
  const ns = pinnedNamespace(env, env.ACCOUNT);
  return ns.get(ns.idFromName(`${tenantId}/${accountId}`));
}

/** Shards of a tenant's Idempotency-Key registry: enough to spread load, few enough to stay warm. */
export const KEY_REGISTRY_SHARDS = 32;

export function idempotencyKeyStub(env: Env, tenantId: string, key: string) {
  const shard = Number.parseInt(sha256Hex(key).slice(0, 8), 16) % KEY_REGISTRY_SHARDS;
  const ns = pinnedNamespace(env, env.IDEMPOTENCY_KEY);
  return ns.get(ns.idFromName(`${tenantId}/keys/${shard}`));
}

/** The region's one audit log [LF7]. */
export function auditStub(env: Env) {
  return env.AUDIT.get(env.AUDIT.idFromName("audit"));
}

/**
 * A tenant's customer success groups, delegations and approvals in this region: one object
 * per (region, tenant) (durable-objects/groups/index.ts says why).
 */
export function groupsStub(env: Env, tenantId: string) {
  const ns = pinnedNamespace(env, env.GROUPS);
  return ns.get(ns.idFromName(`${tenantId}/groups`));
}
