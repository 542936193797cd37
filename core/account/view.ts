// Read models of the aggregate as the API returns them (authoritative single reads).
import { decodeHlc } from "../hlc.ts";
import type { Money } from "../money.ts";
import type { ContractView, CustomerView, PaymentView } from "../schemas.ts";
import {
  type AccountState,
  type ContractState,
  contractStatus,
  type PaymentFact,
  paidOf,
} from "./state.ts";

/** Wall time of an HLC as an ISO-8601 instant. */
export function hlcTime(hlc: string): string {
  return new Date(decodeHlc(hlc).wallMs).toISOString();
}

export function customerView(state: AccountState): CustomerView | null {
  const c = state.customer;
  if (!c) return null;
  return {
    id: c.id,
    name: c.name.value,
    taxId: c.taxId,
    residency: c.residency,
    tier: c.tier.value,
    contacts: c.contacts.value,
    createdAt: hlcTime(c.createdHlc),
    updatedAt: hlcTime(c.updatedHlc),
  };
}

export function contractView(state: AccountState, contractId: string): ContractView | null {
  const c = state.contracts[contractId];
  if (!c) return null;
  const amount = c.amount.value;
  const paid = paidOf(c);
  const outstanding: Money = {
    value: Math.max(0, amount.value - paid.value),
    currency: amount.currency,
  };
  const overpaid =
    paid.value > amount.value
      ? { value: paid.value - amount.value, currency: amount.currency }
      : null;
  return {
    id: c.id,
    customerId: state.accountId,
    title: c.title.value,
    amount,
    documentHash: c.documentHash.value,
    status: contractStatus(c),
    signatures: Object.values(c.signatures)
      .sort((a, b) => (a.hlc < b.hlc ? -1 : 1))
      .map((s) => ({
        party: s.party,
        signer: s.signer,
        documentHash: s.documentHash,
        signedAt: hlcTime(s.hlc),
      })),
    payments: paymentViews(c),
    paid,
    outstanding,
    overpaid,
    createdAt: hlcTime(c.createdHlc),
    updatedAt: hlcTime(c.updatedHlc),
  };
}

/** Payments in confirmation order, each flagged when it took the contract past its amount. */
function paymentViews(c: ContractState): PaymentView[] {
  const amount = c.amount.value.value;
  let running = 0;
  return Object.values(c.payments)
    .sort((a, b) => (a.hlc < b.hlc ? -1 : 1))
    .map((p) => {
      running += p.amount.value;
      return paymentView(p, running > amount);
    });
}

function paymentView(p: PaymentFact, overpayment: boolean): PaymentView {
  return {
    id: p.id,
    contractId: p.contractId,
    reference: p.reference,
    amount: p.amount,
    receivedAt: p.receivedAt,
    confirmedAt: hlcTime(p.hlc),
    overpayment,
  };
}

export function paymentViewOf(
  state: AccountState,
  contractId: string,
  paymentId: string,
): PaymentView | null {
  const c = state.contracts[contractId];
  if (!c) return null;
  return paymentViews(c).find((p) => p.id === paymentId) ?? null;
}
