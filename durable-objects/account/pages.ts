// Pages of one account's records as its AccountDO serves them (authoritative lists of a
// customer's service and change requests): newest first, filtered by status, at most
// `limit` per page, the next page named by the last id of this one.

/** At most this many records per page, whatever is asked. */
export const MAX_PAGE = 100;

export type PageQuery<S extends string> = {
  status?: S | undefined;
  /** The last id of the previous page; a page starts right after it. */
  after?: string | undefined;
  limit: number;
};

export type RecordPage<T> = { items: T[]; nextCursor: string | null };

/**
 * The page of `records` (newest first) after the record `after` names. A cursor that
 * names no record of this account is an empty page. Records written here later come
 * first, before any cursor; one written earlier in another region that arrives late may
 * land behind a cursor already passed, and a list read again from the start shows it.
 */
export function pageAfter<T extends { id: string; status: string }, S extends string>(
  records: readonly T[],
  { status, after, limit }: PageQuery<S>,
): RecordPage<T> {
  // The cursor is found among all records: the one it names may have changed status since.
  const start = after === undefined ? 0 : records.findIndex((r) => r.id === after) + 1;
  if (after !== undefined && start === 0) return { items: [], nextCursor: null };
  const rest = records.slice(start);
  const matching = status === undefined ? rest : rest.filter((r) => r.status === status);
  const size = Math.max(1, Math.min(limit, MAX_PAGE));
  const items = matching.slice(0, size);
  return { items, nextCursor: matching.length > size ? items.at(-1)!.id : null };
}
