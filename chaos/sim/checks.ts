// The simulator's rules, as pure functions over what regions hold: a violation names its
// rule ID ([LF1]…[LF4]) so a failing seed says which promise broke.
import {
  type AccountState,
  contractStatus,
  draftOf,
  paymentsOf,
  paymentVariants,
  signatureKey,
} from "../../core/index.ts";
import type { Effect } from "./workload.ts";

export type Rule = "LF1" | "LF2" | "LF3" | "LF4" | "LF8" | "model";

export class Violation extends Error {
  constructor(
    readonly rule: Rule,
    readonly detail: string,
  ) {
    super(`[${rule}] ${detail}`);
  }
}

/** Whether `state` holds what an acknowledged write did. */
export function holdsEffect(state: AccountState | null, effect: Effect): boolean {
  if (!state) return false;
  if (effect.kind === "customer") return state.customer !== null;
  const c = state.contracts[effect.contractId];
  if (!c) return false;
  switch (effect.kind) {
    case "drafted":
      return draftOf(c) !== null;
    case "sent":
      return c.sent[effect.documentHash] !== undefined;
    case "signed":
      return c.signatures[signatureKey(effect.party, effect.documentHash)] !== undefined;
    case "paid":
      return paymentVariants(c, effect.paymentId).some(
        (v) =>
          v.value.amount.value === effect.amount.value &&
          v.value.amount.currency === effect.amount.currency,
      );
  }
}

/** [LF2] One bank reference is one payment: contracts holding two payments for one reference. */
export function duplicatePayments(state: AccountState): string[] {
  const out: string[] = [];
  for (const c of Object.values(state.contracts)) {
    const byReference = new Map<string, string>();
    for (const p of paymentsOf(c)) {
      const seen = byReference.get(p.reference);
      if (seen !== undefined && seen !== p.id)
        out.push(
          `contract ${c.id} holds payments ${seen} and ${p.id} for reference ${p.reference}`,
        );
      byReference.set(p.reference, p.id);
    }
  }
  return out;
}

export type RawValue = { jurisdiction: string; field: string; value: string };

/** [LF4] Raw personal values of another jurisdiction found in `texts`. */
export function foreignRawIn(
  texts: readonly string[],
  ownJurisdiction: string,
  raw: readonly RawValue[],
): RawValue[] {
  const hits: RawValue[] = [];
  for (const r of raw) {
    if (r.jurisdiction === ownJurisdiction) continue;
    if (texts.some((t) => t.includes(r.value))) hits.push(r);
  }
  return hits;
}

/** The account as the history's final reads describe it. */
export function accountRead(state: AccountState) {
  const customer = state.customer;
  return {
    customer: customer
      ? {
          taxId: customer.taxId,
          name: customer.name.value,
          contacts: customer.contacts.value.map((c) => ({ ...c })),
        }
      : null,
    contracts: Object.fromEntries(
      Object.values(state.contracts).flatMap((c) => {
        const draft = draftOf(c);
        if (!draft) return [];
        const signedBy = (["customer", "vendor"] as const).filter(
          (p) => c.signatures[signatureKey(p, draft.documentHash)] !== undefined,
        );
        return [
          [
            c.id,
            {
              status: contractStatus(c),
              signedBy,
              payments: paymentsOf(c).map((p) => ({
                id: p.id,
                reference: p.reference,
                amountMinor: String(p.amount.value),
                currency: p.amount.currency,
              })),
            },
          ],
        ];
      }),
    ),
  };
}
