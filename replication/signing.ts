// Region-to-region request signing for the direct bus: HMAC-SHA256 over the raw body,
// named by a key id so two keys can be active during rotation. The receiver accepts any
// key in its active set and rejects unknown ids, stale timestamps and bad MACs. The MAC
// itself is core's `batchSignature`, so every runtime signs the same bytes the same way.

import { batchSignature, verifyBatchSignature } from "../core/index.ts";

export const KEY_ID_HEADER = "lifeline-key-id";
export const SIGNATURE_HEADER = "lifeline-signature";
export const TIMESTAMP_HEADER = "lifeline-timestamp";
/** A signed request older (or newer) than this is refused: bounds replay of a captured body. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

export type KeyRing = { current: string; keys: Record<string, string> };

/** `REPLICATION_KEYS` is JSON `{ "<id>": "<secret>", … }`; `REPLICATION_KEY_ID` names the one to sign with. */
export function keyRingOf(env: Pick<Env, "REPLICATION_KEYS" | "REPLICATION_KEY_ID">): KeyRing {
  const keys = JSON.parse(env.REPLICATION_KEYS) as Record<string, string>;
  if (!keys[env.REPLICATION_KEY_ID])
    throw new Error(`REPLICATION_KEY_ID ${env.REPLICATION_KEY_ID} is not in REPLICATION_KEYS`);
  return { current: env.REPLICATION_KEY_ID, keys };
}

export function signRequest(ring: KeyRing, body: string, nowMs: number): Record<string, string> {
  return {
    [KEY_ID_HEADER]: ring.current,
    [TIMESTAMP_HEADER]: String(nowMs),
    [SIGNATURE_HEADER]: batchSignature(ring.keys[ring.current]!, nowMs, body),
  };
}

export type Verification = { ok: true; keyId: string } | { ok: false; reason: string };

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
  const secret = ring.keys[keyId];
  if (!secret) return { ok: false, reason: `unknown key id ${keyId}` };
  const at = Number(timestamp);
  if (!Number.isFinite(at) || Math.abs(nowMs - at) > MAX_SKEW_MS)
    return { ok: false, reason: "stale timestamp" };
  if (!verifyBatchSignature(secret, at, body, signature))
    return { ok: false, reason: "bad signature" };
  return { ok: true, keyId };
}
