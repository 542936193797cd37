// Read models of the aggregate as the API returns them (authoritative single reads).
// A contract whose draft has not arrived yet has no view: it is not readable until then.
import { decodeHlc } from "../hlc.ts";
import type { Money } from "../money.ts";
import { DEFAULT_TERMS, DEPARTMENTS } from "../portal/model.ts";
import {
  type ChangeRequestView,
  type ConflictView,
  type ContractView,
  type CustomerView,
  type InvoiceView,
  MAX_VIEW_ITEMS,
  type MilestoneView,
  type PaymentView,
  type PortalUserView,
  type ServiceRequestView,
} from "../schemas.ts";
import type { Conflict } from "./conflicts.ts";
import { effective, maxHlc, sortedVariants } from "./lattice.ts";
import {
  type AccountState,
  attachedFile,
  type ChangeRequestState,
  type ContractState,
  changeStatus,
  contractStatus,
  draftOf,
  ownEntry,
  type PaymentFact,
  type PortalUserState,
  paidTotalOf,
  paymentsOf,
  pendingInvitation,
  portalUserStatus,
  type ServiceRequestState,
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
    case "invoice-terms":
      return { ...common, kind: c.kind, resolution: "earliest-invoice-effective", facts: c.facts };
    case "change-answer":
      return { ...common, kind: c.kind, resolution: "earliest-answer-effective", facts: c.facts };
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
    serviceRequests: newest(state.serviceRequests, (sr) => sr.opened?.hlc).flatMap((sr) => {
      const view = serviceRequestOf(state, sr);
      return view ? [view] : [];
    }),
    changeRequests: newest(state.changeRequests, (cr) => cr.filed?.hlc).flatMap((cr) => {
      const view = changeRequestOf(state, cr);
      return view ? [view] : [];
    }),
    conflicts: state.conflicts.filter((x) => x.contractId === null).map(conflictView),
    createdAt: hlcTime(c.createdHlc),
    // A reassignment changes the customer as read, so it moves updatedAt too.
    updatedAt: hlcTime(state.owner ? maxHlc(c.updatedHlc, state.owner.hlc) : c.updatedHlc),
  };
}

/**
 * `nowMs`: when the view is read, for what depends on it (an unpaid invoice past its due
 * date is `overdue`). Without it the view is a function of the facts alone, as a write's
 * stored answer must be (replayed byte for byte) and as projections are: invoices then
 * read `unpaid` or `paid`, and a reader that knows the time applies it.
 */
export function contractView(
  state: AccountState,
  contractId: string,
  nowMs?: number,
): ContractView | null {
  const c = ownEntry(state.contracts, contractId);
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
    terms: c.portalTerms?.value ?? DEFAULT_TERMS,
    milestones: milestoneViews(c),
    invoices: invoiceViews(c, amount.currency, excluded, nowMs),
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
  const c = ownEntry(state.contracts, contractId);
  const draft = c ? draftOf(c) : null;
  if (!c || !draft) return null;
  const { excluded } = paidTotalOf(c)!;
  return paymentViews(c, draft.amount, excluded).find((p) => p.id === paymentId) ?? null;
}

// ------------------------------------------------ delivery and service facts (DESIGN §11)

/** Up to MAX_VIEW_ITEMS entries that have arrived (`at` not undefined), newest first. */
function newest<T extends { id: string }>(
  records: Readonly<Record<string, T>> | undefined,
  at: (x: T) => string | undefined,
): T[] {
  return Object.values(records ?? {})
    .filter((x) => at(x) !== undefined)
    .sort((x, y) => {
      const [a, b] = [at(x)!, at(y)!];
      return a > b ? -1 : a < b ? 1 : x.id < y.id ? -1 : 1;
    })
    .slice(0, MAX_VIEW_ITEMS);
}

function milestoneViews(c: ContractState): MilestoneView[] {
  return Object.entries(c.milestones ?? {})
    .map(([id, { value: m, hlc }]) => ({
      id,
      contractId: c.id,
      name: m.name,
      destination: m.destination,
      quantity: m.quantity ?? null,
      plannedDate: m.plannedDate,
      committedDate: m.committedDate,
      actualDate: m.actualDate,
      supplier: m.supplier ?? null,
      costMinor: m.costMinor ?? null,
      internalNote: m.internalNote ?? null,
      updatedAt: hlcTime(hlc),
    }))
    .sort((a, b) =>
      a.plannedDate < b.plannedDate ? -1 : a.plannedDate > b.plannedDate ? 1 : a.id < b.id ? -1 : 1,
    );
}

const DAY_MS = 86_400_000;

