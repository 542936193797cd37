// The wire contract for customers, contracts and payments: request bodies and the views
// the API returns. zod is the single source of truth; OpenAPI is generated from these.
import { z } from "zod";
import { SHA256_HEX } from "./crypto/sha256.ts";
import {
  ACCOUNT_ID,
  CHANGE_REQUEST_ID,
  CONTRACT_ID,
  INVOICE_ID,
  normalizePaymentReference,
  PAYMENT_ID,
  PORTAL_USER_ID,
  SERVICE_REQUEST_ID,
  ULID,
} from "./ids.ts";
import { Money, PositiveMoney } from "./money.ts";
import {
  ChangeKind,
  ChangeStatus,
  ContractTerms,
  DEPARTMENTS,
  type Department,
  InvoiceStatus,
  ServiceStatus,
} from "./portal/model.ts";
import { FreeText } from "./text.ts";

export const Residency = z
  .enum(["cn", "eu"])
  .meta({ description: "Jurisdiction the customer's data belongs to" });
export type Residency = z.infer<typeof Residency>;
export const Tier = z.enum(["standard", "key", "strategic"]);
export type Tier = z.infer<typeof Tier>;
export const Party = z.enum(["customer", "vendor"]);
export type Party = z.infer<typeof Party>;
export const ContractStatus = z.enum(["draft", "sent", "signed", "active", "voided"]);

export const AccountId = z.string().regex(ACCOUNT_ID, { message: "must be a customer id (acc_…)" });
export const ContractId = z
  .string()
  .regex(CONTRACT_ID, { message: "must be a contract id (ctr_…)" });
export const PaymentId = z.string().regex(PAYMENT_ID, { message: "must be a payment id (pay_…)" });
export const DocumentHash = z.string().regex(SHA256_HEX, {
  message: "must be the SHA-256 of the document as 64 lower-case hex digits",
});
/** A user (a rep, manager or admin) of the tenant, as session tokens name it. */
export const UserId = z
  .string()
  .regex(/^usr_[A-Za-z0-9_-]{1,64}$/, { message: "must be a user id (usr_…)" });

/** A file in this region's object store, by its SHA-256 (uploaded with PUT /v1/files/{sha256}). */
export const FileRef = z
  .strictObject({
    sha256: z.string().regex(SHA256_HEX, {
      message: "must be the SHA-256 of the file as 64 lower-case hex digits",
    }),
  })
  .meta({ id: "FileRef" });
export type FileRef = z.infer<typeof FileRef>;

export const Contact = z.strictObject({
  name: FreeText(120),
  phone: z
    .string()
    .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, {
      message: "must be a phone number, e.g. +86 138 0013 8000",
    })
    .optional(),
  email: z.email({ message: "must be an e-mail address" }).max(254).optional(),
});
export type Contact = z.infer<typeof Contact>;

export const CustomerCreate = z
  .strictObject({
    id: z.string().regex(ULID, { message: "must be a ULID minted by the client" }).optional(),
    name: FreeText(200),
    taxId: z
      .string()
      .trim()
      .regex(/^[0-9A-Za-z][0-9A-Za-z .-]{3,39}$/, {
        message: "must be a tax id such as a unified social credit code or a VAT id",
      })
      .optional(),
    residency: Residency,
    tier: Tier.default("standard"),
    contacts: z.array(Contact).max(20).default([]),
    ownerId: UserId.optional().meta({
      description:
        "The owning rep. A user's session owns what it creates (naming another user is a 400); an API key may name any user of the tenant, or none",
    }),
  })
  .meta({ id: "CustomerCreate" });
export type CustomerCreate = z.infer<typeof CustomerCreate>;

/** An admin's reassignment of a customer to another user. */
export const CustomerOwnerAssign = z
  .strictObject({ ownerId: UserId })
  .meta({ id: "CustomerOwnerAssign" });

export const ContractCreate = z
  .strictObject({
    id: z.string().regex(ULID, { message: "must be a ULID minted by the client" }).optional(),
    customerId: AccountId,
    title: FreeText(200),
    amount: PositiveMoney,
    documentHash: DocumentHash,
  })
  .meta({ id: "ContractCreate" });
export type ContractCreate = z.infer<typeof ContractCreate>;

export const ContractSend = z
  .strictObject({ documentHash: DocumentHash.optional() })
  .meta({ id: "ContractSend" });

