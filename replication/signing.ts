// Region-to-region request signing for the direct bus: HMAC-SHA256 over the raw body,
// named by a key id so two keys can be active during rotation. The receiver accepts any
// key in its active set and rejects unknown ids, stale timestamps and bad MACs. The MAC
// itself is core's `batchSignature`, so every runtime signs the same bytes the same way.
// A key id `<name>@<region>` binds its key to one region: a verification says which region
// signed, for the calls only one region may make (federated rounds: the coordinator's).

import { batchSignature, verifyBatchSignature } from "../core/index.ts";

export const KEY_ID_HEADER = "lifeline-key-id";
export const SIGNATURE_HEADER = "lifeline-signature";
export const TIMESTAMP_HEADER = "lifeline-timestamp";
/** A signed request older (or newer) than this is refused: bounds replay of a captured body. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

/** A replication secret shorter than this cannot protect a region: it refuses to start. */
export const MIN_SECRET_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}(?:@[a-z0-9-]{1,32})?$/;

/** The region a key id binds its key to (`<name>@<region>`), or null for a key of the whole ring. */
export function keyRegion(keyId: string): string | null {
  const at = keyId.lastIndexOf("@");
  return at < 0 ? null : keyId.slice(at + 1);
}

/** Whether the ring holds a key bound to `region`. */
export function bindsKeyTo(ring: KeyRing, region: string): boolean {
  for (const id of ring.keys.keys()) if (keyRegion(id) === region) return true;
  return false;
}

/**
 * The ring as `region` signs what only it may send: its current key if that is bound to it,
 * else the last key of the ring bound to it, else the ring as it is.
 */
export function ringOfRegion(ring: KeyRing, region: string): KeyRing {
  if (keyRegion(ring.current) === region) return ring;
  const own = [...ring.keys.keys()].filter((id) => keyRegion(id) === region).at(-1);
  return own === undefined ? ring : { current: own, keys: ring.keys };
}

/**
 * Key ids are looked up in a Map, never on a plain object: on an object, `__proto__`,
 * `constructor` or `toString` would resolve to a prototype member, and a forged batch
 * signed with the empty key would pass [LF8].
 */
export type KeyRing = { current: string; keys: ReadonlyMap<string, string> };

/** The region cannot run with this configuration; the message says what to fix. */
export class ConfigError extends Error {}

const rings = new Map<string, KeyRing>();

/**
 * `REPLICATION_KEYS` is JSON `{ "<id>": "<secret>", … }` (two ids during rotation);
 * `REPLICATION_KEY_ID` names the one to sign with. Every secret must be at least
 * MIN_SECRET_BYTES long. Parsed once per isolate and configuration.
 */
export function keyRingOf(env: Pick<Env, "REPLICATION_KEYS" | "REPLICATION_KEY_ID">): KeyRing {
  const cacheKey = `${env.REPLICATION_KEY_ID}\u0000${env.REPLICATION_KEYS}`;
  const hit = rings.get(cacheKey);
  if (hit) return hit;
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.REPLICATION_KEYS ?? "");
  } catch {
    throw new ConfigError('REPLICATION_KEYS is not JSON; expected {"<key id>": "<secret>"}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ConfigError('REPLICATION_KEYS must be a JSON object {"<key id>": "<secret>"}');
  const keys = new Map<string, string>();
  for (const [id, secret] of Object.entries(parsed)) {
    if (!KEY_ID.test(id))
      throw new ConfigError(
        `REPLICATION_KEYS: key id ${JSON.stringify(id.slice(0, 64))} must match ${KEY_ID}`,
      );
    if (typeof secret !== "string" || new TextEncoder().encode(secret).length < MIN_SECRET_BYTES)
      throw new ConfigError(
        `REPLICATION_KEYS: the secret of key ${id} is shorter than ${MIN_SECRET_BYTES} bytes; replication refuses to run with a guessable key`,
      );
    keys.set(id, secret);
  }
  if (!keys.has(env.REPLICATION_KEY_ID))
    throw new ConfigError(
      `REPLICATION_KEY_ID ${env.REPLICATION_KEY_ID} is not in REPLICATION_KEYS`,
    );
  const ring = { current: env.REPLICATION_KEY_ID, keys };
  if (rings.size > 8) rings.clear();
  rings.set(cacheKey, ring);
  return ring;
}

export function signRequest(ring: KeyRing, body: string, nowMs: number): Record<string, string> {
  return {
    [KEY_ID_HEADER]: ring.current,
    [TIMESTAMP_HEADER]: String(nowMs),
    [SIGNATURE_HEADER]: batchSignature(ring.keys.get(ring.current)!, nowMs, body),
  };
}

export type Verification =
  | {
      ok: true;
      keyId: string;
      /** The region the key is bound to; null for a key every region of the ring holds alike. */
      region: string | null;
    }
  | { ok: false; reason: string };

export function verifyRequest(
  ring: KeyRing,
  headers: Headers,
  body: string,
  nowMs: number,
): Verification {
  const keyId = headers.get(KEY_ID_HEADER);
  const timestamp = headers.get(TIMESTAMP_HEADER);
  const signature = headers.get(SIGNATURE_HEADER);
  if (!keyId || !timestamp || !signature) return { ok: false, reason: "unsigned request" };
  const secret = ring.keys.get(keyId);
  if (secret === undefined) return { ok: false, reason: "unknown key id" };
  const at = Number(timestamp);
  if (!Number.isFinite(at) || Math.abs(nowMs - at) > MAX_SKEW_MS)
    return { ok: false, reason: "stale timestamp" };
  if (!verifyBatchSignature(secret, at, body, signature))
    return { ok: false, reason: "bad signature" };
  return { ok: true, keyId, region: keyRegion(keyId) };
}
