// Read models of the aggregate as the API returns them (authoritative single reads).
// A contract whose draft has not arrived yet has no view: it is not readable until then.
import { decodeHlc } from "../hlc.ts";
import type { Money } from "../money.ts";
import type { ConflictView, ContractView, CustomerView, PaymentView } from "../schemas.ts";
import type { Conflict } from "./conflicts.ts";
import { maxHlc } from "./lattice.ts";
import {
  type AccountState,
  attachedFile,
  type ContractState,
  contractStatus,
  draftOf,
  type PaymentFact,
  paidTotalOf,
  paymentsOf,
} from "./state.ts";

/** Wall time of an HLC as an ISO-8601 instant. */
export function hlcTime(hlc: string): string {
  return new Date(decodeHlc(hlc).wallMs).toISOString();
}

/** A conflict as the API shows it, with how the state resolved it (if it did). */
export function conflictView(c: Conflict): ConflictView {
  const common = {
    id: c.id,
    subject: c.subject,
    contractId: c.contractId,
    detectedAt: hlcTime(c.detectedAt),
    detectedHlc: c.detectedAt,
  };
  switch (c.kind) {
    case "customer-residency":
      return { ...common, kind: c.kind, resolution: "earliest-residency-kept", facts: c.facts };
    case "contract-terms":
      return { ...common, kind: c.kind, resolution: "earliest-draft-effective", facts: c.facts };
    case "signature-document":
      return { ...common, kind: c.kind, resolution: "unresolved", facts: c.facts };
    case "payment-amount":
      return {
        ...common,
        kind: c.kind,
        resolution: "earliest-confirmation-counts",
        facts: c.facts,
      };
    case "payment-currency":
    case "payment-overflow":
      return { ...common, kind: c.kind, resolution: "excluded-from-paid", facts: c.facts };
    case "payment-voucher":
      return { ...common, kind: c.kind, resolution: "earliest-voucher-shown", facts: c.facts };
    case "signature-image":
      return { ...common, kind: c.kind, resolution: "earliest-image-shown", facts: c.facts };
  }
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
    ownerId: state.owner?.value ?? null,
    conflicts: state.conflicts.filter((x) => x.contractId === null).map(conflictView),
    createdAt: hlcTime(c.createdHlc),
    // A reassignment changes the customer as read, so it moves updatedAt too.
    updatedAt: hlcTime(state.owner ? maxHlc(c.updatedHlc, state.owner.hlc) : c.updatedHlc),
  };
}

export function contractView(state: AccountState, contractId: string): ContractView | null {
  const c = state.contracts[contractId];
  const draft = c ? draftOf(c) : null;
  if (!c || !draft) return null;
  const amount = draft.amount;
  const { paid, excluded } = paidTotalOf(c)!;
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
    title: draft.title,
    amount,
    documentHash: draft.documentHash,
    status: contractStatus(c),
    signatures: Object.entries(c.signatures)
      .sort(([, a], [, b]) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.party < b.party ? -1 : 1))
      .map(([key, s]) => {
        const image = attachedFile(c.signatureImages?.[key]);
        return {
          party: s.party,
          signer: s.signer,
          documentHash: s.documentHash,
          signedAt: hlcTime(s.hlc),
          ...(image ? { image: { sha256: image } } : {}),
        };
      }),
    payments: paymentViews(c, amount, excluded),
    paid,
    outstanding,
    overpaid,
    conflicts: state.conflicts.filter((x) => x.contractId === c.id).map(conflictView),
    createdAt: hlcTime(draft.hlc),
    updatedAt: hlcTime(c.updatedHlc),
  };
}

/**
 * Effective payments in confirmation order, each flagged when it took the contract past
 * its amount. A payment in another currency, or one past exact totals, is listed but
 * never counted (see conflicts).
 */
function paymentViews(
  c: ContractState,
  amount: Money,
  excluded: ReadonlySet<string>,
): PaymentView[] {
  let running = 0;
  return paymentsOf(c).map((p) => {
    if (p.amount.currency !== amount.currency || excluded.has(p.id)) return paymentView(p, false);
    running += p.amount.value;
    return paymentView(p, running > amount.value);
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
    ...(p.voucher ? { voucher: { sha256: p.voucher } } : {}),
  };
}

export function paymentViewOf(
  state: AccountState,
  contractId: string,
  paymentId: string,
): PaymentView | null {
  const c = state.contracts[contractId];
  const draft = c ? draftOf(c) : null;
  if (!c || !draft) return null;
  const { excluded } = paidTotalOf(c)!;
  return paymentViews(c, draft.amount, excluded).find((p) => p.id === paymentId) ?? null;
}
