// The filter a query was understood as, shown back as chips the user can remove: each chip
// is one condition, labelled in the user's language, with the filter that remains without
// it (sent back as POST /v1/portal/query {filter}). The resource is the question itself and
// is not removable. Pure: the words come from a translator passed in.
import type { QueryFilter } from "./api-types.ts";
import { isKey, type Key } from "./i18n.ts";

export type Chip = { id: string; label: string; without: QueryFilter | null };

export type Words = {
  t: (key: Key, params?: Readonly<Record<string, string | number>>) => string;
  date: (iso: string) => string;
  /** An amount in MAJOR units (the filter's `amount.value`), in its currency when it names one. */
  money: (major: number, currency: string | undefined) => string;
};

/** The filter's comparison (core/nlq/filter.ts AMOUNT_OPS) as it is written for people. */
const OPS: Readonly<Record<NonNullable<QueryFilter["amount"]>["op"], string>> = {
  ">": ">",
  ">=": "≥",
  "<": "<",
  "<=": "≤",
  "=": "=",
};

/** A word from the dictionary when it has one, else the server's own. */
export function word(t: Words["t"], key: string, fallback: string): string {
  return isKey(key) ? t(key) : fallback;
}

const STATUS_KEYS: Readonly<Record<string, string>> = {
  invoice: "invoice.status.",
  delivery: "delivery.status.",
  "change-request": "cr.status.",
  "service-request": "service.status.",
  contract: "contractStatus.",
};

export function statusWord(t: Words["t"], resource: string, value: string): string {
  const prefix = STATUS_KEYS[resource] ?? "";
  const k = `${prefix}${value}`;
  return prefix && isKey(k) ? t(k) : value;
}

export function chipsOf(filter: QueryFilter, w: Words): Chip[] {
  const chips: Chip[] = [
    {
      id: "resource",
      label: word(w.t, `resource.${filter.resource}`, filter.resource),
      without: null,
    },
  ];
  const drop = (k: keyof QueryFilter): QueryFilter => {
    const { [k]: _, ...rest } = filter;
    return rest as QueryFilter;
  };
  if (filter.time) {
    const { field, from, to } = filter.time;
    const name = word(w.t, `field.${field}`, field);
    const label =
      from && to
        ? w.t("chip.time", { field: name, from: w.date(from), to: w.date(to) })
        : from
          ? w.t("chip.timeFrom", { field: name, from: w.date(from) })
          : w.t("chip.timeTo", { field: name, to: w.date(to ?? "") });
    chips.push({ id: "time", label, without: drop("time") });
  }
  if (filter.destination)
    chips.push({
      id: "destination",
      label: w.t("chip.destination", { place: filter.destination }),
      without: drop("destination"),
    });
  for (const s of filter.status ?? []) {
    const rest = (filter.status ?? []).filter((x) => x !== s);
    chips.push({
      id: `status:${s}`,
      label: statusWord(w.t, filter.resource, s),
      without: rest.length > 0 ? { ...filter, status: rest } : drop("status"),
    });
  }
  if (filter.amount)
    chips.push({
      id: "amount",
      label: w.t("chip.amount", {
        op: OPS[filter.amount.op],
        value: w.money(filter.amount.value, filter.amount.currency),
      }),
      without: drop("amount"),
    });
  if (filter.documentKind)
    chips.push({
      id: "documentKind",
      label: word(w.t, `document.kind.${filter.documentKind}`, filter.documentKind),
      without: drop("documentKind"),
    });
  if (filter.contractId)
    chips.push({
      id: "contractId",
      label: w.t("chip.order", { ref: filter.contractId.slice(-6).toUpperCase() }),
      without: drop("contractId"),
    });
  return chips;
}
