// Domain events: the facts an AccountDO journals and, later, replicates. The envelope is
// versioned (`v`) because events cross regions and outlive the code that wrote them.
import { z } from "zod";
import { SHA256_HEX } from "./crypto/sha256.ts";
import { INSIGHT_ID, PORTAL_USER_ID } from "./ids.ts";
import { Money } from "./money.ts";
import { ChangeKind, Department } from "./portal/model.ts";
import {
  ChangeDecision,
  ChecklistStatus,
  IsoDate,
  MAX_REQUESTED_ENTRIES,
  MilestoneId,
  Party,
  Residency,
  Severity,
  SlaMark,
  StoredContact,
  StoredSigner,
  Tier,
} from "./schemas.ts";

/**
 * Utterances one call's sentiment may be the mean of: looser than what insights analyse
 * (core/insights MAX_UTTERANCES), so an event of a build that analyses longer calls still merges.
 */
export const MAX_CALL_UTTERANCES = 10_000;

/** A file of this jurisdiction's object stores; events never carry one abroad (mask.ts). */
const StoredFileRef = z.object({ sha256: z.string().regex(SHA256_HEX) });

export const EventData = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("customer.created"),
    name: z.string(),
    taxId: z.string().nullable(),
    residency: Residency,
    tier: Tier,
    contacts: z.array(StoredContact),
    /** The owning rep at creation; absent when none was named (and on events before owners). */
    ownerId: z.string().optional(),
  }),
  /** An admin's reassignment; who did it and when are the envelope's actor and HLC. */
  z.object({ type: z.literal("customer.owner-assigned"), ownerId: z.string() }),
  z.object({
    type: z.literal("contract.drafted"),
    contractId: z.string(),
    title: z.string(),
    amount: Money,
    documentHash: z.string(),
  }),
  z.object({ type: z.literal("contract.sent"), contractId: z.string(), documentHash: z.string() }),
  z.object({
    type: z.literal("contract.signed"),
    contractId: z.string(),
    party: Party,
    signer: StoredSigner,
    documentHash: z.string(),
    image: StoredFileRef.optional(),
  }),
  z.object({
    type: z.literal("payment.confirmed"),
    paymentId: z.string(),
    contractId: z.string(),
    reference: z.string(),
    amount: Money,
    receivedAt: z.string().nullable(),
    voucher: StoredFileRef.optional(),
  }),
  // --- Delivery and service facts (DESIGN §11). Fields marked "withheld abroad" are free
  // text that may name the customer's people; a masked copy carries none (mask.ts).
  /** The portal terms of a contract: an LWW register; absent means DEFAULT_TERMS. */
  z.object({
    type: z.literal("contract.terms-set"),
    contractId: z.string(),
    terms: z.object({
      deliveryTracking: z.boolean(),
      documentSharing: z.boolean(),
      paymentVisibility: z.boolean(),
      changeRequests: z.boolean(),
    }),
  }),
  /** One delivery milestone as a whole: an LWW register per (contract, milestone). */
  z.object({
    type: z.literal("delivery.milestone-set"),
    contractId: z.string(),
    milestoneId: MilestoneId,
    name: z.string(),
    /** A place (a warehouse, a site), not a person: it crosses borders as it is. */
    destination: z.string(),
    quantity: z.number().optional(),
    plannedDate: z.string(),
    committedDate: z.string().nullable(),
    actualDate: z.string().nullable(),
    /** Internal staff facts: never shown in the portal (its policy filters them). */
    supplier: z.string().optional(),
    costMinor: z.number().optional(),
    /** Internal, withheld abroad. */
    internalNote: z.string().optional(),
  }),
  /** Grow-only by invoice id; the same id with another amount or due date is a conflict [LF6]. */
  z.object({
    type: z.literal("invoice.issued"),
    contractId: z.string(),
    invoiceId: z.string(),
    /** The invoice's number as issued (its natural key, normalised). */
    number: z.string(),
    amount: Money,
    issuedAt: z.string(),
    dueDate: z.string(),
  }),
  z.object({
    type: z.literal("service.opened"),
    serviceRequestId: z.string(),
    contractId: z.string().nullable(),
    /** Withheld abroad. */
    title: z.string().optional(),
    severity: Severity,
    openedAt: z.string(),
    /** Internal, withheld abroad. */
    internalNote: z.string().optional(),
  }),
  z.object({
    type: z.literal("service.resolved"),
    serviceRequestId: z.string(),
    resolvedAt: z.string(),
    /** Withheld abroad. */
    resolution: z.string().optional(),
  }),
  z.object({
    type: z.literal("change.filed"),
    changeRequestId: z.string(),
    contractId: z.string(),
    kind: ChangeKind,
    /** The customer's words: withheld abroad. */
    summary: z.string().optional(),
    /** What the customer asks for (an address, a contact, a date…): withheld abroad. */
    requested: z
      .record(z.string().max(64), z.string().max(1_000))
      .refine((r) => Object.keys(r).length <= MAX_REQUESTED_ENTRIES)
      .optional(),
    filedAt: z.string(),
    /** The portal user (or staff user) who filed it: an opaque id. */
    filedBy: z.string(),
    /** The customer's tier when filed: what the SLA was computed for. */
    tier: Tier,
    slaDueAt: z.string(),
    slaWarnAt: z.string(),
  }),
  /** One department's impact check: an LWW register per (change request, department). */
  z.object({
    type: z.literal("change.checklist-set"),
    changeRequestId: z.string(),
    department: Department,
    status: ChecklistStatus,
    /** Internal, withheld abroad. */
    note: z.string().optional(),
  }),
  /** The first answer by HLC holds; a different concurrent one is a conflict record [LF6]. */
  z.object({
    type: z.literal("change.answered"),
    changeRequestId: z.string(),
    feasible: z.boolean(),
    newCommittedDate: z.string().nullable(),
    /** Withheld abroad. */
    message: z.string().optional(),
    answeredBy: z.string(),
    answeredAt: z.string(),
  }),
  /** The customer's decision on the answer; the first by HLC holds. */
  z.object({
    type: z.literal("change.responded"),
    changeRequestId: z.string(),
    decision: ChangeDecision,
    respondedBy: z.string(),
    respondedAt: z.string(),
  }),
  z.object({
    type: z.literal("change.withdrawn"),
    changeRequestId: z.string(),
    withdrawnBy: z.string(),
    withdrawnAt: z.string(),
  }),
  /** The SLA clock passed a mark on an unanswered change request: counted once per mark. */
  z.object({
    type: z.literal("change.sla-marked"),
    changeRequestId: z.string(),
    mark: SlaMark,
    at: z.string(),
  }),
  // --- Customer portal users (DESIGN §11, §12): personal data of the customer, so they
  // replicate like the account (full inside its jurisdiction, masked abroad). Fields marked
  // "withheld abroad" are optional only so that a masked copy can leave them out: every
  // event a region of the jurisdiction writes carries them (decide.ts).
  /** An invitation; invited again (a password reset), the later invitation replaces it (LWW). */
  z.object({
    type: z.literal("portal-user.invited"),
    userId: z.string().regex(PORTAL_USER_ID),
    /** Lower-cased; withheld abroad. */
    email: z.string().max(254).optional(),
    /** Withheld abroad. */
    name: z.string().max(200).optional(),
    /** SHA-256 (hex) of the invitation's one-time code; the code itself is never stored. Withheld abroad. */
    invitationHash: z.string().regex(SHA256_HEX).optional(),
    invitationExpiresAt: z.string(),
  }),
  /** The invitation named by its hash accepted with a password: the latest activation holds. */
  z.object({
    type: z.literal("portal-user.activated"),
    userId: z.string().regex(PORTAL_USER_ID),
    /** Which invitation this consumed. Withheld abroad. */
    invitationHash: z.string().regex(SHA256_HEX).optional(),
    /** The PBKDF2 hash the credentials worker computed. Withheld abroad. */
    passwordHash: z.string().max(512).optional(),
  }),
  /** Disabled (or enabled again): an LWW register. */
  z.object({
    type: z.literal("portal-user.disabled"),
    userId: z.string().regex(PORTAL_USER_ID),
    disabled: z.boolean(),
  }),
  /**
   * The user used the portal on `day` (a date in the account's jurisdiction's time zone):
   * a grow-only set of days per user, noted at most once a day. Crosses borders as it is:
   * an opaque id and a date, as a disabled flag does (mask.ts).
   */
  z.object({
    type: z.literal("portal-user.active"),
    userId: z.string().regex(PORTAL_USER_ID),
    day: IsoDate,
  }),
  // --- Call sentiment (DESIGN §7, §11): what insights inferred of a call with the customer,
  // as one number. Grow-only by insight, bounded (engagement.ts); never any of the call's words.
  z.object({
    type: z.literal("call.sentiment-recorded"),
    insightId: z.string().regex(INSIGHT_ID),
    /** When the call was analysed. */
    at: z.iso.datetime({ offset: true }),
    /**
     * SHA-256 of the call's canonical transcript (engagement.ts `transcriptHash`): the same
     * call analysed again records nothing, and counts once if two regions recorded it.
     * Withheld abroad like the score: a hash of a short transcript confirms a guess (mask.ts).
     */
    transcriptHash: z.string().regex(SHA256_HEX).optional(),
    /**
     * Mean over the customer's utterances that have a sentiment of +p (positive), −p
     * (negative) or 0 (neutral), p the model's probability. Withheld abroad: it is an
     * inference about how the customer's people felt (mask.ts).
     */
    score: z.number().min(-1).max(1).optional(),
    /** How many of the customer's utterances it is the mean of. */
    utterances: z.int().min(1).max(MAX_CALL_UTTERANCES),
  }),
]);
export type EventData = z.infer<typeof EventData>;
export type EventType = EventData["type"];

/** Who wrote an event: an integrator key, a staff user, a customer's portal user, or the system. */
export const Actor = z.object({
  kind: z.enum(["apiKey", "user", "portal", "system"]),
  id: z.string(),
});
export type Actor = z.infer<typeof Actor>;

export const EventEnvelopeV1 = z.object({
  v: z.literal(1),
  id: z.string(),
  tenantId: z.string(),
  accountId: z.string(),
  /** Encoded HLC of the event; also its position in the account's total order. */
  hlc: z.string(),
  region: z.string(),
  actor: Actor,
  data: EventData,
});
export type DomainEvent = z.infer<typeof EventEnvelopeV1>;
