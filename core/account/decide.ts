// Command handlers: (state, command) → events or a domain error, pure. Every rule a
// lifeline flow must obey lives here, so the DO and the tests share it.
import { canonicalJson } from "../encoding.ts";
import type { Actor, EventData } from "../events.ts";
import {
  accountIdFor,
  changeRequestIdFor,
  contractIdFor,
  invoiceIdFor,
  normalizePaymentReference,
  normalizeTaxId,
  paymentIdFor,
  serviceRequestIdFor,
} from "../ids.ts";
import { format, type Money } from "../money.ts";
import type { PlantedBugs } from "../planted-bugs.ts";
import { type Department, ContractTerms as PortalTerms } from "../portal/model.ts";
import type {
  ChangeAnswer,
  ChangeRequestFile,
  ChangeRespond,
  ChecklistSet,
  ContractCreate,
  CustomerCreate,
  InvoiceCreate,
  MilestoneSet,
  PaymentCreate,
  ServiceRequestOpen,
  ServiceRequestResolve,
  SignatureCreate,
  Tier,
} from "../schemas.ts";
import type { TenantSlaPolicy } from "../sla/tenant.ts";
import { type CallSentimentInput, callTimeAcceptable, knownCall, portalDay } from "./engagement.ts";
import { effective, sortedVariants } from "./lattice.ts";
import {
  type AccountState,
  type Attachments,
  answerKey,
  attachedFile,
  type ChangeRequestState,
  type ContractDraft,
  type ContractState,
  changeStatus,
  contractStatus,
  draftOf,
  invoiceKey,
  openInvitation,
  ownEntry,
  paidOf,
  paymentVariants,
  signatureKey,
} from "./state.ts";

export type Command =
  | { type: "customer.create"; input: CustomerCreate }
  | { type: "customer.assign-owner"; customerId: string; ownerId: string }
  | { type: "contract.create"; seed: string; input: ContractCreate }
  | { type: "contract.send"; contractId: string; documentHash?: string | undefined }
  | { type: "contract.sign"; contractId: string; input: SignatureCreate }
  | { type: "payment.confirm"; input: PaymentCreate }
  | { type: "contract.set-terms"; contractId: string; terms: PortalTerms }
  | {
      type: "delivery.set-milestone";
      contractId: string;
      milestoneId: string;
      input: MilestoneSet;
    }
  | { type: "invoice.issue"; contractId: string; input: InvoiceCreate }
  | { type: "service.open"; seed: string; input: ServiceRequestOpen }
  | { type: "service.resolve"; serviceRequestId: string; input: ServiceRequestResolve }
  /**
   * Filed by the customer in the portal (an actor of kind `portal`), or by staff for them.
   * `sla`: the tenant's SLA policy the route read (absent or null: the defaults); the
   * AccountDO counts it in the account's jurisdiction's calendar (DecideContext.slaClock).
   */
  | {
      type: "change.file";
      seed: string;
      input: ChangeRequestFile;
      sla?: TenantSlaPolicy | null | undefined;
    }
  | {
      type: "change.set-checklist";
      changeRequestId: string;
      department: Department;
      input: ChecklistSet;
    }
  | { type: "change.answer"; changeRequestId: string; input: ChangeAnswer }
  /** The customer's decision on the answer (portal). */
  | { type: "change.respond"; changeRequestId: string; input: ChangeRespond }
  | { type: "change.withdraw"; changeRequestId: string }
  /**
   * Staff invite a person of the customer to the portal, or invite them again (a new code
   * replaces the pending one: a password reset). `email` is the login; `invitationHash`
   * the SHA-256 of the one-time code the caller hands out (the code is never stored).
   */
  | {
      type: "portal-user.invite";
      userId: string;
      email: string;
      name: string;
      invitationHash: string;
      invitationExpiresAt: string;
    }
  /** The invited person accepts with the code (by its hash) and a password (its PBKDF2 hash). */
  | { type: "portal-user.activate"; userId: string; invitationHash: string; passwordHash: string }
  | { type: "portal-user.disable"; userId: string; disabled: boolean }
  /**
   * The portal user made an authenticated request (the portal notes it in the background):
   * the day, in the account's jurisdiction's time zone, joins their active days once.
   */
  | { type: "portal-user.note-active"; userId: string }
  /** Insights analysed a call with the customer (engagement.ts `callSentimentOf`). */
  | { type: "call.record-sentiment"; insightId: string; sentiment: CallSentimentInput };

