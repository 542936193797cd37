// Command handlers: (state, command) → events or a domain error, pure. Every rule a
// lifeline flow must obey lives here, so the DO and the tests share it.
import type { EventData } from "../events.ts";
import {
  accountIdFor,
  contractIdFor,
  normalizePaymentReference,
  normalizeTaxId,
  paymentIdFor,
} from "../ids.ts";
import { format, type Money } from "../money.ts";
import type { PlantedBugs } from "../planted-bugs.ts";
import type { ContractCreate, CustomerCreate, PaymentCreate, SignatureCreate } from "../schemas.ts";
import {
  type AccountState,
  type Attachments,
  attachedFile,
  type ContractDraft,
  type ContractState,
  contractStatus,
  draftOf,
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
  | { type: "payment.confirm"; input: PaymentCreate };

/** What a command touched, so the caller can render the right view. */
export type Target =
  | { kind: "customer"; id: string }
  | { kind: "contract"; id: string }
  | { kind: "payment"; id: string; contractId: string };

export type DomainError =
  | { code: "not-found"; entity: "customer" | "contract"; id: string; field?: string }
  | { code: "invalid-state"; message: string; field?: string }
  | { code: "document-mismatch"; expected: string; actual: string; field: string }
  | { code: "currency-mismatch"; expected: string; actual: string; field: string }
  | { code: "payment-reference-conflict"; reference: string; existing: string; field: string }
  | { code: "identity-mismatch"; message: string; field: string }
  /** The payment or signature already shows another file; a second one is not attached. */
  | { code: "voucher-conflict" | "signature-image-conflict"; existing: string; field: string }
  | { code: "amount-overflow"; message: string; field: string };

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
