// Conflict records [LF6]: concurrent values of money, signature and residency facts that
// no rule may silently pick between. Each record is a pure function of the facts, so every
// replica holding the same events holds the same records, with the same ids.
import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import type { Money } from "../money.ts";
import type { ConflictKind, Party, Residency } from "../schemas.ts";
import { compareFacts, effective, maxHlc, sortedVariants, type Variant } from "./lattice.ts";
import {
  type Attachments,
  type ChangeRequestState,
  type ContractState,
  type ContractTerms,
  type CustomerState,
  paidTotalOf,
} from "./state.ts";

/** One competing fact; `effective` says whether it is the one the state acts on. */
export type ConflictFact<V> = { eventId: string; hlc: string; effective: boolean; value: V };

type Base = {
  /** sha256 hex of canonical JSON of (kind, subject, the competing event ids sorted). */
  id: string;
  /** What is in conflict: the account, contract or payment id. */
  subject: string;
  /** The contract the conflict belongs to; null for customer and change request conflicts. */
  contractId: string | null;
  /** The max HLC of the competing facts: when the conflict became knowable, on any replica. */
  detectedAt: string;
};

export type Conflict =
  | (Base & { kind: "customer-residency"; facts: ConflictFact<{ residency: Residency }>[] })
  | (Base & { kind: "contract-terms"; facts: ConflictFact<ContractTerms>[] })
  | (Base & {
      kind: "signature-document";
      facts: ConflictFact<{ party: Party; documentHash: string }>[];
    })
  | (Base & { kind: "payment-amount"; facts: ConflictFact<{ amount: Money }>[] })
  | (Base & { kind: "payment-currency"; facts: ConflictFact<{ amount: Money }>[] })
  | (Base & { kind: "payment-overflow"; facts: ConflictFact<{ amount: Money }>[] })
  | (Base & { kind: "payment-voucher"; facts: ConflictFact<{ voucher: { sha256: string } }>[] })
  | (Base & {
      kind: "signature-image";
      facts: ConflictFact<{ party: Party; image: { sha256: string } }>[];
    })
  | (Base & { kind: "invoice-terms"; facts: ConflictFact<{ amount: Money; dueDate: string }>[] })
  | (Base & {
      kind: "change-answer";
      facts: ConflictFact<{
        feasible: boolean;
        newCommittedDate: string | null;
        answeredBy: string;
      }>[];
    });

/**
 * What a conflict is a function of: the customer, one contract, or one change request. A
 * join recomputes the records of what both sides know and carries the others as they are.
 */
export function conflictScope(c: Conflict): string {
  if (c.kind === "change-answer") return `chg:${c.subject}`;
  return c.contractId === null ? "customer" : `ctr:${c.contractId}`;
}

/**
 * Conflict ids are recomputed on every join that touches their contract; a bounded memo
 * keeps that off the hot path. It only caches a pure function, so results never change.
 */
const ids = new Map<string, string>();
const MEMO_MAX = 4_096;

function conflictId(kind: ConflictKind, subject: string, events: string[]): string {
  const memoKey = `${kind}\u0000${subject}\u0000${events.join("\u0000")}`;
  let id = ids.get(memoKey);
  if (id === undefined) {
    if (ids.size >= MEMO_MAX) ids.clear();
    id = sha256Hex(canonicalJson({ kind, subject, events }));
    ids.set(memoKey, id);
  }
  return id;
}

function record<K extends ConflictKind, V>(
  kind: K,
  subject: string,
  contractId: string | null,
  facts: ConflictFact<V>[],
) {
  const events = facts.map((f) => f.eventId).sort();
  return {
    id: conflictId(kind, subject, events),
    kind,
    subject,
    contractId,
    detectedAt: facts.map((f) => f.hlc).reduce(maxHlc),
    facts,
  };
}

const fact = <V>(
  v: { eventId: string; hlc: string },
  isEffective: boolean,
  value: V,
): ConflictFact<V> => ({
  eventId: v.eventId,
  hlc: v.hlc,
  effective: isEffective,
  value,
});

/**
 * One record per value the rule set aside: each later variant against the effective one.
 * Copies of one event (raw and masked) are one fact, never a conflict with themselves.
 */
function againstEffective<T>(
  variants: Variant<T>[],
  each: (winner: Variant<T>, loser: Variant<T>) => Conflict,
): Conflict[] {
  const [winner, ...rest] = variants;
  if (!winner) return [];
  return rest.filter((v) => v.eventId !== winner.eventId).map((v) => each(winner, v));
}

export function customerConflicts(accountId: string, c: CustomerState): Conflict[] {
  return againstEffective(sortedVariants(c.residencies), (w, l) =>
    record("customer-residency", accountId, null, [
      fact(w, true, { residency: w.value }),
      fact(l, false, { residency: l.value }),
    ]),
  );
}

/** More than one key, without allocating: the common case of one variant exits early. */
function several(entries: Readonly<Record<string, unknown>>): boolean {
  let n = 0;
  for (const _ in entries) if (++n > 1) return true;
  return false;
}