/** What a command touched, so the caller can render the right view. */
export type Target =
  | { kind: "customer"; id: string }
  | { kind: "contract"; id: string }
  | { kind: "payment"; id: string; contractId: string }
  | { kind: "service-request"; id: string }
  | { kind: "change-request"; id: string }
  | { kind: "portal-user"; id: string };

export type DomainError =
  | {
      code: "not-found";
      entity:
        | "customer"
        | "contract"
        | "service-request"
        | "change-request"
        | "portal-user"
        /** No open invitation of the portal user `id` has the code given. */
        | "invitation";
      id: string;
      field?: string;
    }
  | { code: "invalid-state"; message: string; field?: string }
  | { code: "document-mismatch"; expected: string; actual: string; field: string }
  | { code: "currency-mismatch"; expected: string; actual: string; field: string }
  | { code: "payment-reference-conflict"; reference: string; existing: string; field: string }
  | { code: "identity-mismatch"; message: string; field: string }
  /** The payment or signature already shows another file; a second one is not attached. */
  | { code: "voucher-conflict" | "signature-image-conflict"; existing: string; field: string }
  | { code: "amount-overflow"; message: string; field: string }
  /** Another portal user of the account logs in with this e-mail. */
  | { code: "email-taken"; email: string; field: string };

export type Decision =
  | { ok: true; events: EventData[]; target: Target; created: boolean }
  | { ok: false; error: DomainError };

const fail = (error: DomainError): Decision => ({ ok: false, error });

/** What a decision needs besides state and command: keys of this region's jurisdiction. */
export type DecideContext = {
  /** The jurisdiction's account id key (see `accountIdFor`); needed to create by tax id. */
  accountIdKey?: string | undefined;
  /** Deliberate defects for the simulator and local drills (core/planted-bugs.ts). */
  plantedBugs?: PlantedBugs | undefined;
  /** The decision's wall time (ms): stamps when a request was filed, answered, resolved. */
  nowMs?: number | undefined;
  /** Who decides: answers, responses and filings name them. */
  actor?: Actor | undefined;
  /** The SLA of a change request filed at `filedAtMs` by a customer of `tier`. */
  slaClock?: ((filedAtMs: number, tier: Tier) => { dueAtMs: number; warnAtMs: number }) | undefined;
};

export function decide(state: AccountState, command: Command, ctx: DecideContext = {}): Decision {
  switch (command.type) {
    case "customer.create":
      return createCustomer(state, command.input, ctx);
    case "customer.assign-owner":
      return assignOwner(state, command.customerId, command.ownerId);
    case "contract.create":
      return createContract(state, command.seed, command.input);
    case "contract.send":
      return sendContract(state, command.contractId, command.documentHash);
    case "contract.sign":
      return signContract(state, command.contractId, command.input);
    case "payment.confirm":
      return confirmPayment(state, command.input, ctx);
    case "contract.set-terms":
      return setTerms(state, command.contractId, command.terms);
    case "delivery.set-milestone":
      return setMilestone(state, command.contractId, command.milestoneId, command.input);
    case "invoice.issue":
      return issueInvoice(state, command.contractId, command.input, ctx);
    case "service.open":
      return openServiceRequest(state, command.seed, command.input, ctx);
    case "service.resolve":
      return resolveServiceRequest(state, command.serviceRequestId, command.input, ctx);
    case "change.file":
      return fileChangeRequest(state, command.seed, command.input, ctx);
    case "change.set-checklist":
      return setChecklist(state, command.changeRequestId, command.department, command.input);
    case "change.answer":
      return answerChangeRequest(state, command.changeRequestId, command.input, ctx);
    case "change.respond":
      return respondToChangeRequest(state, command.changeRequestId, command.input, ctx);
    case "change.withdraw":
      return withdrawChangeRequest(state, command.changeRequestId, ctx);
    case "portal-user.invite":
      return invitePortalUser(state, command);
    case "portal-user.activate":
      return activatePortalUser(state, command, ctx);
    case "portal-user.disable":
      return disablePortalUser(state, command.userId, command.disabled);
    case "portal-user.note-active":
      return notePortalActivity(state, command.userId, ctx);
    case "call.record-sentiment":
      return recordCallSentiment(state, command.insightId, command.sentiment, ctx);
  }
}

