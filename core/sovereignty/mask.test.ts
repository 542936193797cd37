// [LF4] what leaves the jurisdiction is the masked projection: no raw personal data, and
// masked copies are deterministic, so masked replicas still converge with each other.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { replay } from "../account/evolve.ts";
import { emptyAccount } from "../account/state.ts";
import { stateHash } from "../account/state-hash.ts";
import { envelopesFor } from "../account/test-events.ts";
import { customerView } from "../account/view.ts";
import { type EventData, EventEnvelopeV1 } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import {
  accountIdFor,
  changeRequestIdFor,
  contractIdFor,
  invoiceIdFor,
  portalUserIdFor,
  serviceRequestIdFor,
} from "../ids.ts";
import { ReplicationBatchV1 } from "../replication.ts";
import {
  HASH_PREFIX,
  keyedHash,
  maskEmail,
  maskEvent,
  maskName,
  maskPhone,
  unmaskedFields,
} from "./mask.ts";
import { DEFAULT_FIELD_POLICY, FieldPolicy } from "./policy.ts";

const TENANT = "ten_demo";
const KEY = "tenant-masking-key";
const ID_KEY = "cn-account-id-key-for-tests";
const T0 = 1_700_000_000_000;

const envelope = (accountId: string, ms: number, region: string, data: EventData) =>
  envelopesFor(TENANT, accountId, { kind: "user", id: "rep-1" })(
    encodeHlc({ wallMs: T0 + ms, counter: 0, region }),
    data,
  );

describe("maskers", () => {
  test.each([
    ["13800138000", "138****8000"],
    ["138 0013 8000", "138****8000"],
    ["+86 138 0013 8000", "+86 138****8000"],
    ["+8613800138000", "+86 138****8000"],
    ["008613800138000", "+86 138****8000"],
    ["021-6234-5678", "021****5678"],
    ["+44 20 7946 0958", "+442****0958"],
    ["8765 4321", "87****21"],
    ["12345", "****45"],
    ["1234", "****"],
  ])("phone %s → %s", (raw, masked) => {
    expect(maskPhone(raw)).toBe(masked);
  });

  test.each([
    ["zhang.san@example.com", "z***@example.com"],
    ["张三@例子.中国", "张***@例子.中国"],
    ["not-an-email", "***"],
  ])("e-mail %s → %s", (raw, masked) => {
    expect(maskEmail(raw)).toBe(masked);
  });

  test("a name keeps its first character, a whole code point", () => {
    expect(maskName("张三")).toBe("张**");
    expect(maskName("Li Si")).toBe("L**");
    expect(maskName("𠮷野家")).toBe("𠮷**");
  });

  test("every masker is idempotent and never reveals more than 7 digits of a phone", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9][0-9 ()-]{4,24}$/), fc.string(), (phone, s) => {
        for (const mask of [maskPhone, maskEmail, maskName]) {
          expect(mask(mask(phone))).toBe(mask(phone));
          expect(mask(mask(s))).toBe(mask(s));
        }
        expect(maskPhone(phone).replace(/\D/g, "").length).toBeLessThanOrEqual(9);
        expect(
          maskPhone(phone)
            .replace(/^\+86 /, "")
            .replace(/\D/g, "").length,
        ).toBeLessThanOrEqual(7);
      }),
    );
  });

  test("the keyed hash is HMAC-SHA256 with the tenant key, and hashing twice is hashing once", () => {
    const taxId = "91310000MA1FL00T3X";
    const expected = createHmac("sha256", KEY).update(taxId).digest("hex");
    expect(keyedHash(taxId, KEY)).toBe(`${HASH_PREFIX}${expected}`);
    expect(keyedHash(keyedHash(taxId, KEY), KEY)).toBe(keyedHash(taxId, KEY));
    expect(keyedHash(taxId, "another-tenant")).not.toBe(keyedHash(taxId, KEY));
  });
});