export function contractConflicts(c: ContractState): Conflict[] {
  const out: Conflict[] = [];
  const current = effective(c.terms);
  // Two drafts of one contract id with different amount, currency or document.
  if (several(c.terms)) {
    out.push(
      ...againstEffective(sortedVariants(c.terms), (w, l) =>
        record("contract-terms", c.id, c.id, [fact(w, true, w.value), fact(l, false, l.value)]),
      ),
    );
  }
  // One party signing two different documents of one contract: a legal conflict.
  if (several(c.signatures)) out.push(...signatureConflicts(c, current?.value.documentHash));
  for (const paymentId in c.payments) {
    const vs = c.payments[paymentId]!;
    // The same bank reference confirmed with two amounts: the earliest counts.
    if (several(vs)) {
      out.push(
        ...againstEffective(sortedVariants(vs), (w, l) =>
          record("payment-amount", paymentId, c.id, [
            fact(w, true, { amount: w.value.amount }),
            fact(l, false, { amount: l.value.amount }),
          ]),
        ),
      );
    }
    // A payment in another currency than the contract's is kept out of `paid`.
    const pay = effective(vs);
    if (current && pay && pay.value.amount.currency !== current.value.amount.currency) {
      out.push(
        record("payment-currency", paymentId, c.id, [
          fact(current, true, { amount: current.value.amount }),
          fact(pay, false, { amount: pay.value.amount }),
        ]),
      );
    }
  }
  // Payments merged from several regions whose sum would pass exact integers.
  const total = paidTotalOf(c);
  for (const paymentId of total?.excluded ?? []) {
    const pay = effective(c.payments[paymentId]!)!;
    out.push(
      record("payment-overflow", paymentId, c.id, [fact(pay, false, { amount: pay.value.amount })]),
    );
  }
  out.push(...voucherConflicts(c), ...imageConflicts(c), ...invoiceConflicts(c));
  return out;
}

/** One invoice number issued with two amounts or due dates: the earliest is the invoice. */
function invoiceConflicts(c: ContractState): Conflict[] {
  const out: Conflict[] = [];
  for (const [invoiceId, vs] of Object.entries(c.invoices ?? {})) {
    if (!several(vs)) continue;
    out.push(
      ...againstEffective(sortedVariants(vs), (w, l) =>
        record("invoice-terms", invoiceId, c.id, [
          fact(w, true, { amount: w.value.amount, dueDate: w.value.dueDate }),
          fact(l, false, { amount: l.value.amount, dueDate: l.value.dueDate }),
        ]),
      ),
    );
  }
  return out;
}

/**
 * Two people answered one change request differently (another feasibility or date): the
 * customer sees the earliest answer; the other is a record for a person to settle [LF6].
 */
export function changeRequestConflicts(cr: ChangeRequestState): Conflict[] {
  if (!several(cr.answers)) return [];
  const value = (v: Variant<ChangeRequestState["answers"][string]["value"]>) => ({
    feasible: v.value.feasible,
    newCommittedDate: v.value.newCommittedDate,
    answeredBy: v.value.answeredBy,
  });
  return againstEffective(sortedVariants(cr.answers), (w, l) =>
    record("change-answer", cr.id, null, [fact(w, true, value(w)), fact(l, false, value(l))]),
  );
}

/**
 * Two different files attached to one fact. What finance wants is both photos kept and
 * one shown, not a choice nobody sees: so the earliest attached is shown (the rule of
 * every first-writer fact here, and stable as later copies arrive), every file stays in
 * the state, and each later one is a conflict record naming both, for a person to look
 * at. The money is not in question: the payment counts once whatever its photos.
 */
function fileConflicts(
  files: Readonly<Record<string, Attachments>> | undefined,
  each: (key: string, winner: Variant<string>, loser: Variant<string>) => Conflict,
): Conflict[] {
  const out: Conflict[] = [];
  for (const [key, vs] of Object.entries(files ?? {}))
    if (several(vs)) out.push(...againstEffective(sortedVariants(vs), (w, l) => each(key, w, l)));
  return out;
}

function voucherConflicts(c: ContractState): Conflict[] {
  return fileConflicts(c.vouchers, (paymentId, w, l) =>
    record("payment-voucher", paymentId, c.id, [
      fact(w, true, { voucher: { sha256: w.value } }),
      fact(l, false, { voucher: { sha256: l.value } }),
    ]),
  );
}

function imageConflicts(c: ContractState): Conflict[] {
  return fileConflicts(c.signatureImages, (key, w, l) => {
    // Images are keyed as their signature is, and come with it in one event.
    const { party } = c.signatures[key]!;
    return record("signature-image", c.id, c.id, [
      fact(w, true, { party, image: { sha256: w.value } }),
      fact(l, false, { party, image: { sha256: l.value } }),
    ]);
  });
}

function signatureConflicts(c: ContractState, currentHash: string | undefined): Conflict[] {
  const out: Conflict[] = [];
  const counts = (h: string) => h === currentHash;
  for (const party of ["customer", "vendor"] as const) {
    const signed = Object.values(c.signatures)
      .filter((s) => s.party === party)
      .sort(compareFacts);
    const [first, ...rest] = signed;
    for (const s of rest) {
      if (!first || s.documentHash === first.documentHash || s.eventId === first.eventId) continue;
      out.push(
        record("signature-document", c.id, c.id, [
          fact(first, counts(first.documentHash), { party, documentHash: first.documentHash }),
          fact(s, counts(s.documentHash), { party, documentHash: s.documentHash }),
        ]),
      );
    }
  }
  return out;
}