function createCustomer(state: AccountState, input: CustomerCreate, ctx: DecideContext): Decision {
  const target: Target = { kind: "customer", id: state.accountId };
  // The same natural key, created again anywhere, is the same customer: no new effect [LF2].
  if (state.customer) return { ok: true, events: [], target, created: false };
  const taxId = input.taxId ? normalizeTaxId(input.taxId) : null;
  if (taxId) {
    // A region without its jurisdiction's id key is misconfigured, not the request wrong.
    if (!ctx.accountIdKey) throw new Error("no account id key: cannot create by tax id");
    const key = ctx.accountIdKey;
    if (accountIdFor(state.tenantId, { kind: "taxId", taxId, key }) !== state.accountId) {
      return fail({
        code: "identity-mismatch",
        message: "account id does not match the tax id",
        field: "taxId",
      });
    }
  }
  const event: EventData = {
    type: "customer.created",
    name: input.name,
    taxId,
    residency: input.residency,
    tier: input.tier,
    contacts: input.contacts,
    ...(input.ownerId === undefined ? {} : { ownerId: input.ownerId }),
  };
  return { ok: true, events: [event], target, created: true };
}

/** Reassigning to the current owner changes nothing, so it records nothing [LF2]. */
function assignOwner(state: AccountState, customerId: string, ownerId: string): Decision {
  if (!state.customer) return fail({ code: "not-found", entity: "customer", id: customerId });
  const target: Target = { kind: "customer", id: state.accountId };
  if (state.owner?.value === ownerId) return { ok: true, events: [], target, created: false };
  const event: EventData = { type: "customer.owner-assigned", ownerId };
  return { ok: true, events: [event], target, created: false };
}

function createContract(state: AccountState, seed: string, input: ContractCreate): Decision {
  if (!state.customer)
    return fail({
      code: "not-found",
      entity: "customer",
      id: input.customerId,
      field: "customerId",
    });
  const contractId = contractIdFor(state.accountId, input.id ?? seed);
  const target: Target = { kind: "contract", id: contractId };
  // Facts of this contract may have arrived from another region before its draft did;
  // drafting it here is then still a creation, and equal terms merge without conflict.
  const existing = state.contracts[contractId];
  if (existing && draftOf(existing)) return { ok: true, events: [], target, created: false };
  const event: EventData = {
    type: "contract.drafted",
    contractId,
    title: input.title,
    amount: input.amount,
    documentHash: input.documentHash,
  };
  return { ok: true, events: [event], target, created: true };
}

type Found = { c: ContractState; draft: ContractDraft };

/** A contract whose draft has not arrived here yet is, for commands, not found yet. */
function findContract(
  state: AccountState,
  contractId: string,
  field?: string,
): Found | DomainError {
  const c = state.contracts[contractId];
  const draft = c ? draftOf(c) : null;
  if (c && draft) return { c, draft };
  return { code: "not-found", entity: "contract", id: contractId, ...(field ? { field } : {}) };
}

function isError(x: Found | DomainError): x is DomainError {
  return "code" in x;
}

function sendContract(
  state: AccountState,
  contractId: string,
  documentHash: string | undefined,
): Decision {
  const found = findContract(state, contractId);
  if (isError(found)) return fail(found);
  const { c, draft } = found;
  const current = draft.documentHash;
  if (documentHash !== undefined && documentHash !== current) {
    return fail({
      code: "document-mismatch",
      expected: current,
      actual: documentHash,
      field: "documentHash",
    });
  }
  const target: Target = { kind: "contract", id: contractId };
  // Sending again, or sending a contract that is already signed, changes nothing.
  if (c.sent[current] || contractStatus(c) !== "draft")
    return { ok: true, events: [], target, created: false };
  return {
    ok: true,
    events: [{ type: "contract.sent", contractId, documentHash: current }],
    target,
    created: false,
  };
}

