// Executes a PortalFilter over records the server has ALREADY projected through the
// visibility policy (DESIGN §11: the server filters, hidden records and fields are gone).
//
// [NQ11] The result is a subset of the input: the same record objects, in input order;
// nothing is added or rewritten.
// [NQ12] No oracle: a filter may constrain only fields the projection shows. If a filter
// names a field absent from every record (the policy did not grant it, e.g. `amount` with
// payment visibility off), it is refused with `field-not-visible` instead of evaluated —
// otherwise "amount > 100k" returning nothing versus something would reveal the hidden
// amounts. A record that lacks a constrained field never matches; that depends only on
// what the policy shows, never on the hidden value.
import { minorUnitDigits } from "../money.ts";
import { localDay, parseIsoDate } from "./calendar.ts";
import type { PortalFilter } from "./filter.ts";
import { normalizeQuery } from "./spans.ts";

export type ApplyResult<T> =
  | { kind: "records"; records: T[] }
  | { kind: "refused"; refused: "field-not-visible"; field: string };

type Row = Record<string, unknown>;

/**
 * The record field each constraint reads (core/portal/fields.ts): `time` reads the field
 * it names, `documentKind` a document's `kind`, the others the field of their own name.
 */
export function constrainedFields(filter: PortalFilter): string[] {
  return [
    ...(filter.time ? [filter.time.field] : []),
    ...(filter.destination !== undefined ? ["destination"] : []),
    ...(filter.status ? ["status"] : []),
    ...(filter.amount ? ["amount"] : []),
    ...(filter.documentKind ? ["kind"] : []),
    ...(filter.contractId !== undefined ? ["contractId"] : []),
  ];
}

const own = (record: Row, field: string): unknown =>
  Object.hasOwn(record, field) ? record[field] : undefined;

/** A record's date as a local day: "YYYY-MM-DD" as is; an instant (ISO or epoch ms) in `timeZone`. */
function dayOfValue(value: unknown, timeZone: string): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? localDay(value, timeZone) : null;
  if (typeof value !== "string" || value.length > 40) return null;
  const date = parseIsoDate(value);
  if (date !== null) return date;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && value.includes("T") ? localDay(ms, timeZone) : null;
}

function amountMatches(value: unknown, amount: NonNullable<PortalFilter["amount"]>): boolean {
  if (typeof value !== "object" || value === null) return false;
  const minor = own(value as Row, "value");
  const currency = own(value as Row, "currency");
  if (typeof minor !== "number" || !Number.isSafeInteger(minor) || typeof currency !== "string")
    return false;
  if (amount.currency !== undefined && currency !== amount.currency) return false;
  // Compared in integer minor units of the record's currency: no float rounding at the edge.
  const threshold = Math.round(amount.value * 10 ** minorUnitDigits(currency));
  switch (amount.op) {
    case ">":
      return minor > threshold;
    case ">=":
      return minor >= threshold;
    case "<":
      return minor < threshold;
    case "<=":
      return minor <= threshold;
    case "=":
      return minor === threshold;
  }
}

function matches(filter: PortalFilter, record: Row, timeZone: string): boolean {
  if (filter.time) {
    const day = dayOfValue(own(record, filter.time.field), timeZone);
    if (day === null) return false;
    const from = filter.time.from === undefined ? null : parseIsoDate(filter.time.from);
    const to = filter.time.to === undefined ? null : parseIsoDate(filter.time.to);
    if ((from !== null && day < from) || (to !== null && day > to)) return false;
  }
  if (filter.destination !== undefined) {
    const destination = own(record, "destination");
    if (typeof destination !== "string") return false;
    if (normalizeQuery(destination) !== normalizeQuery(filter.destination)) return false;
  }
  if (filter.status) {
    const status = own(record, "status");
    if (typeof status !== "string" || !filter.status.includes(status)) return false;
  }
  if (filter.amount && !amountMatches(own(record, "amount"), filter.amount)) return false;
  if (filter.documentKind && own(record, "kind") !== filter.documentKind) return false;
  if (filter.contractId !== undefined && own(record, "contractId") !== filter.contractId)
    return false;
  return true;
}

/**
 * The records of `records` (one resource's list, already projected by the visibility
 * policy) that `filter` selects, or a refusal when it constrains a field none shows.
 */
export function applyFilter<T extends Row>(
  filter: PortalFilter,
  records: readonly T[],
  timeZone: string,
): ApplyResult<T> {
  if (records.length > 0) {
    for (const field of constrainedFields(filter)) {
      if (!records.some((r) => Object.hasOwn(r, field)))
        return { kind: "refused", refused: "field-not-visible", field };
    }
  }
  return { kind: "records", records: records.filter((r) => matches(filter, r, timeZone)) };
}
