import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  ACCOUNT_ID,
  accountIdFor,
  accountOf,
  CHANGE_REQUEST_ID,
  CONTRACT_ID,
  changeRequestIdFor,
  contractIdFor,
  INSIGHT_ID,
  INVOICE_ID,
  insightIdFor,
  invoiceIdFor,
  normalizePaymentReference,
  normalizeTaxId,
  PAYMENT_ID,
  paymentIdFor,
  regionOfRecord,
  SERVICE_REQUEST_ID,
  serviceRequestIdFor,
} from "./ids.ts";

const CN_KEY = "cn-account-id-key-for-tests";
const EU_KEY = "eu-account-id-key-for-tests";

describe("ids", () => {
  test("[LF2] the same tax id in the same tenant is the same account, however it is typed", () => {
    const a = accountIdFor("ten_a", { kind: "taxId", taxId: "91310000-MA1FL0 0T3X", key: CN_KEY });
    const b = accountIdFor("ten_a", { kind: "taxId", taxId: "91310000ma1fl00t3x", key: CN_KEY });
    expect(a).toBe(b);
    expect(a).toMatch(ACCOUNT_ID);
  });

  test("[LF2] regions of one jurisdiction (one key) derive one account for a tax id; another key, another id", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{4,20}$/), (taxId) => {
        const east = accountIdFor("ten_a", { kind: "taxId", taxId, key: CN_KEY });
        const south = accountIdFor("ten_a", { kind: "taxId", taxId, key: CN_KEY });
        expect(south).toBe(east);
        expect(accountIdFor("ten_a", { kind: "taxId", taxId, key: EU_KEY })).not.toBe(east);
      }),
    );
  });

  test("[LF4] an account id is never derived from a tax id without a real key", () => {
    expect(() => accountIdFor("ten_a", { kind: "taxId", taxId: "X1234", key: "" })).toThrow(
      RangeError,
    );
    expect(() =>
      accountIdFor("ten_a", { kind: "taxId", taxId: "X1234", key: "x".repeat(15) }),
    ).toThrow(RangeError);
  });

  test("tenants never share an account id for the same tax id", () => {
    expect(accountIdFor("ten_a", { kind: "taxId", taxId: "X1", key: CN_KEY })).not.toBe(
      accountIdFor("ten_b", { kind: "taxId", taxId: "X1", key: CN_KEY }),
    );
  });

  test("an account without a natural key derives its id from the Idempotency-Key", () => {
    const a = accountIdFor("ten_a", { kind: "idempotencyKey", key: "k-1" });
    expect(a).toBe(accountIdFor("ten_a", { kind: "idempotencyKey", key: "k-1" }));
    expect(a).not.toBe(accountIdFor("ten_a", { kind: "idempotencyKey", key: "k-2" }));
  });

  test("contract and payment ids embed their account id", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (seed, ref) => {
        const acc = accountIdFor("ten_a", { kind: "idempotencyKey", key: seed });
        const ctr = contractIdFor(acc, seed);
        const pay = paymentIdFor(ctr, ref);
        expect(ctr).toMatch(CONTRACT_ID);
        expect(pay).toMatch(PAYMENT_ID);
        expect(accountOf(ctr)).toBe(acc);
        expect(accountOf(pay)).toBe(acc);
        expect(accountOf(acc)).toBe(acc);
      }),
    );
  });

  test("[LF2] a payment reference names one payment per contract", () => {
    const ctr = contractIdFor(accountIdFor("t", { kind: "idempotencyKey", key: "k" }), "c1");
    expect(paymentIdFor(ctr, "BANK-001")).toBe(paymentIdFor(ctr, " BANK-001 "));
    expect(paymentIdFor(ctr, "BANK-001")).not.toBe(paymentIdFor(ctr, "BANK-002"));
  });

  test("[LF2] a payment reference keys its payment however it is typed: case, white space, full width", () => {
    const ctr = contractIdFor(accountIdFor("t", { kind: "idempotencyKey", key: "k" }), "c1");
    for (const typed of [
      " icbc-1",
      "ICBC-1 ",
      "icbc-1",
      "ICBC -1",
      "\tIc bC-1\n",
      "ＩＣＢＣ－１",
      "icbc\u3000-1",
    ])
      expect(paymentIdFor(ctr, typed)).toBe(paymentIdFor(ctr, "ICBC-1"));
    expect(normalizePaymentReference(" icbc -1 ")).toBe("ICBC-1");
    expect(paymentIdFor(ctr, "ICBC-1")).not.toBe(paymentIdFor(ctr, "ICBC-11"));
  });

  test("[LF2] reference normalisation is idempotent and ignores case and white space (property)", () => {
    const typedArb = fc
      .array(fc.constantFrom(..."abcXYZ019-/. \t\u00a0\u3000"), { minLength: 1, maxLength: 24 })
      .map((cs) => cs.join(""));
    const ctr = contractIdFor(accountIdFor("t", { kind: "idempotencyKey", key: "k" }), "c1");
    fc.assert(
      fc.property(typedArb, (typed) => {
        const n = normalizePaymentReference(typed);
        expect(normalizePaymentReference(n)).toBe(n);
        expect(n).not.toMatch(/\s|[a-z]/);
        const variant = ` ${typed.toLowerCase().split("").join(" ")} `;
        expect(normalizePaymentReference(variant)).toBe(n);
        expect(paymentIdFor(ctr, variant)).toBe(paymentIdFor(ctr, typed));
      }),
    );
  });

  test("foreign ids have no account", () => {
    expect(accountOf("cus_123")).toBeNull();
    expect(accountOf("acc_tooShort")).toBeNull();
  });

  test("normalizeTaxId drops separators and case", () => {
    expect(normalizeTaxId(" de 123.456-789 ")).toBe("DE123456789");
  });
});

