// Identity rules (DESIGN §3): ids are derived, never drawn at random before the
// idempotency ledger is consulted, and contract/payment ids embed their account id so
// every write reaches its AccountDO without a lookup [LF5]. An id a foreign region holds
// never undoes masking: ids from personal data are keyed per jurisdiction [LF4].
import { hmacSha256 } from "./crypto/hmac.ts";
import { sha256 } from "./crypto/sha256.ts";
import { base32 } from "./encoding.ts";

const BODY = "[0-9A-HJKMNP-TV-Z]";
export const ACCOUNT_ID = new RegExp(`^acc_(${BODY}{26})$`);
export const CONTRACT_ID = new RegExp(`^ctr_(${BODY}{26})_(${BODY}{16})$`);
export const PAYMENT_ID = new RegExp(`^pay_(${BODY}{26})_(${BODY}{16})$`);
/** Invoices, service requests and change requests route like contracts: by their account. */
export const INVOICE_ID = new RegExp(`^inv_(${BODY}{26})_(${BODY}{16})$`);
export const SERVICE_REQUEST_ID = new RegExp(`^srv_(${BODY}{26})_(${BODY}{16})$`);
export const CHANGE_REQUEST_ID = new RegExp(`^chg_(${BODY}{26})_(${BODY}{16})$`);
/** A ULID, the form a client (e.g. the offline PWA) uses for ids it mints itself. */
export const ULID = new RegExp(`^${BODY}{26}$`);
/**
 * A customer's portal user: `pus_` and a ULID-shaped body. It does not embed its account
 * (a session names the account beside it); the region's directory maps one to the other.
 */
export const PORTAL_USER_ID = new RegExp(`^pus_${BODY}{26}$`);

function digest(parts: readonly string[], chars: number): string {
  // NUL-separated so ("ab","c") and ("a","bc") never collide.
  return base32(sha256(parts.join("\u0000")), chars);
}

/** Shortest per-jurisdiction key (account ids, `hash` masking) a region may run with. */
export const MIN_JURISDICTION_KEY_CHARS = 16;

function keyedDigest(key: string, parts: readonly string[], chars: number): string {
  if (key.length < MIN_JURISDICTION_KEY_CHARS)
    throw new RangeError(`a jurisdiction key needs ${MIN_JURISDICTION_KEY_CHARS}+ characters`);
  return base32(hmacSha256(key, parts.join("\u0000")), chars);
}

/** Tax ids compare without spaces, hyphens, dots or case (USCC / VAT id as typed). */
export function normalizeTaxId(taxId: string): string {
  return taxId.replace(/[\s\-.]/g, "").toUpperCase();
}

export type AccountIdSource =
  /**
   * `key`: the id key of the customer's residency jurisdiction. Every region of that
   * jurisdiction holds it (one tax id, one account, wherever it is created); no region
   * outside it does, so a foreign region cannot test tax ids against the id by dictionary.
   */
  | { kind: "taxId"; taxId: string; key: string }
  | { kind: "client"; ulid: string }
  | { kind: "idempotencyKey"; key: string };

/**
 * The account id of a customer being created. Precedence: tax id (the same customer
 * created in two regions is one account), then a client-minted ULID, then the
 * Idempotency-Key (a retry lands on the same account).
 */
export function accountIdFor(tenantId: string, source: AccountIdSource): string {
  switch (source.kind) {
    case "taxId":
      return `acc_${keyedDigest(source.key, [tenantId, "taxId", normalizeTaxId(source.taxId)], 26)}`;
    case "client":
      return `acc_${source.ulid.toUpperCase()}`;
    case "idempotencyKey":
      return `acc_${digest([tenantId, "idempotency-key", source.key], 26)}`;
  }
}

function accountBody(accountId: string): string {
  const m = ACCOUNT_ID.exec(accountId);
  if (!m) throw new RangeError(`not an account id: ${accountId}`);
  return m[1]!;
}

/** Contract id from its account and a per-account seed (client ULID or Idempotency-Key). */
export function contractIdFor(accountId: string, seed: string): string {
  return `ctr_${accountBody(accountId)}_${digest([accountId, "contract", seed], 16)}`;
}

