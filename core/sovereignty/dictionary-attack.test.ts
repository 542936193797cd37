// [LF4] ids and hashes a foreign region holds never undo masking: eu-central, holding a
// CN customer's masked copy, runs a 10,000-guess dictionary with every key it has and
// every unkeyed composition, and recovers no tax id. The same attack against the old
// derivation (unkeyed account ids, one masking key in every region) recovers it, so the
// attack itself is shown to work.
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type Decision, decide } from "../account/decide.ts";
import { evolve } from "../account/evolve.ts";
import { emptyAccount } from "../account/state.ts";
import { sha256 } from "../crypto/sha256.ts";
import { base32 } from "../encoding.ts";
import type { DomainEvent } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor, contractIdFor, normalizeTaxId } from "../ids.ts";
import { CustomerCreate } from "../schemas.ts";
import { keyedHash, maskEvent } from "./mask.ts";
import { DEFAULT_FIELD_POLICY } from "./policy.ts";

const TENANT = "ten_demo";
/** 10,000 unified social credit codes of one prefix; the real one is among them. */
const DICTIONARY = Array.from(
  { length: 10_000 },
  (_, n) => `91310000MA${n.toString().padStart(6, "0")}3X`,
);
const REAL_TAX_ID = DICTIONARY[4711]!;

/** A region's secrets: shared ones, and its own jurisdiction's (masking, account id). */
type RegionSecrets = {
  replicationKey: string;
  authTokenSecret: string;
  maskingKey: string;
  accountIdKey: string;
};

const shared = { replicationKey: "replication-k1-0123456789", authTokenSecret: "auth-0123456789" };
const jurisdictionKeys = {
  cn: { maskingKey: "cn-masking-key-0123456789", accountIdKey: "cn-account-id-key-012345" },
  eu: { maskingKey: "eu-masking-key-0123456789", accountIdKey: "eu-account-id-key-012345" },
};
const CN_EAST: RegionSecrets = { ...shared, ...jurisdictionKeys.cn };
const EU_CENTRAL: RegionSecrets = { ...shared, ...jurisdictionKeys.eu };

/** What the account id was before [LF4] keyed it: SHA-256 of (tenant, "taxId", tax id). */
function oldAccountId(tenantId: string, taxId: string): string {
  return `acc_${base32(sha256([tenantId, "taxId", normalizeTaxId(taxId)].join("\u0000")), 26)}`;
}

type Derivation = {
  accountId: (taxId: string, region: RegionSecrets) => string;
  /** The masking key the sender (a cn region) hashes with. */
  maskingKeyOf: (region: RegionSecrets) => string;
};

const NEW: Derivation = {
  accountId: (taxId, r) => accountIdFor(TENANT, { kind: "taxId", taxId, key: r.accountIdKey }),
  maskingKeyOf: (r) => r.maskingKey,
};
/** Before: unkeyed ids, and one MASKING_KEY that every region held. */
const OLD: Derivation = {
  accountId: (taxId) => oldAccountId(TENANT, taxId),
  maskingKeyOf: () => "one-masking-key-for-all",
};

/**
 * What eu-central holds of a CN customer (with a contract) created in cn-east: the
 * masked events as cn-east ships them, with their ids.
 */
function euCentralHoldings(d: Derivation): { events: DomainEvent[]; keys: string[] } {
  const accountId = d.accountId(REAL_TAX_ID, CN_EAST);
  let state = emptyAccount(TENANT, accountId);
  const events: DomainEvent[] = [];
  const run = (decision: Decision) => {
    if (!decision.ok) throw new Error(JSON.stringify(decision.error));
    for (const data of decision.events) {
      const hlc = encodeHlc({
        wallMs: 1_800_000_000_000 + events.length,
        counter: 0,
        region: "cn-east",
      });
      const event: DomainEvent = {
        v: 1,
        id: `evt_${accountId.slice(4)}_${hlc}`,
        tenantId: TENANT,
        accountId,
        hlc,
        region: "cn-east",
        actor: { kind: "user", id: "usr_rep" },
        data,
      };
      events.push(event);
      state = evolve(state, event);
    }
  };
  const input = CustomerCreate.parse({ name: "上海测试", taxId: REAL_TAX_ID, residency: "cn" });
  if (d === NEW) run(decide(state, { type: "customer.create", input }, CN_EAST));
  else {
    // The old decide checked the id against the old derivation: the same event came out.
    const { name, residency, tier, contacts } = input;
    const data = { type: "customer.created" as const, name, residency, tier, contacts };
    const target = { kind: "customer" as const, id: accountId };
    const taxId = normalizeTaxId(REAL_TAX_ID);
    run({ ok: true, created: true, target, events: [{ ...data, taxId }] });
  }
  run(
    decide(state, {
      type: "contract.create",
      seed: "idem-1",
      input: {
        customerId: accountId,
        title: "CT",
        amount: { value: 100, currency: "CNY" },
        documentHash: "a".repeat(64),
      },
    }),
  );
  const hashKey = d === OLD ? d.maskingKeyOf(EU_CENTRAL) : d.maskingKeyOf(CN_EAST);
  const masked = events.map((e) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey }).event);
  const euKeys = [
    EU_CENTRAL.replicationKey,
    EU_CENTRAL.authTokenSecret,
    // Before, eu-central held the one masking key every region used.
    d === OLD ? d.maskingKeyOf(EU_CENTRAL) : EU_CENTRAL.maskingKey,
    EU_CENTRAL.accountIdKey,
  ];
  return { events: masked, keys: euKeys };
}

