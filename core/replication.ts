// What crosses between regions, decided in one pure place [LF4][LF8]: the versioned batch
// envelope, which events leave masked (per event, from the origin's and the receiver's
// jurisdictions — never from a merged residency field alone), the audit entry of a
// cross-border transfer, and the checks a receiver runs on every event it is given.
//
// Why per event and by origin: a region accepts writes only for accounts of its own
// jurisdiction, so an event's data belongs to the jurisdiction of the region that wrote
// it (`event.region`). The account's residency is a mergeable field that a conflicting
// write can flip; the origin of an event cannot change. Masking when either says "abroad"
// errs towards masking.
import { z } from "zod";
import { hmacSha256Hex, timingSafeEqual } from "./crypto/hmac.ts";
import { type DomainEvent, EventEnvelopeV1 } from "./events.ts";
import { decodeHlc, isHlc } from "./hlc.ts";
import { ACCOUNT_ID, accountOf } from "./ids.ts";
import { type LedgerShare, shareableLedger } from "./ledger-share.ts";
import type { PlantedBugs } from "./planted-bugs.ts";
import { RegionName } from "./sovereignty/jurisdiction.ts";
import { type MaskedField, maskEvent, unmaskedFields } from "./sovereignty/mask.ts";
import type { FieldPolicy } from "./sovereignty/policy.ts";

export { hmacSha256Hex } from "./crypto/hmac.ts";

/** Events per batch: bounds a receiver's work and memory per request. */
export const MAX_BATCH_EVENTS = 256;
/** How far ahead of the receiver's clock an event's HLC may be before it is quarantined. */
export const DEFAULT_MAX_EVENT_SKEW_MS = 5 * 60 * 1000;

/**
 * The envelope is checked as a whole (who sends, to whom, how many); each event inside is
 * checked on its own by `checkRemoteEvent`, so one malformed event is quarantined without
 * failing the rest of its batch (no poison pill).
 */
export const ReplicationBatchV1 = z
  .object({
    v: z.literal(1),
    from: RegionName,
    to: RegionName,
    sentAt: z.iso.datetime({ offset: true }),
    events: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS),
    /** Ids of events the sender forwards on behalf of their origin (`event.region`). */
    forwarded: z.array(z.string().max(200)).max(MAX_BATCH_EVENTS).optional(),
    /**
     * Idempotency ledger entries of the writes these events made (core/ledger-share.ts):
     * only between regions of one jurisdiction; each checked on its own by the receiver.
     */
    ledger: z.array(z.unknown()).max(MAX_BATCH_EVENTS).optional(),
    /** Informational only, from older builds: receivers check every event's fields instead. */
    masked: z.boolean().optional(),
  })
  .refine((b) => b.from !== b.to, {
    message: "a region does not replicate to itself",
    path: ["to"],
  })
  .meta({ id: "ReplicationBatchV1" });
export type ReplicationBatchV1 = z.infer<typeof ReplicationBatchV1>;

/** A batch as a sender builds it: events already masked for the receiver. */
export type OutgoingBatch = Omit<ReplicationBatchV1, "events"> & { events: DomainEvent[] };

/** Signature of a body sent at `timestampMs`: binding the time bounds replay of a captured body. */
export function batchSignature(key: string, timestampMs: number, body: string): string {
  return hmacSha256Hex(key, `${timestampMs}.${body}`);
}

export function verifyBatchSignature(
  key: string,
  timestampMs: number,
  body: string,
  signature: string,
): boolean {
  return timingSafeEqual(batchSignature(key, timestampMs, body), signature);
}

// --- Sending -------------------------------------------------------------------------

export type JurisdictionLookup = (region: string) => string | null;

/**
 * Whether `event` must leave for `to` masked: when the receiver is outside the jurisdiction
 * the event was written in, or outside the account's residency as the sender knows it.
 */
