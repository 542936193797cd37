// The AccountDO engine over a real SQLite (libsql) store: ledger, journal and outbox rules.
import { afterEach, describe, expect, test } from "vitest";
import {
  accountIdFor,
  type Command,
  ContractCreate,
  CustomerCreate,
  fingerprint,
  IDEMPOTENCY_RETENTION_MS,
  PaymentCreate,
  SignatureCreate,
} from "../../core/index.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import type { SqlStore } from "../storage/sql-store.ts";
import { AccountEngine, type ExecuteOptions, OUTBOX_BATCH, type Projection } from "./engine.ts";

const TENANT = "ten_demo";
const HASH = "c".repeat(64);
let clock = 1_800_000_000_000;
const ID_KEY = "cn-account-id-key-for-tests";
const options = { region: "cn-east", now: () => clock, random: () => 1, accountIdKey: ID_KEY };
const stores: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open() {
  const store = openLibsqlStore();
  stores.push(store);
  return { store, engine: new AccountEngine(store, options) };
}

const accountId = accountIdFor(TENANT, { kind: "taxId", taxId: "91440300MA5FXXXX1X", key: ID_KEY });
const createCustomer: Command = {
  type: "customer.create",
  input: CustomerCreate.parse({ name: "深圳客户", taxId: "91440300MA5FXXXX1X", residency: "cn" }),
};

function run(
  engine: AccountEngine,
  key: string,
  command: Command,
  body: unknown = command,
  opts: ExecuteOptions = {},
) {
  return engine.execute(
    {
      tenantId: TENANT,
      accountId,
      idempotencyKey: key,
      fingerprint: fingerprint("POST", "/x", body),
      actor: { kind: "apiKey", id: "key_1" },
      command,
    },
    opts,
  );
}

function activeContract(engine: AccountEngine) {
  run(engine, "k1", createCustomer);
  const created = run(engine, "k2", {
    type: "contract.create",
    seed: "k2",
    input: ContractCreate.parse({
      customerId: accountId,
      title: "T",
      amount: { value: 100, currency: "CNY" },
      documentHash: HASH,
    }),
  });
  if (created.kind !== "response") throw new Error("contract not created");
  const contractId = JSON.parse(created.outcome.body).id as string;
  run(engine, "k3", { type: "contract.send", contractId });
  run(engine, "k4", {
    type: "contract.sign",
    contractId,
    input: SignatureCreate.parse({ party: "customer", signer: { name: "A" }, documentHash: HASH }),
  });
  return contractId;
}

