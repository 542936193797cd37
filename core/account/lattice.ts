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

/**
 * How much of a ranked grow-only map a bounded join keeps: at most `keep` entries, those of
 * highest rank, and of them only the ones ranked less than `span` below the highest present.
 */
export type Horizon = { readonly keep: number; readonly span: number };

/**
 * The entries of `m` within `horizon`: sorted by rank, highest first (ties by key, so the
 * order is total), the first `keep` of those ranked above `max − span`. A function of the
 * entries alone, so replicas holding the same entries keep the same ones.
 */
export function newestOf<V>(
  m: Readonly<Record<string, V>>,
  rankOf: (key: string, value: V) => number,
  horizon: Horizon,
): Record<string, V> {
  const ranked = Object.entries(m).map(([k, v]) => ({ k, v, rank: rankOf(k, v) }));
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const { rank } of ranked) {
    if (rank > max) max = rank;
    if (rank < min) min = rank;
  }
  const floor = max - horizon.span;
  if (ranked.length <= horizon.keep && min > floor) return m as Record<string, V>;
  ranked.sort((x, y) => y.rank - x.rank || compareStrings(x.k, y.k));
  const out: Record<string, V> = {};
  for (const { k, v, rank } of ranked.slice(0, horizon.keep)) if (rank > floor) out[k] = v;
  return out;
}

/**
 * The join of two bounded grow-only maps: the keyed union (entries both hold joined by
 * `join`), cut to `horizon` by `newestOf`. On maps within the horizon it is a semilattice,
 * and join(a, b) = newestOf(union of every fact a and b were built from): the state stays
 * bounded and is still a function of the set of facts [LF3]. Why, with f = newestOf:
 *
 * 0. `join(x, y)` must return x or y whole, and the higher-ranked when their ranks differ:
 *    a key's rank in a union is then the highest of its copies', with that copy's value.
 * 1. What f(A) drops, f(A ∪ B) drops. An entry of A dropped for its rank lies at or below
 *    max(A) − span ≤ max(A ∪ B) − span; one dropped for `keep` has `keep` entries of A
 *    above it, all kept by f(A), and they stay above it in A ∪ B. Either way its key can
 *    be in f(A ∪ B) only with a copy from B that ranks higher, and f(A) ∪ B holds that copy.
 * 2. So f(A ∪ B) is in f(A) ∪ B with the same values, and every other entry of f(A) ∪ B
 *    ranks no higher than in A ∪ B. The top entry (hence the floor) is the same, and the
 *    entries f(A ∪ B) kept still come first: f(f(A) ∪ B) = f(A ∪ B).
 * 3. Hence commutative and idempotent as the union is, and associative: both groupings of
 *    three equal f(A ∪ B ∪ C).
 *
 * Dropping by a fixed date instead ("older than 60 days ago") would not do: which entries
 * remain would depend on when each replica merged, not on the facts alone.
 */
export function joinNewest<V>(
  a: Readonly<Record<string, V>>,
  b: Readonly<Record<string, V>>,
  join: (x: V, y: V) => V,
  rankOf: (key: string, value: V) => number,
  horizon: Horizon,
): Record<string, V> {
  const union = joinRecords(a, b, join);
  // `a` unchanged is `a` within its horizon already: every state is built by this join.
  return union === a ? union : newestOf(union, rankOf, horizon);
}
