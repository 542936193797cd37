// The SLA clock of change requests in the AccountEngine (DESIGN §11), on a fake clock: the
// alarm that drains the outbox also marks open requests whose warning or due time passed,
// once per mark, and asks to be woken at the next such instant — never later than the
// outbox needs it. An answered request is never marked; a region outside the account's
// jurisdiction never marks; marks made by both regions of the jurisdiction count once.
import { afterEach, describe, expect, test } from "vitest";
import {
  type Actor,
  accountIdFor,
  ChangeAnswer,
  ChangeRequestFile,
  type Command,
  ContractCreate,
  CustomerCreate,
  fingerprint,
  IDEMPOTENCY_RETENTION_MS,
  stateHash,
} from "../../core/index.ts";
import { TenantSlaPolicy } from "../../core/sla/tenant.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import { AccountEngine, SLA_ACTOR } from "./engine.ts";
import { CHANGE_REQUEST_SLA_MS, changeRequestClock, type SlaClock } from "./sla-clock.ts";

const TENANT = "ten_demo";
const ID_KEY = "cn-account-id-key-for-tests";
const HOUR = 3_600_000;
const WARN_MS = changeRequestClock(0, "standard").warnAtMs;
const accountId = accountIdFor(TENANT, { kind: "taxId", taxId: "91440300MA5FXXXX1X", key: ID_KEY });
const stores: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/**
 * An engine of `region` on a clock the test moves. Its SLA runs on wall time (4 h) so the
 * alarm's rules read plainly; the business-hours default is tested on its own below.
 */
function open(
  clock: { now: number },
  region = "cn-east",
  jurisdiction = "cn",
  slaClock: SlaClock | null = changeRequestClock,
) {
  const store = openLibsqlStore();
  stores.push(store);
  return new AccountEngine(store, {
    region,
    jurisdiction,
    now: () => clock.now,
    random: () => 1,
    accountIdKey: ID_KEY,
    ...(slaClock ? { slaClock } : {}),
  });
}

const STAFF: Actor = { kind: "user", id: "usr_lead" };
const CUSTOMER: Actor = { kind: "portal", id: "pus_buyer" };
let keys = 0;
function run(engine: AccountEngine, command: Command, actor: Actor = STAFF) {
  const key = `k${keys++}`;
  const result = engine.execute({
    tenantId: TENANT,
    accountId,
    idempotencyKey: key,
    fingerprint: fingerprint("POST", `/x/${key}`, command),
    actor,
    command,
  });
  if (result.kind !== "response") throw new Error(`refused: ${JSON.stringify(result)}`);
  return JSON.parse(result.outcome.body) as { id: string };
}

/** A customer, a contract, and a change request filed by the customer's portal user. */
function filed(engine: AccountEngine): string {
  run(engine, {
    type: "customer.create",
    input: CustomerCreate.parse({ name: "深圳客户", taxId: "91440300MA5FXXXX1X", residency: "cn" }),
  });
  const contract = run(engine, {
    type: "contract.create",
    seed: "c1",
    input: ContractCreate.parse({
      customerId: accountId,
      title: "T",
      amount: { value: 100, currency: "CNY" },
      documentHash: "c".repeat(64),
    }),
  });
  const input = ChangeRequestFile.parse({
    contractId: contract.id,
    kind: "delivery-date",
    summary: "Later, please",
  });
  return run(engine, { type: "change.file", seed: "cr-1", input }, CUSTOMER).id;
}

const drain = (engine: AccountEngine) => engine.drainOutbox({ projection: async () => {} });
const marks = (engine: AccountEngine) =>
  engine.journal().filter((e) => e.data.type === "change.sla-marked");