/** Every string of what eu-central holds: ids of all kinds, hashes, field values. */
function heldStrings(events: DomainEvent[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      out.add(v);
      // Ids embed an account id body: `acc_…`, `ctr_<body>_…`, `evt_<body>_…`.
      for (const m of v.matchAll(/(?:acc|ctr|pay|evt)_([0-9A-Z]{26})/g)) out.add(`acc_${m[1]}`);
    } else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(events);
  return out;
}

const sha = (x: string) => createHash("sha256").update(x).digest();
const hmac = (key: string, x: string) => createHmac("sha256", key).update(x).digest();

/**
 * Every way to turn a guess into something comparable, with no key and with each key
 * eu-central has (node:crypto: an attacker uses a fast implementation, not core's).
 */
function derivationsOf(guess: string, keys: string[]): string[] {
  const forms = [...new Set([guess, normalizeTaxId(guess)])];
  const out: string[] = [];
  for (const t of forms) {
    const compositions = [[TENANT, "taxId", t], [TENANT, t], [t]].map((p) => p.join("\u0000"));
    for (const c of compositions) {
      const digest = sha(c);
      out.push(`acc_${base32(digest, 26)}`, `hmac-sha256:${digest.toString("hex")}`);
      for (const key of keys) out.push(`acc_${base32(hmac(key, c), 26)}`);
    }
    for (const key of keys) out.push(`hmac-sha256:${hmac(key, t).toString("hex")}`);
  }
  return out;
}

/** Each guess that matches something eu-central holds, with what it matched. */
function dictionaryAttack(events: DomainEvent[], keys: string[]): Map<string, string[]> {
  const held = heldStrings(events);
  const recovered = new Map<string, string[]>();
  for (const guess of DICTIONARY) {
    const hits = derivationsOf(guess, keys).filter((x) => held.has(x));
    if (hits.length > 0) recovered.set(guess, hits);
  }
  return recovered;
}

describe("[LF4] a foreign region cannot recover a tax id from what it holds", () => {
  test("the dictionary attack recovers the tax id from the old derivation (the attack works)", () => {
    const { events, keys } = euCentralHoldings(OLD);
    expect(JSON.stringify(events)).not.toContain(REAL_TAX_ID);
    const t0 = performance.now();
    const recovered = dictionaryAttack(events, keys);
    const ms = Math.round(performance.now() - t0);
    expect([...recovered.keys()]).toEqual([REAL_TAX_ID]);
    // Both channels leaked on their own: the account id, and the masked (hashed) tax id.
    const hits = recovered.get(REAL_TAX_ID)!;
    expect(hits).toContain(events[0]!.accountId);
    expect(hits).toContainEqual(expect.stringMatching(/^hmac-sha256:/));
    console.info(`old derivation: ${DICTIONARY.length} guesses, tax id recovered in ${ms} ms`);
  });

  test("with keys per jurisdiction, 10,000 guesses with everything eu-central holds recover nothing", () => {
    const { events, keys } = euCentralHoldings(NEW);
    expect(events[0]!.data).toMatchObject({
      type: "customer.created",
      taxId: expect.stringMatching(/^hmac-sha256:/),
    });
    expect([...dictionaryAttack(events, keys).keys()]).toEqual([]);
  });

  test("cn-south, holding the cn keys, derives the same account and the same masked tax id", () => {
    const cnSouth: RegionSecrets = { ...shared, ...jurisdictionKeys.cn };
    expect(NEW.accountId(REAL_TAX_ID, cnSouth)).toBe(NEW.accountId(REAL_TAX_ID, CN_EAST));
    expect(keyedHash(REAL_TAX_ID, cnSouth.maskingKey)).toBe(
      keyedHash(REAL_TAX_ID, CN_EAST.maskingKey),
    );
    const contract = contractIdFor(NEW.accountId(REAL_TAX_ID, CN_EAST), "idem-1");
    expect(contract).toBe(contractIdFor(NEW.accountId(REAL_TAX_ID, cnSouth), "idem-1"));
  });

  test("no foreign key ever turns a tax id into the id or hash a cn region derives (property)", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{18}$/), (taxId) => {
        const foreign = derivationsOf(taxId, [
          EU_CENTRAL.accountIdKey,
          EU_CENTRAL.maskingKey,
          EU_CENTRAL.replicationKey,
        ]);
        expect(foreign).not.toContain(NEW.accountId(taxId, CN_EAST));
        expect(foreign).not.toContain(keyedHash(taxId, CN_EAST.maskingKey));
      }),
      { numRuns: 200 },
    );
  });
});