describe("field policies", () => {
  test("the default policy validates and keeps the customer's name for reporting", () => {
    expect(FieldPolicy.parse(DEFAULT_FIELD_POLICY)).toEqual(DEFAULT_FIELD_POLICY);
    expect(DEFAULT_FIELD_POLICY["customer.name"]).toBeUndefined();
    expect(DEFAULT_FIELD_POLICY["customer.taxId"]).toEqual({ restricted: true, action: "hash" });
  });

  test("policies refuse unknown fields, unknown actions and omitting a required field", () => {
    expect(
      FieldPolicy.safeParse({ "customer.iban": { restricted: true, action: "mask" } }).success,
    ).toBe(false);
    expect(
      FieldPolicy.safeParse({ "contact.phone": { restricted: true, action: "encrypt" } }).success,
    ).toBe(false);
    expect(
      FieldPolicy.safeParse({ "contact.phone": { restricted: false, action: "mask" } }).success,
    ).toBe(false);
    const omitName = FieldPolicy.safeParse({
      "contact.name": { restricted: true, action: "omit" },
    });
    expect(omitName.success).toBe(false);
    expect(omitName.error?.issues[0]?.path).toEqual(["contact.name", "action"]);
    expect(
      FieldPolicy.safeParse({ "contact.email": { restricted: true, action: "omit" } }).success,
    ).toBe(true);
  });
});

// ------------------------------------------------------------------ maskEvent

const surname = fc.constantFrom("张", "李", "王", "Zhao", "Müller", "O'Brien");
const given = fc.constantFrom("三", "四", "伟", "Lei", "Anna", "Seán");
const contactArb = fc.record(
  {
    name: fc.tuple(surname, given).map(([s, g]) => `${s}${g}`),
    phone: fc
      .tuple(fc.constantFrom("", "+86 ", "0086"), fc.stringMatching(/^1[3-9][0-9]{9}$/))
      .map(([p, n]) => `${p}${n}`),
    email: fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{2,12}$/), fc.constantFrom("example.com", "qq.com"))
      .map(([l, d]) => `${l}@${d}`),
  },
  { requiredKeys: ["name"] },
);
const taxIdArb = fc.stringMatching(/^9[0-9]{7}[A-Z]{2}[0-9A-Z]{8}$/);
const customerArb = fc.record({
  name: fc.constantFrom("上海测试医疗器械有限公司", "Berlin Medical GmbH"),
  taxId: fc.option(taxIdArb, { freq: 4 }),
  residency: fc.constantFrom("cn" as const, "eu" as const),
  tier: fc.constantFrom("standard" as const, "key" as const),
  contacts: fc.array(contactArb, { maxLength: 3 }),
});

const createdArb = fc
  .tuple(customerArb, fc.constantFrom("cn-east", "cn-south"))
  .map(([c, region]) => {
    const accountId = accountIdFor(TENANT, {
      kind: "taxId",
      taxId: c.taxId ?? "none",
      key: ID_KEY,
    });
    return envelope(accountId, 0, region, { type: "customer.created", ...c });
  });

