// The account aggregate: one customer with its contracts and payments. Built only by
// applying events (evolve); every field is a fact or an HLC-stamped register, so that
// remote events can later merge into it in any order (DESIGN §3).
import type { Money } from "../money.ts";
import type { Contact } from "../schemas.ts";

/** Last-writer-wins register: the value with the greatest HLC wins. */
export type Lww<T> = { readonly value: T; readonly hlc: string };

export type CustomerState = {
  id: string;
  createdHlc: string;
  updatedHlc: string;
  name: Lww<string>;
  taxId: string | null;
  residency: "cn" | "eu";
  tier: Lww<"standard" | "key" | "strategic">;
  contacts: Lww<Contact[]>;
};

export type SignatureFact = {
  party: "customer" | "vendor";
  signer: { name: string; title?: string | undefined; email?: string | undefined };
  documentHash: string;
  hlc: string;
};

export type PaymentFact = {
  id: string;
  contractId: string;
  reference: string;
  amount: Money;
  receivedAt: string | null;
  hlc: string;
};

export type ContractState = {
  id: string;
  createdHlc: string;
  updatedHlc: string;
  title: Lww<string>;
  amount: Lww<Money>;
  documentHash: Lww<string>;
  /** Grow-only: document hashes that were sent to the customer, with when. */
  sent: Record<string, string>;
  /** Grow-only set keyed by `${party}:${documentHash}`. */
  signatures: Record<string, SignatureFact>;
  /** Grow-only set keyed by payment id, i.e. by (contractId, reference). */
  payments: Record<string, PaymentFact>;
};

export type AccountState = {
  tenantId: string;
  accountId: string;
  customer: CustomerState | null;
  contracts: Record<string, ContractState>;
  /** HLC of the newest event applied; the account's version. */
  version: string | null;
};

export function emptyAccount(tenantId: string, accountId: string): AccountState {
  return { tenantId, accountId, customer: null, contracts: {}, version: null };
}

export function signatureKey(party: string, documentHash: string): string {
  return `${party}:${documentHash}`;
}

export type ContractStatusValue = "draft" | "sent" | "signed" | "active" | "voided";

/**
 * Status is derived from facts, never stored: `signed` means the customer signed the
 * current document, `active` that the vendor countersigned it too.
 */
export function contractStatus(c: ContractState): ContractStatusValue {
  const hash = c.documentHash.value;
  const customer = c.signatures[signatureKey("customer", hash)];
  const vendor = c.signatures[signatureKey("vendor", hash)];
  if (customer && vendor) return "active";
  if (customer) return "signed";
  if (c.sent[hash]) return "sent";
  return "draft";
}

/** Sum of payments; payments are validated to the contract's currency on the way in. */
export function paidOf(c: ContractState): Money {
  let value = 0;
  for (const p of Object.values(c.payments)) {
    if (p.amount.currency === c.amount.value.currency) value += p.amount.value;
  }
  return { value, currency: c.amount.value.currency };
}
