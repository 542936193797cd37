// The masked projection of an event for a region outside the account's jurisdiction [LF4].
// Pure and deterministic (masked replicas converge with each other), idempotent, and it
// touches only restricted (and withheld: file references) fields, so a masked event still
// validates and merges.
import { hmacSha256Hex } from "../crypto/hmac.ts";
import type { DomainEvent, EventData } from "../events.ts";
import type { FieldPolicy, MaskAction, RestrictableField } from "./policy.ts";

/**
 * Fields no policy lets out: references to files in this jurisdiction's object stores
 * (voucher photos, signature stroke images). The file itself never leaves, so abroad the
 * reference could not be served anyway, and even a hash of a personal photo confirms a
 * guess ("is this the slip?"): the outside view stays minimal. A masked copy is still a
 * valid, mergeable event — the payment and the signature count abroad, without files.
 *
 * Free text about the customer's requests and service is withheld too, whatever the
 * policy: what a customer asks to change (a new address, a new contact), its summary, the
 * answer to it, a service request's title and resolution, and internal notes are written
 * by people about people, so no mask can tell the personal part from the rest. What
 * crosses is what reporting needs: kinds, statuses, dates, SLA instants, severities,
 * departments' verdicts, milestones' names and destinations (places, not people), and the
 * staff facts supplier and cost, which are the vendor's own, not the customer's.
 *
 * A customer's portal users are the customer's people: their e-mail (a login) and name
 * never leave, nor the hashes of their invitation codes and passwords (a hash of a
 * password is still a target for guessing). Abroad a portal user is an opaque id with its
 * status and dates, enough to count portal activity; nobody logs in there. The days a user
 * used the portal cross as they are: an opaque id and a date, as their status does.
 *
 * A call's sentiment score is withheld: it is an inference from the customer's people's own
 * words about how they felt, as personal as the words it came from (which never leave the
 * region that analysed them). So is the hash of its transcript, which tells re-analyses of
 * one call apart: a hash of a short transcript ("好的。") confirms a guess of its words.
 * Abroad the call is counted (when, how many utterances), and its trend can only be read in
 * the account's jurisdiction.
 */
export type WithheldField =
  | "payment.voucher"
  | "signature.image"
  | "milestone.internalNote"
  | "service.title"
  | "service.internalNote"
  | "service.resolution"
  | "change.summary"
  | "change.requested"
  | "change.checklistNote"
  | "change.answerMessage"
  | "portalUser.email"
  | "portalUser.name"
  | "portalUser.invitationHash"
  | "portalUser.passwordHash"
  | "callSentiment.score"
  | "callSentiment.transcriptHash";
/** What a masked copy left out or changed: policy fields and withheld ones. */
export type MaskedField = RestrictableField | WithheldField;

export type MaskOptions = { /** The tenant's masking key for `hash` rules. */ hashKey: string };
export type MaskResult = { event: DomainEvent; maskedFields: MaskedField[] };

export const HASH_PREFIX = "hmac-sha256:";
const STARS = "****";

/**
 * `13800138000` → `138****8000`; `+86 138 0013 8000` → `+86 138****8000`. Fewer digits
 * show fewer: 8–10 keep 2 + 2, 5–7 keep the last 2, shorter keep none. The mask width is
 * fixed, so the length is not revealed either.
 */
export function maskPhone(raw: string): string {
  if (raw.includes("*")) return raw;
  const trimmed = raw.trim();
  let digits = trimmed.replace(/\D/g, "");
  let prefix = "";
  if (trimmed.startsWith("+86")) {
    prefix = "+86 ";
    digits = digits.slice(2);
  } else if (digits.startsWith("0086")) {
    prefix = "+86 ";
    digits = digits.slice(4);
  } else if (trimmed.startsWith("+")) prefix = "+";
  const n = digits.length;
  const [head, tail] = n >= 11 ? [3, 4] : n >= 8 ? [2, 2] : n >= 5 ? [0, 2] : [0, 0];
  return `${prefix}${digits.slice(0, head)}${STARS}${digits.slice(n - tail, n)}`;
}

