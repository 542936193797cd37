// [LF4] local secrets: every region of a jurisdiction gets that jurisdiction's masking and
// account id keys, and no region gets another jurisdiction's (nor the seed they come from).
// The stand-ins use generated keys, never fixed constants, and an older secrets file gains
// the missing ones without losing what it had.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { loadOrCreateSecrets, newSecrets, workerSecrets } from "./secrets.ts";

describe("[LF4] per-jurisdiction keys", () => {
  test("cn-east and cn-south share the cn keys; eu-central holds neither", () => {
    const s = newSecrets();
    const cn = workerSecrets(s, "cn");
    const eu = workerSecrets(s, "eu");
    expect(workerSecrets(s, "cn")).toEqual(cn);
    for (const name of ["MASKING_KEY", "ACCOUNT_ID_KEY"]) {
      expect(cn[name]!.length).toBeGreaterThanOrEqual(16);
      expect(eu[name]).not.toBe(cn[name]);
      expect(Object.values(eu)).not.toContain(cn[name]);
    }
    expect(cn.MASKING_KEY).not.toBe(cn.ACCOUNT_ID_KEY);
    expect(Object.values(eu).join(" ")).not.toContain(s.JURISDICTION_KEY_SEED);
    // What regions share by design is still shared.
    expect(eu.REPLICATION_KEYS).toBe(cn.REPLICATION_KEYS);
  });

  test("an older secrets file with one MASKING_KEY for all regions is upgraded and the key dropped", () => {
    const dir = mkdtempSync(join(tmpdir(), "lifeline-secrets-"));
    try {
      const old = {
        AUTH_TOKEN_SECRET: "a".repeat(32),
        REPLICATION_KEYS: { k1: "r" },
        MASKING_KEY: "m".repeat(32),
      };
      writeFileSync(join(dir, "secrets.json"), JSON.stringify(old));
      const s = loadOrCreateSecrets(dir);
      expect(s.AUTH_TOKEN_SECRET).toBe(old.AUTH_TOKEN_SECRET);
      expect(s.JURISDICTION_KEY_SEED.length).toBeGreaterThanOrEqual(32);
      const stored = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8"));
      expect(stored.MASKING_KEY).toBeUndefined();
      expect(loadOrCreateSecrets(dir)).toEqual(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

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
  const worker = workerSecrets(a, "cn");
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
