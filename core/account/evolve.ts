// Event application as a join: evolve(s, e) = mergeStates(s, factOf(e)). Because
// mergeStates is commutative, associative and idempotent, any permutation of any multiset
// of events yields one state — the convergence rule of active-active replication [LF3].
import type { DomainEvent } from "../events.ts";
import { type Conflict, contractConflicts, customerConflicts } from "./conflicts.ts";
import {
  earlier,
  effective,
  joinLww,
  joinLwwOrNull,
  joinRecords,
  joinVariants,
  maxHlc,
  minHlc,
  variantKey,
  variantsOf,
} from "./lattice.ts";
import {
  type AccountState,
  type Attachments,
  type ContractState,
  type CustomerState,
  emptyAccount,
  signatureKey,
} from "./state.ts";

function bareContract(id: string, hlc: string): ContractState {
  return { id, updatedHlc: hlc, title: null, terms: {}, sent: {}, signatures: {}, payments: {} };
}

/** The state that knows exactly one event: the unit that evolve joins in. */
export function factOf(tenantId: string, accountId: string, event: DomainEvent): AccountState {
  const { hlc, id: eventId, data } = event;
  const base = { ...emptyAccount(tenantId, accountId), version: hlc };
  const only = (contract: ContractState): AccountState => {
    const contracts = { [contract.id]: contract };
    return { ...base, contracts, conflicts: contractConflicts(contract) };
  };
  switch (data.type) {
    case "customer.created": {
      const customer: CustomerState = {
        id: accountId,
        createdHlc: hlc,
        updatedHlc: hlc,
        name: { value: data.name, hlc },
        taxId: data.taxId,
        residency: data.residency,
        taxIds: variantsOf(data.taxId, variantKey(data.taxId), hlc, eventId),
        residencies: variantsOf(data.residency, data.residency, hlc, eventId),
        tier: { value: data.tier, hlc },
        contacts: { value: data.contacts, hlc },
      };
      // A creation that names no owner writes none: it must not clear the owner a
      // concurrent creation of the same customer (same tax id) named.
      const owner = data.ownerId === undefined ? {} : { owner: { value: data.ownerId, hlc } };
      return { ...base, customer, ...owner };
    }
    case "customer.owner-assigned":
      return { ...base, owner: { value: data.ownerId, hlc } };
    case "contract.drafted": {
      const terms = { amount: data.amount, documentHash: data.documentHash };
      return only({
        ...bareContract(data.contractId, hlc),
        title: { value: data.title, hlc },
        terms: variantsOf(terms, variantKey(terms), hlc, eventId),
      });
    }
    case "contract.sent":
      return only({ ...bareContract(data.contractId, hlc), sent: { [data.documentHash]: hlc } });
    case "contract.signed": {
      const { party, signer, documentHash } = data;
      const fact = { party, signer, documentHash, hlc, eventId };
      const key = signatureKey(party, documentHash);
      return only({
        ...bareContract(data.contractId, hlc),
        signatures: { [key]: fact },
        ...(data.image ? { signatureImages: attached(key, data.image.sha256, hlc, eventId) } : {}),
      });
    }
    case "payment.confirmed": {
      const value = { reference: data.reference, amount: data.amount, receivedAt: data.receivedAt };
      const id = data.paymentId;
      return only({
        ...bareContract(data.contractId, hlc),
        payments: { [id]: variantsOf(value, variantKey(data.amount), hlc, eventId) },
        ...(data.voucher ? { vouchers: attached(id, data.voucher.sha256, hlc, eventId) } : {}),
      });
    }
  }
}

/** One file attached to the fact `key` names, at the event that attached it. */
function attached(key: string, sha256: string, hlc: string, eventId: string) {
  return { [key]: variantsOf(sha256, sha256, hlc, eventId) };
}

export function evolve(state: AccountState, event: DomainEvent): AccountState {
  return mergeStates(state, factOf(state.tenantId, state.accountId, event));
}

export function replay(initial: AccountState, events: Iterable<DomainEvent>): AccountState {
  let s = initial;
  for (const e of events) s = evolve(s, e);
  return s;
}

function joinCustomer(a: CustomerState, b: CustomerState): CustomerState {
  const taxIds = joinVariants(a.taxIds, b.taxIds);
  const residencies = joinVariants(a.residencies, b.residencies);
  return {
    id: a.id,
    createdHlc: minHlc(a.createdHlc, b.createdHlc),
    updatedHlc: maxHlc(a.updatedHlc, b.updatedHlc),
    name: joinLww(a.name, b.name),
    taxId: effective(taxIds)!.value,
    residency: effective(residencies)!.value,
    taxIds,
    residencies,
    tier: joinLww(a.tier, b.tier),
    contacts: joinLww(a.contacts, b.contacts),
  };
}

/** Grow-only union of attached files; absent stays absent, so file-less states hash as before. */
function joinAttachments(
  a: Record<string, Attachments> | undefined,
  b: Record<string, Attachments> | undefined,
): Record<string, Attachments> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return joinRecords(a, b, joinVariants);
}

function joinContract(a: ContractState, b: ContractState): ContractState {
  const vouchers = joinAttachments(a.vouchers, b.vouchers);
  const signatureImages = joinAttachments(a.signatureImages, b.signatureImages);
  return {
    id: a.id,
    updatedHlc: maxHlc(a.updatedHlc, b.updatedHlc),
    title: joinLwwOrNull(a.title, b.title),
    terms: joinVariants(a.terms, b.terms),
    sent: joinRecords(a.sent, b.sent, minHlc),
    signatures: joinRecords(a.signatures, b.signatures, earlier),
    payments: joinRecords(a.payments, b.payments, joinVariants),
    ...(vouchers ? { vouchers } : {}),
    ...(signatureImages ? { signatureImages } : {}),
  };
}

const byId = (x: Conflict, y: Conflict) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/**
 * The join of two replicas' states of one account. Conflicts are recomputed only for
 * the customer and the contracts both sides know; elsewhere each side's records already
 * are the function of the (unchanged) facts they were computed from.
 */
export function mergeStates(a: AccountState, b: AccountState): AccountState {
  if (a.tenantId !== b.tenantId || a.accountId !== b.accountId) {
    throw new RangeError(
      `cannot merge ${b.tenantId}/${b.accountId} into ${a.tenantId}/${a.accountId}`,
    );
  }
  const conflicts: Conflict[] = [];
  const scoped = (s: AccountState, contractId: string | null) => {
    for (const c of s.conflicts) if (c.contractId === contractId) conflicts.push(c);
  };

  let customer = a.customer ?? b.customer;
  if (a.customer && b.customer) {
    customer = joinCustomer(a.customer, b.customer);
    conflicts.push(...customerConflicts(a.accountId, customer));
  } else scoped(a.customer ? a : b, null);

  const contracts = joinRecords(a.contracts, b.contracts, joinContract);
  for (const id of Object.keys(contracts)) {
    const inA = id in a.contracts;
    const inB = id in b.contracts;
    if (inA && inB) conflicts.push(...contractConflicts(contracts[id]!));
    else scoped(inA ? a : b, id);
  }

  const version =
    a.version === null ? b.version : b.version === null ? a.version : maxHlc(a.version, b.version);
  // Absent stays absent, so states that never named an owner hash as before owners existed.
  const owner = a.owner && b.owner ? joinLww(a.owner, b.owner) : (a.owner ?? b.owner);
  return {
    tenantId: a.tenantId,
    accountId: a.accountId,
    customer,
    ...(owner ? { owner } : {}),
    contracts,
    conflicts: conflicts.sort(byId),
    version,
  };
}