/** `zhang.san@example.com` → `z***@example.com`. */
export function maskEmail(raw: string): string {
  const at = raw.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${Array.from(raw.slice(0, at))[0]}***${raw.slice(at)}`;
}

/** `张三` → `张**`: the first character (code point), then a fixed-width mask. */
export function maskName(raw: string): string {
  const first = Array.from(raw.trim())[0];
  return first === undefined || first === "*" ? "**" : `${first}**`;
}

/** Keyed hash (HMAC-SHA256 with the tenant key): equal inputs still join, none can be read. */
export function keyedHash(value: string, hashKey: string): string {
  if (value.startsWith(HASH_PREFIX)) return value;
  return `${HASH_PREFIX}${hmacSha256Hex(hashKey, value)}`;
}

const MASKERS: Partial<Record<RestrictableField, (raw: string) => string>> = {
  "contact.phone": maskPhone,
  "contact.email": maskEmail,
  "signer.email": maskEmail,
};

class Masker {
  readonly fields = new Set<MaskedField>();
  constructor(
    private readonly policy: FieldPolicy,
    private readonly opts: MaskOptions,
  ) {}

  /** The value a restricted field carries out of jurisdiction; `undefined` means omitted. */
  apply(field: RestrictableField, raw: string): string | undefined {
    const rule = this.policy[field];
    if (!rule) return raw;
    this.fields.add(field);
    return this.act(rule.action, field, raw);
  }

  private act(action: MaskAction, field: RestrictableField, raw: string): string | undefined {
    switch (action) {
      case "omit":
        return undefined;
      case "hash":
        return keyedHash(raw, this.opts.hashKey);
      case "mask":
        return (MASKERS[field] ?? maskName)(raw);
    }
  }

  optional<T extends object, K extends keyof T & string>(
    obj: T,
    key: K,
    field: RestrictableField,
  ): T {
    const raw = obj[key];
    if (typeof raw !== "string") return obj;
    const out = { ...obj };
    const value = this.apply(field, raw);
    if (value === undefined) delete out[key];
    else out[key] = value as T[K];
    return out;
  }

  /** Required fields: policy validation forbids `omit`, so a value always comes back. */
  required(field: RestrictableField, raw: string): string {
    return this.apply(field, raw) ?? raw;
  }

  /** `obj` without `key`, whatever the policy (a WithheldField). */
  withhold<T extends object, K extends keyof T & string>(obj: T, key: K, field: WithheldField): T {
    if (obj[key] === undefined) return obj;
    this.fields.add(field);
    const out = { ...obj };
    delete out[key];
    return out;
  }
}

function maskData(data: EventData, m: Masker): EventData {
  switch (data.type) {
    case "customer.created": {
      const taxId = data.taxId === null ? null : (m.apply("customer.taxId", data.taxId) ?? null);
      const contacts = data.contacts.map((c) => {
        let out = { ...c, name: m.required("contact.name", c.name) };
        out = m.optional(out, "phone", "contact.phone");
        return m.optional(out, "email", "contact.email");
      });
      // `ownerId` crosses as it is: see customer.owner-assigned below.
      return { ...data, name: m.required("customer.name", data.name), taxId, contacts };
    }
    case "customer.owner-assigned":
      // Not restricted: an owner is an opaque user id of the vendor's own staff, not
      // personal data of the customer (names and e-mails of users never enter events), and
      // reporting by rep must work in every region. No field policy can name it.
      return data;
    case "contract.signed": {
      let signer = { ...data.signer, name: m.required("signer.name", data.signer.name) };
      signer = m.optional(signer, "title", "signer.title");
      signer = m.optional(signer, "email", "signer.email");
      return m.withhold({ ...data, signer }, "image", "signature.image");
    }
    case "payment.confirmed":
      return m.withhold(data, "voucher", "payment.voucher");
    case "delivery.milestone-set":
      return m.withhold(data, "internalNote", "milestone.internalNote");
    case "service.opened":
      return m.withhold(
        m.withhold(data, "title", "service.title"),
        "internalNote",
        "service.internalNote",
      );
    case "service.resolved":
      return m.withhold(data, "resolution", "service.resolution");
    case "change.filed":
      return m.withhold(
        m.withhold(data, "summary", "change.summary"),
        "requested",
        "change.requested",
      );
    case "change.checklist-set":
      return m.withhold(data, "note", "change.checklistNote");
    case "change.answered":
      return m.withhold(data, "message", "change.answerMessage");
    case "portal-user.invited": {
      const out = m.withhold(
        m.withhold(data, "email", "portalUser.email"),
        "name",
        "portalUser.name",
      );
      return m.withhold(out, "invitationHash", "portalUser.invitationHash");
    }
    case "portal-user.activated":
      return m.withhold(
        m.withhold(data, "invitationHash", "portalUser.invitationHash"),
        "passwordHash",
        "portalUser.passwordHash",
      );
    case "call.sentiment-recorded":
      return m.withhold(
        m.withhold(data, "score", "callSentiment.score"),
        "transcriptHash",
        "callSentiment.transcriptHash",
      );
    case "contract.drafted":
    case "contract.sent":
    case "contract.terms-set":
    case "invoice.issued":
    case "change.responded":
    case "change.withdrawn":
    case "change.sla-marked":
    case "portal-user.disabled":
    case "portal-user.active":
      return data;
  }
}

/**
 * The event as a region outside the account's jurisdiction may hold it, and the
 * restricted fields it carried (for the cross-border audit entry). Envelope, ids and
 * HLC are untouched, so the masked copy deduplicates and merges like the original.
 */
export function maskEvent(event: DomainEvent, policy: FieldPolicy, opts: MaskOptions): MaskResult {
  const m = new Masker(policy, opts);
  const data = maskData(event.data, m);
  return {
    event: data === event.data ? event : { ...event, data },
    maskedFields: [...m.fields].sort(),
  };
}

// --- Receiving side [LF4]: what arrives from abroad must already be in masked form. ---

/** The exact shapes the maskers above produce; anything else is raw data. */
const MASKED_SHAPES: Record<RestrictableField, RegExp> = {
  "customer.name": /^[\s\S]?\*\*$/u,
  "customer.taxId": /^[\s\S]?\*\*$/u,
  "contact.name": /^[\s\S]?\*\*$/u,
  "contact.phone": /^(?:\+86 |\+)?\d{0,3}\*{4}\d{0,4}$/,
  "contact.email": /^(?:[\s\S]\*\*\*@[^@]*|\*\*\*)$/u,
  "signer.name": /^[\s\S]?\*\*$/u,
  "signer.title": /^[\s\S]?\*\*$/u,
  "signer.email": /^(?:[\s\S]\*\*\*@[^@]*|\*\*\*)$/u,
};
const HASHED_SHAPE = /^hmac-sha256:[0-9a-f]{64}$/;

function inMaskedForm(field: RestrictableField, action: MaskAction, value: unknown): boolean {
  if (value === undefined || value === null) return true; // nothing to leak
  if (typeof value !== "string") return false;
  switch (action) {
    case "omit":
      return false;
    case "hash":
      return HASHED_SHAPE.test(value);
    case "mask":
      return MASKED_SHAPES[field].test(value);
  }
}

/**
 * The restricted fields of `event` that are NOT in the masked form `policy` prescribes:
 * empty when the event may be held outside the account's jurisdiction. A receiver runs
 * this on every event from abroad, field by field, instead of trusting a sender's flag.
 */
export function unmaskedFields(event: DomainEvent, policy: FieldPolicy): MaskedField[] {
  const bad = new Set<MaskedField>();
  const check = (field: RestrictableField, value: unknown) => {
    const rule = policy[field];
    if (rule && !inMaskedForm(field, rule.action, value)) bad.add(field);
  };
  const data = event.data;
  switch (data.type) {
    case "customer.created":
      check("customer.name", data.name);
      check("customer.taxId", data.taxId);
      for (const c of data.contacts) {
        check("contact.name", c.name);
        check("contact.phone", c.phone);
        check("contact.email", c.email);
      }
      break;
    case "contract.signed":
      check("signer.name", data.signer.name);
      check("signer.title", data.signer.title);
      check("signer.email", data.signer.email);
      if (data.image) bad.add("signature.image");
      break;
    case "payment.confirmed":
      if (data.voucher) bad.add("payment.voucher");
      break;
    case "delivery.milestone-set":
      if (data.internalNote !== undefined) bad.add("milestone.internalNote");
      break;
    case "service.opened":
      if (data.title !== undefined) bad.add("service.title");
      if (data.internalNote !== undefined) bad.add("service.internalNote");
      break;
    case "service.resolved":
      if (data.resolution !== undefined) bad.add("service.resolution");
      break;
    case "change.filed":
      if (data.summary !== undefined) bad.add("change.summary");
      if (data.requested !== undefined) bad.add("change.requested");
      break;
    case "change.checklist-set":
      if (data.note !== undefined) bad.add("change.checklistNote");
      break;
    case "change.answered":
      if (data.message !== undefined) bad.add("change.answerMessage");
      break;
    case "portal-user.invited":
      if (data.email !== undefined) bad.add("portalUser.email");
      if (data.name !== undefined) bad.add("portalUser.name");
      if (data.invitationHash !== undefined) bad.add("portalUser.invitationHash");
      break;
    case "portal-user.activated":
      if (data.invitationHash !== undefined) bad.add("portalUser.invitationHash");
      if (data.passwordHash !== undefined) bad.add("portalUser.passwordHash");
      break;
    case "call.sentiment-recorded":
      if (data.score !== undefined) bad.add("callSentiment.score");
      if (data.transcriptHash !== undefined) bad.add("callSentiment.transcriptHash");
      break;
    case "customer.owner-assigned":
    case "contract.drafted":
    case "contract.sent":
    case "contract.terms-set":
    case "invoice.issued":
    case "change.responded":
    case "change.withdrawn":
    case "change.sla-marked":
    case "portal-user.disabled":
    case "portal-user.active":
      break;
  }
  return [...bad].sort();
}