/**
 * A bank reference as it keys a payment: compatibility-folded (NFKC: full-width
 * `ＩＣＢＣ－１` is `ICBC-1`), every white space removed (inside too: `ICBC 1` as read off
 * a slip is `ICBC1`), ASCII letters upper-cased. Idempotent.
 */
export function normalizePaymentReference(reference: string): string {
  return reference
    .normalize("NFKC")
    .replace(/\s+/gu, "")
    .replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/** Payment id from (contractId, reference): the same bank reference is the same payment. */
export function paymentIdFor(contractId: string, reference: string): string {
  const m = CONTRACT_ID.exec(contractId);
  if (!m) throw new RangeError(`not a contract id: ${contractId}`);
  const ref = normalizePaymentReference(reference);
  return `pay_${m[1]}_${digest([contractId, "payment", ref], 16)}`;
}

/**
 * An invoice id from (contractId, invoice number): like a bank reference for a payment, the
 * number is the natural key, so the same invoice issued again anywhere is the same invoice.
 * The number is compared as a payment reference is (NFKC, no white space, upper case).
 */
export function invoiceIdFor(contractId: string, invoiceNumber: string): string {
  const m = CONTRACT_ID.exec(contractId);
  if (!m) throw new RangeError(`not a contract id: ${contractId}`);
  const number = normalizePaymentReference(invoiceNumber);
  return `inv_${m[1]}_${digest([contractId, "invoice", number], 16)}`;
}

/** Service request id from its account and a seed (client ULID or Idempotency-Key). */
export function serviceRequestIdFor(accountId: string, seed: string): string {
  return `srv_${accountBody(accountId)}_${digest([accountId, "service-request", seed], 16)}`;
}

/**
 * Change request id from its account and a seed (client ULID or Idempotency-Key): a retry
 * lands on the same change request, and the id routes to its AccountDO without a lookup.
 */
export function changeRequestIdFor(accountId: string, seed: string): string {
  return `chg_${accountBody(accountId)}_${digest([accountId, "change-request", seed], 16)}`;
}

/**
 * A portal user's id from its account and e-mail (lower-cased): the same person invited to
 * the same account again, or at once in two regions, is the same user, whose invitations
 * then merge (LWW) instead of making two users with one e-mail. Keyed with the
 * jurisdiction's account id key like tax ids: the id crosses borders, the e-mail does not,
 * and a foreign region must not test e-mail guesses against it [LF4].
 */
export function portalUserIdFor(accountId: string, email: string, key: string): string {
  accountBody(accountId);
  return `pus_${keyedDigest(key, [accountId, "portal-user", email.trim().toLowerCase()], 26)}`;
}

const ACCOUNT_SCOPED = [CONTRACT_ID, PAYMENT_ID, INVOICE_ID, SERVICE_REQUEST_ID, CHANGE_REQUEST_ID];

/** The account that owns any Lifeline id, or null when the id is not one of ours. */
export function accountOf(id: string): string | null {
  if (ACCOUNT_ID.test(id)) return id;
  for (const pattern of ACCOUNT_SCOPED) {
    const m = pattern.exec(id);
    if (m) return `acc_${m[1]}`;
  }
  return null;
}

/**
 * Call insights are regional records (the transcript never leaves the region that analysed
 * it, and its suggestions are stored there only), so an insight id names its region:
 * `ins_<region>_<32 hex>`. The router sends feedback to that region and nowhere else, and a
 * region that gets another's insight says where it lives instead of "not found".
 * `ins_<32 hex>` ids from before carry no region.
 */
export const INSIGHT_ID = /^ins_(?:([a-z0-9-]{1,32})_)?([0-9a-f]{32})$/;

export function insightIdFor(region: string, randomHex32: string): string {
  const id = `ins_${region}_${randomHex32}`;
  if (!INSIGHT_ID.test(id)) throw new RangeError(`cannot make an insight id from ${region}`);
  return id;
}

/** The region holding a record, for ids that name one (insights); null otherwise. */
export function regionOfRecord(id: string): string | null {
  return INSIGHT_ID.exec(id)?.[1] ?? null;
}