describe("the SLA clock of a change request", () => {
  test("[SLA] by default the clock counts the cn calendar's business hours: filed Friday 17:00 Shanghai, due Monday 12:00 (lunch and the weekend do not count)", () => {
    // 2026-03-06 is a Friday; 17:00 in Asia/Shanghai is 09:00Z. A standard customer has 4
    // business hours: 1 h on Friday (17–18), then Monday 09:00–12:00.
    const clock = { now: Date.parse("2026-03-06T09:00:00Z") };
    const engine = open(clock, "cn-east", "cn", null);
    const id = filed(engine);
    expect(engine.changeRequest(id)).toMatchObject({
      slaDueAt: "2026-03-09T04:00:00.000Z",
      // 75% = 3 h: Friday's hour, then Monday 09:00–11:00.
      slaWarnAt: "2026-03-09T03:00:00.000Z",
    });
  });

  test("filed → warned at 75% of the SLA → violated at its due time when nobody answers; each mark once", async () => {
    const clock = { now: Date.parse("2026-03-02T01:00:00Z") };
    const engine = open(clock);
    const filedAt = clock.now;
    const id = filed(engine);
    expect(engine.changeRequest(id)).toMatchObject({
      slaWarnAt: new Date(filedAt + WARN_MS).toISOString(),
      slaDueAt: new Date(filedAt + CHANGE_REQUEST_SLA_MS).toISOString(),
      filedBy: "pus_buyer",
    });
    // The drain after the filing arms the alarm for the warning, not later.
    expect((await drain(engine)).nextAlarmMs).toBe(filedAt + WARN_MS);

    clock.now = filedAt + WARN_MS - 1;
    expect((await drain(engine)).nextAlarmMs).toBe(filedAt + WARN_MS);
    expect(marks(engine)).toEqual([]);

    clock.now = filedAt + WARN_MS;
    const warned = await drain(engine);
    expect(warned.nextAlarmMs).toBe(filedAt + CHANGE_REQUEST_SLA_MS);
    // Marked, journaled by the system, and drained in the same alarm.
    expect(marks(engine)).toMatchObject([
      { actor: SLA_ACTOR, data: { changeRequestId: id, mark: "warning" } },
    ]);
    expect(warned.remaining).toBe(0);
    expect(engine.changeRequest(id)!.slaMarks).toEqual({
      warning: new Date(clock.now).toISOString(),
      violation: null,
    });

    clock.now = filedAt + CHANGE_REQUEST_SLA_MS + 5;
    await drain(engine);
    await drain(engine);
    expect(marks(engine).map((e) => e.data)).toMatchObject([
      { mark: "warning" },
      { mark: "violation", at: new Date(clock.now).toISOString() },
    ]);
    expect(engine.changeRequest(id)!.status).toBe("open");
    // Nothing left to wait for but the ledger's expiry.
    expect(engine.nextSlaMs()).toBeNull();
    expect((await drain(engine)).nextAlarmMs).toBe(filedAt + IDEMPOTENCY_RETENTION_MS);
  });

  test("an answered change request gets no marks, and the alarm no longer waits on it", async () => {
    const clock = { now: Date.parse("2026-03-02T01:00:00Z") };
    const engine = open(clock);
    const filedAt = clock.now;
    const id = filed(engine);
    clock.now += HOUR;
    const input = ChangeAnswer.parse({ feasible: true, message: "Fine" });
    run(engine, { type: "change.answer", changeRequestId: id, input });
    expect(engine.nextSlaMs()).toBeNull();
    clock.now = filedAt + 5 * HOUR;
    await drain(engine);
    expect(marks(engine)).toEqual([]);
    expect(engine.changeRequest(id)).toMatchObject({
      status: "answered",
      slaMarks: { warning: null, violation: null },
    });
  });

  test("the alarm is the earlier of the outbox's and the SLA's needs: a failing outbox is retried first", async () => {
    const clock = { now: Date.parse("2026-03-02T01:00:00Z") };
    const engine = open(clock);
    const filedAt = clock.now;
    filed(engine);
    const failing = await engine.drainOutbox({
      projection: async () => {
        throw new Error("libsql down");
      },
    });
    expect(failing.nextAlarmMs).toBe(clock.now + 250);
    expect(failing.remaining).toBeGreaterThan(0);
    // Past the warning with rows still failing: the warning is marked and queued too.
    clock.now = filedAt + WARN_MS;
    const later = await engine.drainOutbox({
      projection: async () => {
        throw new Error("libsql down");
      },
    });
    expect(marks(engine)).toHaveLength(1);
    expect(later.nextAlarmMs).toBeLessThan(filedAt + CHANGE_REQUEST_SLA_MS);
    // The outbox recovers: once it is empty, the alarm waits for the due time again.
    let report = later;
    for (let i = 0; i < 5 && report.remaining > 0; i++) {
      clock.now = report.nextAlarmMs!;
      report = await drain(engine);
    }
    expect(report).toMatchObject({ remaining: 0, nextAlarmMs: filedAt + CHANGE_REQUEST_SLA_MS });
  });

  test("[LF3] both regions of the jurisdiction mark; after they exchange events each mark counts once, one state", async () => {
    const clock = { now: Date.parse("2026-03-02T01:00:00Z") };
    const east = open(clock, "cn-east");
    const south = open(clock, "cn-south");
    const id = filed(east);
    south.applyRemote(TENANT, accountId, east.journal());
    clock.now += CHANGE_REQUEST_SLA_MS;
    await drain(east);
    clock.now += 1;
    await drain(south);
    const fromEast = marks(east);
    const fromSouth = marks(south);
    expect(fromEast).toHaveLength(2);
    expect(fromSouth).toHaveLength(2);
    east.applyRemote(TENANT, accountId, fromSouth);
    south.applyRemote(TENANT, accountId, fromEast);
    expect(stateHash(east.current()!)).toBe(stateHash(south.current()!));
    expect(east.changeRequest(id)!.slaMarks).toEqual({
      warning: fromEast[0]!.data.type === "change.sla-marked" ? fromEast[0]!.data.at : null,
      violation: fromEast[1]!.data.type === "change.sla-marked" ? fromEast[1]!.data.at : null,
    });
  });

  test("[LF4] a region outside the account's jurisdiction never marks and never waits on the SLA", async () => {
    const clock = { now: Date.parse("2026-03-02T01:00:00Z") };
    const east = open(clock, "cn-east");
    const eu = open(clock, "eu-central", "eu");
    filed(east);
    eu.applyRemote(TENANT, accountId, east.journal());
    expect(eu.nextSlaMs()).toBeNull();
    clock.now += 5 * HOUR;
    await drain(eu);
    expect(marks(eu)).toEqual([]);
  });
});