export const Signer = z.strictObject({
  name: FreeText(120),
  title: FreeText(120).optional(),
  email: z.email().max(254).optional(),
});
export type Signer = z.infer<typeof Signer>;

export const SignatureCreate = z
  .strictObject({
    party: Party,
    signer: Signer,
    documentHash: DocumentHash,
    image: FileRef.optional().meta({
      description:
        "The stroke image of an in-person signature, uploaded first (PUT /v1/files/{sha256}); bound to this party's signature of this document",
    }),
  })
  .meta({ id: "SignatureCreate" });
export type SignatureCreate = z.infer<typeof SignatureCreate>;

export const PaymentCreate = z
  .strictObject({
    contractId: ContractId,
    reference: z
      .string()
      .max(256)
      // What a client may send (published): printable ASCII, its full-width forms and
      // white space. What keys the payment is checked after normalising (not published).
      .regex(/^[\s\x21-\x7e\uff01-\uff5e]+$/, {
        message: "must be the bank's reference, printable ASCII",
        abort: true,
      })
      .overwrite(normalizePaymentReference)
      .refine((r) => r.length >= 1, { message: "must not be empty" })
      .refine((r) => r.length <= 64, { message: "must be at most 64 characters once normalised" })
      .refine((r) => /^[\x21-\x7e]+$/.test(r), {
        message: "must be the bank's reference, printable ASCII",
      })
      .meta({
        description:
          "The bank's reference. It keys the payment once normalised: NFKC, white space removed (inside too), ASCII letters upper-cased, so ` icbc-1` and `ICBC-1` are one payment",
      }),
    amount: PositiveMoney,
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    voucher: FileRef.optional().meta({
      description:
        "A photo of the bank slip, uploaded first (PUT /v1/files/{sha256}); it must be in this region's store",
    }),
  })
  .meta({ id: "PaymentCreate" });
export type PaymentCreate = z.infer<typeof PaymentCreate>;

// ------------------------------------------- delivery and service facts (DESIGN §11)

export const Severity = z.enum(["low", "normal", "high", "critical"]);
export type Severity = z.infer<typeof Severity>;
/** A department's verdict on a change request: not looked at yet, fine, has an impact, blocks it. */
export const ChecklistStatus = z.enum(["pending", "ok", "impact", "blocked"]);
export type ChecklistStatus = z.infer<typeof ChecklistStatus>;
export const ChangeDecision = z.enum(["accepted", "declined"]);
export type ChangeDecision = z.infer<typeof ChangeDecision>;
export const SlaMark = z.enum(["warning", "violation"]);
export type SlaMark = z.infer<typeof SlaMark>;
/** Entries a change request's `requested` may carry. */
export const MAX_REQUESTED_ENTRIES = 20;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Whether `s` (YYYY-MM-DD) names a real calendar day: 2026-02-30 does not. */
export function isCalendarDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}
/** A calendar date, YYYY-MM-DD (a pattern, not a JSON Schema format: every client reads it). */
export const IsoDate = z
  .string()
  .regex(DATE, { message: "must be a date, YYYY-MM-DD", abort: true })
  .refine(isCalendarDate, { message: "must be a real calendar date" })
  .meta({ example: "2026-03-31" });

export const InvoiceId = z.string().regex(INVOICE_ID, { message: "must be an invoice id (inv_…)" });
export const ServiceRequestId = z
  .string()
  .regex(SERVICE_REQUEST_ID, { message: "must be a service request id (srv_…)" });
export const ChangeRequestId = z
  .string()
  .regex(CHANGE_REQUEST_ID, { message: "must be a change request id (chg_…)" });
/** A delivery milestone's id within its contract, chosen by the caller (PUT is by id). */
export const MilestoneId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
  message: "must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit",
});

const ClientUlid = z.string().regex(ULID, { message: "must be a ULID minted by the client" });
const Note = FreeText(2_000, { multiline: true });

/** The portal terms of a contract, replaced as a whole; a field left out is its default. */
export const ContractTermsSet = ContractTerms;

export const MilestoneSet = z
  .strictObject({
    name: FreeText(200),
    destination: FreeText(200).meta({ description: "Where it is delivered, e.g. 深圳仓" }),
    quantity: z.number().int().min(0).max(1_000_000_000).optional(),
    plannedDate: IsoDate,
    committedDate: IsoDate.nullable().default(null),
    actualDate: IsoDate.nullable().default(null).meta({
      description: "When the milestone was reached; null until then",
    }),
    supplier: FreeText(200).optional().meta({ description: "Internal: never shown in the portal" }),
    costMinor: z
      .number()
      .int()
      .min(0)
      .refine(Number.isSafeInteger, { message: "is too large to be exact" })
      .optional()
      .meta({ description: "Internal: cost in the contract's minor units" }),
    internalNote: Note.optional().meta({ description: "Internal: never shown in the portal" }),
  })
  .meta({ id: "MilestoneSet" });
