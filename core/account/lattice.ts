// Join-semilattice building blocks of the account state: every join here is commutative,
// associative and idempotent because each picks by a total order, never by arrival.
import { canonicalJson } from "../encoding.ts";

/** Last-writer-wins register: the value with the greatest HLC wins. */
export type Lww<T> = { readonly value: T; readonly hlc: string };

/** One value of a fact as carried by its earliest event. */
export type Variant<T> = { readonly value: T; readonly hlc: string; readonly eventId: string };

/**
 * Every distinct value a first-writer-wins field was given, keyed by `variantKey` of the
 * value, each at its earliest event. The earliest of all is the effective value; any
 * other is a concurrent value that a conflict record must name [LF6].
 */
export type Variants<T> = Readonly<Record<string, Variant<T>>>;

export const maxHlc = (a: string, b: string) => (a > b ? a : b);
export const minHlc = (a: string, b: string) => (a < b ? a : b);

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical order of two values. Ties are mostly duplicate deliveries of one event, whose
 * copies serialise identically; only copies that differ pay for canonical JSON.
 */
function compareValues(a: unknown, b: unknown): number {
  if (a === b || JSON.stringify(a) === JSON.stringify(b)) return 0;
  return compareStrings(canonicalJson(a), canonicalJson(b));
}

/**
 * LWW join. Equal HLCs come from one event (an HLC names its region, which ticks
 * strictly), but two copies of an event may differ (raw vs masked), so the tie is
 * broken by canonical JSON rather than by whichever copy arrived first.
 */
export function joinLww<T>(a: Lww<T>, b: Lww<T>): Lww<T> {
  if (a.hlc !== b.hlc) return a.hlc > b.hlc ? a : b;
  return compareValues(b.value, a.value) > 0 ? b : a;
}

export function joinLwwOrNull<T>(a: Lww<T> | null, b: Lww<T> | null): Lww<T> | null {
  if (a === null) return b;
  if (b === null) return a;
  return joinLww(a, b);
}

/** Total order of facts: HLC, then event id, then canonical value. */
export function compareFacts(
  a: { hlc: string; eventId: string },
  b: { hlc: string; eventId: string },
): number {
  return (
    compareStrings(a.hlc, b.hlc) || compareStrings(a.eventId, b.eventId) || compareValues(a, b)
  );
}

/** First-writer-wins join: the earlier fact in the total order. */
export function earlier<F extends { hlc: string; eventId: string }>(a: F, b: F): F {
  return compareFacts(a, b) <= 0 ? a : b;
}

export function variantKey(value: unknown): string {
  return canonicalJson(value);
}

export function variantsOf<T>(value: T, key: string, hlc: string, eventId: string): Variants<T> {
  return { [key]: { value, hlc, eventId } };
}

/** Union of two maps, joining the entries both hold. Returns an input when nothing changes. */
export function joinRecords<V>(
  a: Readonly<Record<string, V>>,
  b: Readonly<Record<string, V>>,
  join: (x: V, y: V) => V,
): Record<string, V> {
  let out: Record<string, V> | null = null;
  for (const [k, bv] of Object.entries(b)) {
    const av = Object.hasOwn(a, k) ? a[k] : undefined;
    const v = av === undefined ? bv : join(av, bv);
    if (v !== av) {
      out ??= { ...a };
      out[k] = v;
    }
  }
  return out ?? (a as Record<string, V>);
}

export function joinVariants<T>(a: Variants<T>, b: Variants<T>): Variants<T> {
  return joinRecords(a, b, earlier);
}

/** The effective (earliest) variant, or null when the field has no value yet. */
export function effective<T>(vs: Variants<T>): Variant<T> | null {
  let best: Variant<T> | null = null;
  for (const v of Object.values(vs)) best = best === null ? v : earlier(best, v);
  return best;
}

/** All variants, earliest first. */
export function sortedVariants<T>(vs: Variants<T>): Variant<T>[] {
  return Object.values(vs).sort(compareFacts);
}
