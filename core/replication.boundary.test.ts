// The replication boundary in core [LF4][LF8]: which events leave masked (per event, by
// origin and receiver), the cross-border audit entry, and every rule a receiver applies
// to an event before any AccountDO sees it.
import { describe, expect, test } from "vitest";
import {
  CN_TAX_ID,
  cnCustomerCreate,
  journalOf,
  TEST_ACCOUNT_ID_KEY,
} from "../test/support/journal.ts";
import type { Target } from "./account/decide.ts";
import type { DomainEvent } from "./events.ts";
import {
  accountIdFor,
  changeRequestIdFor,
  contractIdFor,
  invoiceIdFor,
  serviceRequestIdFor,
} from "./ids.ts";
import {
  checkRemoteEvent,
  type EventCheckContext,
  mustMask,
  outgoingBatch,
} from "./replication.ts";
import { SignatureCreate } from "./schemas.ts";
import { maskEvent, unmaskedFields } from "./sovereignty/mask.ts";
import { DEFAULT_FIELD_POLICY } from "./sovereignty/policy.ts";

const J = new Map([
  ["cn-east", "cn"],
  ["cn-south", "cn"],
  ["eu-central", "eu"],
]);
const jurisdictionOf = (r: string) => J.get(r) ?? null;
const NOW = 1_800_000_000_000;
const TENANT = "ten_demo";
const TAX = CN_TAX_ID;
const accountId = accountIdFor(TENANT, { kind: "taxId", taxId: TAX, key: TEST_ACCOUNT_ID_KEY });
const HASH = "d".repeat(64);

/** Events of one CN account as `region` journals them: customer with contacts, a signed draft. */
function cnEvents(region = "cn-east"): DomainEvent[] {
  const contractId = (targets: Target[]) => targets[1]!.id;
  return journalOf(
    region,
    TENANT,
    accountId,
    [
      cnCustomerCreate(),
      {
        type: "contract.create",
        seed: "s1",
        input: {
          customerId: accountId,
          title: "Ultrasound",
          amount: { value: 100, currency: "CNY" },
          documentHash: HASH,
        },
      },
      (t) => ({ type: "contract.send", contractId: contractId(t), documentHash: HASH }),
      (t) => ({
        type: "contract.sign",
        contractId: contractId(t),
        input: SignatureCreate.parse({
          party: "customer",
          signer: { name: "李四", email: "li.si@example.cn" },
          documentHash: HASH,
        }),
      }),
    ],
    NOW,
  ).events;
}

const ctx = (over: Partial<EventCheckContext> = {}): EventCheckContext => ({
  from: "cn-east",
  to: "cn-south",
  forwarded: new Set(),
  jurisdictionOf,
  tenantKnown: (t) => t === TENANT,
  policyOf: () => DEFAULT_FIELD_POLICY,
  nowMs: NOW,
  maxSkewMs: 5 * 60 * 1000,
  ...over,
});

describe("[LF8] every received event is checked on its own", () => {
  const [created, drafted] = cnEvents();

  test("a well-formed event from its origin passes", () => {
    expect(checkRemoteEvent(created, ctx())).toMatchObject({ ok: true });
  });

  test.each<[string, (e: DomainEvent) => unknown, Partial<EventCheckContext>, string]>([
    ["missing data", (e) => ({ ...e, data: undefined }), {}, "schema"],
    ["a version from the future", (e) => ({ ...e, v: 2 }), {}, "schema"],
    ["a malformed HLC", (e) => ({ ...e, hlc: "yesterday" }), {}, "hlc"],
    [
      "an HLC of another region",
      (e) => ({ ...e, region: "cn-south" }),
      { from: "cn-south" },
      "hlc",
    ],
    ["an id that names another clock", (e) => ({ ...e, id: "evt_x" }), {}, "id"],
    [
      "an unknown origin region",
      (e) => e,
      { jurisdictionOf: (r) => (r === "cn-east" ? null : jurisdictionOf(r)) },
      "origin",
    ],
    ["its own event echoed back", (e) => e, { to: "cn-east", from: "cn-south" }, "origin"],
    [
      "another region's event without a forward",
      (e) => e,
      { from: "cn-south", to: "eu-central" },
      "origin",
    ],
    [
      "a forward from outside the origin's jurisdiction",
      (e) => e,
      { from: "eu-central", to: "cn-south", forwarded: new Set([created!.id]) },
      "origin",
    ],
    ["an unknown tenant", (e) => e, { tenantKnown: () => false }, "tenant"],
    ["a clock 6 minutes ahead", (e) => e, { nowMs: NOW - 6 * 60 * 1000 }, "clock-skew"],
    ["raw personal data from abroad", (e) => e, { to: "eu-central" }, "unmasked"],
  ])("%s is quarantined (rule %#)", (_name, mutate, over, rule) => {
    const verdict = checkRemoteEvent(mutate(created!), ctx(over));
    expect(verdict).toMatchObject({ ok: false, rule });
  });

  test("a clock 4 minutes ahead is within the default skew", () => {
    expect(checkRemoteEvent(created, ctx({ nowMs: NOW - 4 * 60 * 1000 }))).toMatchObject({
      ok: true,
    });
  });

  test("a contract id of another account is refused", () => {
    const other = accountIdFor(TENANT, {
      kind: "taxId",
      taxId: "91440300MA5FXXXX1X",
      key: TEST_ACCOUNT_ID_KEY,
    });
    const data = {
      ...(drafted!.data as { contractId: string }),
      contractId: `ctr_${other.slice(4)}_0000000000000000`,
    };
    expect(checkRemoteEvent({ ...drafted, data }, ctx())).toMatchObject({
      ok: false,
      rule: "foreign-id",
    });
  });

  test("[LF8] a change request, service request or invoice id of another account is refused", () => {
    const other = accountIdFor(TENANT, {
      kind: "taxId",
      taxId: "91440300MA5FXXXX1X",
      key: TEST_ACCOUNT_ID_KEY,
    });
    const mine = (drafted!.data as { contractId: string }).contractId;
    const foreign: DomainEvent["data"][] = [
      {
        type: "change.sla-marked",
        changeRequestId: changeRequestIdFor(other, "x"),
        mark: "warning",
        at: "t",
      },
      {
        type: "service.resolved",
        serviceRequestId: serviceRequestIdFor(other, "x"),
        resolvedAt: "t",
      },
      {
        type: "invoice.issued",
        contractId: mine,
        invoiceId: invoiceIdFor(contractIdFor(other, "c"), "INV-1"),
        number: "INV-1",
        amount: { value: 1, currency: "CNY" },
        issuedAt: "2026-01-01",
        dueDate: "2026-01-31",
      },
    ];
    for (const data of foreign)
      expect(checkRemoteEvent({ ...drafted, data }, ctx())).toMatchObject({
        ok: false,
        rule: "foreign-id",
      });
    const own = { ...foreign[0]!, changeRequestId: changeRequestIdFor(accountId, "x") };
    expect(checkRemoteEvent({ ...drafted, data: own }, ctx())).toMatchObject({ ok: true });
  });

  test("a declared forward from the origin's jurisdiction passes", () => {
    const verdict = checkRemoteEvent(
      maskEvent(created!, DEFAULT_FIELD_POLICY, { hashKey: "k".repeat(32) }).event,
      ctx({ from: "cn-south", to: "eu-central", forwarded: new Set([created!.id]) }),
    );
    expect(verdict).toMatchObject({ ok: true });
  });

  test("what could be read off a malformed event is kept for the operator", () => {
    const verdict = checkRemoteEvent({ id: "evt_1", tenantId: TENANT, junk: 1 }, ctx());
    expect(verdict).toMatchObject({
      ok: false,
      rule: "schema",
      tenantId: TENANT,
      eventId: "evt_1",
    });
  });

  test("prototype names are plain unknown tenants", () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const known = new Map([[TENANT, DEFAULT_FIELD_POLICY]]);
      const verdict = checkRemoteEvent(
        { ...created, tenantId: name },
        ctx({ tenantKnown: (t) => known.has(t) }),
      );
      expect(verdict).toMatchObject({ ok: false, rule: "tenant" });
    }
  });
});