export type MilestoneSet = z.infer<typeof MilestoneSet>;

export const InvoiceCreate = z
  .strictObject({
    number: z
      .string()
      .max(64)
      .regex(/^[\s\x21-\x7e\uff01-\uff5e]+$/, {
        message: "must be the invoice number, printable ASCII",
        abort: true,
      })
      .overwrite(normalizePaymentReference)
      .refine((r) => r.length >= 1, { message: "must not be empty" })
      .meta({
        description:
          "The invoice's number: its key on the contract once normalised (as a payment reference is), so issuing it again is the same invoice",
      }),
    amount: PositiveMoney,
    issuedAt: IsoDate.optional().meta({ description: "The invoice date; today (UTC) if omitted" }),
    dueDate: IsoDate,
  })
  .meta({ id: "InvoiceCreate" });
export type InvoiceCreate = z.infer<typeof InvoiceCreate>;

export const ServiceRequestOpen = z
  .strictObject({
    id: ClientUlid.optional(),
    contractId: ContractId.nullable().default(null),
    title: FreeText(200),
    severity: Severity.default("normal"),
    internalNote: Note.optional().meta({ description: "Internal: never shown in the portal" }),
  })
  .meta({ id: "ServiceRequestOpen" });
export type ServiceRequestOpen = z.infer<typeof ServiceRequestOpen>;

export const ServiceRequestResolve = z
  .strictObject({ resolution: Note })
  .meta({ id: "ServiceRequestResolve" });
export type ServiceRequestResolve = z.infer<typeof ServiceRequestResolve>;

const REQUESTED_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** What a change asks for, field by field (e.g. `{ "deliveryDate": "2026-04-30" }`). */
const Requested = z
  .object({})
  .catchall(FreeText(500))
  .superRefine((r, ctx) => {
    const keys = Object.keys(r);
    if (keys.length > MAX_REQUESTED_ENTRIES)
      ctx.addIssue({ code: "custom", message: `at most ${MAX_REQUESTED_ENTRIES} entries` });
    for (const key of keys)
      if (!REQUESTED_KEY.test(key))
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "a key is 1 to 64 letters, digits, '.', '-' or '_', starting with a letter",
        });
  });

export const ChangeRequestFile = z
  .strictObject({
    id: ClientUlid.optional(),
    contractId: ContractId,
    kind: ChangeKind,
    summary: FreeText(2_000, { multiline: true }),
    requested: Requested.default({}),
  })
  .meta({ id: "ChangeRequestFile" });
export type ChangeRequestFile = z.infer<typeof ChangeRequestFile>;

export const ChecklistSet = z
  .strictObject({
    status: ChecklistStatus,
    note: z
      .union([z.literal(""), Note])
      .optional()
      .meta({ description: "Internal: never shown in the portal; empty is none" }),
  })
  .meta({ id: "ChecklistSet" });
export type ChecklistSet = z.infer<typeof ChecklistSet>;

export const ChangeAnswer = z
  .strictObject({
    feasible: z.boolean(),
    newCommittedDate: IsoDate.nullable().default(null),
    message: Note,
  })
  .meta({ id: "ChangeAnswer" });
export type ChangeAnswer = z.infer<typeof ChangeAnswer>;

export const ChangeRespond = z
  .strictObject({ decision: ChangeDecision })
  .meta({ id: "ChangeRespond" });
export type ChangeRespond = z.infer<typeof ChangeRespond>;

// ---------------------------------------------------------------- portal users

export const PortalUserId = z
  .string()
  .regex(PORTAL_USER_ID, { message: "must be a portal user id (pus_…)" });
export const PortalUserStatus = z.enum(["invited", "active", "disabled"]);

/** Staff invite a customer's person to the portal; the e-mail is their login (lower-cased). */
export const PortalUserInvite = z
  .strictObject({
    email: z.email().max(254).toLowerCase(),
    name: FreeText(200),
  })
  .meta({ id: "PortalUserInvite" });
export type PortalUserInvite = z.infer<typeof PortalUserInvite>;

