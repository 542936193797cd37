// Local secrets, generated once into <dataRoot>/secrets.json (mode 0600) and reused, so
// rep session tokens signed before a restart still verify after it.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LocalSecrets {
  AUTH_TOKEN_SECRET: string;
}

export function newSecrets(): LocalSecrets {
  return { AUTH_TOKEN_SECRET: randomBytes(32).toString("base64url") };
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
  const secrets = JSON.parse(readFileSync(path, "utf8")) as Partial<LocalSecrets>;
  if (typeof secrets.AUTH_TOKEN_SECRET !== "string" || secrets.AUTH_TOKEN_SECRET.length < 16)
    throw new Error(
      `${path}: AUTH_TOKEN_SECRET missing or too short; delete the file to regenerate`,
    );
  return { AUTH_TOKEN_SECRET: secrets.AUTH_TOKEN_SECRET };
}
