// The portal's dictionaries stay in step: same keys, same placeholders, in both languages;
// and every word the server's vocabulary (core/) can send has a translation.
import { expect, test } from "vitest";
import { TIME_FIELDS } from "../../../core/nlq/filter.ts";
import {
  CHANGE_KINDS,
  CHANGE_STATUSES,
  CONTRACT_STAGES,
  DELIVERY_STATUSES,
  DOCUMENT_KINDS,
  INVOICE_STATUSES,
  PORTAL_RESOURCES,
  SERVICE_STATUSES,
} from "../../../core/portal/model.ts";
import { ContractStatus, Severity } from "../../../core/schemas.ts";
import { DICTIONARIES, isKey, pickLang } from "./i18n.ts";

test("both languages have every message, with the same placeholders", () => {
  const en = DICTIONARIES.en;
  const zh = DICTIONARIES["zh-CN"];
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(en) as Array<keyof typeof en>)
    expect(holes(zh[k]), k).toEqual(holes(en[k]));
});

test("every value of the server's vocabulary has a word (no raw enum shown to a customer)", () => {
  const keys = [
    ...PORTAL_RESOURCES.map((r) => `resource.${r}`),
    ...CONTRACT_STAGES.map((v) => `stage.${v}`),
    ...ContractStatus.options.map((v) => `contractStatus.${v}`),
    ...DELIVERY_STATUSES.map((v) => `delivery.status.${v}`),
    ...INVOICE_STATUSES.map((v) => `invoice.status.${v}`),
    ...DOCUMENT_KINDS.map((v) => `document.kind.${v}`),
    ...SERVICE_STATUSES.map((v) => `service.status.${v}`),
    ...Severity.options.map((v) => `service.severity.${v}`),
    ...CHANGE_KINDS.map((v) => `cr.kind.${v}`),
    ...CHANGE_STATUSES.map((v) => `cr.status.${v}`),
    ...TIME_FIELDS.map((f) => `field.${f}`),
  ];
  expect(keys.filter((k) => !isKey(k))).toEqual([]);
});

test("the browser's language picks zh-CN for any zh tag, else en", () => {
  expect(pickLang(["zh-HK"])).toBe("zh-CN");
  expect(pickLang(["fr", "en-US"])).toBe("en");
  expect(pickLang([])).toBe("en");
});
