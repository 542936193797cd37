// The account aggregate: one customer with its contracts and payments. Built only by
// joining events (evolve); every field is a register or a grow-only fact set, so events
// from any region merge in any order, duplicated or late, into one state (DESIGN §3).
import type { Money } from "../money.ts";
import type { Contact, Party, Residency, Tier } from "../schemas.ts";
import type { Conflict } from "./conflicts.ts";
import { effective, type Lww, sortedVariants, type Variant, type Variants } from "./lattice.ts";

export type { Lww, Variant, Variants } from "./lattice.ts";

export type CustomerState = {
  id: string;
  createdHlc: string;
  updatedHlc: string;
  name: Lww<string>;
  /** Effective tax id: the earliest of `taxIds`. */
  taxId: string | null;
  /** Effective residency: the earliest of `residencies`. */
  residency: Residency;
  /** First writer wins; the tax id decides the account id, so values cannot legitimately differ. */
  taxIds: Variants<string | null>;
  /** Never LWW: residency decides where data may live [LF4]. The earliest holds; others are conflicts. */
  residencies: Variants<Residency>;
  tier: Lww<Tier>;
  contacts: Lww<Contact[]>;
};

export type SignatureFact = {
  party: Party;
  signer: { name: string; title?: string | undefined; email?: string | undefined };
  documentHash: string;
  hlc: string;
  eventId: string;
};

/** What a draft fixes and what money and signatures depend on. */
export type ContractTerms = { amount: Money; documentHash: string };

/** A payment confirmation's content; variants of one payment id are keyed by `amount`. */
export type PaymentValue = { reference: string; amount: Money; receivedAt: string | null };

/** The effective confirmation of one payment id. */
export type PaymentFact = {
  id: string;
  contractId: string;
  reference: string;
  amount: Money;
  receivedAt: string | null;
  /** SHA-256 of the voucher photo shown with it, if any (see `attachedFile`). */
  voucher: string | null;
  hlc: string;
  eventId: string;
};

/**
 * Files attached to one fact (a payment's vouchers, a signature's stroke images): every
 * SHA-256 ever attached, each at its earliest event. Grow-only, so a copy of the fact
 * without a file (a retry that did not send it, a masked copy) never removes one. The
 * earliest is the one shown; a second, different one is a conflict record (conflicts.ts).
 */
export type Attachments = Variants<string>;

export type ContractState = {
  id: string;
  updatedHlc: string;
  /** Null until a draft arrives: facts about a contract may precede its draft. */
  title: Lww<string> | null;
  /** Drafted terms; empty until a draft arrives, more than one variant is a conflict. */
  terms: Variants<ContractTerms>;
  /** Grow-only: document hashes that were sent to the customer, with when. */
  sent: Record<string, string>;
  /** Grow-only set keyed by `${party}:${documentHash}`. */
  signatures: Record<string, SignatureFact>;
  /** Grow-only, keyed by payment id, i.e. by (contractId, reference); variants by amount. */
  payments: Record<string, Variants<PaymentValue>>;
  /**
   * Voucher photos by payment id, and stroke images by signature key, apart from the facts
   * they belong to: the facts join first-writer-wins, the files grow. Absent while empty,
   * so accounts without files keep their state hashes.
   */
  vouchers?: Record<string, Attachments>;
  signatureImages?: Record<string, Attachments>;
};

export type AccountState = {
  tenantId: string;
  accountId: string;
  /** Null until `customer.created` arrives; contracts may arrive before it. */
  customer: CustomerState | null;
  /**
   * The owning rep: an LWW register set by `customer.created` (when it names one) and by
   * `customer.owner-assigned`. Held beside the customer, not in it, because a
   * reassignment may arrive before the creation it follows. Absent while no event named
   * one, so accounts without owners keep their state hashes (state-hash.ts).
   */
  owner?: Lww<string>;
  contracts: Record<string, ContractState>;
  /** Conflict records [LF6], sorted by id; a function of the facts above. */
  conflicts: Conflict[];
  /** HLC of the newest event applied; the account's version. */
  version: string | null;
};

export function emptyAccount(tenantId: string, accountId: string): AccountState {
  return { tenantId, accountId, customer: null, contracts: {}, conflicts: [], version: null };
}

