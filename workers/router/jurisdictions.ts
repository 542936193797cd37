// Account → jurisdiction, learned in the isolate from what regions answer (customer views
// carry `residency`; a wrong-jurisdiction answer names the account's jurisdiction; a write that took effect
// proves the region's). A cache, not a source of truth: a miss or a stale entry costs at
// most one wrong-jurisdiction round trip, because the regions themselves refuse foreign writes [LF4].
import { ACCOUNT_ID } from "../../core/ids.ts";
import { Lru } from "./lru.ts";

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

  get(accountId: string): string | undefined {
    return this.#cache.get(accountId);
  }

  /** Ignores ids that are not account ids and jurisdictions no configured region serves. */
  learn(accountId: unknown, jurisdiction: unknown): boolean {
    if (typeof accountId !== "string" || !ACCOUNT_ID.test(accountId)) return false;
    if (typeof jurisdiction !== "string" || !this.known.has(jurisdiction)) return false;
    this.#cache.set(accountId, jurisdiction);
    return true;
  }

  /** Learns from a customer view (`{ id, residency }`) or a page of them (`{ items }`). */
  learnFromCustomers(body: unknown): number {
    if (!isObject(body)) return 0;
    const views = Array.isArray(body.items) ? body.items.slice(0, MAX_ITEMS_LEARNED) : [body];
    let learned = 0;
    for (const view of views) {
      if (isObject(view) && this.learn(view.id, view.residency)) learned++;
    }
    return learned;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