/** Whether an unpaid invoice due on `dueDate` is overdue at `nowMs`: after that day ends, UTC. */
export function isOverdue(dueDate: string, nowMs: number): boolean {
  return nowMs >= Date.parse(`${dueDate}T00:00:00Z`) + DAY_MS;
}

/**
 * Invoices by due date (then issue date, then id), each paid or not by the contract's
 * counted payments (those in `paid`, in confirmation order) allocated first in, first
 * out: the n-th invoice is paid once the payments cover it and every invoice due before
 * it, at the `receivedAt` (else confirmation time) of the payment that completed it. An
 * invoice in another currency than the contract's is never paid by allocation.
 */
function invoiceViews(
  c: ContractState,
  currency: string,
  excluded: ReadonlySet<string>,
  nowMs: number | undefined,
): InvoiceView[] {
  const invoices = Object.entries(c.invoices ?? {})
    .map(([id, vs]) => ({ id, ...effective(vs)!.value }))
    .sort((a, b) =>
      a.dueDate !== b.dueDate
        ? a.dueDate < b.dueDate
          ? -1
          : 1
        : a.issuedAt !== b.issuedAt
          ? a.issuedAt < b.issuedAt
            ? -1
            : 1
          : a.id < b.id
            ? -1
            : 1,
    );
  const payments = paymentsOf(c).filter(
    (p) => p.amount.currency === currency && !excluded.has(p.id),
  );
  // Exact whatever the totals: cumulative sums may pass Number.MAX_SAFE_INTEGER.
  let due = 0n;
  let paid = 0n;
  let next = 0;
  let paidAt: string | null = null;
  return invoices.map((inv) => {
    let status: InvoiceView["status"] = "unpaid";
    let at: string | null = null;
    if (inv.amount.currency === currency) {
      due += BigInt(inv.amount.value);
      while (paid < due && next < payments.length) {
        const p = payments[next++]!;
        paid += BigInt(p.amount.value);
        paidAt = p.receivedAt ?? hlcTime(p.hlc);
      }
      if (paid >= due) {
        status = "paid";
        at = paidAt;
      }
    }
    if (status === "unpaid" && nowMs !== undefined && isOverdue(inv.dueDate, nowMs))
      status = "overdue";
    return {
      id: inv.id,
      contractId: c.id,
      number: inv.number,
      amount: inv.amount,
      issuedAt: inv.issuedAt,
      dueDate: inv.dueDate,
      status,
      paidAt: at,
    };
  });
}

export function serviceRequestView(state: AccountState, id: string): ServiceRequestView | null {
  const sr = ownEntry(state.serviceRequests, id);
  return sr ? serviceRequestOf(state, sr) : null;
}

function serviceRequestOf(state: AccountState, sr: ServiceRequestState): ServiceRequestView | null {
  const opened = sr.opened?.value;
  if (!opened) return null;
  const [first, ...later] = sortedVariants(sr.resolutions);
  return {
    id: sr.id,
    customerId: state.accountId,
    contractId: opened.contractId,
    title: opened.title ?? null,
    severity: opened.severity,
    status: first ? "resolved" : "open",
    openedAt: opened.openedAt,
    resolvedAt: first?.value.resolvedAt ?? null,
    resolution: first?.value.resolution ?? null,
    laterResolutions: later.map((r) => ({
      resolvedAt: r.value.resolvedAt,
      resolution: r.value.resolution ?? null,
    })),
    internalNote: opened.internalNote ?? null,
  };
}

export function changeRequestView(state: AccountState, id: string): ChangeRequestView | null {
  const cr = ownEntry(state.changeRequests, id);
  return cr ? changeRequestOf(state, cr) : null;
}

/** Every change request that has been filed, newest first (the AccountDO's lists page it). */
export function changeRequestViews(state: AccountState): ChangeRequestView[] {
  return Object.values(state.changeRequests ?? {})
    .filter((cr) => cr.filed !== null)
    .sort((x, y) => (x.filed!.hlc > y.filed!.hlc ? -1 : x.filed!.hlc < y.filed!.hlc ? 1 : 0))
    .map((cr) => changeRequestOf(state, cr)!);
}

/** Every service request that has been opened, newest first. */
export function serviceRequestViews(state: AccountState): ServiceRequestView[] {
  return Object.values(state.serviceRequests ?? {})
    .filter((sr) => sr.opened !== null)
    .sort((x, y) => (x.opened!.hlc > y.opened!.hlc ? -1 : x.opened!.hlc < y.opened!.hlc ? 1 : 0))
    .map((sr) => serviceRequestOf(state, sr)!);
}