export function mustMask(
  event: DomainEvent,
  to: string,
  jurisdictionOf: JurisdictionLookup,
  residency: string | null,
): boolean {
  const receiver = jurisdictionOf(to);
  if (receiver === null) return true;
  if (jurisdictionOf(event.region) !== receiver) return true;
  return residency !== null && residency !== receiver;
}

export type CrossBorderAudit = {
  /** Idempotency key of the audit entry: a retried batch is one entry. */
  key: string;
  kind: "cross-border-transfer";
  detail: {
    tenantId: string;
    accountId: string;
    from: string;
    to: string;
    toJurisdiction: string | null;
    eventIds: string[];
    maskedFields: MaskedField[];
  };
};

export type OutgoingInput = {
  from: string;
  to: string;
  sentAt: string;
  /** The account's events as journaled here, oldest first. */
  events: readonly DomainEvent[];
  jurisdictionOf: JurisdictionLookup;
  /** The account's residency as this region knows it (null: not yet known). */
  residency: string | null;
  policy: FieldPolicy;
  /** Key of `hash` field rules: the sender's jurisdiction's, which no foreign region holds. */
  hashKey: string;
  /** Ledger entries of this account's writes; shared only with peers of the jurisdiction. */
  ledger?: readonly LedgerShare[];
  /** Deliberate defects for the simulator and local drills (core/planted-bugs.ts). */
  plantedBugs?: PlantedBugs;
};

export type Outgoing = { batch: OutgoingBatch | null; audit: CrossBorderAudit | null };

/**
 * The batch `from` sends `to`, and the audit entry it owes when anything in it left its
 * jurisdiction. Events the sender holds only masked (written abroad) are never forwarded:
 * a masked copy is not the sender's to pass on. Null batch: nothing may be sent.
 */
export function outgoingBatch(input: OutgoingInput): Outgoing {
  const { from, to, jurisdictionOf } = input;
  const own = jurisdictionOf(from);
  const sendable = input.events.filter(
    (e) => e.region === from || (e.region !== to && jurisdictionOf(e.region) === own),
  );
  if (sendable.length === 0) return { batch: null, audit: null };
  const maskedFields = new Set<MaskedField>();
  const crossing: string[] = [];
  const shipUnmasked = input.plantedBugs?.has("ship-unmasked") ?? false;
  const events = sendable.map((e) => {
    if (!mustMask(e, to, jurisdictionOf, input.residency)) return e;
    const r = maskEvent(e, input.policy, { hashKey: input.hashKey });
    for (const f of r.maskedFields) maskedFields.add(f);
    crossing.push(e.id);
    // PLANTED BUG: the event crosses the border as it is, audited as if masked.
    return shipUnmasked ? e : r.event;
  });
  const forwarded = sendable.filter((e) => e.region !== from).map((e) => e.id);
  const ledger = shareableLedger(input.ledger ?? [], sendable, from, jurisdictionOf(to) === own);
  const batch: OutgoingBatch = {
    v: 1,
    from,
    to,
    sentAt: input.sentAt,
    events,
    ...(forwarded.length > 0 ? { forwarded } : {}),
    ...(ledger.length > 0 ? { ledger } : {}),
  };
  const first = sendable[0]!;
  const audit: CrossBorderAudit | null =
    crossing.length === 0
      ? null
      : {
          key: `transfer:${to}:${crossing.join(",")}`,
          kind: "cross-border-transfer",
          detail: {
            tenantId: first.tenantId,
            accountId: first.accountId,
            from,
            to,
            toJurisdiction: jurisdictionOf(to),
            eventIds: crossing,
            maskedFields: [...maskedFields].sort(),
          },
        };
  return { batch, audit };
}

// --- Receiving -----------------------------------------------------------------------

export type EventRule =
  | "schema"
  | "hlc"
  | "id"
  | "foreign-id"
  | "origin"
  | "tenant"
  | "clock-skew"
  | "unmasked";

