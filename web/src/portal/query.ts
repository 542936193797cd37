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
  money: (value: number, currency: string | undefined) => string;
};

const OPS: Readonly<Record<string, string>> = {
  gt: ">",
  ">": ">",
  gte: "≥",
  ">=": "≥",
  lt: "<",
  "<": "<",
  lte: "≤",
  "<=": "≤",
  eq: "=",
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
  contract: "stage.",
};

export function statusWord(t: Words["t"], resource: string, value: string): string {
  const prefix = STATUS_KEYS[resource] ?? "";
  const k = `${prefix}${value}`;
  if (prefix && isKey(k)) return t(k);
  return resource === "contract" ? word(t, `contractStatus.${value}`, value) : value;
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
  if (filter.time)
    chips.push({
      id: "time",
      label: w.t("chip.time", {
        field: word(w.t, `field.${filter.time.field}`, filter.time.field),
        from: w.date(filter.time.from),
        to: w.date(filter.time.to),
      }),
      without: drop("time"),
    });
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
        op: OPS[filter.amount.op] ?? filter.amount.op,
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
