// Delivery and service facts (DESIGN §11) merge by the rules of the account [LF3]: portal
// terms and milestones are LWW registers by HLC, invoices grow by id with a conflict record
// for a second amount or due date [LF6], a service request is resolved once, a change
// request is answered once (a second, different answer is a conflict record) and its SLA
// marks count once however many regions made them. Whatever the order, one state.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { DomainEvent, EventData } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor, changeRequestIdFor, contractIdFor, paymentIdFor } from "../ids.ts";
import { DEFAULT_TERMS } from "../portal/model.ts";
import { ChangeRequestView, ContractView, CustomerView } from "../schemas.ts";
import { type Command, type DecideContext, decide } from "./decide.ts";
import { evolve, mergeStates, replay } from "./evolve.ts";
import { type AccountState, emptyAccount } from "./state.ts";
import { stateHash } from "./state-hash.ts";
import { envelopesFor } from "./test-events.ts";
import { changeRequestView, contractView, customerView, serviceRequestView } from "./view.ts";

const TENANT = "ten_demo";
const ID_KEY = "cn-account-id-key-for-tests";
const ACCOUNT = accountIdFor(TENANT, { kind: "taxId", taxId: "91310000MA1FL00T3X", key: ID_KEY });
const CONTRACT = contractIdFor(ACCOUNT, "ctr-1");
const DOC = "a".repeat(64);
const T0 = Date.parse("2026-03-02T00:00:00Z");
const HOUR = 3_600_000;
const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "user", id: "usr_rep" });
const at = (ms: number, region = "cn-east") => encodeHlc({ wallMs: T0 + ms, counter: 0, region });
const on = (ms: number, data: EventData, region = "cn-east") => envelope(at(ms, region), data);
const fold = (events: readonly DomainEvent[]) => replay(emptyAccount(TENANT, ACCOUNT), events);

/** A customer and a contract signed by the customer: invoices and payments may follow. */
const SIGNED: DomainEvent[] = [
  on(0, {
    type: "customer.created",
    name: "上海测试",
    taxId: "91310000MA1FL00T3X",
    residency: "cn",
    tier: "key",
    contacts: [],
  }),
  on(1, {
    type: "contract.drafted",
    contractId: CONTRACT,
    title: "Ultrasound",
    amount: { value: 100_000, currency: "CNY" },
    documentHash: DOC,
  }),
  on(2, { type: "contract.sent", contractId: CONTRACT, documentHash: DOC }),
  on(3, {
    type: "contract.signed",
    contractId: CONTRACT,
    party: "customer",
    signer: { name: "张三" },
    documentHash: DOC,
  }),
];

/** Folds every order of `events` (shuffled, duplicated, split and merged) to one state. */
function expectOrderFree(events: DomainEvent[]): AccountState {
  const reference = fold(events);
  fc.assert(
    fc.property(fc.shuffledSubarray(events, { minLength: events.length }), fc.nat(), (s, cut) => {
      const split = cut % (s.length + 1);
      const merged = mergeStates(fold(s.slice(0, split)), fold([...s.slice(split), s[0]!]));
      expect(stateHash(fold([...s, ...s.slice(0, 2)]))).toBe(stateHash(reference));
      expect(stateHash(merged)).toBe(stateHash(reference));
    }),
    { numRuns: 60 },
  );
  return reference;
}

const ctx = (nowMs: number, actorId = "usr_lead"): DecideContext => ({
  accountIdKey: ID_KEY,
  nowMs,
  actor: { kind: actorId.startsWith("pus_") ? "portal" : "user", id: actorId },
  slaClock: (filedAtMs) => ({ dueAtMs: filedAtMs + 4 * HOUR, warnAtMs: filedAtMs + 3 * HOUR }),
});

/** Decides in cn-east at `ms` and applies what it decided. */
function run(state: AccountState, command: Command, ms: number, actorId?: string) {
  const d = decide(state, command, ctx(T0 + ms, actorId));
  if (!d.ok) return { d, state };
  return { d, state: d.events.reduce((s, data, i) => evolve(s, on(ms + i, data)), state) };
}

