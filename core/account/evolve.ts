// Event application as a join: evolve(s, e) = mergeStates(s, factOf(e)). Because
// mergeStates is commutative, associative and idempotent, any permutation of any multiset
// of events yields one state — the convergence rule of active-active replication [LF3].
import type { DomainEvent } from "../events.ts";
import {
  type Conflict,
  changeRequestConflicts,
  conflictScope,
  contractConflicts,
  customerConflicts,
} from "./conflicts.ts";
import { joinActiveDays, joinCallSentiments } from "./engagement.ts";
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
  answerKey,
  type ChangeRequestState,
  type ContractState,
  type CustomerState,
  emptyAccount,
  type Fact,
  invoiceKey,
  type PortalUserState,
  type ServiceRequestState,
  signatureKey,
} from "./state.ts";

function bareContract(id: string, hlc: string): ContractState {
  return { id, updatedHlc: hlc, title: null, terms: {}, sent: {}, signatures: {}, payments: {} };
}

function bareChangeRequest(id: string): ChangeRequestState {
  return {
    id,
    filed: null,
    checklist: {},
    answers: {},
    response: null,
    withdrawal: null,
    slaMarks: {},
  };
}

/** The state that knows exactly one event: the unit that evolve joins in. */
export function factOf(tenantId: string, accountId: string, event: DomainEvent): AccountState {
  const { hlc, id: eventId, data } = event;
  const base = { ...emptyAccount(tenantId, accountId), version: hlc };
  const only = (contract: ContractState): AccountState => {
    const contracts = { [contract.id]: contract };
    return { ...base, contracts, conflicts: contractConflicts(contract) };
  };
  const fact = <T>(value: T): Fact<T> => ({ value, hlc, eventId });
  const service = (sr: ServiceRequestState): AccountState => ({
    ...base,
    serviceRequests: { [sr.id]: sr },
  });
  const change = (id: string, facts: Partial<ChangeRequestState>): AccountState => {
    const cr = { ...bareChangeRequest(id), ...facts };
    return { ...base, changeRequests: { [id]: cr }, conflicts: changeRequestConflicts(cr) };
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
    case "contract.terms-set":
      return only({
        ...bareContract(data.contractId, hlc),
        portalTerms: { value: data.terms, hlc },
      });
    case "delivery.milestone-set": {
      const { type: _, contractId, milestoneId, ...value } = data;
      return only({
        ...bareContract(contractId, hlc),
        milestones: { [milestoneId]: { value, hlc } },
      });
    }
    case "invoice.issued": {
      const { number, amount, issuedAt, dueDate } = data;
      const value = { number, amount, issuedAt, dueDate };
      return only({
        ...bareContract(data.contractId, hlc),
        invoices: { [data.invoiceId]: variantsOf(value, invoiceKey(value), hlc, eventId) },
      });
    }
    case "service.opened": {
      const { type: _, serviceRequestId: id, ...value } = data;
      return service({ id, opened: fact(value), resolutions: {} });
    }
    case "service.resolved": {
      const { type: _, serviceRequestId: id, ...value } = data;
      const resolutions = variantsOf(value, variantKey(value.resolution ?? null), hlc, eventId);
      return service({ id, opened: null, resolutions });
    }
    case "change.filed": {
      const { type: _, changeRequestId: id, ...value } = data;
      return change(id, { filed: fact(value) });
    }
    case "change.checklist-set": {
      const { type: _, changeRequestId: id, department, ...value } = data;
      return change(id, { checklist: { [department]: { value, hlc } } });
    }
    case "change.answered": {
      const { type: _, changeRequestId: id, ...value } = data;
      return change(id, { answers: variantsOf(value, answerKey(value), hlc, eventId) });
    }
    case "change.responded": {
      const { type: _, changeRequestId: id, ...value } = data;
      return change(id, { response: fact(value) });
    }
    case "change.withdrawn": {
      const { type: _, changeRequestId: id, ...value } = data;
      return change(id, { withdrawal: fact(value) });
    }
    case "change.sla-marked":
      return change(data.changeRequestId, { slaMarks: { [data.mark]: fact({ at: data.at }) } });
    case "portal-user.invited": {
      const { type: _, userId, ...value } = data;
      return { ...base, portalUsers: { [userId]: { invite: { value, hlc } } } };
    }
    case "portal-user.activated": {
      const { type: _, userId, ...value } = data;
      return { ...base, portalUsers: { [userId]: { activation: { value, hlc } } } };
    }
    case "portal-user.disabled":
      return {
        ...base,
        portalUsers: { [data.userId]: { disabled: { value: data.disabled, hlc } } },
      };
    case "portal-user.active":
      return { ...base, portalUsers: { [data.userId]: { activeDays: { [data.day]: true } } } };
    case "call.sentiment-recorded": {
      const { type: _, insightId, ...value } = data;
      return { ...base, callSentiments: { [insightId]: fact(value) } };
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

/** The join of two optional parts: absent stays absent, so states without one hash as before. */
function joinOptional<T>(
  a: T | undefined,
  b: T | undefined,
  join: (x: T, y: T) => T,
): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return join(a, b);
}

/** Grow-only union of attached files; absent stays absent, so file-less states hash as before. */
function joinAttachments(
  a: Record<string, Attachments> | undefined,
  b: Record<string, Attachments> | undefined,
): Record<string, Attachments> | undefined {
  return joinOptional(a, b, (x, y) => joinRecords(x, y, joinVariants));
}

/** First writer wins; null (not arrived yet) is the bottom. */
function earlierOrNull<F extends { hlc: string; eventId: string }>(a: F | null, b: F | null) {
  if (a === null) return b;
  if (b === null) return a;
  return earlier(a, b);
}

function joinServiceRequest(a: ServiceRequestState, b: ServiceRequestState): ServiceRequestState {
  return {
    id: a.id,
    opened: earlierOrNull(a.opened, b.opened),
    resolutions: joinVariants(a.resolutions, b.resolutions),
  };
}

function joinChangeRequest(a: ChangeRequestState, b: ChangeRequestState): ChangeRequestState {
  return {
    id: a.id,
    filed: earlierOrNull(a.filed, b.filed),
    checklist: joinRecords(a.checklist, b.checklist, joinLww),
    answers: joinVariants(a.answers, b.answers),
    response: earlierOrNull(a.response, b.response),
    withdrawal: earlierOrNull(a.withdrawal, b.withdrawal),
    slaMarks: joinRecords(a.slaMarks, b.slaMarks, earlier),
  };
}

/**
 * Each register joins by HLC; one a side lacks is taken from the other; active days unite,
 * bounded (engagement.ts).
 */
function joinPortalUser(a: PortalUserState, b: PortalUserState): PortalUserState {
  const invite = joinOptional(a.invite, b.invite, joinLww);
  const activation = joinOptional(a.activation, b.activation, joinLww);
  const disabled = joinOptional(a.disabled, b.disabled, joinLww);
  const activeDays = joinOptional(a.activeDays, b.activeDays, joinActiveDays);
  return {
    ...(invite ? { invite } : {}),
    ...(activation ? { activation } : {}),
    ...(disabled ? { disabled } : {}),
    ...(activeDays ? { activeDays } : {}),
  };
}

function joinContract(a: ContractState, b: ContractState): ContractState {
  const vouchers = joinAttachments(a.vouchers, b.vouchers);
  const signatureImages = joinAttachments(a.signatureImages, b.signatureImages);
  const portalTerms = joinOptional(a.portalTerms, b.portalTerms, joinLww);
  const milestones = joinOptional(a.milestones, b.milestones, (x, y) => joinRecords(x, y, joinLww));
  const invoices = joinOptional(a.invoices, b.invoices, (x, y) => joinRecords(x, y, joinVariants));
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
    ...(portalTerms ? { portalTerms } : {}),
    ...(milestones ? { milestones } : {}),
    ...(invoices ? { invoices } : {}),
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
  // The records of a part only one side knows are carried from it as they are.
  const scoped = (s: AccountState, scope: string) => {
    for (const c of s.conflicts) if (conflictScope(c) === scope) conflicts.push(c);
  };

  let customer = a.customer ?? b.customer;
  if (a.customer && b.customer) {
    customer = joinCustomer(a.customer, b.customer);
    conflicts.push(...customerConflicts(a.accountId, customer));
  } else scoped(a.customer ? a : b, "customer");

  const contracts = joinRecords(a.contracts, b.contracts, joinContract);
  for (const id of Object.keys(contracts)) {
    const inA = Object.hasOwn(a.contracts, id);
    const inB = Object.hasOwn(b.contracts, id);
    if (inA && inB) conflicts.push(...contractConflicts(contracts[id]!));
    else scoped(inA ? a : b, `ctr:${id}`);
  }

  const serviceRequests = joinOptional(a.serviceRequests, b.serviceRequests, (x, y) =>
    joinRecords(x, y, joinServiceRequest),
  );
  const changeRequests = joinOptional(a.changeRequests, b.changeRequests, (x, y) =>
    joinRecords(x, y, joinChangeRequest),
  );
  for (const [id, cr] of Object.entries(changeRequests ?? {})) {
    const inA = a.changeRequests !== undefined && Object.hasOwn(a.changeRequests, id);
    const inB = b.changeRequests !== undefined && Object.hasOwn(b.changeRequests, id);
    if (inA && inB) conflicts.push(...changeRequestConflicts(cr));
    else scoped(inA ? a : b, `chg:${id}`);
  }

  const portalUsers = joinOptional(a.portalUsers, b.portalUsers, (x, y) =>
    joinRecords(x, y, joinPortalUser),
  );
  const callSentiments = joinOptional(a.callSentiments, b.callSentiments, joinCallSentiments);

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
    ...(serviceRequests ? { serviceRequests } : {}),
    ...(changeRequests ? { changeRequests } : {}),
    ...(portalUsers ? { portalUsers } : {}),
    ...(callSentiments ? { callSentiments } : {}),
    conflicts: conflicts.sort(byId),
    version,
  };
}