export function signatureKey(party: string, documentHash: string): string {
  return `${party}:${documentHash}`;
}

export type ContractDraft = {
  title: string;
  amount: Money;
  documentHash: string;
  /** HLC and event of the effective (earliest) draft. */
  hlc: string;
  eventId: string;
};

/** The effective draft, or null while the contract's draft has not arrived. */
export function draftOf(c: ContractState): ContractDraft | null {
  const t = effective(c.terms);
  if (!t || !c.title) return null;
  return { title: c.title.value, ...t.value, hlc: t.hlc, eventId: t.eventId };
}

/** The file shown with a fact: the earliest attached; null when none is. */
export function attachedFile(files: Attachments | undefined): string | null {
  return files ? (effective(files)?.value ?? null) : null;
}

/** Effective payments (earliest confirmation of each payment id), in confirmation order. */
export function paymentsOf(c: ContractState): PaymentFact[] {
  const out: PaymentFact[] = [];
  for (const [id, vs] of Object.entries(c.payments)) {
    const v = effective(vs);
    const voucher = attachedFile(c.vouchers?.[id]);
    if (v) out.push({ id, contractId: c.id, ...v.value, voucher, hlc: v.hlc, eventId: v.eventId });
  }
  return out.sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : a.id < b.id ? -1 : 1));
}

/** Every variant of one payment id, earliest (effective) first. */
export function paymentVariants(c: ContractState, paymentId: string): Variant<PaymentValue>[] {
  const vs = c.payments[paymentId];
  return vs ? sortedVariants(vs) : [];
}

export type ContractStatusValue = "draft" | "sent" | "signed" | "active" | "voided";

/**
 * Status is derived from facts, never stored: `signed` means the customer signed the
 * current document, `active` that the vendor countersigned it too. A contract whose
 * draft has not arrived is a `draft`: there is no document to send or sign yet.
 */
export function contractStatus(c: ContractState): ContractStatusValue {
  const hash = effective(c.terms)?.value.documentHash;
  if (hash === undefined) return "draft";
  const customer = c.signatures[signatureKey("customer", hash)];
  const vendor = c.signatures[signatureKey("vendor", hash)];
  if (customer && vendor) return "active";
  if (customer) return "signed";
  if (c.sent[hash]) return "sent";
  return "draft";
}

/** The part of a contract's payments that counts toward `paid`, and what was left out. */
export type PaidTotal = {
  paid: Money;
  /** Payments in the currency that would have taken `paid` past exact integers. */
  excluded: ReadonlySet<string>;
};

const NONE: ReadonlySet<string> = new Set();

/**
 * Sum of effective payments in the contract's currency; a payment in another currency
 * (possible when concurrent drafts disagree) is excluded and is a conflict instead.
 * Each region refuses a payment that would take the total past Number.MAX_SAFE_INTEGER,
 * but payments accepted in two regions can pass it together once merged: then, in
 * confirmation order, a payment that would overflow is left out of `paid` (a conflict
 * names it), so the total stays exact and the view renders. Null while the draft, and
 * so the currency, is unknown.
 */
export function paidTotalOf(c: ContractState): PaidTotal | null {
  const draft = draftOf(c);
  if (!draft) return null;
  const currency = draft.amount.currency;
  let sum = 0;
  for (const vs of Object.values(c.payments)) {
    const v = effective(vs);
    if (v && v.value.amount.currency === currency) sum += v.value.amount.value;
  }
  if (Number.isSafeInteger(sum)) return { paid: { value: sum, currency }, excluded: NONE };
  // Rare: the order decides which payments fit, so walk them in confirmation order.
  let value = 0;
  const excluded = new Set<string>();
  for (const p of paymentsOf(c)) {
    if (p.amount.currency !== currency) continue;
    if (Number.isSafeInteger(value + p.amount.value)) value += p.amount.value;
    else excluded.add(p.id);
  }
  return { paid: { value, currency }, excluded };
}

/** `paidTotalOf(c).paid`: what the contract has been paid, exact, in its currency. */
export function paidOf(c: ContractState): Money | null {
  return paidTotalOf(c)?.paid ?? null;
}