describe("the tenant's SLA policy (core/sla/tenant.ts), carried by the filing", () => {
  test("[SLA11] the policy's hours, warning share and calendar set the clock; without one the defaults", () => {
    // Friday 2026-03-06 17:00 in Shanghai (09:00Z); Monday 2026-03-09 is closed by the tenant.
    const clock = { now: Date.parse("2026-03-06T09:00:00Z") };
    const engine = open(clock, "cn-east", "cn", null);
    const id = filed(engine);
    const contractId = engine.changeRequest(id)!.contractId;
    const sla = TenantSlaPolicy.parse({
      version: 2,
      hoursByTier: { standard: 2 },
      warnAtFraction: 0.5,
      calendar: { closedDates: ["2026-03-09"] },
    });
    const input = ChangeRequestFile.parse({ contractId, kind: "scope", summary: "More" });
    const second = run(engine, { type: "change.file", seed: "cr-2", input, sla }, CUSTOMER).id;
    // 2 h: Friday 17–18, then Tuesday 09:00–10:00 (Monday is closed); the warning at 1 h.
    expect(engine.changeRequest(second)).toMatchObject({
      slaWarnAt: "2026-03-06T10:00:00.000Z",
      slaDueAt: "2026-03-10T02:00:00.000Z",
    });
    // The first one, filed without a policy, keeps the defaults' Monday noon.
    expect(engine.changeRequest(id)).toMatchObject({ slaDueAt: "2026-03-09T04:00:00.000Z" });
  });
});