function signContract(state: AccountState, contractId: string, input: SignatureCreate): Decision {
  const found = findContract(state, contractId);
  if (isError(found)) return fail(found);
  const { c, draft } = found;
  const current = draft.documentHash;
  // A signature binds a document version; signing anything but the current one is refused.
  if (input.documentHash !== current) {
    return fail({
      code: "document-mismatch",
      expected: current,
      actual: input.documentHash,
      field: "documentHash",
    });
  }
  const target: Target = { kind: "contract", id: contractId };
  const key = signatureKey(input.party, current);
  const signed = c.signatures[key];
  if (signed) {
    // Signed already: a stroke image it lacks is attached (the signature restated with it).
    const { party, signer } = signed;
    return attach(
      c.signatureImages?.[key],
      input.image,
      target,
      "signature-image-conflict",
      (image) => ({
        type: "contract.signed",
        contractId,
        party,
        signer,
        documentHash: current,
        image,
      }),
    );
  }
  const status = contractStatus(c);
  if (input.party === "customer" && status === "draft") {
    return fail({
      code: "invalid-state",
      message: "the contract must be sent before the customer signs",
      field: "party",
    });
  }
  if (input.party === "vendor" && status !== "signed") {
    return fail({
      code: "invalid-state",
      message: `the vendor countersigns after the customer has signed; the contract is ${status}`,
      field: "party",
    });
  }
  const event: EventData = {
    type: "contract.signed",
    contractId,
    party: input.party,
    signer: input.signer,
    documentHash: current,
    ...(input.image ? { image: { sha256: input.image.sha256 } } : {}),
  };
  return { ok: true, events: [event], target, created: true };
}

const FILE_FIELDS = {
  "voucher-conflict": "voucher.sha256",
  "signature-image-conflict": "image.sha256",
} as const;

/**
 * A file sent with a fact that already exists (`files`: the ones attached to it): nothing
 * to do when none is sent or that one is attached already; when the fact has none, the
 * fact restated with it; when it shows another, `conflict`. A second photo is refused
 * here, where a person can be told; only concurrent attachments in two regions reach the
 * merge, which keeps both (conflicts.ts).
 */
function attach(
  files: Attachments | undefined,
  file: { sha256: string } | undefined,
  target: Target,
  conflict: keyof typeof FILE_FIELDS,
  restated: (file: { sha256: string }) => EventData,
): Decision {
  if (file === undefined || files?.[file.sha256])
    return { ok: true, events: [], target, created: false };
  const existing = attachedFile(files);
  if (existing !== null) return fail({ code: conflict, existing, field: FILE_FIELDS[conflict] });
  return { ok: true, events: [restated({ sha256: file.sha256 })], target, created: false };
}

const sameMoney = (a: Money, b: Money) => a.value === b.value && a.currency === b.currency;

function confirmPayment(state: AccountState, input: PaymentCreate, ctx: DecideContext): Decision {
  const found = findContract(state, input.contractId, "contractId");
  if (isError(found)) return fail(found);
  const { c, draft } = found;
  const status = contractStatus(c);
  if (status !== "signed" && status !== "active") {
    return fail({
      code: "invalid-state",
      message: `payments are confirmed on signed or active contracts; this one is ${status}`,
      field: "contractId",
    });
  }
  const currency = draft.amount.currency;
  if (input.amount.currency !== currency) {
    return fail({
      code: "currency-mismatch",
      expected: currency,
      actual: input.amount.currency,
      field: "amount.currency",
    });
  }
  const reference = normalizePaymentReference(input.reference);
  let paymentId = paymentIdFor(c.id, reference);
  let known = paymentVariants(c, paymentId);
  if (known.length > 0 && ctx.plantedBugs?.has("skip-payment-dedup")) {
    // PLANTED BUG: a used reference gets a fresh payment id, so it counts twice.
    paymentId = paymentIdFor(c.id, `${reference}\u0000planted`);
    known = paymentVariants(c, paymentId);
  }
  const target: Target = { kind: "payment", id: paymentId, contractId: c.id };
  const [existing] = known;
  if (existing) {
    // One bank reference is one payment [LF2]; the same reference with another amount
    // is a contradiction a human must resolve, never a second payment [LF6]. A retry of
    // an amount another region already recorded (a conflict there) is that same fact.
    const same = known.find((v) => sameMoney(v.value.amount, input.amount));
    if (same) {
      // A voucher photo the payment lacks is attached: the confirmation restated with it.
      return attach(
        c.vouchers?.[paymentId],
        input.voucher,
        target,
        "voucher-conflict",
        (voucher) => ({
          type: "payment.confirmed",
          paymentId,
          contractId: c.id,
          ...same.value,
          voucher,
        }),
      );
    }
    return fail({
      code: "payment-reference-conflict",
      reference,
      existing: format(existing.value.amount),
      field: "reference",
    });
  }
  // Over-payment is recorded and flagged in the view, never refused: the money arrived.
  // A total past exact integers is refused, naming the field; payments merged from other
  // regions past it are left out of `paid` and named by a conflict (see paidTotalOf).
  if (!Number.isSafeInteger(paidOf(c)!.value + input.amount.value)) {
    return fail({
      code: "amount-overflow",
      message: `the contract's paid total would exceed ${Number.MAX_SAFE_INTEGER} minor units`,
      field: "amount.value",
    });
  }
  const event: EventData = {
    type: "payment.confirmed",
    paymentId,
    contractId: c.id,
    reference,
    amount: input.amount,
    receivedAt: input.receivedAt ?? null,
    ...(input.voucher ? { voucher: { sha256: input.voucher.sha256 } } : {}),
  };
  return { ok: true, events: [event], target, created: true };
}

