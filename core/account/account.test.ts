// The account aggregate's rules, driven the way an AccountDO drives them: decide, stamp,
// evolve. Test names cite the invariant they prove where one applies.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { DomainEvent } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor } from "../ids.ts";
import { ContractCreate, CustomerCreate, PaymentCreate, SignatureCreate } from "../schemas.ts";
import { type Command, type Decision, decide } from "./decide.ts";
import { evolve, replay } from "./evolve.ts";
import { type AccountState, emptyAccount } from "./state.ts";
import { contractView, customerView } from "./view.ts";

const HASH = "a".repeat(64);
const HASH2 = "b".repeat(64);
const TENANT = "ten_demo";
const ID_KEY = "cn-account-id-key-for-tests";

class Harness {
  state: AccountState;
  journal: DomainEvent[] = [];
  private clock = 1_700_000_000_000;
  constructor(accountId: string) {
    this.state = emptyAccount(TENANT, accountId);
  }
  run(command: Command): Decision {
    const d = decide(this.state, command, { accountIdKey: ID_KEY });
    if (d.ok) {
      for (const data of d.events) {
        const hlc = encodeHlc({ wallMs: this.clock++, counter: 0, region: "cn-east" });
        const e: DomainEvent = {
          v: 1,
          id: `evt_${hlc}`,
          tenantId: TENANT,
          accountId: this.state.accountId,
          hlc,
          region: "cn-east",
          actor: { kind: "system", id: "test" },
          data,
        };
        this.journal.push(e);
        this.state = evolve(this.state, e);
      }
    }
    return d;
  }
}

function setup() {
  const accountId = accountIdFor(TENANT, {
    kind: "taxId",
    taxId: "91310000MA1FL00T3X",
    key: ID_KEY,
  });
  const h = new Harness(accountId);
  h.run({
    type: "customer.create",
    input: CustomerCreate.parse({
      name: "上海测试医疗器械有限公司",
      taxId: "91310000MA1FL00T3X",
      residency: "cn",
    }),
  });
  const d = h.run({
    type: "contract.create",
    seed: "key-1",
    input: ContractCreate.parse({
      customerId: accountId,
      title: "Ultrasound X200",
      amount: { value: 1_000_000, currency: "CNY" },
      documentHash: HASH,
    }),
  });
  if (!d.ok || d.target.kind !== "contract") throw new Error("setup failed");
  return { h, accountId, contractId: d.target.id };
}

const sign = (party: "customer" | "vendor", documentHash = HASH) =>
  SignatureCreate.parse({
    party,
    signer: { name: party === "customer" ? "张三" : "Li Si" },
    documentHash,
  });
/** A contract sent and signed by its customer: open for payments. */
function customerSigned() {
  const made = setup();
  made.h.run({ type: "contract.send", contractId: made.contractId });
  made.h.run({ type: "contract.sign", contractId: made.contractId, input: sign("customer") });
  return made;
}

const pay = (contractId: string, reference: string, value: number, currency = "CNY") =>
  PaymentCreate.parse({ contractId, reference, amount: { value, currency } });