describe("[LF4] masking is decided per event, by origin and receiver", () => {
  const events = cnEvents();
  const send = (from: string, to: string, evs: DomainEvent[], residency: string | null = "cn") =>
    outgoingBatch({
      from,
      to,
      sentAt: new Date(NOW).toISOString(),
      events: evs,
      jurisdictionOf,
      residency,
      policy: DEFAULT_FIELD_POLICY,
      hashKey: "k".repeat(32),
    });

  test("to a region of the same jurisdiction everything travels as written, unaudited", () => {
    const out = send("cn-east", "cn-south", events, "cn");
    expect(out.batch?.events).toEqual(events);
    expect(out.audit).toBeNull();
  });

  test("abroad, every event is masked field by field and the transfer is audited", () => {
    const out = send("cn-east", "eu-central", events, "cn");
    for (const e of out.batch!.events) expect(unmaskedFields(e, DEFAULT_FIELD_POLICY)).toEqual([]);
    const text = JSON.stringify(out.batch);
    for (const raw of ["13800138000", "zhang.san@example.cn", "张三", "李四", TAX])
      expect(text).not.toContain(raw);
    expect(out.audit).toMatchObject({
      kind: "cross-border-transfer",
      detail: { to: "eu-central", toJurisdiction: "eu", eventIds: events.map((e) => e.id) },
    });
    expect(out.audit!.detail.maskedFields).toEqual(
      expect.arrayContaining(["contact.phone", "contact.email", "customer.taxId", "signer.name"]),
    );
  });

  test("a residency merged to the receiver's jurisdiction does not unmask events written abroad", () => {
    // e.g. a conflicting create flipped the effective residency: the origin still decides.
    expect(mustMask(events[0]!, "eu-central", jurisdictionOf, "eu")).toBe(true);
    const out = send("cn-east", "eu-central", events, "eu");
    expect(JSON.stringify(out.batch)).not.toContain("13800138000");
  });

  test("forwards say so, and a copy held masked is never passed on", () => {
    const south = send("cn-south", "eu-central", events, "cn");
    expect(south.batch?.forwarded).toEqual(events.map((e) => e.id));
    const fromEu = send("eu-central", "cn-south", south.batch!.events, "cn");
    expect(fromEu.batch).toBeNull();
  });

  test("the receiver's field check accepts exactly the masker's output", () => {
    for (const e of events) {
      const masked = maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: "k".repeat(32) }).event;
      expect(unmaskedFields(masked, DEFAULT_FIELD_POLICY)).toEqual([]);
    }
    expect(unmaskedFields(events[0]!, DEFAULT_FIELD_POLICY)).toEqual([
      "contact.email",
      "contact.name",
      "contact.phone",
      "customer.taxId",
    ]);
    // A raw value that merely contains a star is still raw.
    const sneaky = {
      ...events[0]!,
      data: {
        ...(events[0]!.data as Extract<DomainEvent["data"], { type: "customer.created" }>),
        taxId: null,
        contacts: [{ name: "张**", phone: "13800138000*" }],
      },
    };
    expect(unmaskedFields(sneaky, DEFAULT_FIELD_POLICY)).toEqual(["contact.phone"]);
  });
});