function changeRequestOf(state: AccountState, cr: ChangeRequestState): ChangeRequestView | null {
  if (!cr.filed) return null;
  const f = cr.filed.value;
  const answer = effective(cr.answers);
  const hlcs = [
    cr.filed.hlc,
    ...Object.values(cr.checklist).map((x) => x.hlc),
    ...Object.values(cr.answers).map((x) => x.hlc),
    ...[cr.response, cr.withdrawal, cr.slaMarks.warning, cr.slaMarks.violation].flatMap((x) =>
      x ? [x.hlc] : [],
    ),
  ];
  return {
    id: cr.id,
    customerId: state.accountId,
    contractId: f.contractId,
    kind: f.kind,
    summary: f.summary ?? null,
    requested: f.requested ?? null,
    status: changeStatus(cr),
    filedAt: f.filedAt,
    filedBy: f.filedBy,
    tier: f.tier,
    slaWarnAt: f.slaWarnAt,
    slaDueAt: f.slaDueAt,
    slaMarks: {
      warning: cr.slaMarks.warning?.value.at ?? null,
      violation: cr.slaMarks.violation?.value.at ?? null,
    },
    checklist: Object.fromEntries(
      DEPARTMENTS.flatMap((department) => {
        const item = ownEntry(cr.checklist, department);
        if (!item) return [];
        const { status, note } = item.value;
        return [[department, { status, note: note ?? null, updatedAt: hlcTime(item.hlc) }]];
      }),
    ),
    answer: answer
      ? {
          feasible: answer.value.feasible,
          newCommittedDate: answer.value.newCommittedDate,
          message: answer.value.message ?? null,
          answeredBy: answer.value.answeredBy,
          answeredAt: answer.value.answeredAt,
        }
      : null,
    response: cr.response
      ? {
          decision: cr.response.value.decision,
          respondedBy: cr.response.value.respondedBy,
          respondedAt: cr.response.value.respondedAt,
        }
      : null,
    withdrawnAt: cr.withdrawal?.value.withdrawnAt ?? null,
    conflicts: state.conflicts
      .filter((x) => x.kind === "change-answer" && x.subject === cr.id)
      .map(conflictView),
    updatedAt: hlcTime(hlcs.reduce(maxHlc)),
  };
}

// ------------------------------------------------ portal users (DESIGN §11, §12)

/** A portal user as staff see it; null until its invitation has arrived. Never a hash. */
export function portalUserView(state: AccountState, userId: string): PortalUserView | null {
  const u = ownEntry(state.portalUsers, userId);
  return u ? portalUserOf(userId, u) : null;
}

/** Every invited portal user of the account, by e-mail. */
export function portalUserViews(state: AccountState): PortalUserView[] {
  return Object.entries(state.portalUsers ?? {})
    .flatMap(([id, u]) => {
      const view = portalUserOf(id, u);
      return view ? [view] : [];
    })
    .sort((x, y) => compareText(x.email ?? "", y.email ?? "") || compareText(x.id, y.id));
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function portalUserOf(id: string, u: PortalUserState): PortalUserView | null {
  if (!u.invite) return null;
  const invite = u.invite.value;
  return {
    id,
    email: invite.email ?? null,
    name: invite.name ?? null,
    status: portalUserStatus(u),
    invitedAt: hlcTime(u.invite.hlc),
    activatedAt: u.activation ? hlcTime(u.activation.hlc) : null,
    invitationExpiresAt: pendingInvitation(u)?.expiresAt ?? null,
  };
}

/**
 * What the region's login index (DirectoryDO) holds of a portal user: its merged state, for
 * a login and an invitation's acceptance. Null when the user cannot be indexed here: not
 * invited yet, or a copy without the e-mail (a masked copy abroad).
 */
export type PortalUserLogin = {
  id: string;
  tenantId: string;
  accountId: string;
  email: string;
  name: string;
  /** The latest activation's PBKDF2 hash; null until an invitation is accepted. */
  passwordHash: string | null;
  /** SHA-256 of the invitation not yet accepted (expired or not); null when none is. */
  invitationHash: string | null;
  invitationExpiresAt: string | null;
  disabled: boolean;
};

export function portalUserLogin(state: AccountState, userId: string): PortalUserLogin | null {
  const u = ownEntry(state.portalUsers, userId);
  const invite = u?.invite?.value;
  if (!u || invite?.email === undefined) return null;
  const pending = pendingInvitation(u);
  return {
    id: userId,
    tenantId: state.tenantId,
    accountId: state.accountId,
    email: invite.email,
    name: invite.name ?? "",
    passwordHash: u.activation?.value.passwordHash ?? null,
    invitationHash: pending?.hash ?? null,
    invitationExpiresAt: pending?.expiresAt ?? null,
    disabled: u.disabled?.value === true,
  };
}