describe("account aggregate", () => {
  test("a contract walks draft → sent → signed → active as facts accumulate", () => {
    const { h, contractId } = setup();
    expect(contractView(h.state, contractId)?.status).toBe("draft");
    h.run({ type: "contract.send", contractId });
    expect(contractView(h.state, contractId)?.status).toBe("sent");
    h.run({ type: "contract.sign", contractId, input: sign("customer") });
    expect(contractView(h.state, contractId)?.status).toBe("signed");
    h.run({ type: "contract.sign", contractId, input: sign("vendor") });
    const view = contractView(h.state, contractId)!;
    expect(view.status).toBe("active");
    expect(view.signatures.map((s) => s.party)).toEqual(["customer", "vendor"]);
  });

  test("a signature must name the contract's current document hash", () => {
    const { h, contractId } = setup();
    h.run({ type: "contract.send", contractId });
    const d = h.run({ type: "contract.sign", contractId, input: sign("customer", HASH2) });
    expect(d).toEqual({
      ok: false,
      error: { code: "document-mismatch", expected: HASH, actual: HASH2, field: "documentHash" },
    });
  });

  test("the customer cannot sign a draft and the vendor countersigns only after the customer", () => {
    const { h, contractId } = setup();
    const early = h.run({ type: "contract.sign", contractId, input: sign("customer") });
    expect(early.ok || early.error.code).toBe("invalid-state");
    h.run({ type: "contract.send", contractId });
    const vendorFirst = h.run({ type: "contract.sign", contractId, input: sign("vendor") });
    expect(vendorFirst.ok || vendorFirst.error.code).toBe("invalid-state");
  });

  test("[LF2] signing twice records one signature", () => {
    const { h, contractId } = customerSigned();
    const again = h.run({ type: "contract.sign", contractId, input: sign("customer") });
    expect(again).toMatchObject({ ok: true, events: [], created: false });
    expect(contractView(h.state, contractId)?.signatures).toHaveLength(1);
  });

  test("payments are refused before the customer signs", () => {
    const { h, contractId } = setup();
    h.run({ type: "contract.send", contractId });
    const d = h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 100) });
    expect(d.ok || d.error.code).toBe("invalid-state");
  });

  test("[LF2] the same payment reference confirmed again does not double paid", () => {
    const { h, contractId } = customerSigned();
    h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 400_000) });
    const again = h.run({ type: "payment.confirm", input: pay(contractId, " BANK-1", 400_000) });
    expect(again).toMatchObject({ ok: true, events: [], created: false });
    expect(contractView(h.state, contractId)?.paid).toEqual({ value: 400_000, currency: "CNY" });
  });

  test("[LF6] the same payment reference with another amount is refused, never summed", () => {
    const { h, contractId } = customerSigned();
    h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 400_000) });
    const d = h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 500_000) });
    expect(d.ok || d.error.code).toBe("payment-reference-conflict");
    expect(contractView(h.state, contractId)?.paid.value).toBe(400_000);
  });

  test("a payment in another currency than the contract's is refused", () => {
    const { h, contractId } = customerSigned();
    const d = h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 100, "EUR") });
    expect(d).toMatchObject({
      ok: false,
      error: { code: "currency-mismatch", field: "amount.currency" },
    });
  });

  test("over-payment is recorded and flagged, not lost", () => {
    const { h, contractId } = customerSigned();
    h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 800_000) });
    h.run({ type: "payment.confirm", input: pay(contractId, "BANK-2", 300_000) });
    const v = contractView(h.state, contractId)!;
    expect(v.paid.value).toBe(1_100_000);
    expect(v.outstanding.value).toBe(0);
    expect(v.overpaid).toEqual({ value: 100_000, currency: "CNY" });
    expect(v.payments.map((p) => p.overpayment)).toEqual([false, true]);
  });

  test("a payment that would take paid past Number.MAX_SAFE_INTEGER is refused, naming amount.value", () => {
    const { h, contractId } = customerSigned();
    const max = Number.MAX_SAFE_INTEGER;
    expect(h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", max - 1) }).ok).toBe(
      true,
    );
    const d = h.run({ type: "payment.confirm", input: pay(contractId, "BANK-2", 2) });
    expect(d).toMatchObject({
      ok: false,
      error: { code: "amount-overflow", field: "amount.value" },
    });
    expect(h.run({ type: "payment.confirm", input: pay(contractId, "BANK-3", 1) }).ok).toBe(true);
    expect(contractView(h.state, contractId)?.paid.value).toBe(max);
  });

  test("[LF4] creating a customer by tax id needs this jurisdiction's id key, and checks the id with it", () => {
    const input = CustomerCreate.parse({ name: "X", taxId: "91310000MA1FL00T3X", residency: "cn" });
    const foreign = accountIdFor(TENANT, {
      kind: "taxId",
      taxId: input.taxId!,
      key: "eu-key-0123456789",
    });
    const d = decide(
      emptyAccount(TENANT, foreign),
      { type: "customer.create", input },
      { accountIdKey: ID_KEY },
    );
    expect(d).toMatchObject({ ok: false, error: { code: "identity-mismatch", field: "taxId" } });
    expect(() => decide(emptyAccount(TENANT, foreign), { type: "customer.create", input })).toThrow(
      /id key/,
    );
  });

  test("[LF2] creating the same customer again has no effect", () => {
    const { h } = setup();
    const d = h.run({
      type: "customer.create",
      input: CustomerCreate.parse({
        name: "Another name",
        taxId: "91310000MA1FL00T3X",
        residency: "cn",
      }),
    });
    expect(d).toMatchObject({ ok: true, events: [], created: false });
    expect(customerView(h.state)?.name).toBe("上海测试医疗器械有限公司");
  });

  test("a contract for a customer that does not exist is not found, naming the field", () => {
    const h = new Harness(accountIdFor(TENANT, { kind: "idempotencyKey", key: "x" }));
    const d = h.run({
      type: "contract.create",
      seed: "k",
      input: ContractCreate.parse({
        customerId: h.state.accountId,
        title: "t",
        amount: { value: 1, currency: "CNY" },
        documentHash: HASH,
      }),
    });
    expect(d).toMatchObject({
      ok: false,
      error: { code: "not-found", entity: "customer", field: "customerId" },
    });
  });

  test("[LF3] replaying the journal in any order, with duplicates, rebuilds the same state", () => {
    const { h, contractId } = customerSigned();
    h.run({ type: "contract.sign", contractId, input: sign("vendor") });
    h.run({ type: "payment.confirm", input: pay(contractId, "BANK-1", 1) });
    h.run({ type: "payment.confirm", input: pay(contractId, "BANK-2", 2) });
    const journal = h.journal;
    // Any order at all: facts about a contract may arrive before its draft.
    fc.assert(
      fc.property(
        fc.shuffledSubarray(journal, { minLength: journal.length }),
        fc.array(fc.nat(journal.length - 1)),
        (order, dups) => {
          const events = [...order, ...dups.map((i) => journal[i]!)];
          expect(replay(emptyAccount(TENANT, h.state.accountId), events)).toEqual(h.state);
        },
      ),
    );
  });
});