describe("AccountEngine", () => {
  test("[LF2] a replay returns the first response, byte for byte, without a second effect", () => {
    const { engine } = open();
    const first = run(engine, "k1", createCustomer);
    const again = run(engine, "k1", createCustomer);
    expect(first).toMatchObject({ kind: "response", replayed: false, outcome: { created: true } });
    expect(again).toEqual({
      kind: "response",
      replayed: true,
      outcome: (first as { outcome: unknown }).outcome,
    });
    expect(engine.journal()).toHaveLength(1);
  });

  test("[LF2] replay only: a stored answer is replayed; a command without one is neither judged nor written", () => {
    const { store, engine } = open();
    const replayOnly = { replayOnly: true };
    expect(run(engine, "k1", createCustomer, createCustomer, replayOnly)).toEqual({
      kind: "not-stored",
    });
    // A never-written account stays without tables.
    expect(store.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray()).toEqual(
      [],
    );
    const first = run(engine, "k1", createCustomer);
    expect(first).toMatchObject({ kind: "response", replayed: false });
    expect(run(engine, "k1", createCustomer, createCustomer, replayOnly)).toEqual({
      kind: "response",
      replayed: true,
      outcome: (first as { outcome: unknown }).outcome,
    });
    expect(run(engine, "k1", createCustomer, { other: true }, replayOnly)).toEqual({
      kind: "mismatch",
    });
    // Another key: not stored, though the command would be accepted (the same customer).
    expect(run(engine, "k2", createCustomer, createCustomer, replayOnly)).toEqual({
      kind: "not-stored",
    });
    expect(engine.journal()).toHaveLength(1);
    expect(run(engine, "k2", createCustomer)).toMatchObject({ kind: "response", replayed: false });
  });

  test("the same key with a different payload is a mismatch", () => {
    const { engine } = open();
    run(engine, "k1", createCustomer);
    expect(run(engine, "k1", createCustomer, { other: true })).toEqual({ kind: "mismatch" });
  });

  test("a duplicate while the first is still pending is in flight", () => {
    const { store, engine } = open();
    run(engine, "k0", createCustomer); // the first write makes the ledger table
    const fp = fingerprint("POST", "/x", createCustomer);
    store.sql.exec(
      "INSERT INTO idempotency (key, fingerprint, state, created_at_ms) VALUES ('k9', ?, 'pending', 0)",
      fp,
    );
    expect(run(engine, "k9", createCustomer)).toEqual({ kind: "in-flight" });
  });

  test("a refused command takes no effect and leaves its key free", () => {
    const { engine } = open();
    const contract: Command = {
      type: "contract.create",
      seed: "k1",
      input: ContractCreate.parse({
        customerId: accountId,
        title: "T",
        amount: { value: 1, currency: "CNY" },
        documentHash: HASH,
      }),
    };
    expect(run(engine, "k1", contract)).toMatchObject({
      kind: "rejected",
      error: { code: "not-found" },
    });
    run(engine, "k0", createCustomer);
    expect(run(engine, "k1", contract)).toMatchObject({
      kind: "response",
      outcome: { created: true },
    });
  });

  test("[LF1] journal, ledger and outbox commit together or not at all", () => {
    const { store } = open();
    let failOutbox = true;
    const faulty: SqlStore = {
      transactionSync: (fn) => store.transactionSync(fn),
      sql: {
        exec: (query, ...bindings) => {
          if (failOutbox && query.startsWith("INSERT INTO outbox")) throw new Error("disk full");
          return store.sql.exec(query, ...bindings);
        },
      },
    };
    const engine = new AccountEngine(faulty, options);
    expect(() => run(engine, "k1", createCustomer)).toThrow("disk full");
    expect(store.sql.exec("SELECT count(*) AS n FROM journal").one().n).toBe(0);
    expect(store.sql.exec("SELECT count(*) AS n FROM idempotency").one().n).toBe(0);
    failOutbox = false;
    const fresh = new AccountEngine(faulty, options);
    expect(run(fresh, "k1", createCustomer)).toMatchObject({ kind: "response", replayed: false });
  });

  test("[LF1] a restarted engine rebuilds the same aggregate from its journal", () => {
    const { store, engine } = open();
    const contractId = activeContract(engine);
    const reopened = new AccountEngine(store, options);
    expect(reopened.current()).toEqual(engine.current());
    expect(reopened.contract(contractId)?.status).toBe("signed");
  });

  test("[LF2] a payment reference retried under new keys is one payment", () => {
    const { engine } = open();
    const contractId = activeContract(engine);
    const pay = (key: string) =>
      run(engine, key, {
        type: "payment.confirm",
        input: PaymentCreate.parse({
          contractId,
          reference: "BANK-9",
          amount: { value: 60, currency: "CNY" },
        }),
      });
    expect(pay("p1")).toMatchObject({ outcome: { created: true } });
    expect(pay("p2")).toMatchObject({ outcome: { created: false } });
    expect(engine.contract(contractId)?.paid).toEqual({ value: 60, currency: "CNY" });
  });

  test("the outbox drains to the sink and is empty afterwards", async () => {
    const { engine } = open();
    activeContract(engine);
    const seen: Projection[] = [];
    const report = await engine.drainOutbox({
      projection: async (p) => {
        seen.push(p);
      },
    });
    expect(report).toMatchObject({ delivered: 4, failed: 0, remaining: 0 });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.contracts[0]!.status).toBe("signed");
    expect(seen[0]!.customer?.name).toBe("深圳客户");
  });

  test("a failing sink keeps every row and retries later with backoff, and the alarm is re-armed", async () => {
    const { engine } = open();
    activeContract(engine);
    const failing = async () => {
      throw new Error("libsql down");
    };
    const r1 = await engine.drainOutbox({ projection: failing });
    expect(r1).toMatchObject({ delivered: 0, failed: 4, remaining: 4 });
    expect(r1.nextAlarmMs).toBe(clock + 250);
    // Not due yet: nothing is attempted.
    expect(await engine.drainOutbox({ projection: failing })).toMatchObject({
      delivered: 0,
      failed: 0,
      remaining: 4,
    });
    clock += 250;
    const r2 = await engine.drainOutbox({ projection: failing });
    expect(r2.nextAlarmMs).toBe(clock + 500);
    clock += 500;
    expect(await engine.drainOutbox({ projection: async () => {} })).toMatchObject({
      delivered: 4,
      remaining: 0,
    });
  });

  test("one drain handles at most one bounded batch", async () => {
    const { engine } = open();
    const contractId = activeContract(engine);
    for (let i = 0; i < OUTBOX_BATCH + 10; i++) {
      run(engine, `pay-${i}`, {
        type: "payment.confirm",
        input: PaymentCreate.parse({
          contractId,
          reference: `R${i}`,
          amount: { value: 1, currency: "CNY" },
        }),
      });
    }
    const report = await engine.drainOutbox({ projection: async () => {} });
    expect(report.delivered).toBe(OUTBOX_BATCH);
    expect(report.remaining).toBe(4 + 10);
  });

  test("idempotency keys are kept 35 days and pruned after", async () => {
    const { engine } = open();
    run(engine, "k1", createCustomer);
    await engine.drainOutbox({ projection: async () => {} });
    clock += IDEMPOTENCY_RETENTION_MS - 1;
    await engine.drainOutbox({ projection: async () => {} });
    expect(run(engine, "k1", createCustomer)).toMatchObject({ replayed: true });
    clock += 2;
    const report = await engine.drainOutbox({ projection: async () => {} });
    expect(report.nextAlarmMs).toBeNull();
  });
});