describe("[LF3] portal terms and milestones are LWW registers by HLC", () => {
  test("[LF3] absent terms are the defaults; the later set wins in any order, in every region", () => {
    expect(contractView(fold(SIGNED), CONTRACT)!.terms).toEqual(DEFAULT_TERMS);
    const closed = { ...DEFAULT_TERMS, changeRequests: false, paymentVisibility: false };
    const open = { ...DEFAULT_TERMS, documentSharing: false };
    const state = expectOrderFree([
      ...SIGNED,
      on(10, { type: "contract.terms-set", contractId: CONTRACT, terms: closed }),
      on(11, { type: "contract.terms-set", contractId: CONTRACT, terms: open }, "cn-south"),
    ]);
    expect(contractView(state, CONTRACT)!.terms).toEqual(open);
  });

  test("terms equal to those in force record nothing; others record one event", () => {
    const signed = fold(SIGNED);
    const same = run(
      signed,
      { type: "contract.set-terms", contractId: CONTRACT, terms: DEFAULT_TERMS },
      10,
    );
    expect(same.d).toMatchObject({ ok: true, events: [] });
    const terms = { ...DEFAULT_TERMS, deliveryTracking: false };
    const set = run(signed, { type: "contract.set-terms", contractId: CONTRACT, terms }, 10);
    expect(set.d).toMatchObject({ ok: true, events: [{ type: "contract.terms-set", terms }] });
    expect(
      run(set.state, { type: "contract.set-terms", contractId: CONTRACT, terms }, 20).d,
    ).toMatchObject({ ok: true, events: [] });
  });

  test("[LF3] a later set replaces the whole milestone: fields it leaves out are gone", () => {
    const milestone = (ms: number, region: string, extra: object) =>
      on(
        ms,
        {
          type: "delivery.milestone-set",
          contractId: CONTRACT,
          milestoneId: "lot-1",
          name: "First lot",
          destination: "深圳仓",
          plannedDate: "2026-04-01",
          committedDate: null,
          actualDate: null,
          ...extra,
        },
        region,
      );
    const state = expectOrderFree([
      ...SIGNED,
      milestone(10, "cn-east", { supplier: "Acme", costMinor: 5_000, quantity: 10 }),
      milestone(12, "cn-south", { actualDate: "2026-04-02" }),
      on(11, {
        type: "delivery.milestone-set",
        contractId: CONTRACT,
        milestoneId: "lot-0",
        name: "Samples",
        destination: "上海",
        plannedDate: "2026-03-20",
        committedDate: "2026-03-21",
        actualDate: null,
      }),
    ]);
    const view = contractView(state, CONTRACT)!;
    expect(view.milestones.map((m) => m.id)).toEqual(["lot-0", "lot-1"]);
    expect(view.milestones[1]).toMatchObject({
      actualDate: "2026-04-02",
      supplier: null,
      costMinor: null,
      quantity: null,
      destination: "深圳仓",
    });
  });
});

const invoice = (ms: number, n: string, value: number, dueDate: string, region = "cn-east") =>
  on(
    ms,
    {
      type: "invoice.issued",
      contractId: CONTRACT,
      invoiceId: `inv_${CONTRACT.slice(4, 30)}_${n.padStart(16, "0")}`,
      number: n,
      amount: { value, currency: "CNY" },
      issuedAt: "2026-03-01",
      dueDate,
    },
    region,
  );
const payment = (ms: number, ref: string, value: number, receivedAt: string | null) =>
  on(ms, {
    type: "payment.confirmed",
    paymentId: paymentIdFor(CONTRACT, ref),
    contractId: CONTRACT,
    reference: ref,
    amount: { value, currency: "CNY" },
    receivedAt,
  });

