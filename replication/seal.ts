// End-to-end sealing of batches that travel through a relay (QStash) [LF4]: the relay is a
// third party, so it stores and forwards only AES-256-GCM ciphertext. Keys are per pair of
// jurisdictions ("cn|cn", "cn|eu", …): a region holds only the pairs its own jurisdiction
// is in, so eu-central can open what it is sent but not what cn-east sends cn-south. Each
// pair has a current key and may keep a previous one during rotation (two active keys).
// The associated data binds the ciphertext to its pair, key, sender and receiver, so a
// sealed body replayed to another region or relabelled fails to open.

import { jurisdictionLookup } from "./regions.ts";

export const SEAL_FORMAT = "lifeline-sealed/1";
const KEY_BYTES = 32;
const IV_BYTES = 12;

export class SealError extends Error {}

type PairRing = { current: string; keys: Map<string, Uint8Array> };
export type SealRing = {
  /** This region's jurisdiction and the jurisdiction of every region, for pair names. */
  jurisdiction: string;
  jurisdictionOf: (region: string) => string | null;
  pairs: Map<string, PairRing>;
};

export type SealedBody = {
  format: typeof SEAL_FORMAT;
  pair: string;
  kid: string;
  from: string;
  to: string;
  iv: string;
  ct: string;
};

export const pairOf = (a: string, b: string) => (a <= b ? `${a}|${b}` : `${b}|${a}`);

function b64urlDecode(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function b64urlEncode(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * `RELAY_SEAL_KEYS` is JSON `{ "<pair>": { "current": "<kid>", "keys": { "<kid>": "<base64url of 32 bytes>" } } }`.
 * Throws a readable error for anything else; a region on the qstash bus without a key for
 * a pair cannot send to or receive from that pair.
 */
export function parseSealKeys(raw: string | undefined): Map<string, PairRing> {
  const pairs = new Map<string, PairRing>();
  if (!raw) return pairs;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SealError("RELAY_SEAL_KEYS is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new SealError("RELAY_SEAL_KEYS must be an object of jurisdiction pairs");
  for (const [pair, entry] of Object.entries(parsed)) {
    if (!/^[a-z]{2,8}\|[a-z]{2,8}$/.test(pair))
      throw new SealError(`RELAY_SEAL_KEYS: ${pair.slice(0, 40)} is not a pair such as cn|eu`);
    const e = entry as { current?: unknown; keys?: unknown };
    if (typeof e?.current !== "string" || typeof e.keys !== "object" || e.keys === null)
      throw new SealError(`RELAY_SEAL_KEYS[${pair}]: expected { current, keys }`);
    const keys = new Map<string, Uint8Array>();
    for (const [kid, material] of Object.entries(e.keys)) {
      const bytes = typeof material === "string" ? b64urlDecode(material) : null;
      if (!bytes || bytes.length !== KEY_BYTES)
        throw new SealError(`RELAY_SEAL_KEYS[${pair}].keys.${kid}: expected ${KEY_BYTES} bytes`);
      keys.set(kid, bytes);
    }
    if (!keys.has(e.current))
      throw new SealError(`RELAY_SEAL_KEYS[${pair}]: current key ${e.current} is not in keys`);
    pairs.set(pair, { current: e.current, keys });
  }
  return pairs;
}

/**
 * Imported keys, held per key material object: the ring is parsed once per isolate, so
 * its Uint8Arrays are the identities; no copy of the material is made into a cache key.
 */
const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function cryptoKey(material: Uint8Array): Promise<CryptoKey> {
  let key = imported.get(material);
  if (!key) {
    key = crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
    imported.set(material, key);
  }
  return key;
}

const aad = (b: Pick<SealedBody, "pair" | "kid" | "from" | "to">) =>
  new TextEncoder().encode(`${SEAL_FORMAT}|${b.pair}|${b.kid}|${b.from}|${b.to}`);

export async function seal(
  ring: SealRing,
  from: string,
  to: string,
  plain: string,
): Promise<string> {
  const theirs = ring.jurisdictionOf(to);
  if (theirs === null) throw new SealError(`${to} is not a known region`);
  const pair = pairOf(ring.jurisdiction, theirs);
  const keys = ring.pairs.get(pair);
  if (!keys) throw new SealError(`no relay seal key for ${pair}`);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const head = { pair, kid: keys.current, from, to };
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(head) },
    await cryptoKey(keys.keys.get(keys.current)!),
    new TextEncoder().encode(plain),
  );
  const body: SealedBody = {
    format: SEAL_FORMAT,
    ...head,
    iv: b64urlEncode(iv),
    ct: b64urlEncode(new Uint8Array(ct)),
  };
  return JSON.stringify(body);
}

/** Opens a sealed body addressed to `me`; the plaintext's own from/to must match the seal's. */
export async function openSealed(
  ring: SealRing,
  body: string,
  me: string,
): Promise<{ plain: string; from: string }> {
  let b: Partial<SealedBody>;
  try {
    b = JSON.parse(body) as Partial<SealedBody>;
  } catch {
    throw new SealError("the body is not a sealed batch");
  }
  if (b.format !== SEAL_FORMAT) throw new SealError("the body is not a sealed batch");
  const { pair, kid, from, to, iv, ct } = b;
  if ([pair, kid, from, to, iv, ct].some((v) => typeof v !== "string"))
    throw new SealError("the sealed batch is incomplete");
  if (to !== me) throw new SealError("sealed for another region");
  const theirs = ring.jurisdictionOf(from!);
  if (theirs === null || pairOf(ring.jurisdiction, theirs) !== pair)
    throw new SealError("the seal names another pair of jurisdictions");
  const material = ring.pairs.get(pair!)?.keys.get(kid!);
  if (!material) throw new SealError("sealed with a key this region does not hold");
  try {
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: b64urlDecode(iv!),
        additionalData: aad({ pair: pair!, kid: kid!, from: from!, to: to! }),
      },
      await cryptoKey(material),
      b64urlDecode(ct!),
    );
    return { plain: new TextDecoder().decode(plain), from: from! };
  } catch {
    throw new SealError("the sealed batch does not open with its key (tampered or wrong key)");
  }
}

/** The last ring parsed, with the settings it was parsed from (one per isolate). */
let parsedRing: { jurisdiction: string; regions: string; keys: string; ring: SealRing } | undefined;

/** This region's seal keys (RELAY_SEAL_KEYS) and the region map, parsed once per isolate. */
export function sealRingOf(env: {
  REGIONS: string;
  JURISDICTION: string;
  RELAY_SEAL_KEYS?: string;
}): SealRing {
  const keys = env.RELAY_SEAL_KEYS ?? "";
  const last = parsedRing;
  if (
    last &&
    last.jurisdiction === env.JURISDICTION &&
    last.regions === env.REGIONS &&
    last.keys === keys
  )
    return last.ring;
  const ring: SealRing = {
    jurisdiction: env.JURISDICTION,
    jurisdictionOf: jurisdictionLookup(env),
    pairs: parseSealKeys(env.RELAY_SEAL_KEYS),
  };
  parsedRing = { jurisdiction: env.JURISDICTION, regions: env.REGIONS, keys, ring };
  return ring;
}
