// Local secrets are generated, never fixed constants: each data dir gets its own libSQL
// token, relay token and signing keys and local admin secret, and an older secrets file
// gains the missing ones without losing what it had.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { loadOrCreateSecrets, workerSecrets } from "./secrets.ts";

const dirs: string[] = [];
const dataRoot = () => {
  const dir = mkdtempSync(join(tmpdir(), "lifeline-secrets-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The QStash dev server's published signing key: anyone can sign with it. */
const PUBLISHED_QSTASH_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";

test("local stand-ins use generated keys: every data dir has its own", () => {
  const a = loadOrCreateSecrets(dataRoot());
  const b = loadOrCreateSecrets(dataRoot());
  for (const name of [
    "LIBSQL_AUTH_TOKEN",
    "QSTASH_TOKEN",
    "QSTASH_CURRENT_SIGNING_KEY",
    "QSTASH_NEXT_SIGNING_KEY",
    "LOCAL_ADMIN_SECRET",
  ] as const) {
    expect(a[name].length, name).toBeGreaterThanOrEqual(32);
    expect(a[name], name).not.toBe(b[name]);
  }
  const worker = workerSecrets(a);
  expect(Object.values(worker)).not.toContain(PUBLISHED_QSTASH_KEY);
  expect(worker.LIBSQL_AUTH_TOKEN).toBe(a.LIBSQL_AUTH_TOKEN);
});

test("an older secrets file keeps its values and gains the missing keys", () => {
  const root = dataRoot();
  const path = join(root, "secrets.json");
  writeFileSync(path, JSON.stringify({ AUTH_TOKEN_SECRET: "kept-auth-secret-0123456789" }));
  const loaded = loadOrCreateSecrets(root);
  expect(loaded.AUTH_TOKEN_SECRET).toBe("kept-auth-secret-0123456789");
  const stored = JSON.parse(readFileSync(path, "utf8"));
  expect(stored.LIBSQL_AUTH_TOKEN).toBe(loaded.LIBSQL_AUTH_TOKEN);
  expect(loadOrCreateSecrets(root)).toEqual(loaded);
});