// ------------------------------------------------ delivery and service facts (DESIGN §11)

const done = (target: Target, events: EventData[], created = false): Decision => ({
  ok: true,
  events,
  target,
  created,
});
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** The decision's time as an ISO instant; a command that stamps one cannot run without it. */
function nowOf(ctx: DecideContext): { ms: number; iso: string } {
  if (ctx.nowMs === undefined) throw new Error("this command needs the decision's time (nowMs)");
  return { ms: ctx.nowMs, iso: new Date(ctx.nowMs).toISOString() };
}

function actorOf(ctx: DecideContext): string {
  if (!ctx.actor) throw new Error("this command needs its actor");
  return ctx.actor.id;
}

/** Terms equal to those in force change nothing (absent terms are the defaults). */
function setTerms(state: AccountState, contractId: string, terms: PortalTerms): Decision {
  const found = findContract(state, contractId);
  if (isError(found)) return fail(found);
  const target: Target = { kind: "contract", id: contractId };
  const current = found.c.portalTerms?.value ?? PortalTerms.parse({});
  const full = PortalTerms.parse(terms);
  if (same(current, full)) return done(target, []);
  return done(target, [{ type: "contract.terms-set", contractId, terms: full }]);
}

/** A milestone is set as a whole; setting it as it is changes nothing. */
function setMilestone(
  state: AccountState,
  contractId: string,
  milestoneId: string,
  input: MilestoneSet,
): Decision {
  const found = findContract(state, contractId);
  if (isError(found)) return fail(found);
  const target: Target = { kind: "contract", id: contractId };
  const value = {
    name: input.name,
    destination: input.destination,
    ...(input.quantity === undefined ? {} : { quantity: input.quantity }),
    plannedDate: input.plannedDate,
    committedDate: input.committedDate,
    actualDate: input.actualDate,
    ...(input.supplier === undefined ? {} : { supplier: input.supplier }),
    ...(input.costMinor === undefined ? {} : { costMinor: input.costMinor }),
    ...(input.internalNote === undefined ? {} : { internalNote: input.internalNote }),
  };
  const current = ownEntry(found.c.milestones, milestoneId);
  if (current && same(current.value, value)) return done(target, []);
  const event: EventData = { type: "delivery.milestone-set", contractId, milestoneId, ...value };
  return done(target, [event], current === undefined);
}

/**
 * An invoice is keyed by its number on the contract: issued again with the same amount and
 * due date it is the same invoice [LF2]; with another, a contradiction a person resolves
 * (refused here; issued concurrently in two regions, a conflict record [LF6]).
 */
function issueInvoice(
  state: AccountState,
  contractId: string,
  input: InvoiceCreate,
  ctx: DecideContext,
): Decision {
  const found = findContract(state, contractId);
  if (isError(found)) return fail(found);
  const { c, draft } = found;
  const status = contractStatus(c);
  if (status !== "signed" && status !== "active") {
    return fail({
      code: "invalid-state",
      message: `invoices are issued on signed or active contracts; this one is ${status}`,
    });
  }
  if (input.amount.currency !== draft.amount.currency) {
    return fail({
      code: "currency-mismatch",
      expected: draft.amount.currency,
      actual: input.amount.currency,
      field: "amount.currency",
    });
  }
  const number = normalizePaymentReference(input.number);
  const invoiceId = invoiceIdFor(contractId, number);
  const target: Target = { kind: "contract", id: contractId };
  const known = ownEntry(c.invoices, invoiceId);
  if (known) {
    const wanted = invoiceKey({ amount: input.amount, dueDate: input.dueDate });
    if (Object.hasOwn(known, wanted)) return done(target, []);
    const existing = effective(known)!.value;
    return fail({
      code: "invalid-state",
      message: `invoice ${number} was issued for ${format(existing.amount)} due ${existing.dueDate}; an invoice number is one invoice`,
      field: "number",
    });
  }
  const event: EventData = {
    type: "invoice.issued",
    contractId,
    invoiceId,
    number,
    amount: input.amount,
    issuedAt: input.issuedAt ?? nowOf(ctx).iso.slice(0, 10),
    dueDate: input.dueDate,
  };
  return done(target, [event], true);
}