export const PortalUserDisable = z
  .strictObject({
    disabled: z
      .boolean()
      .default(true)
      .meta({ description: "false enables a disabled user again; default true" }),
  })
  .meta({ id: "PortalUserDisable" });

// ---------------------------------------------------------------- views

/** Single reads say whether this region serves the record's masked copy [LF4]. */
const masked = z.literal(true).optional().meta({
  description:
    "Present (true) on single reads and customer lists when the answering region is outside the record's jurisdiction and holds only its masked copy (phones, e-mails, contact names and the tax id masked); also `Lifeline-Masked: true`. Absent on a full copy.",
});

/**
 * Stored and served contacts and signers: plain strings, not the request formats, because
 * a region outside the customer's jurisdiction holds them masked (`138****5678`) [LF4],
 * and because a fact must stay readable after input rules change.
 */
export const StoredContact = z.object({
  name: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
});
export const StoredSigner = z.object({
  name: z.string(),
  title: z.string().optional(),
  email: z.string().optional(),
});

const ConflictFact = <T extends z.ZodType>(value: T) =>
  z.object({
    eventId: z.string(),
    hlc: z.string(),
    effective: z.boolean().meta({ description: "This is the value the account acts on" }),
    value,
  });

const conflictBase = {
  id: z.string().meta({ description: "Deterministic: identical on every region" }),
  subject: z.string().meta({ description: "The account, contract or payment in conflict" }),
  contractId: ContractId.nullable(),
  detectedAt: z.string().meta({ description: "Wall time of detectedHlc" }),
  detectedHlc: z.string().meta({ description: "The latest HLC of the competing facts" }),
};

export const ConflictKind = z.enum([
  "customer-residency",
  "contract-terms",
  "signature-document",
  "payment-amount",
  "payment-currency",
  "payment-overflow",
  "payment-voucher",
  "signature-image",
  "invoice-terms",
  "change-answer",
]);
export type ConflictKind = z.infer<typeof ConflictKind>;

export const ConflictView = z
  .discriminatedUnion("kind", [
    z.object({
      ...conflictBase,
      kind: z.literal("customer-residency"),
      resolution: z.literal("earliest-residency-kept"),
      facts: z.array(ConflictFact(z.object({ residency: Residency }))),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("contract-terms"),
      resolution: z.literal("earliest-draft-effective"),
      facts: z.array(ConflictFact(z.object({ amount: Money, documentHash: DocumentHash }))),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("signature-document"),
      resolution: z.literal("unresolved"),
      facts: z.array(ConflictFact(z.object({ party: Party, documentHash: DocumentHash }))),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("payment-amount"),
      resolution: z.literal("earliest-confirmation-counts"),
      facts: z.array(ConflictFact(z.object({ amount: Money }))),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("payment-currency"),
      resolution: z.literal("excluded-from-paid"),
      facts: z.array(ConflictFact(z.object({ amount: Money }))),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("payment-overflow"),
      resolution: z.literal("excluded-from-paid"),
      facts: z.array(ConflictFact(z.object({ amount: Money }))).meta({
        description:
          "A payment merged from another region that would take `paid` past exact integers (Number.MAX_SAFE_INTEGER minor units); it is listed, never counted",
      }),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("payment-voucher"),
      resolution: z.literal("earliest-voucher-shown"),
      facts: z.array(ConflictFact(z.object({ voucher: FileRef }))).meta({
        description:
          "Two different voucher photos attached to one payment (the amount is not in question); the earliest is shown, every one is kept",
      }),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("signature-image"),
      resolution: z.literal("earliest-image-shown"),
      facts: z.array(ConflictFact(z.object({ party: Party, image: FileRef }))),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("invoice-terms"),
      resolution: z.literal("earliest-invoice-effective"),
      facts: z.array(ConflictFact(z.object({ amount: Money, dueDate: z.string() }))).meta({
        description:
          "One invoice number issued with two amounts or due dates (in two regions at once); the earliest is the invoice, a person settles the rest",
      }),
    }),
    z.object({
      ...conflictBase,
      kind: z.literal("change-answer"),
      resolution: z.literal("earliest-answer-effective"),
      facts: z
        .array(
          ConflictFact(
            z.object({
              feasible: z.boolean(),
              newCommittedDate: z.string().nullable(),
              answeredBy: z.string(),
            }),
          ),
        )
        .meta({
          description:
            "Two people answered one change request differently (feasibility or new date); the earliest answer is the one the customer sees",
        }),
    }),
  ])
  .meta({
    id: "Conflict",
    description:
      "Concurrent facts no rule may silently pick between [LF6]. The state acts on the fact marked effective; a person resolves the rest.",
  });
