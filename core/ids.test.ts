import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  ACCOUNT_ID,
  accountIdFor,
  accountOf,
  CONTRACT_ID,
  contractIdFor,
  normalizeTaxId,
  PAYMENT_ID,
  paymentIdFor,
} from "./ids.ts";

describe("ids", () => {
  test("[LF2] the same tax id in the same tenant is the same account, however it is typed", () => {
    const a = accountIdFor("ten_a", { kind: "taxId", taxId: "91310000-MA1FL0 0T3X" });
    const b = accountIdFor("ten_a", { kind: "taxId", taxId: "91310000ma1fl00t3x" });
    expect(a).toBe(b);
    expect(a).toMatch(ACCOUNT_ID);
  });

  test("tenants never share an account id for the same tax id", () => {
    expect(accountIdFor("ten_a", { kind: "taxId", taxId: "X1" })).not.toBe(
      accountIdFor("ten_b", { kind: "taxId", taxId: "X1" }),
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

  test("foreign ids have no account", () => {
    expect(accountOf("cus_123")).toBeNull();
    expect(accountOf("acc_tooShort")).toBeNull();
  });

  test("normalizeTaxId drops separators and case", () => {
    expect(normalizeTaxId(" de 123.456-789 ")).toBe("DE123456789");
  });
});