function needCustomer(state: AccountState): DomainError | null {
  return state.customer ? null : { code: "not-found", entity: "customer", id: state.accountId };
}

function openServiceRequest(
  state: AccountState,
  seed: string,
  input: ServiceRequestOpen,
  ctx: DecideContext,
): Decision {
  const missing = needCustomer(state);
  if (missing) return fail(missing);
  if (input.contractId !== null) {
    const found = findContract(state, input.contractId, "contractId");
    if (isError(found)) return fail(found);
  }
  const id = serviceRequestIdFor(state.accountId, input.id ?? seed);
  const target: Target = { kind: "service-request", id };
  if (ownEntry(state.serviceRequests, id)?.opened) return done(target, []);
  const event: EventData = {
    type: "service.opened",
    serviceRequestId: id,
    contractId: input.contractId,
    title: input.title,
    severity: input.severity,
    openedAt: nowOf(ctx).iso,
    ...(input.internalNote === undefined ? {} : { internalNote: input.internalNote }),
  };
  return done(target, [event], true);
}

/**
 * Resolved once: the same resolution again changes nothing; another one is refused here
 * (only two regions resolving at once keep two, the earliest shown, the other history).
 */
function resolveServiceRequest(
  state: AccountState,
  id: string,
  input: ServiceRequestResolve,
  ctx: DecideContext,
): Decision {
  const sr = ownEntry(state.serviceRequests, id);
  if (!sr?.opened) return fail({ code: "not-found", entity: "service-request", id });
  const target: Target = { kind: "service-request", id };
  const [first] = sortedVariants(sr.resolutions);
  if (first) {
    if (first.value.resolution === input.resolution) return done(target, []);
    return fail({
      code: "invalid-state",
      message: `the service request was resolved at ${first.value.resolvedAt}; it is resolved once`,
      field: "resolution",
    });
  }
  const event: EventData = {
    type: "service.resolved",
    serviceRequestId: id,
    resolvedAt: nowOf(ctx).iso,
    resolution: input.resolution,
  };
  return done(target, [event], true);
}

function fileChangeRequest(
  state: AccountState,
  seed: string,
  input: ChangeRequestFile,
  ctx: DecideContext,
): Decision {
  const missing = needCustomer(state);
  if (missing) return fail(missing);
  const found = findContract(state, input.contractId, "contractId");
  if (isError(found)) return fail(found);
  const id = changeRequestIdFor(state.accountId, input.id ?? seed);
  const target: Target = { kind: "change-request", id };
  if (ownEntry(state.changeRequests, id)?.filed) return done(target, []);
  if (found.c.portalTerms && !found.c.portalTerms.value.changeRequests) {
    return fail({
      code: "invalid-state",
      message: "this contract's terms do not provide for change requests",
      field: "contractId",
    });
  }
  if (!ctx.slaClock) throw new Error("filing a change request needs the SLA clock");
  const now = nowOf(ctx);
  const tier = state.customer!.tier.value;
  const sla = ctx.slaClock(now.ms, tier);
  const event: EventData = {
    type: "change.filed",
    changeRequestId: id,
    contractId: input.contractId,
    kind: input.kind,
    summary: input.summary,
    requested: input.requested,
    filedAt: now.iso,
    filedBy: actorOf(ctx),
    tier,
    slaDueAt: new Date(sla.dueAtMs).toISOString(),
    slaWarnAt: new Date(sla.warnAtMs).toISOString(),
  };
  return done(target, [event], true);
}

type FoundRequest = { cr: ChangeRequestState; target: Target };

