// Domain events: the facts an AccountDO journals and, later, replicates. The envelope is
// versioned (`v`) because events cross regions and outlive the code that wrote them.
import { z } from "zod";
import { SHA256_HEX } from "./crypto/sha256.ts";
import { Money } from "./money.ts";
import { Party, Residency, StoredContact, StoredSigner, Tier } from "./schemas.ts";

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
]);
export type EventData = z.infer<typeof EventData>;
export type EventType = EventData["type"];

export const Actor = z.object({ kind: z.enum(["apiKey", "user", "system"]), id: z.string() });
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
