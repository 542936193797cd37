// The account aggregate: one customer with its contracts and payments. Built only by
// joining events (evolve); every field is a register or a grow-only fact set, so events
// from any region merge in any order, duplicated or late, into one state (DESIGN §3).
import type { Money } from "../money.ts";
import type { ChangeKind, ContractTerms as PortalTerms } from "../portal/model.ts";
import type {
  ChangeDecision,
  ChecklistStatus,
  Contact,
  Party,
  Residency,
  Severity,
  SlaMark,
  Tier,
} from "../schemas.ts";
import type { Conflict } from "./conflicts.ts";
import {
  compareFacts,
  effective,
  type Lww,
  sortedVariants,
  type Variant,
  type Variants,
  variantKey,
} from "./lattice.ts";

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
  // Delivery and service facts (DESIGN §11), each absent while empty so that contracts
  // without them keep their state hashes (state-hash.ts).
  /** The portal terms: an LWW register; absent means DEFAULT_TERMS. */
  portalTerms?: Lww<PortalTerms>;
  /** One LWW register per milestone id: a later set replaces the whole milestone. */
  milestones?: Record<string, Lww<MilestoneValue>>;
  /** Grow-only by invoice id; variants by (amount, due date), more than one is a conflict. */
  invoices?: Record<string, Variants<InvoiceValue>>;
};

export type MilestoneValue = {
  name: string;
  destination: string;
  quantity?: number | undefined;
  plannedDate: string;
  committedDate: string | null;
  actualDate: string | null;
  supplier?: string | undefined;
  costMinor?: number | undefined;
  internalNote?: string | undefined;
};

export type InvoiceValue = { number: string; amount: Money; issuedAt: string; dueDate: string };

/** A fact held first-writer-wins (`earlier`): the value of its earliest event. */
export type Fact<T> = Variant<T>;

export type ServiceOpened = {
  contractId: string | null;
  title?: string | undefined;
  severity: Severity;
  openedAt: string;
  internalNote?: string | undefined;
};
export type ServiceResolved = { resolvedAt: string; resolution?: string | undefined };

/**
 * A service request: opened once (first writer wins), resolved once. Resolutions grow:
 * each distinct one is kept at its earliest event, and the earliest of all is the
 * resolution; a later different one (resolved concurrently in another region) is history,
 * not a conflict record (neither money nor law is in question).
 */
export type ServiceRequestState = {
  id: string;
  /** Null until `service.opened` arrives (a resolution may arrive first). */
  opened: Fact<ServiceOpened> | null;
  /** Keyed by the resolution text. */
  resolutions: Variants<ServiceResolved>;
};

export type ChangeFiled = {
  contractId: string;
  kind: ChangeKind;
  summary?: string | undefined;
  requested?: Record<string, string> | undefined;
  filedAt: string;
  filedBy: string;
  tier: Tier;
  slaDueAt: string;
  slaWarnAt: string;
};
export type ChecklistValue = { status: ChecklistStatus; note?: string | undefined };
export type ChangeAnswerValue = {
  feasible: boolean;
  newCommittedDate: string | null;
  message?: string | undefined;
  answeredBy: string;
  answeredAt: string;
};
export type ChangeResponse = { decision: ChangeDecision; respondedBy: string; respondedAt: string };
export type ChangeWithdrawal = { withdrawnBy: string; withdrawnAt: string };

/**
 * A change request. Filing, response and withdrawal are first-writer-wins facts; the
 * checklist is an LWW register per department; answers grow, keyed by what they decide
 * (feasible, new date): the earliest is the answer, a different one is a conflict record
 * [LF6]; SLA marks are a grow-only set, one per mark whoever marked it.
 */
export type ChangeRequestState = {
  id: string;
  /** Null until `change.filed` arrives. */
  filed: Fact<ChangeFiled> | null;
  checklist: Record<string, Lww<ChecklistValue>>;
  answers: Variants<ChangeAnswerValue>;
  response: Fact<ChangeResponse> | null;
  withdrawal: Fact<ChangeWithdrawal> | null;
  slaMarks: Partial<Record<SlaMark, Fact<{ at: string }>>>;
};

/** An invitation as its event carries it; a copy abroad has no e-mail, name or hash. */
export type PortalInvite = {
  email?: string | undefined;
  name?: string | undefined;
  invitationHash?: string | undefined;
  invitationExpiresAt: string;
};
/** An accepted invitation: which one (by hash) and the password chosen; neither abroad. */
export type PortalActivation = {
  invitationHash?: string | undefined;
  passwordHash?: string | undefined;
};