describe("maskEvent", () => {
  test("[LF4] a masked customer.created carries no raw phone, e-mail, tax id or contact name", () => {
    fc.assert(
      fc.property(createdArb, (event) => {
        if (event.data.type !== "customer.created") return;
        const { event: masked, maskedFields } = maskEvent(event, DEFAULT_FIELD_POLICY, {
          hashKey: KEY,
        });
        const json = JSON.stringify(masked);
        const raw = [
          event.data.taxId,
          ...event.data.contacts.flatMap((c) => [c.name, c.phone, c.email]),
        ].filter((x): x is string => typeof x === "string");
        for (const value of raw) expect(json).not.toContain(value);
        expect(json).toContain(event.data.name);
        if (event.data.contacts.length > 0) expect(maskedFields).toContain("contact.name");
        if (event.data.taxId) expect(maskedFields).toContain("customer.taxId");
      }),
      { numRuns: 500 },
    );
  });

  test("[LF4] masking is pure, deterministic, idempotent, and only touches restricted fields", () => {
    fc.assert(
      fc.property(createdArb, (event) => {
        const before = structuredClone(event);
        const once = maskEvent(event, DEFAULT_FIELD_POLICY, { hashKey: KEY });
        expect(event).toEqual(before);
        expect(maskEvent(event, DEFAULT_FIELD_POLICY, { hashKey: KEY })).toEqual(once);
        expect(maskEvent(once.event, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event).toEqual(
          once.event,
        );
        const { data: _raw, ...envelopeRaw } = event;
        const { data, ...envelopeMasked } = once.event;
        expect(envelopeMasked).toEqual(envelopeRaw);
        if (data.type === "customer.created" && event.data.type === "customer.created") {
          expect({ ...data, taxId: null, contacts: [] }).toEqual({
            ...event.data,
            taxId: null,
            contacts: [],
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  test("[LF4] a masked event is still a valid wire event and merges", () => {
    fc.assert(
      fc.property(createdArb, (event) => {
        const { event: masked } = maskEvent(event, DEFAULT_FIELD_POLICY, { hashKey: KEY });
        expect(EventEnvelopeV1.parse(masked)).toEqual(masked);
        const batch = {
          v: 1,
          from: "cn-east",
          to: "eu-central",
          sentAt: "2026-01-01T00:00:00.000Z",
          masked: true,
          events: [masked],
        };
        expect(ReplicationBatchV1.safeParse(batch).success).toBe(true);
        const view = customerView(replay(emptyAccount(TENANT, event.accountId), [masked]));
        expect(view?.taxId ?? null).toBe(
          event.data.type === "customer.created" && event.data.taxId
            ? keyedHash(event.data.taxId, KEY)
            : null,
        );
      }),
      { numRuns: 200 },
    );
  });

  test("omit drops optional fields and nulls the tax id; signers are masked; other events pass through", () => {
    const accountId = accountIdFor(TENANT, {
      kind: "taxId",
      taxId: "91310000MA1FL00T3X",
      key: ID_KEY,
    });
    const policy = FieldPolicy.parse({
      "customer.taxId": { restricted: true, action: "omit" },
      "contact.phone": { restricted: true, action: "omit" },
      "signer.email": { restricted: true, action: "mask" },
      "signer.name": { restricted: true, action: "hash" },
    });
    const created = envelope(accountId, 0, "cn-east", {
      type: "customer.created",
      name: "上海测试",
      taxId: "91310000MA1FL00T3X",
      residency: "cn",
      tier: "standard",
      contacts: [{ name: "张三", phone: "13800138000" }],
    });
    const m = maskEvent(created, policy, { hashKey: KEY });
    expect(m.event.data).toMatchObject({ taxId: null, contacts: [{ name: "张三" }] });
    expect(m.event.data.type === "customer.created" && "phone" in m.event.data.contacts[0]!).toBe(
      false,
    );
    expect(m.maskedFields).toEqual(["contact.phone", "customer.taxId"]);

    const contractId = contractIdFor(accountId, "c");
    const signed = envelope(accountId, 1, "cn-east", {
      type: "contract.signed",
      contractId,
      party: "customer",
      signer: { name: "张三", email: "zhang.san@example.com", title: "CFO" },
      documentHash: "a".repeat(64),
    });
    const s = maskEvent(signed, policy, { hashKey: KEY });
    expect(s.event.data).toMatchObject({
      signer: { name: keyedHash("张三", KEY), email: "z***@example.com", title: "CFO" },
    });
    const sent = envelope(accountId, 2, "cn-east", {
      type: "contract.sent",
      contractId,
      documentHash: "a".repeat(64),
    });
    expect(maskEvent(sent, policy, { hashKey: KEY })).toEqual({ event: sent, maskedFields: [] });
  });

  test("[LF4] masked replicas in eu-central converge among themselves", () => {
    const events = fc.sample(
      fc.array(fc.tuple(customerArb, fc.constantFrom("cn-east", "cn-south"), fc.nat(50)), {
        minLength: 2,
        maxLength: 4,
      }),
      { numRuns: 200, seed: 7 },
    );
    const accountId = accountIdFor(TENANT, {
      kind: "taxId",
      taxId: "91310000MA1FL00T3X",
      key: ID_KEY,
    });
    for (const batch of events) {
      const raw = batch.map(([c, region, ms]) =>
        envelope(accountId, ms, region, {
          type: "customer.created",
          ...c,
          taxId: "91310000MA1FL00T3X",
        }),
      );
      // Each cn region masks what it sends; eu-central may get copies from both, in any order.
      const masked = raw.map((e) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event);
      const again = masked.map((e) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event);
      const a = replay(emptyAccount(TENANT, accountId), masked);
      const b = replay(emptyAccount(TENANT, accountId), [...again].reverse().concat(masked));
      expect(stateHash(b)).toBe(stateHash(a));
      expect(JSON.stringify(a)).not.toContain("91310000MA1FL00T3X");
    }
  });
});

// ------------------------------------------- delivery and service facts (DESIGN §11)

describe("[LF4] delivery and service facts abroad", () => {
  const accountId = accountIdFor(TENANT, {
    kind: "taxId",
    taxId: "91310000MA1FL00T3X",
    key: ID_KEY,
  });
  const contractId = contractIdFor(accountId, "c");
  const crId = changeRequestIdFor(accountId, "cr");
  const srId = serviceRequestIdFor(accountId, "sr");
  /** Free text people type about people: a name, a phone, an address. */
  const personalArb = fc
    .tuple(
      fc.constantFrom("张三", "李四", "Anna Müller"),
      fc.stringMatching(/^1[3-9][0-9]{9}$/),
      fc.constantFrom("深圳市南山区科技园1号", "Hauptstraße 5, Berlin"),
    )
    .map(([name, phone, address]) => `${name} ${phone} ${address}`);
  const factArb: fc.Arbitrary<EventData> = personalArb.chain((text) =>
    fc.constantFrom<EventData>(
      {
        type: "delivery.milestone-set",
        contractId,
        milestoneId: "lot-1",
        name: "First lot",
        destination: "深圳仓",
        plannedDate: "2026-04-01",
        committedDate: null,
        actualDate: null,
        supplier: "Acme",
        costMinor: 5_000,
        internalNote: text,
      },
      {
        type: "service.opened",
        serviceRequestId: srId,
        contractId,
        title: text,
        severity: "high",
        openedAt: "2026-03-01T00:00:00.000Z",
        internalNote: text,
      },
      {
        type: "service.resolved",
        serviceRequestId: srId,
        resolvedAt: "2026-03-02T00:00:00.000Z",
        resolution: text,
      },
      {
        type: "change.filed",
        changeRequestId: crId,
        contractId,
        kind: "address",
        summary: text,
        requested: { address: text, contact: text },
        filedAt: "2026-03-01T00:00:00.000Z",
        filedBy: "pus_buyer",
        tier: "key",
        slaDueAt: "2026-03-01T04:00:00.000Z",
        slaWarnAt: "2026-03-01T03:00:00.000Z",
      },
      {
        type: "change.checklist-set",
        changeRequestId: crId,
        department: "quality",
        status: "impact",
        note: text,
      },
      {
        type: "change.answered",
        changeRequestId: crId,
        feasible: true,
        newCommittedDate: "2026-04-15",
        message: text,
        answeredBy: "usr_lead",
        answeredAt: "2026-03-01T02:00:00.000Z",
      },
    ),
  );
  const factEventArb = fc
    .tuple(factArb, fc.constantFrom("cn-east", "cn-south"), fc.nat(50))
    .map(([data, region, ms]) => envelope(accountId, ms, region, data));

  test("[LF4] a masked copy carries none of the free text; what reporting needs crosses as it is", () => {
    fc.assert(
      fc.property(factEventArb, (event) => {
        const raw = unmaskedFields(event, DEFAULT_FIELD_POLICY);
        expect(raw.length).toBeGreaterThan(0);
        const { event: masked, maskedFields } = maskEvent(event, DEFAULT_FIELD_POLICY, {
          hashKey: KEY,
        });
        expect(maskedFields).toEqual(raw);
        expect(unmaskedFields(masked, DEFAULT_FIELD_POLICY)).toEqual([]);
        const json = JSON.stringify(masked.data);
        for (const fragment of ["张三", "李四", "Müller", "科技园", "Hauptstraße"])
          expect(json).not.toContain(fragment);
        expect(json).not.toMatch(/1[3-9][0-9]{9}/);
        expect(EventEnvelopeV1.parse(masked)).toEqual(masked);
        expect(maskEvent(masked, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event).toEqual(masked);
        const d = masked.data;
        if (d.type === "delivery.milestone-set")
          expect(d).toMatchObject({ destination: "深圳仓", supplier: "Acme", costMinor: 5_000 });
        if (d.type === "change.filed")
          expect(d).toMatchObject({ kind: "address", tier: "key", filedBy: "pus_buyer" });
      }),
      { numRuns: 300 },
    );
  });

  test("[LF4] terms, invoices, responses, withdrawals and SLA marks carry nothing personal: they pass through", () => {
    const plain: EventData[] = [
      {
        type: "contract.terms-set",
        contractId,
        terms: {
          deliveryTracking: true,
          documentSharing: false,
          paymentVisibility: true,
          changeRequests: true,
        },
      },
      {
        type: "invoice.issued",
        contractId,
        invoiceId: invoiceIdFor(contractId, "INV-1"),
        number: "INV-1",
        amount: { value: 1_000, currency: "CNY" },
        issuedAt: "2026-03-01",
        dueDate: "2026-03-31",
      },
      {
        type: "change.responded",
        changeRequestId: crId,
        decision: "accepted",
        respondedBy: "pus_buyer",
        respondedAt: "2026-03-01T05:00:00.000Z",
      },
      {
        type: "change.withdrawn",
        changeRequestId: crId,
        withdrawnBy: "pus_buyer",
        withdrawnAt: "t",
      },
      { type: "change.sla-marked", changeRequestId: crId, mark: "warning", at: "t" },
    ];
    for (const data of plain) {
      const event = envelope(accountId, 1, "cn-east", data);
      expect(maskEvent(event, DEFAULT_FIELD_POLICY, { hashKey: KEY })).toEqual({
        event,
        maskedFields: [],
      });
    }
  });

  test("[LF4] masked replicas of a change request converge among themselves", () => {
    fc.assert(
      fc.property(fc.array(factEventArb, { minLength: 1, maxLength: 6 }), (events) => {
        const masked = events.map(
          (e) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event,
        );
        const a = replay(emptyAccount(TENANT, accountId), masked);
        const b = replay(emptyAccount(TENANT, accountId), [...masked].reverse());
        expect(stateHash(b)).toBe(stateHash(a));
      }),
      { numRuns: 100 },
    );
  });
});

// ------------------------------------------- portal users (DESIGN §11, §12)

describe("[LF4] portal users abroad", () => {
  const accountId = accountIdFor(TENANT, {
    kind: "taxId",
    taxId: "91310000MA1FL00T3X",
    key: ID_KEY,
  });
  const userIdArb = fc
    .constantFrom("zhao.liu@example.cn", "Anna.Mueller@example.de")
    .map((email) => portalUserIdFor(accountId, email, ID_KEY));
  const hashArb = fc.stringMatching(/^[0-9a-f]{64}$/);
  const portalArb: fc.Arbitrary<EventData> = fc.oneof(
    fc.record({
      type: fc.constant("portal-user.invited" as const),
      userId: userIdArb,
      email: fc.constantFrom("zhao.liu@example.cn", "anna.mueller@example.de"),
      name: fc.constantFrom("赵六", "Anna Müller"),
      invitationHash: hashArb,
      invitationExpiresAt: fc.constant("2026-03-08T00:00:00.000Z"),
    }),
    fc.record({
      type: fc.constant("portal-user.activated" as const),
      userId: userIdArb,
      invitationHash: hashArb,
      passwordHash: fc.constantFrom("pbkdf2-sha256$100000$c2FsdA$c2VjcmV0"),
    }),
  );
  const portalEventArb = fc
    .tuple(portalArb, fc.constantFrom("cn-east", "cn-south"), fc.nat(50))
    .map(([data, region, ms]) => envelope(accountId, ms, region, data));

  test("[LF4] a masked copy carries no e-mail, name or hash of a portal user; a raw one from abroad is flagged", () => {
    fc.assert(
      fc.property(portalEventArb, (event) => {
        const raw = unmaskedFields(event, DEFAULT_FIELD_POLICY);
        const secrets = Object.entries(event.data)
          .filter(([k]) => ["email", "name", "invitationHash", "passwordHash"].includes(k))
          .map(([, v]) => String(v));
        expect(raw).toHaveLength(secrets.length);
        const { event: masked, maskedFields } = maskEvent(event, DEFAULT_FIELD_POLICY, {
          hashKey: KEY,
        });
        expect(maskedFields).toEqual(raw);
        expect(unmaskedFields(masked, DEFAULT_FIELD_POLICY)).toEqual([]);
        const json = JSON.stringify(masked.data);
        for (const secret of secrets) expect(json).not.toContain(secret);
        for (const fragment of ["example", "赵", "Müller"]) expect(json).not.toContain(fragment);
        expect(EventEnvelopeV1.parse(masked)).toEqual(masked);
        expect(masked.data).toMatchObject({ type: event.data.type });
      }),
      { numRuns: 200 },
    );
  });

  test("[LF4] a field policy cannot let a portal user's e-mail out: it is withheld whatever the policy", () => {
    const event = envelope(accountId, 1, "cn-east", {
      type: "portal-user.invited",
      userId: portalUserIdFor(accountId, "zhao.liu@example.cn", ID_KEY),
      email: "zhao.liu@example.cn",
      name: "赵六",
      invitationHash: "a".repeat(64),
      invitationExpiresAt: "2026-03-08T00:00:00.000Z",
    });
    const { event: masked } = maskEvent(event, FieldPolicy.parse({}), { hashKey: KEY });
    expect(masked.data).toEqual({
      type: "portal-user.invited",
      userId: portalUserIdFor(accountId, "zhao.liu@example.cn", ID_KEY),
      invitationExpiresAt: "2026-03-08T00:00:00.000Z",
    });
    expect(unmaskedFields(event, FieldPolicy.parse({}))).toEqual([
      "portalUser.email",
      "portalUser.invitationHash",
      "portalUser.name",
    ]);
  });

  test("[LF4] disabling carries nothing personal: it passes through", () => {
    const event = envelope(accountId, 1, "cn-east", {
      type: "portal-user.disabled",
      userId: portalUserIdFor(accountId, "zhao.liu@example.cn", ID_KEY),
      disabled: true,
    });
    expect(maskEvent(event, DEFAULT_FIELD_POLICY, { hashKey: KEY })).toEqual({
      event,
      maskedFields: [],
    });
  });

  test("[LF4] masked replicas of portal users converge among themselves", () => {
    fc.assert(
      fc.property(fc.array(portalEventArb, { minLength: 1, maxLength: 6 }), (events) => {
        const masked = events.map(
          (e) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event,
        );
        const a = replay(emptyAccount(TENANT, accountId), masked);
        const b = replay(emptyAccount(TENANT, accountId), [...masked].reverse());
        expect(stateHash(b)).toBe(stateHash(a));
      }),
      { numRuns: 100 },
    );
  });
});

// ------------------------------------------- engagement (DESIGN §11: the CHI's facts)

describe("[LF4] portal activity and call sentiment abroad", () => {
  const accountId = accountIdFor(TENANT, {
    kind: "taxId",
    taxId: "91310000MA1FL00T3X",
    key: ID_KEY,
  });
  const userId = portalUserIdFor(accountId, "zhao.liu@example.cn", ID_KEY);
  const insightId = `ins_cn-east_${"7".repeat(32)}`;
  const TRANSCRIPT = "7e".repeat(32);
  const call = (ms: number, score: number) =>
    envelope(accountId, ms, "cn-east", {
      type: "call.sentiment-recorded",
      insightId,
      at: "2026-03-01T08:00:00.000Z",
      transcriptHash: TRANSCRIPT,
      score,
      utterances: 5,
    });

  test("[LF4] a day of portal use passes as it is: an opaque id and a date, like a disabled flag", () => {
    const event = envelope(accountId, 1, "cn-east", {
      type: "portal-user.active",
      userId,
      day: "2026-03-01",
    });
    expect(maskEvent(event, DEFAULT_FIELD_POLICY, { hashKey: KEY })).toEqual({
      event,
      maskedFields: [],
    });
    expect(unmaskedFields(event, DEFAULT_FIELD_POLICY)).toEqual([]);
  });

  test("[LF4] a call's sentiment score and transcript hash are withheld whatever the policy; when and how much cross; a raw one from abroad is flagged", () => {
    for (const policy of [DEFAULT_FIELD_POLICY, FieldPolicy.parse({})]) {
      const event = call(1, -0.4375);
      const { event: masked, maskedFields } = maskEvent(event, policy, { hashKey: KEY });
      expect(masked.data).toEqual({
        type: "call.sentiment-recorded",
        insightId,
        at: "2026-03-01T08:00:00.000Z",
        utterances: 5,
      });
      expect(maskedFields).toEqual(["callSentiment.score", "callSentiment.transcriptHash"]);
      expect(unmaskedFields(event, policy)).toEqual([
        "callSentiment.score",
        "callSentiment.transcriptHash",
      ]);
      expect(JSON.stringify(masked)).not.toContain(TRANSCRIPT);
      expect(unmaskedFields(masked, policy)).toEqual([]);
      expect(EventEnvelopeV1.parse(masked)).toEqual(masked);
      // Idempotent: masking the masked copy changes nothing.
      expect(maskEvent(masked, policy, { hashKey: KEY }).event).toEqual(masked);
    }
  });

  test("[LF4] masked copies of calls converge among themselves, and hold no score", () => {
    const events = [call(1, 0.5), call(2, -0.25)].map(
      (e) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: KEY }).event,
    );
    const a = replay(emptyAccount(TENANT, accountId), events);
    const b = replay(emptyAccount(TENANT, accountId), [...events].reverse());
    expect(stateHash(b)).toBe(stateHash(a));
    expect(a.callSentiments?.[insightId]?.value).toEqual({
      at: "2026-03-01T08:00:00.000Z",
      utterances: 5,
    });
  });
});
