// The wire contract for customers, contracts and payments: request bodies and the views
// the API returns. zod is the single source of truth; OpenAPI is generated from these.
import { z } from "zod";
import { SHA256_HEX } from "./crypto/sha256.ts";
import { ACCOUNT_ID, CONTRACT_ID, normalizePaymentReference, PAYMENT_ID, ULID } from "./ids.ts";
import { Money, PositiveMoney } from "./money.ts";
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
  ])
  .meta({
    id: "Conflict",
    description:
      "Concurrent facts no rule may silently pick between [LF6]. The state acts on the fact marked effective; a person resolves the rest.",
  });
export type ConflictView = z.infer<typeof ConflictView>;

/** How an account's records end: the conflicts they hold open, their times, the masked flag. */
const recordTail = {
  conflicts: z.array(ConflictView),
  createdAt: z.string(),
  updatedAt: z.string(),
  masked,
};

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
    ...recordTail,
  })
  .meta({ id: "Contract" });
export type ContractView = z.infer<typeof ContractView>;