export type ConflictView = z.infer<typeof ConflictView>;

/** Items of a kind an account's single read carries at most (the newest). */
export const MAX_VIEW_ITEMS = 100;

/** How an account's records end: the conflicts they hold open, their times, the masked flag. */
const recordTail = {
  conflicts: z.array(ConflictView),
  createdAt: z.string(),
  updatedAt: z.string(),
  masked,
};

/** A service request as staff see it (the portal shows less: its policy filters). */
export const ServiceRequestView = z
  .object({
    id: ServiceRequestId,
    customerId: AccountId,
    contractId: ContractId.nullable(),
    title: z.string().nullable().meta({ description: "Null on a masked copy (withheld abroad)" }),
    severity: Severity,
    status: ServiceStatus,
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
    resolution: z.string().nullable().meta({
      description: "The earliest resolution recorded; null while open, and on a masked copy",
    }),
    laterResolutions: z
      .array(z.object({ resolvedAt: z.string(), resolution: z.string().nullable() }))
      .meta({
        description:
          "Different resolutions recorded later (concurrently, in another region): kept as history, never replacing the first",
      }),
    internalNote: z
      .string()
      .nullable()
      .meta({ description: "Internal: never shown in the portal" }),
    masked,
  })
  .meta({ id: "ServiceRequest" });
export type ServiceRequestView = z.infer<typeof ServiceRequestView>;

export const ChecklistItemView = z.object({
  status: ChecklistStatus,
  note: z.string().nullable().meta({ description: "Internal: never shown in the portal" }),
  updatedAt: z.string(),
});
export type ChecklistItemView = z.infer<typeof ChecklistItemView>;

/** One entry per department that recorded its check; a department not listed has not yet. */
const ChecklistView = z
  .object(
    Object.fromEntries(DEPARTMENTS.map((d) => [d, ChecklistItemView.optional()])) as Record<
      Department,
      z.ZodOptional<typeof ChecklistItemView>
    >,
  )
  .meta({ description: "By department; a department not listed has not checked yet" });

/** A change request: what the customer asked, the departments' checks, the answer, the SLA. */
export const ChangeRequestView = z
  .object({
    id: ChangeRequestId,
    customerId: AccountId,
    contractId: ContractId,
    kind: ChangeKind,
    summary: z.string().nullable().meta({ description: "Null on a masked copy (withheld abroad)" }),
    requested: z
      .object({})
      .catchall(z.string())
      .nullable()
      .meta({ description: "Null on a masked copy (withheld abroad)" }),
    status: ChangeStatus,
    filedAt: z.string(),
    filedBy: z.string(),
    tier: Tier.meta({ description: "The customer's tier when filed: what the SLA was set by" }),
    slaWarnAt: z.string(),
    slaDueAt: z.string(),
    slaMarks: z.object({ warning: z.string().nullable(), violation: z.string().nullable() }).meta({
      description:
        "When the SLA clock marked the request (nobody had answered by its warning or due time); null when it did not",
    }),
    checklist: ChecklistView,
    answer: z.union([
      z.object({
        feasible: z.boolean(),
        newCommittedDate: z.string().nullable(),
        message: z.string().nullable(),
        answeredBy: z.string(),
        answeredAt: z.string(),
      }),
      z.null(),
    ]),
    response: z.union([
      z.object({ decision: ChangeDecision, respondedBy: z.string(), respondedAt: z.string() }),
      z.null(),
    ]),
    withdrawnAt: z.string().nullable(),
    conflicts: z.array(ConflictView),
    updatedAt: z.string(),
    masked,
  })
  .meta({ id: "ChangeRequest" });
export type ChangeRequestView = z.infer<typeof ChangeRequestView>;

/** A portal user as staff see it: never a hash of a code or a password. */
export const PortalUserView = z
  .object({
    id: PortalUserId,
    email: z.string().nullable().meta({ description: "Null on a masked copy (withheld abroad)" }),
    name: z.string().nullable().meta({ description: "Null on a masked copy (withheld abroad)" }),
    status: PortalUserStatus.meta({
      description:
        "`invited` until an invitation is accepted, then `active`; `disabled` while disabled",
    }),
    invitedAt: z.string().meta({ description: "When the current invitation was sent" }),
    activatedAt: z
      .string()
      .nullable()
      .meta({ description: "When an invitation was last accepted (a password chosen)" }),
    invitationExpiresAt: z.string().nullable().meta({
      description:
        "When the invitation not yet accepted expires (it may have already); null when none is pending",
    }),
    masked,
  })
  .meta({ id: "PortalUser" });
