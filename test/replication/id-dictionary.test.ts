// [LF4] on real regions: a CN customer created in cn-east replicates to eu-central, and a
// 10,000-guess dictionary run over every file of eu-central's storage, with every secret
// eu-central's worker holds, recovers no tax id. Run with cn-east's secrets instead, the
// same attack finds it — so the attack works on this data and the first result means
// something.
import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { base32, normalizeTaxId } from "../../core/index.ts";
import { DEV_KEY, startTopology } from "../../scripts/local-topology.ts";
import { draftContract } from "../support/commands.ts";
import { storedFiles } from "../support/files.ts";
import { forSuite } from "../support/suite.ts";
import { client, eventually } from "../support/test-region.ts";

const TENANT = "ten_demo";
const DICTIONARY = Array.from(
  { length: 10_000 },
  (_, n) => `91330000MB${n.toString().padStart(6, "0")}7Q`,
);
const REAL_TAX_ID = DICTIONARY[8123]!;

const topology = forSuite(() => startTopology(["cn-east", "eu-central"]), 120_000);

/** Every file a region stores (libSQL, Durable Object SQLite, its env file), as text. */
const storedText = (region: string) =>
  storedFiles(topology().dataDir(region))
    .map((f) => readFileSync(f).toString("latin1"))
    .join("\n");

/** The secrets a region's worker is given (its env file): all it could key a guess with. */
function secretsOf(region: string): string[] {
  const env = readFileSync(join(topology().dataDir(region), "worker.env"), "utf8");
  const values = [...env.matchAll(/^[A-Z_]+='(.*)'$/gm)].map((m) => m[1]!);
  // REPLICATION_KEYS is JSON: its values are keys too.
  const nested = values.flatMap((v) => {
    try {
      const json = JSON.parse(v);
      return json && typeof json === "object" ? Object.values(json).map(String) : [];
    } catch {
      return [];
    }
  });
  return [...values, ...nested];
}

const sha = (x: string) => createHash("sha256").update(x).digest();
const hmac = (key: string, x: string) => createHmac("sha256", key).update(x).digest();

/** Ids and keyed hashes in stored text: what a guess's derivations are compared with. */
function heldTokens(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:acc|ctr|pay|evt)_([0-9A-Z]{26})/g)) out.add(`acc_${m[1]}`);
  for (const m of text.matchAll(/hmac-sha256:[0-9a-f]{64}/g)) out.add(m[0]);
  return out;
}

function dictionaryAttack(held: Set<string>, keys: string[]): string[] {
  return DICTIONARY.filter((guess) => {
    const t = normalizeTaxId(guess);
    for (const c of [[TENANT, "taxId", t], [TENANT, t], [t]].map((p) => p.join("\u0000"))) {
      if (held.has(`acc_${base32(sha(c), 26)}`)) return true;
      for (const k of keys) if (held.has(`acc_${base32(hmac(k, c), 26)}`)) return true;
    }
    for (const k of ["", ...keys])
      if (held.has(`hmac-sha256:${hmac(k, t).toString("hex")}`)) return true;
    return false;
  });
}

describe("[LF4] eu-central cannot recover a CN tax id from anything it stores", () => {
  test("10,000 guesses over eu-central's storage with its own secrets recover nothing; with cn-east's they do", async () => {
    const east = client(topology().url("cn-east"), DEV_KEY);
    const created = await east("POST", "/v1/customers", {
      name: "杭州字典测试",
      taxId: REAL_TAX_ID,
      residency: "cn",
      contacts: [{ name: "赵六", phone: "+86 139 0000 1234" }],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const contract = await draftContract(east, id, 1_000, "c".repeat(64));
    expect(contract.status).toBe(201);
    const eu = client(topology().url("eu-central"), DEV_KEY);
    const copy = await eventually(async () => {
      const r = await eu("GET", `/v1/customers/${id}`);
      return r.status === 200 ? r.body : undefined;
    }, 10_000);
    expect(copy.taxId).toMatch(/^hmac-sha256:/);

    const stored = storedText("eu-central");
    expect(stored).not.toContain(REAL_TAX_ID);
    const held = heldTokens(stored);
    expect(held).toContain(id);
    expect(held).toContain(copy.taxId);
    expect(dictionaryAttack(held, secretsOf("eu-central"))).toEqual([]);
    // The control: a holder of the cn keys (cn-south would be one) finds it at once.
    expect(dictionaryAttack(held, secretsOf("cn-east"))).toEqual([REAL_TAX_ID]);
  }, 60_000);
});