describe("invoices", () => {
  test("[LF6] one invoice number issued with two amounts in two regions: the earliest holds, one conflict record on every replica", () => {
    const state = expectOrderFree([
      ...SIGNED,
      invoice(10, "1", 40_000, "2026-03-31"),
      invoice(11, "1", 45_000, "2026-03-31", "cn-south"),
      invoice(12, "1", 40_000, "2026-03-31", "cn-south"),
    ]);
    const view = contractView(state, CONTRACT)!;
    expect(view.invoices).toMatchObject([{ amount: { value: 40_000 }, status: "unpaid" }]);
    expect(view.conflicts).toMatchObject([
      {
        kind: "invoice-terms",
        resolution: "earliest-invoice-effective",
        facts: [
          { effective: true, value: { amount: { value: 40_000 } } },
          { effective: false, value: { amount: { value: 45_000 } } },
        ],
      },
    ]);
    expect(ContractView.safeParse(view).success).toBe(true);
  });

  test("[LF2] issued again with the same amount and due date it is one invoice; another amount is refused", () => {
    const input = {
      number: "inv-7",
      amount: { value: 10_000, currency: "CNY" },
      dueDate: "2026-04-30",
    };
    const first = run(fold(SIGNED), { type: "invoice.issue", contractId: CONTRACT, input }, 10);
    expect(first.d).toMatchObject({
      ok: true,
      created: true,
      events: [{ number: "INV-7", issuedAt: "2026-03-02" }],
    });
    const again = run(
      first.state,
      { type: "invoice.issue", contractId: CONTRACT, input: { ...input, number: " INV-7" } },
      20,
    );
    expect(again.d).toMatchObject({ ok: true, created: false, events: [] });
    const other = { ...input, amount: { value: 9_000, currency: "CNY" } };
    expect(
      run(first.state, { type: "invoice.issue", contractId: CONTRACT, input: other }, 20).d,
    ).toMatchObject({ ok: false, error: { code: "invalid-state", field: "number" } });
    const eur = { ...input, number: "X", amount: { value: 1, currency: "EUR" } };
    expect(
      run(first.state, { type: "invoice.issue", contractId: CONTRACT, input: eur }, 20).d,
    ).toMatchObject({ ok: false, error: { code: "currency-mismatch" } });
  });

  test("payments pay invoices in due-date order; paidAt is when the completing payment was received; overdue only given a time", () => {
    const state = fold([
      ...SIGNED,
      invoice(10, "2", 30_000, "2026-04-30"),
      invoice(11, "1", 50_000, "2026-03-31"),
      invoice(12, "3", 20_000, "2026-05-31"),
      payment(20, "B1", 30_000, "2026-03-10T09:00:00+08:00"),
      payment(21, "B2", 25_000, null),
      payment(22, "B3", 10_000, "2026-04-20T09:00:00+08:00"),
    ]);
    const stored = contractView(state, CONTRACT)!;
    expect(stored.invoices.map((i) => [i.number, i.status, i.paidAt])).toEqual([
      ["1", "paid", new Date(T0 + 21).toISOString()],
      ["2", "unpaid", null],
      ["3", "unpaid", null],
    ]);
    const read = contractView(state, CONTRACT, Date.parse("2026-05-01T00:00:00Z"))!;
    expect(read.invoices.map((i) => i.status)).toEqual(["paid", "overdue", "unpaid"]);
    // The due day itself is not overdue yet (UTC).
    const dueDay = contractView(state, CONTRACT, Date.parse("2026-04-30T23:59:59Z"))!;
    expect(dueDay.invoices[1]!.status).toBe("unpaid");
    const settled = evolve(state, payment(30, "B4", 15_000, "2026-04-25T10:00:00+08:00"));
    expect(
      contractView(settled, CONTRACT, Date.parse("2026-06-01T00:00:00Z"))!.invoices,
    ).toMatchObject([
      { status: "paid" },
      { status: "paid", paidAt: "2026-04-25T10:00:00+08:00" },
      { status: "overdue" },
    ]);
  });
});

describe("service requests", () => {
  const open = (ms: number) =>
    run(
      fold(SIGNED),
      {
        type: "service.open",
        seed: "key-1",
        input: { contractId: CONTRACT, title: "Probe broken", severity: "high" },
      },
      ms,
    );

  test("opened once, resolved once: the same resolution again records nothing, another is refused", () => {
    const opened = open(10);
    expect(opened.d).toMatchObject({
      ok: true,
      created: true,
      target: { kind: "service-request" },
    });
    const id = (opened.d as { target: { id: string } }).target.id;
    expect(
      run(
        opened.state,
        {
          type: "service.open",
          seed: "key-1",
          input: { contractId: null, title: "x", severity: "low" },
        },
        11,
      ).d,
    ).toMatchObject({ ok: true, created: false, events: [] });
    const resolve = (resolution: string) => ({
      type: "service.resolve" as const,
      serviceRequestId: id,
      input: { resolution },
    });
    const resolved = run(opened.state, resolve("Replaced the probe"), 20);
    expect(serviceRequestView(resolved.state, id)).toMatchObject({
      status: "resolved",
      resolution: "Replaced the probe",
      resolvedAt: new Date(T0 + 20).toISOString(),
    });
    expect(run(resolved.state, resolve("Replaced the probe"), 30).d).toMatchObject({
      ok: true,
      events: [],
    });
    expect(run(resolved.state, resolve("Something else"), 30).d).toMatchObject({
      ok: false,
      error: { code: "invalid-state", field: "resolution" },
    });
    expect(
      run(opened.state, { ...resolve("x"), serviceRequestId: `${id.slice(0, -1)}0` }, 30).d,
    ).toMatchObject({ ok: false, error: { code: "not-found", entity: "service-request" } });
  });

  test("[LF3] resolved concurrently in two regions: the earliest is the resolution, the other is history, everywhere", () => {
    const opened = open(10);
    const id = (opened.d as { target: { id: string } }).target.id;
    const resolved = (ms: number, region: string, resolution: string) =>
      on(
        ms,
        { type: "service.resolved", serviceRequestId: id, resolvedAt: `t${ms}`, resolution },
        region,
      );
    const events = [
      ...SIGNED,
      on(10, (opened.d as { events: EventData[] }).events[0]!),
      resolved(21, "cn-south", "Explained usage"),
      resolved(20, "cn-east", "Replaced the probe"),
      resolved(22, "cn-east", "Replaced the probe"),
    ];
    const view = serviceRequestView(expectOrderFree(events), id)!;
    expect(view).toMatchObject({
      resolution: "Replaced the probe",
      resolvedAt: "t20",
      laterResolutions: [{ resolvedAt: "t21", resolution: "Explained usage" }],
    });
    // A resolution that arrives before the request is kept, and shown once it is opened.
    expect(serviceRequestView(fold([resolved(20, "cn-east", "x")]), id)).toBeNull();
  });
});