describe("AccountEngine replication", () => {
  test("[LF1] events merged from a peer are forwarded to the other regions, not back to their origin", async () => {
    const origin = open();
    const originEngine = new AccountEngine(origin.store, {
      ...options,
      region: "cn-east",
      peers: ["cn-south", "eu-central"],
    });
    run(originEngine, "k1", createCustomer);
    const events = originEngine.journal();
    const receiver = openLibsqlStore();
    stores.push(receiver);
    const south = new AccountEngine(receiver, {
      ...options,
      region: "cn-south",
      peers: ["cn-east", "eu-central"],
    });
    expect(south.applyRemote(TENANT, accountId, events, () => ["eu-central"])).toEqual({
      applied: 1,
      duplicates: 0,
    });
    expect(south.applyRemote(TENANT, accountId, events, () => ["eu-central"])).toEqual({
      applied: 0,
      duplicates: 1,
    });
    const shipped: Array<[string, string[]]> = [];
    await south.drainOutbox({
      projection: async () => {},
      peer: async (region, evs) => {
        shipped.push([region, evs.map((e) => e.id)]);
      },
    });
    expect(shipped).toEqual([["eu-central", events.map((e) => e.id)]]);
  });
});

describe("reading an unknown id creates no stored state", () => {
  const tables = (store: SqlStore) =>
    store.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((r) => r.name);

  test("reads and a refused first command leave a never-written account without tables", () => {
    const { store, engine } = open();
    expect(engine.customer()).toBeNull();
    expect(engine.contract("ctr_x")).toBeNull();
    expect(engine.journal()).toEqual([]);
    expect(engine.flag("indexed")).toBe(false);
    expect(engine.outboxStatus()).toEqual({ remaining: 0, nextAlarmMs: null });
    // A contract for a customer this account never had: refused, nothing written.
    const refused = run(engine, "k-refused", {
      type: "contract.create",
      seed: "k-refused",
      input: ContractCreate.parse({
        customerId: accountId,
        title: "T",
        amount: { value: 100, currency: "CNY" },
        documentHash: HASH,
      }),
    });
    expect(refused.kind).toBe("rejected");
    expect(new AccountEngine(store, options).customer()).toBeNull();
    expect(tables(store)).toEqual([]);
  });

  test("the first write makes the tables, and a reopened engine sees the account", () => {
    const { store, engine } = open();
    expect(run(engine, "k1", createCustomer).kind).toBe("response");
    expect(tables(store)).toContain("journal");
    expect(new AccountEngine(store, options).customer()?.id).toBe(accountId);
  });
});

