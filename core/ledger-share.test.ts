// [LF2] Ledger entries travel with their events inside a jurisdiction, never abroad, and a
// receiver adopts only what its own batch proves.
import { describe, expect, test } from "vitest";
import { cnCustomerCreate, journalOf, TEST_ACCOUNT_ID_KEY } from "../test/support/journal.ts";
import { accountIdFor } from "./ids.ts";
import { acceptLedger, type LedgerShare } from "./ledger-share.ts";
import { outgoingBatch } from "./replication.ts";
import { DEFAULT_FIELD_POLICY } from "./sovereignty/policy.ts";

const TENANT = "ten_demo";
const JURISDICTIONS = new Map([
  ["cn-east", "cn"],
  ["cn-south", "cn"],
  ["eu-central", "eu"],
]);
const jurisdictionOf = (r: string) => JURISDICTIONS.get(r) ?? null;

const accountId = accountIdFor(TENANT, {
  kind: "taxId",
  taxId: "91310000MA1FL00T3X",
  key: TEST_ACCOUNT_ID_KEY,
});
const { events } = journalOf("cn-east", TENANT, accountId, [cnCustomerCreate()]);

const entry = (eventIds = events.map((e) => e.id)): LedgerShare => ({
  key: "retry-me",
  fingerprint: "a".repeat(64),
  eventIds,
  outcome: {
    target: { kind: "customer", id: accountId },
    created: true,
    version: events.at(-1)!.hlc,
    durability: "region",
    body: '{"id":"…","contacts":[{"phone":"13800138000"}]}',
  },
});

const send = (to: string, ledger: LedgerShare[]) =>
  outgoingBatch({
    from: "cn-east",
    to,
    sentAt: new Date(0).toISOString(),
    events,
    jurisdictionOf,
    residency: "cn",
    policy: DEFAULT_FIELD_POLICY,
    hashKey: "masking-key-of-cn-0123456789",
    ledger,
  }).batch!;

describe("[LF2] idempotency ledger across the regions of a jurisdiction", () => {
  test("a batch to a peer of the jurisdiction carries the ledger of its writes; a batch abroad never does", () => {
    expect(send("cn-south", [entry()]).ledger).toEqual([entry()]);
    const abroad = send("eu-central", [entry()]);
    expect(abroad.ledger).toBeUndefined();
    expect(JSON.stringify(abroad)).not.toContain("retry-me");
  });

  test("an entry naming an event the batch does not carry stays home", () => {
    expect(
      send("cn-south", [entry([...events.map((e) => e.id), "evt_elsewhere"])]).ledger,
    ).toBeUndefined();
  });

  test("a receiver adopts an entry only from its jurisdiction, for events of one account that came in the batch", () => {
    const ok = acceptLedger([entry()], { from: "cn-east", sameJurisdiction: true, valid: events });
    expect(ok).toMatchObject({
      refused: 0,
      adopted: [{ key: "retry-me", tenantId: TENANT, accountId }],
    });

    const refusedAll = (raw: unknown[], ctx: Partial<Parameters<typeof acceptLedger>[1]> = {}) =>
      acceptLedger(raw, { from: "cn-east", sameJurisdiction: true, valid: events, ...ctx });
    expect(refusedAll([entry()], { sameJurisdiction: false })).toEqual({ adopted: [], refused: 1 });
    expect(refusedAll([entry()], { valid: [] }).adopted).toEqual([]);
    expect(refusedAll([entry()], { from: "cn-south" }).adopted).toEqual([]);
    expect(refusedAll([entry(["evt_unknown"])]).adopted).toEqual([]);
    for (const bad of [
      null,
      { ...entry(), extra: 1 },
      { ...entry(), fingerprint: "zz" },
      { ...entry(), key: "" },
      { ...entry(), outcome: { ...entry().outcome, target: { kind: "__proto__", id: "x" } } },
      { ...entry(), outcome: { ...entry().outcome, body: "x".repeat(300 * 1024) } },
    ])
      expect(refusedAll([bad]), JSON.stringify(bad)?.slice(0, 80)).toEqual({
        adopted: [],
        refused: 1,
      });
  });

  test("an outcome keeps whether its write changed anything (a route acts on it), or says nothing", () => {
    for (const changed of [true, false]) {
      const shared = { ...entry(), outcome: { ...entry().outcome, changed } };
      expect(send("cn-south", [shared]).ledger).toEqual([shared]);
      const { adopted } = acceptLedger([shared], {
        from: "cn-east",
        sameJurisdiction: true,
        valid: events,
      });
      expect(adopted.map((a) => a.outcome)).toEqual([shared.outcome]);
    }
    const older = acceptLedger([entry()], {
      from: "cn-east",
      sameJurisdiction: true,
      valid: events,
    });
    expect(older.adopted[0]!.outcome).not.toHaveProperty("changed");
  });
});