export type EventCheckContext = {
  /** The batch's sender and receiver (`to` is this region). */
  from: string;
  to: string;
  /** Event ids the sender declared as forwards. */
  forwarded: ReadonlySet<string>;
  jurisdictionOf: JurisdictionLookup;
  tenantKnown: (tenantId: string) => boolean;
  /** The tenant's field policy here (a known tenant). */
  policyOf: (tenantId: string) => FieldPolicy;
  nowMs: number;
  maxSkewMs: number;
};

export type EventVerdict =
  | { ok: true; event: DomainEvent }
  | {
      ok: false;
      rule: EventRule;
      reason: string;
      /** What could be read off the event, so an operator can find and redrive it. */
      tenantId: string | null;
      eventId: string | null;
    };

const stringAt = (raw: unknown, key: string): string | null => {
  if (typeof raw !== "object" || raw === null || !Object.hasOwn(raw, key)) return null;
  const v = (raw as Record<string, unknown>)[key];
  return typeof v === "string" ? v.slice(0, 200) : null;
};

/**
 * Every rule an event from a peer must pass before any AccountDO sees it [LF8]: the
 * versioned schema, a well-formed HLC stamped by its origin, an id that names its own
 * account and clock, ids in its data that belong to its account, an origin consistent
 * with the batch (or a declared forward from the origin's jurisdiction), a tenant known
 * here, a clock at most `maxSkewMs` ahead, and — from abroad — every restricted field in
 * masked form [LF4].
 */
export function checkRemoteEvent(raw: unknown, ctx: EventCheckContext): EventVerdict {
  const tenantId = stringAt(raw, "tenantId");
  const eventId = stringAt(raw, "id");
  const fail = (rule: EventRule, reason: string): EventVerdict => ({
    ok: false,
    rule,
    reason,
    tenantId,
    eventId,
  });
  const parsed = EventEnvelopeV1.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail("schema", `${issue?.path.join(".") || "event"}: ${issue?.message ?? "invalid"}`);
  }
  const event = parsed.data;
  if (!isHlc(event.hlc)) return fail("hlc", "hlc is not an HLC timestamp");
  const hlc = decodeHlc(event.hlc);
  if (hlc.region !== event.region) return fail("hlc", "hlc names another region than the event");
  if (!ACCOUNT_ID.test(event.accountId)) return fail("id", "accountId is not an account id");
  if (event.id !== `evt_${event.accountId.slice(4)}_${event.hlc}`)
    return fail("id", "id does not name the event's account and clock");
  const data = event.data;
  const ids = [
    "contractId" in data ? data.contractId : null,
    "paymentId" in data ? data.paymentId : null,
    "invoiceId" in data ? data.invoiceId : null,
    "serviceRequestId" in data ? data.serviceRequestId : null,
    "changeRequestId" in data ? data.changeRequestId : null,
  ];
  for (const id of ids) {
    if (id !== null && accountOf(id) !== event.accountId)
      return fail("foreign-id", `${id} does not belong to ${event.accountId}`);
  }
  const origin = ctx.jurisdictionOf(event.region);
  if (origin === null) return fail("origin", `${event.region} is not a known region`);
  if (event.region === ctx.to) return fail("origin", "an event written here came back from a peer");
  if (event.region !== ctx.from) {
    if (!ctx.forwarded.has(event.id))
      return fail("origin", `written in ${event.region}, sent by ${ctx.from} without a forward`);
    if (ctx.jurisdictionOf(ctx.from) !== origin)
      return fail("origin", `${ctx.from} cannot forward what ${event.region} wrote`);
  }
  if (!ctx.tenantKnown(event.tenantId)) return fail("tenant", "tenant unknown in this region");
  if (hlc.wallMs > ctx.nowMs + ctx.maxSkewMs)
    return fail("clock-skew", `clock ${hlc.wallMs - ctx.nowMs} ms ahead of this region`);
  if (origin !== ctx.jurisdictionOf(ctx.to)) {
    const raw = unmaskedFields(event, ctx.policyOf(event.tenantId));
    if (raw.length > 0) return fail("unmasked", `arrived from abroad unmasked: ${raw.join(", ")}`);
  }
  return { ok: true, event };
}
