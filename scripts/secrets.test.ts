// [LF4] local secrets: every region of a jurisdiction gets that jurisdiction's masking and
// account id keys, and no region gets another jurisdiction's (nor the seed they come from).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
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