/**
 * A portal user: three LWW registers, each absent until its first event. Inviting again
 * replaces the invitation (a password reset), a later activation replaces the password,
 * and disabling is a flag either way. An activation or a disable may arrive before the
 * invitation it follows, so even the invitation may be missing (the user has no view then).
 */
export type PortalUserState = {
  invite?: Lww<PortalInvite>;
  activation?: Lww<PortalActivation>;
  disabled?: Lww<boolean>;
  /**
   * The days (YYYY-MM-DD, the jurisdiction's time zone) the user used the portal: a
   * grow-only set bounded to the ACTIVE_DAYS_KEPT days up to the user's newest
   * (engagement.ts `joinActiveDays`). Absent while empty, so users who never used the
   * portal keep their state hashes (state-hash.ts).
   */
  activeDays?: Readonly<Record<string, true>>;
};

/**
 * One call's sentiment as insights inferred it. `transcriptHash` names the call (a second
 * analysis of it records nothing); it and `score` are absent on a copy abroad.
 */
export type CallSentiment = {
  at: string;
  transcriptHash?: string | undefined;
  score?: number | undefined;
  utterances: number;
};

export type PortalUserStatusValue = "invited" | "active" | "disabled";

/** Derived, never stored: disabled wins; then active once any invitation was accepted. */
export function portalUserStatus(u: PortalUserState): PortalUserStatusValue {
  if (u.disabled?.value === true) return "disabled";
  return u.activation ? "active" : "invited";
}

/**
 * The invitation not yet consumed: the current one, unless the latest activation names its
 * hash. Expiry is not judged here (it needs a time): see `openInvitation`. On a copy abroad
 * no hash is known, so nothing is ever open there.
 */
export function pendingInvitation(u: PortalUserState): { hash: string; expiresAt: string } | null {
  const invite = u.invite?.value;
  if (invite?.invitationHash === undefined) return null;
  if (u.activation?.value.invitationHash === invite.invitationHash) return null;
  return { hash: invite.invitationHash, expiresAt: invite.invitationExpiresAt };
}

/** The invitation a code may still be accepted with at `nowMs`: pending and not expired. */
export function openInvitation(
  u: PortalUserState,
  nowMs: number,
): { hash: string; expiresAt: string } | null {
  const pending = pendingInvitation(u);
  if (!pending || u.disabled?.value === true) return null;
  const expiresMs = Date.parse(pending.expiresAt);
  return Number.isFinite(expiresMs) && expiresMs > nowMs ? pending : null;
}

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
  /** Service and change requests by id; absent while empty (state-hash.ts). */
  serviceRequests?: Record<string, ServiceRequestState>;
  changeRequests?: Record<string, ChangeRequestState>;
  /** The customer's portal users by id (`pus_…`); absent while empty (state-hash.ts). */
  portalUsers?: Record<string, PortalUserState>;
  /**
   * Call sentiment by insight id: grow-only, bounded to the newest CALLS_KEPT within
   * CALL_DAYS_KEPT of the newest (engagement.ts `joinCallSentiments`). An insight is
   * recorded once, in one region, so its copies differ only by what masking withheld.
   * Absent while empty (state-hash.ts).
   */
  callSentiments?: Record<string, Fact<CallSentiment>>;
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

/** The key an answer is compared by: what it decides, not who wrote it or in which words. */
export function answerKey(a: { feasible: boolean; newCommittedDate: string | null }): string {
  return variantKey({ feasible: a.feasible, newCommittedDate: a.newCommittedDate });
}

/** The key an invoice is compared by: amount and due date (what money depends on). */
export function invoiceKey(v: { amount: Money; dueDate: string }): string {
  return variantKey({ amount: v.amount, dueDate: v.dueDate });
}

export type ChangeStatusValue = "open" | "answered" | "accepted" | "declined" | "withdrawn";

/**
 * Derived from facts, never stored: the earlier of a response and a withdrawal (both
 * final) decides; otherwise answered once any answer exists; otherwise open.
 */
export function changeStatus(cr: ChangeRequestState): ChangeStatusValue {
  const { response, withdrawal } = cr;
  if (response && (!withdrawal || compareFacts(response, withdrawal) <= 0))
    return response.value.decision;
  if (withdrawal) return "withdrawn";
  return effective(cr.answers) ? "answered" : "open";
}

/** `record[key]` when it is the record's own entry: input-keyed lookups never reach the prototype. */
export function ownEntry<V>(
  record: Readonly<Record<string, V>> | undefined,
  key: string,
): V | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