export type PortalUserView = z.infer<typeof PortalUserView>;

export const CustomerView = z
  .object({
    id: AccountId,
    name: z.string(),
    taxId: z.string().nullable(),
    residency: Residency,
    tier: Tier,
    contacts: z.array(StoredContact),
    ownerId: z.string().nullable().meta({
      description:
        "The owning rep's user id, null when none was named; the same in every region (a staff id, not the customer's personal data)",
    }),
    serviceRequests: z.array(ServiceRequestView).meta({
      description: `The newest ${MAX_VIEW_ITEMS} service requests, newest first`,
    }),
    changeRequests: z.array(ChangeRequestView).meta({
      description: `The newest ${MAX_VIEW_ITEMS} change requests, newest first`,
    }),
    ...recordTail,
  })
  .meta({ id: "Customer" });
export type CustomerView = z.infer<typeof CustomerView>;

export const SignatureView = z.object({
  party: Party,
  signer: StoredSigner,
  documentHash: DocumentHash,
  signedAt: z.string(),
  image: FileRef.optional().meta({
    description:
      "The stroke image of the signature, when one was recorded (GET /v1/files/{sha256})",
  }),
});

export const PaymentView = z
  .object({
    id: PaymentId,
    contractId: ContractId,
    reference: z.string(),
    amount: Money,
    receivedAt: z.string().nullable(),
    confirmedAt: z.string(),
    overpayment: z
      .boolean()
      .meta({ description: "This payment took the contract above its amount" }),
    voucher: FileRef.optional().meta({
      description:
        "The voucher photo (GET /v1/files/{sha256}); absent when none, and always absent on a masked copy (photos never leave their jurisdiction)",
    }),
    masked,
  })
  .meta({ id: "Payment" });
export type PaymentView = z.infer<typeof PaymentView>;

export const MilestoneView = z
  .object({
    id: MilestoneId,
    contractId: ContractId,
    name: z.string(),
    destination: z.string(),
    quantity: z.number().nullable(),
    plannedDate: z.string(),
    committedDate: z.string().nullable(),
    actualDate: z.string().nullable(),
    supplier: z.string().nullable().meta({ description: "Internal: never shown in the portal" }),
    costMinor: z.number().nullable().meta({ description: "Internal: never shown in the portal" }),
    internalNote: z.string().nullable().meta({
      description: "Internal: never shown in the portal; null on a masked copy",
    }),
    updatedAt: z.string(),
  })
  .meta({ id: "Milestone" });
export type MilestoneView = z.infer<typeof MilestoneView>;

export const InvoiceView = z
  .object({
    id: InvoiceId,
    contractId: ContractId,
    number: z.string(),
    amount: Money,
    issuedAt: z.string(),
    dueDate: z.string(),
    status: InvoiceStatus.meta({
      description:
        "Derived: confirmed payments of the contract pay its invoices in due-date order. `overdue` (unpaid after its due date, UTC) only on reads; a write's answer, replayed byte for byte, says `unpaid`",
    }),
    paidAt: z.string().nullable().meta({
      description: "When the payment that completed it was received (or confirmed)",
    }),
  })
  .meta({ id: "Invoice" });
export type InvoiceView = z.infer<typeof InvoiceView>;

export const ContractView = z
  .object({
    id: ContractId,
    customerId: AccountId,
    title: z.string(),
    amount: Money,
    documentHash: DocumentHash,
    status: ContractStatus,
    signatures: z.array(SignatureView),
    payments: z.array(PaymentView),
    paid: Money,
    outstanding: Money,
    // A union, not .nullable(): zod-to-openapi renders a nullable $ref as allOf [$ref, null],
    // which no null can satisfy; the union is anyOf [$ref, {type: null}].
    overpaid: z.union([Money, z.null()]),
    terms: ContractTerms.meta({
      description: "What the portal shows of this contract; the defaults until terms are set",
    }),
    milestones: z.array(MilestoneView).meta({ description: "By planned date" }),
    invoices: z.array(InvoiceView).meta({ description: "By due date" }),
    ...recordTail,
  })
  .meta({ id: "Contract" });
export type ContractView = z.infer<typeof ContractView>;