describe("background facts (engine.note): judged like commands, journaled without a ledger", () => {
  const userId = "pus_0123456789ABCDEFGHJKMNPQRS";
  const insightId = `ins_cn-east_${"1".repeat(32)}`;
  const actor = { kind: "system" as const, id: "test" };
  const note = (engine: AccountEngine, command: Command) =>
    engine.note({ tenantId: TENANT, accountId, actor, command });
  const ledgerRows = (store: SqlStore) =>
    store.sql.exec<{ n: number }>("SELECT count(*) AS n FROM idempotency").one().n;
  /** A call analysed just now (the account refuses one from another time). */
  const sentimentNow = (id = insightId): Command => ({
    type: "call.record-sentiment",
    insightId: id,
    sentiment: {
      at: new Date(clock).toISOString(),
      score: 0.5,
      utterances: 3,
      transcriptHash: "c".repeat(64),
    },
  });

  test("an account this region holds nothing of is not found, and no table is made", () => {
    const { store, engine } = open();
    expect(note(engine, sentimentNow())).toMatchObject({
      kind: "rejected",
      error: { code: "not-found", entity: "customer" },
    });
    expect(store.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray()).toEqual(
      [],
    );
  });

  test("[LF2] recorded once (queued for the read model and the peers), then unchanged; no ledger entry", () => {
    const { store, engine } = open();
    run(engine, "k1", createCustomer);
    run(engine, "k2", {
      type: "portal-user.invite",
      userId,
      email: "anna@example.cn",
      name: "Anna",
      invitationHash: "a".repeat(64),
      invitationExpiresAt: new Date(clock + 86_400_000).toISOString(),
    });
    const before = ledgerRows(store);
    const outbox = engine.outboxStatus().remaining;
    const first = note(engine, { type: "portal-user.note-active", userId });
    expect(first).toMatchObject({ kind: "recorded", eventIds: [expect.any(String)] });
    expect(note(engine, { type: "portal-user.note-active", userId })).toEqual({
      kind: "unchanged",
    });
    expect(note(engine, sentimentNow()).kind).toBe("recorded");
    expect(note(engine, sentimentNow()).kind).toBe("unchanged");
    // The same call analysed again is another insight of the same transcript: unchanged.
    expect(note(engine, sentimentNow(`ins_cn-east_${"2".repeat(32)}`)).kind).toBe("unchanged");
    expect(ledgerRows(store)).toBe(before);
    expect(engine.outboxStatus().remaining).toBe(outbox + 2);
    expect(
      engine
        .journal()
        .map((e) => e.data.type)
        .slice(-2),
    ).toEqual(["portal-user.active", "call.sentiment-recorded"]);
    // A restarted engine holds the same facts.
    expect(new AccountEngine(store, options).current()?.callSentiments).toEqual(
      engine.current()?.callSentiments,
    );
  });

  test("[LF4] a region outside the account's jurisdiction notes nothing", () => {
    const store = openLibsqlStore();
    stores.push(store);
    const cn = new AccountEngine(store, { ...options, jurisdiction: "cn" });
    run(cn, "k1", createCustomer);
    const euStore = openLibsqlStore();
    stores.push(euStore);
    const eu = new AccountEngine(euStore, { ...options, region: "eu-central", jurisdiction: "eu" });
    eu.applyRemote(TENANT, accountId, cn.journal());
    expect(note(eu, sentimentNow())).toEqual({ kind: "misdirected", jurisdiction: "cn" });
    expect(eu.journal()).toHaveLength(1);
  });
});