function findChangeRequest(state: AccountState, id: string): FoundRequest | DomainError {
  const cr = ownEntry(state.changeRequests, id);
  if (!cr?.filed) return { code: "not-found", entity: "change-request", id };
  return { cr, target: { kind: "change-request", id } };
}

const isClosed = (cr: ChangeRequestState) => {
  const status = changeStatus(cr);
  return status === "accepted" || status === "declined" || status === "withdrawn";
};

const closed = (cr: ChangeRequestState): Decision =>
  fail({ code: "invalid-state", message: `the change request is ${changeStatus(cr)}` });

function setChecklist(
  state: AccountState,
  id: string,
  department: Department,
  input: ChecklistSet,
): Decision {
  const found = findChangeRequest(state, id);
  if ("code" in found) return fail(found);
  const { cr, target } = found;
  const note = input.note === "" ? undefined : input.note;
  const value = { status: input.status, ...(note === undefined ? {} : { note }) };
  const current = ownEntry(cr.checklist, department);
  if (current && same(current.value, value)) return done(target, []);
  if (isClosed(cr)) return closed(cr);
  return done(target, [
    { type: "change.checklist-set", changeRequestId: id, department, ...value },
  ]);
}

/**
 * The group's answer: feasible or not, with a new committed date. Answered once: the same
 * decision again changes nothing; a different one is refused (two people answering at
 * once in two regions become a conflict record, the earliest answer shown [LF6]).
 */
function answerChangeRequest(
  state: AccountState,
  id: string,
  input: ChangeAnswer,
  ctx: DecideContext,
): Decision {
  const found = findChangeRequest(state, id);
  if ("code" in found) return fail(found);
  const { cr, target } = found;
  const answer = effective(cr.answers);
  if (answer) {
    if (answerKey(answer.value) === answerKey(input)) return done(target, []);
    return fail({
      code: "invalid-state",
      message: `the change request was answered at ${answer.value.answeredAt} (${answer.value.feasible ? "feasible" : "not feasible"}); it is answered once`,
      field: "feasible",
    });
  }
  if (isClosed(cr)) return closed(cr);
  const event: EventData = {
    type: "change.answered",
    changeRequestId: id,
    feasible: input.feasible,
    newCommittedDate: input.newCommittedDate,
    message: input.message,
    answeredBy: actorOf(ctx),
    answeredAt: nowOf(ctx).iso,
  };
  return done(target, [event], true);
}

function respondToChangeRequest(
  state: AccountState,
  id: string,
  input: ChangeRespond,
  ctx: DecideContext,
): Decision {
  const found = findChangeRequest(state, id);
  if ("code" in found) return fail(found);
  const { cr, target } = found;
  if (cr.response?.value.decision === input.decision && changeStatus(cr) === input.decision)
    return done(target, []);
  if (isClosed(cr)) return closed(cr);
  if (!effective(cr.answers)) {
    return fail({
      code: "invalid-state",
      message: "the change request has not been answered yet",
      field: "decision",
    });
  }
  const event: EventData = {
    type: "change.responded",
    changeRequestId: id,
    decision: input.decision,
    respondedBy: actorOf(ctx),
    respondedAt: nowOf(ctx).iso,
  };
  return done(target, [event], true);
}

function withdrawChangeRequest(state: AccountState, id: string, ctx: DecideContext): Decision {
  const found = findChangeRequest(state, id);
  if ("code" in found) return fail(found);
  const { cr, target } = found;
  if (changeStatus(cr) === "withdrawn") return done(target, []);
  if (isClosed(cr)) return closed(cr);
  const event: EventData = {
    type: "change.withdrawn",
    changeRequestId: id,
    withdrawnBy: actorOf(ctx),
    withdrawnAt: nowOf(ctx).iso,
  };
  return done(target, [event], true);
}

// ------------------------------------------------ portal users (DESIGN §11, §12)

type Invite = Extract<Command, { type: "portal-user.invite" }>;
type Activate = Extract<Command, { type: "portal-user.activate" }>;

/**
 * A new user, or a new invitation for an existing one (its pending code is replaced). One
 * e-mail is one portal user of the account: another user holding it is `email-taken`. A
 * user's e-mail is its login and does not change; a disabled user is enabled first.
 */
