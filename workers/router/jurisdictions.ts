// Account → jurisdiction, learned in the isolate from what regions answer (customer views
// carry `residency`; a wrong-jurisdiction answer names the account's jurisdiction; a write that took effect
// proves the region's). A cache, not a source of truth: a miss or a stale entry costs at
// most one wrong-jurisdiction round trip, because the regions themselves refuse foreign writes [LF4].
// Entries are per credential scope: what one tenant's answers taught never steers another's.
import { sha256Hex } from "../../core/crypto/sha256.ts";
import { ACCOUNT_ID } from "../../core/ids.ts";
import { Lru } from "./lru.ts";

/**
 * The router does not authenticate, so "tenant" here is the credential the request carries:
 * a hash of its Authorization header (an API key or a session token belongs to one tenant).
 * Learning happens only from answers a region gave after authenticating that same
 * credential, so a forged or foreign credential learns nothing and reads nothing learned
 * under another. A tenant with several credentials warms one cache per credential.
 */
export function credentialScope(authorization: string | null | undefined): string {
  const credential = authorization?.trim();
  return credential ? sha256Hex(credential) : "anonymous";
}

/** A list page is learned from its first entries only: enough to warm the cache, bounded. */
const MAX_ITEMS_LEARNED = 200;

export class AccountJurisdictions {
  readonly #cache: Lru<string, string>;

  constructor(
    capacity: number,
    readonly known: ReadonlySet<string>,
  ) {
    this.#cache = new Lru(capacity);
  }

  get size(): number {
    return this.#cache.size;
  }

  get(scope: string, accountId: string): string | undefined {
    return this.#cache.get(`${scope} ${accountId}`);
  }

  /** Ignores ids that are not account ids and jurisdictions no configured region serves. */
  learn(scope: string, accountId: unknown, jurisdiction: unknown): boolean {
    if (typeof accountId !== "string" || !ACCOUNT_ID.test(accountId)) return false;
    if (typeof jurisdiction !== "string" || !this.known.has(jurisdiction)) return false;
    this.#cache.set(`${scope} ${accountId}`, jurisdiction);
    return true;
  }

  /** Learns from a customer view (`{ id, residency }`) or a page of them (`{ items }`). */
  learnFromCustomers(scope: string, body: unknown): number {
    if (!isObject(body)) return 0;
    const views = Array.isArray(body.items) ? body.items.slice(0, MAX_ITEMS_LEARNED) : [body];
    let learned = 0;
    for (const view of views) {
      if (isObject(view) && this.learn(scope, view.id, view.residency)) learned++;
    }
    return learned;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