describe("insight ids name the region that holds the record", () => {
  const hex = "0123456789abcdef0123456789abcdef";

  test("the region reads back from the id", () => {
    expect(regionOfRecord(insightIdFor("cn-east", hex))).toBe("cn-east");
    expect(insightIdFor("eu-central", hex)).toBe(`ins_eu-central_${hex}`);
  });

  test("ids from before regions were named, and every other id, name no region", () => {
    expect(INSIGHT_ID.test(`ins_${hex}`)).toBe(true);
    expect(regionOfRecord(`ins_${hex}`)).toBeNull();
    expect(regionOfRecord("acc_01HZY3R8S9T0V1W2X3Y4Z5A6B7")).toBeNull();
    expect(regionOfRecord(`ins_cn-east_${hex.slice(1)}`)).toBeNull();
    expect(regionOfRecord(`ins_CN_${hex}`)).toBeNull();
  });

  test("a region name that cannot be part of an id is refused", () => {
    expect(() => insightIdFor("cn_east", hex)).toThrow(RangeError);
    expect(() => insightIdFor("cn-east", "xyz")).toThrow(RangeError);
  });

  test("any region name and random part round-trip", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9-]{1,32}$/),
        fc.stringMatching(/^[0-9a-f]{32}$/),
        (region, random) => regionOfRecord(insightIdFor(region, random)) === region,
      ),
    );
  });
});

describe("ids of invoices, service requests and change requests", () => {
  const account = accountIdFor("ten_a", { kind: "idempotencyKey", key: "k-1" });
  const contract = contractIdFor(account, "c");

  test("[LF5] each embeds its account, so it routes without a lookup", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (seed) => {
        const ids = [
          changeRequestIdFor(account, seed),
          serviceRequestIdFor(account, seed),
          invoiceIdFor(contract, `N${seed.replace(/\s/g, "")}`),
        ];
        expect(ids[0]).toMatch(CHANGE_REQUEST_ID);
        expect(ids[1]).toMatch(SERVICE_REQUEST_ID);
        expect(ids[2]).toMatch(INVOICE_ID);
        for (const id of ids) expect(accountOf(id)).toBe(account);
      }),
    );
  });

  test("[LF2] the same seed is the same id; another seed or account, another id", () => {
    const other = accountIdFor("ten_a", { kind: "idempotencyKey", key: "k-2" });
    expect(changeRequestIdFor(account, "key-1")).toBe(changeRequestIdFor(account, "key-1"));
    expect(changeRequestIdFor(account, "key-2")).not.toBe(changeRequestIdFor(account, "key-1"));
    expect(changeRequestIdFor(other, "key-1").slice(-16)).not.toBe(
      changeRequestIdFor(account, "key-1").slice(-16),
    );
    // A change request and a service request from one seed are different records.
    expect(serviceRequestIdFor(account, "s").slice(4)).not.toBe(
      changeRequestIdFor(account, "s").slice(4),
    );
  });

  test("[LF2] an invoice number is compared as a payment reference: typed two ways, one invoice", () => {
    expect(invoiceIdFor(contract, " inv-1")).toBe(invoiceIdFor(contract, "ＩＮＶ－１"));
    expect(invoiceIdFor(contract, "INV-1")).not.toBe(invoiceIdFor(contract, "INV-2"));
    expect(() => invoiceIdFor(account, "INV-1")).toThrow(RangeError);
  });
});
