// Local secrets, generated once into <dataRoot>/secrets.json (mode 0600) and reused, so
// rep session tokens signed before a restart still verify after it, and every region
// shares the replication and masking keys. Missing keys are added to an older file.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LocalSecrets {
  AUTH_TOKEN_SECRET: string;
  /** Region-to-region HMAC keys by id; k1 signs. */
  REPLICATION_KEYS: Record<string, string>;
  MASKING_KEY: string;
  /** What each region's libSQL server requires as `Authorization: Bearer`. */
  LIBSQL_AUTH_TOKEN: string;
  /** The local relay's API token and its delivery-signing keys (never QStash's published dev ones). */
  QSTASH_TOKEN: string;
  QSTASH_CURRENT_SIGNING_KEY: string;
  QSTASH_NEXT_SIGNING_KEY: string;
  /** Sent as `Lifeline-Local-Admin` by local tooling: /__local/* answers nothing else. */
  LOCAL_ADMIN_SECRET: string;
}

const secret = () => randomBytes(32).toString("base64url");

export function newSecrets(): LocalSecrets {
  return {
    AUTH_TOKEN_SECRET: secret(),
    REPLICATION_KEYS: { k1: secret() },
    MASKING_KEY: secret(),
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
  const stored = JSON.parse(readFileSync(path, "utf8")) as Partial<LocalSecrets>;
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
  if (Object.keys(fresh).some((k) => !Object.hasOwn(stored, k))) {
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** The relay's credentials, as its CLI reads them from the environment. */
export function relaySecrets(s: LocalSecrets): Record<string, string> {
  return {
    QSTASH_TOKEN: s.QSTASH_TOKEN,
    QSTASH_CURRENT_SIGNING_KEY: s.QSTASH_CURRENT_SIGNING_KEY,
    QSTASH_NEXT_SIGNING_KEY: s.QSTASH_NEXT_SIGNING_KEY,
  };
}

/** The worker secrets of a local region (all but AUTH_TOKEN_SECRET, which startRegion takes). */
export function workerSecrets(s: LocalSecrets): Record<string, string> {
  return {
    REPLICATION_KEYS: JSON.stringify(s.REPLICATION_KEYS),
    MASKING_KEY: s.MASKING_KEY,
    LIBSQL_AUTH_TOKEN: s.LIBSQL_AUTH_TOKEN,
    LOCAL_ADMIN_SECRET: s.LOCAL_ADMIN_SECRET,
    ...relaySecrets(s),
  };
}