describe("change requests", () => {
  const fileInput = {
    contractId: CONTRACT,
    kind: "delivery-date" as const,
    summary: "Deliver two weeks later",
    requested: { deliveryDate: "2026-04-15" },
  };
  const CR = changeRequestIdFor(ACCOUNT, "cr-key");
  const filed = () =>
    run(
      fold(SIGNED),
      { type: "change.file", seed: "cr-key", input: fileInput },
      10,
      "pus_customer",
    );
  const answer = (feasible: boolean, newCommittedDate: string | null = null): Command => ({
    type: "change.answer",
    changeRequestId: CR,
    input: { feasible, newCommittedDate, message: "We checked" },
  });

  test("filed by the portal user with the tier and SLA instants of its filing; open until answered", () => {
    const { d, state } = filed();
    expect(d).toMatchObject({
      ok: true,
      created: true,
      target: { kind: "change-request", id: CR },
    });
    const view = changeRequestView(state, CR)!;
    expect(view).toMatchObject({
      status: "open",
      filedBy: "pus_customer",
      tier: "key",
      filedAt: new Date(T0 + 10).toISOString(),
      slaWarnAt: new Date(T0 + 10 + 3 * HOUR).toISOString(),
      slaDueAt: new Date(T0 + 10 + 4 * HOUR).toISOString(),
      slaMarks: { warning: null, violation: null },
      answer: null,
    });
    expect(ChangeRequestView.safeParse(view).success).toBe(true);
    expect(CustomerView.safeParse(customerView(state)).success).toBe(true);
    expect(customerView(state)!.changeRequests.map((c) => c.id)).toEqual([CR]);
  });

  test("a contract whose terms exclude change requests refuses them; an unknown contract is a 422", () => {
    const noChanges = run(
      fold(SIGNED),
      {
        type: "contract.set-terms",
        contractId: CONTRACT,
        terms: { ...DEFAULT_TERMS, changeRequests: false },
      },
      5,
    ).state;
    expect(
      run(noChanges, { type: "change.file", seed: "k", input: fileInput }, 10).d,
    ).toMatchObject({
      ok: false,
      error: { code: "invalid-state", field: "contractId" },
    });
    const other = { ...fileInput, contractId: contractIdFor(ACCOUNT, "nope") };
    expect(run(fold(SIGNED), { type: "change.file", seed: "k", input: other }, 10).d).toMatchObject(
      {
        ok: false,
        error: { code: "not-found", entity: "contract", field: "contractId" },
      },
    );
  });

  test("answered → accepted: status follows the facts; after the response nothing else is taken", () => {
    let state = filed().state;
    const check = run(
      state,
      {
        type: "change.set-checklist",
        changeRequestId: CR,
        department: "supply-chain",
        input: { status: "impact", note: "new lot needed" },
      },
      20,
    );
    state = check.state;
    expect(changeRequestView(state, CR)!.checklist).toEqual({
      "supply-chain": { status: "impact", note: "new lot needed", updatedAt: expect.any(String) },
    });
    // An empty note is none; setting the same check again records nothing.
    const quality = (note: string) =>
      run(
        state,
        {
          type: "change.set-checklist",
          changeRequestId: CR,
          department: "quality",
          input: { status: "ok", note },
        },
        21,
      );
    const checked = quality("");
    expect(checked.d).toMatchObject({ ok: true, events: [{ status: "ok" }] });
    expect(checked.d.ok && "note" in checked.d.events[0]!).toBe(false);
    expect(
      run(
        checked.state,
        {
          type: "change.set-checklist",
          changeRequestId: CR,
          department: "quality",
          input: { status: "ok" },
        },
        22,
      ).d,
    ).toMatchObject({ ok: true, events: [] });
    expect(
      run(
        state,
        { type: "change.respond", changeRequestId: CR, input: { decision: "accepted" } },
        25,
        "pus_customer",
      ).d,
    ).toMatchObject({ ok: false, error: { code: "invalid-state", field: "decision" } });
    state = run(state, answer(true, "2026-04-15"), 30).state;
    expect(changeRequestView(state, CR)).toMatchObject({
      status: "answered",
      answer: { feasible: true, newCommittedDate: "2026-04-15", answeredBy: "usr_lead" },
    });
    expect(run(state, answer(true, "2026-04-15"), 31, "usr_other").d).toMatchObject({
      ok: true,
      events: [],
    });
    expect(run(state, answer(false), 31).d).toMatchObject({
      ok: false,
      error: { code: "invalid-state" },
    });
    state = run(
      state,
      { type: "change.respond", changeRequestId: CR, input: { decision: "accepted" } },
      40,
      "pus_customer",
    ).state;
    expect(changeRequestView(state, CR)).toMatchObject({
      status: "accepted",
      response: { decision: "accepted", respondedBy: "pus_customer" },
    });
    expect(
      run(state, { type: "change.withdraw", changeRequestId: CR }, 50, "pus_customer").d,
    ).toMatchObject({ ok: false, error: { code: "invalid-state" } });
    expect(
      run(
        state,
        {
          type: "change.set-checklist",
          changeRequestId: CR,
          department: "rnd",
          input: { status: "ok" },
        },
        50,
      ).d,
    ).toMatchObject({ ok: false, error: { code: "invalid-state" } });
  });

  test("[LF6] two people answer differently in two regions: the earliest answer holds, one conflict record on every replica", () => {
    const filing = on(10, (filed().d as { events: EventData[] }).events[0]!);
    const answered = (ms: number, region: string, feasible: boolean, by: string) =>
      on(
        ms,
        {
          type: "change.answered",
          changeRequestId: CR,
          feasible,
          newCommittedDate: feasible ? "2026-04-15" : null,
          message: "m",
          answeredBy: by,
          answeredAt: `t${ms}`,
        },
        region,
      );
    const state = expectOrderFree([
      ...SIGNED,
      filing,
      answered(20, "cn-east", true, "usr_a"),
      answered(21, "cn-south", false, "usr_b"),
      // The same decision by a third person is the same answer, not another conflict.
      answered(22, "cn-south", true, "usr_c"),
    ]);
    const view = changeRequestView(state, CR)!;
    expect(view.answer).toMatchObject({ feasible: true, answeredBy: "usr_a" });
    expect(view.conflicts).toMatchObject([
      {
        kind: "change-answer",
        subject: CR,
        contractId: null,
        resolution: "earliest-answer-effective",
        facts: [
          { effective: true, value: { feasible: true, answeredBy: "usr_a" } },
          { effective: false, value: { feasible: false, answeredBy: "usr_b" } },
        ],
      },
    ]);
    expect(customerView(state)!.conflicts.map((c) => c.kind)).toEqual(["change-answer"]);
  });

  test("[LF3] SLA marks made by both regions count once; a withdrawal and a response: the earlier decides", () => {
    const filing = on(10, (filed().d as { events: EventData[] }).events[0]!);
    const mark = (ms: number, region: string, m: "warning" | "violation") =>
      on(ms, { type: "change.sla-marked", changeRequestId: CR, mark: m, at: `t${ms}` }, region);
    const state = expectOrderFree([
      ...SIGNED,
      filing,
      mark(30, "cn-south", "warning"),
      mark(31, "cn-east", "warning"),
      mark(40, "cn-east", "violation"),
      mark(41, "cn-south", "violation"),
    ]);
    expect(changeRequestView(state, CR)!.slaMarks).toEqual({ warning: "t30", violation: "t40" });
    const closing = [
      on(
        50,
        { type: "change.withdrawn", changeRequestId: CR, withdrawnBy: "pus_c", withdrawnAt: "t50" },
        "cn-south",
      ),
      on(51, {
        type: "change.responded",
        changeRequestId: CR,
        decision: "declined",
        respondedBy: "pus_c",
        respondedAt: "t51",
      }),
    ];
    expect(changeRequestView(expectOrderFree([...SIGNED, filing, ...closing]), CR)!.status).toBe(
      "withdrawn",
    );
  });
});

describe("[LF3] state hashes of accounts without these facts are unchanged", () => {
  test("[LF3] an account without them has none of their keys in its state", () => {
    const state = fold(SIGNED);
    const json = JSON.stringify(state);
    for (const key of [
      "portalTerms",
      "milestones",
      "invoices",
      "serviceRequests",
      "changeRequests",
    ])
      expect(json).not.toContain(key);
  });
});