function invitePortalUser(state: AccountState, cmd: Invite): Decision {
  const missing = needCustomer(state);
  if (missing) return fail(missing);
  const email = cmd.email.trim().toLowerCase();
  for (const [id, u] of Object.entries(state.portalUsers ?? {}))
    if (id !== cmd.userId && u.invite?.value.email === email)
      return fail({ code: "email-taken", email, field: "email" });
  const target: Target = { kind: "portal-user", id: cmd.userId };
  const existing = ownEntry(state.portalUsers, cmd.userId);
  if (existing?.invite && existing.invite.value.email !== email)
    return fail({
      code: "invalid-state",
      message: "a portal user's e-mail is their login and does not change; invite a new user",
      field: "email",
    });
  if (existing?.disabled?.value === true)
    return fail({
      code: "invalid-state",
      message: "the portal user is disabled; enable them before inviting them again",
    });
  const event: EventData = {
    type: "portal-user.invited",
    userId: cmd.userId,
    email,
    name: cmd.name,
    invitationHash: cmd.invitationHash,
    invitationExpiresAt: cmd.invitationExpiresAt,
  };
  return done(target, [event], existing?.invite === undefined);
}

/** Only the user's open invitation (pending, not expired, user enabled) can be accepted. */
function activatePortalUser(state: AccountState, cmd: Activate, ctx: DecideContext): Decision {
  const u = ownEntry(state.portalUsers, cmd.userId);
  if (!u?.invite) return fail({ code: "not-found", entity: "portal-user", id: cmd.userId });
  const open = openInvitation(u, nowOf(ctx).ms);
  if (open?.hash !== cmd.invitationHash)
    return fail({ code: "not-found", entity: "invitation", id: cmd.userId });
  const event: EventData = {
    type: "portal-user.activated",
    userId: cmd.userId,
    invitationHash: cmd.invitationHash,
    passwordHash: cmd.passwordHash,
  };
  return done({ kind: "portal-user", id: cmd.userId }, [event]);
}

/** Setting the flag it already has changes nothing. */
function disablePortalUser(state: AccountState, userId: string, disabled: boolean): Decision {
  const u = ownEntry(state.portalUsers, userId);
  if (!u?.invite) return fail({ code: "not-found", entity: "portal-user", id: userId });
  const target: Target = { kind: "portal-user", id: userId };
  if ((u.disabled?.value ?? false) === disabled) return done(target, []);
  return done(target, [{ type: "portal-user.disabled", userId, disabled }]);
}

// ------------------------------------------------ engagement (DESIGN §11: the CHI's facts)

/**
 * A day already noted changes nothing, so a user is noted at most once a day however many
 * requests they make [LF2]. Only a user the account invited is noted.
 */
function notePortalActivity(state: AccountState, userId: string, ctx: DecideContext): Decision {
  const missing = needCustomer(state);
  if (missing) return fail(missing);
  const u = ownEntry(state.portalUsers, userId);
  if (!u?.invite) return fail({ code: "not-found", entity: "portal-user", id: userId });
  const day = portalDay(state.customer!.residency, nowOf(ctx).ms);
  const target: Target = { kind: "portal-user", id: userId };
  if (u.activeDays && Object.hasOwn(u.activeDays, day)) return done(target, []);
  return done(target, [{ type: "portal-user.active", userId, day }]);
}

/**
 * Recorded once per call, whatever is asked again [LF2]: a second analysis of the same
 * transcript (its hash) records nothing, or anyone could move the customer's trend by
 * submitting one call again and again; nor does the same insight twice. The analysis time
 * must be the account's own present (engagement.ts CALL_AT_AHEAD_MS): the newest call
 * anchors which calls the account keeps.
 */
function recordCallSentiment(
  state: AccountState,
  insightId: string,
  sentiment: CallSentimentInput,
  ctx: DecideContext,
): Decision {
  const missing = needCustomer(state);
  if (missing) return fail(missing);
  const { at, transcriptHash, score, utterances } = sentiment;
  if (!callTimeAcceptable(at, nowOf(ctx).ms))
    return fail({
      code: "invalid-state",
      message: `a call analysed at ${at} is not recorded at ${nowOf(ctx).iso}`,
      field: "at",
    });
  const target: Target = { kind: "customer", id: state.accountId };
  if (ownEntry(state.callSentiments, insightId) || knownCall(state, transcriptHash))
    return done(target, []);
  const event: EventData = {
    type: "call.sentiment-recorded",
    insightId,
    at,
    transcriptHash,
    score,
    utterances,
  };
  return done(target, [event]);
}
