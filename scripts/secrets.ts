// Local secrets, generated once into <dataRoot>/secrets.json (mode 0600) and reused, so
// rep session tokens signed before a restart still verify after it, and every region
// shares the replication keys. Masking and account id keys are per jurisdiction: a region
// is given only its own jurisdiction's, and only the relay seal keys of pairs it is in.
// The local stand-ins get generated credentials too (libSQL token, relay token and signing
// keys, the local admin secret). Missing keys are added to an older file.
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LocalSecrets {
  AUTH_TOKEN_SECRET: string;
  /** Region-to-region HMAC keys by id; k1 signs. */
  REPLICATION_KEYS: Record<string, string>;
  /**
   * Seed of the per-jurisdiction keys (MASKING_KEY, ACCOUNT_ID_KEY). Regions get keys
   * derived from it for their own jurisdiction only, never the seed.
   */
  JURISDICTION_KEY_SEED: string;
  /** End-to-end keys for batches sent through the relay, per pair of jurisdictions ("cn|eu"). */
  RELAY_SEAL_KEYS: Record<string, { current: string; keys: Record<string, string> }>;
  /** HMAC key of the audit chain [LF7]; local regions share one (deployed regions each have their own). */
  AUDIT_KEY: string;
  /** What each region's libSQL server requires as `Authorization: Bearer`. */
  LIBSQL_AUTH_TOKEN: string;
  /** The local relay's API token and its delivery-signing keys (never QStash's published dev ones). */
  QSTASH_TOKEN: string;
  QSTASH_CURRENT_SIGNING_KEY: string;
  QSTASH_NEXT_SIGNING_KEY: string;
  /** Sent as `Lifeline-Local-Admin` by local tooling: /__local/* answers nothing else. */
  LOCAL_ADMIN_SECRET: string;
}

/** The jurisdictions local seal keys are made for (wrangler.toml's). */
const LOCAL_JURISDICTIONS = ["cn", "eu"];

const secret = () => randomBytes(32).toString("base64url");

function sealKeys(): LocalSecrets["RELAY_SEAL_KEYS"] {
  const out: LocalSecrets["RELAY_SEAL_KEYS"] = {};
  for (const a of LOCAL_JURISDICTIONS)
    for (const b of LOCAL_JURISDICTIONS)
      if (a <= b) out[`${a}|${b}`] = { current: "s1", keys: { s1: secret() } };
  return out;
}

export function newSecrets(): LocalSecrets {
  return {
    AUTH_TOKEN_SECRET: secret(),
    REPLICATION_KEYS: { k1: secret() },
    JURISDICTION_KEY_SEED: secret(),
    RELAY_SEAL_KEYS: sealKeys(),
    AUDIT_KEY: secret(),
    LIBSQL_AUTH_TOKEN: secret(),
    QSTASH_TOKEN: secret(),
    QSTASH_CURRENT_SIGNING_KEY: `sig_${secret()}`,
    QSTASH_NEXT_SIGNING_KEY: `sig_${secret()}`,
    LOCAL_ADMIN_SECRET: secret(),
  };
}

export function loadOrCreateSecrets(dataRoot: string): LocalSecrets {
  const path = join(dataRoot, "secrets.json");
  mkdirSync(dataRoot, { recursive: true });
  try {
    // "wx" creates only if absent, so two starts racing cannot overwrite each other's secret.
    writeFileSync(path, `${JSON.stringify(newSecrets(), null, 2)}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const { MASKING_KEY: sharedMaskingKey, ...stored } = JSON.parse(
    readFileSync(path, "utf8"),
  ) as Partial<LocalSecrets> & {
    /** One masking key for every region: replaced by per-jurisdiction keys. */
    MASKING_KEY?: string;
  };
  if (typeof stored.AUTH_TOKEN_SECRET !== "string" || stored.AUTH_TOKEN_SECRET.length < 16)
    throw new Error(
      `${path}: AUTH_TOKEN_SECRET missing or too short; delete the file to regenerate`,
    );
  const fresh = newSecrets();
  const secrets: LocalSecrets = {
    ...fresh,
    ...stored,
    AUTH_TOKEN_SECRET: stored.AUTH_TOKEN_SECRET,
  };
  if (Buffer.byteLength(secrets.AUDIT_KEY) < 32)
    throw new Error(
      `${path}: AUDIT_KEY shorter than 32 bytes; delete it from the file to regenerate`,
    );
  if (sharedMaskingKey !== undefined || Object.keys(fresh).some((k) => !Object.hasOwn(stored, k))) {
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** A jurisdiction's own key for one purpose: the same for its regions, unrelated elsewhere. */
function jurisdictionKey(s: LocalSecrets, purpose: string, jurisdiction: string): string {
  return createHmac("sha256", s.JURISDICTION_KEY_SEED)
    .update(`${purpose}\u0000${jurisdiction}`)
    .digest("base64url");
}

/** The relay's credentials, as its CLI reads them from the environment. */
export function relaySecrets(s: LocalSecrets): Record<string, string> {
  return {
    QSTASH_TOKEN: s.QSTASH_TOKEN,
    QSTASH_CURRENT_SIGNING_KEY: s.QSTASH_CURRENT_SIGNING_KEY,
    QSTASH_NEXT_SIGNING_KEY: s.QSTASH_NEXT_SIGNING_KEY,
  };
}

/**
 * The worker secrets of a local region of `jurisdiction` (all but AUTH_TOKEN_SECRET,
 * which startRegion takes): its jurisdiction's masking and account id keys, no other's,
 * the relay seal keys of the jurisdiction pairs it is in, and the stand-ins' credentials.
 */
export function workerSecrets(s: LocalSecrets, jurisdiction: string): Record<string, string> {
  const seal = Object.fromEntries(
    Object.entries(s.RELAY_SEAL_KEYS).filter(([pair]) => pair.split("|").includes(jurisdiction)),
  );
  return {
    REPLICATION_KEYS: JSON.stringify(s.REPLICATION_KEYS),
    MASKING_KEY: jurisdictionKey(s, "masking", jurisdiction),
    ACCOUNT_ID_KEY: jurisdictionKey(s, "account-id", jurisdiction),
    RELAY_SEAL_KEYS: JSON.stringify(seal),
    AUDIT_KEY: s.AUDIT_KEY,
    LIBSQL_AUTH_TOKEN: s.LIBSQL_AUTH_TOKEN,
    LOCAL_ADMIN_SECRET: s.LOCAL_ADMIN_SECRET,
    ...relaySecrets(s),
  };
}
