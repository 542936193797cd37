// The visibility policy, table by table: every cell of the default policy, terms gating,
// explain's reasons and the parser's refusals. Rule ids [PVn] are in ./README.md.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Tier } from "../schemas.ts";
import { classify, fieldsOf, type PortalRecords } from "./fields.ts";
import {
  CONTRACT_STAGES,
  type ContractStage,
  type ContractTerms,
  DEFAULT_TERMS,
  DOCUMENT_KINDS,
  type DocumentKind,
  PORTAL_RESOURCES,
  type PortalResource,
} from "./model.ts";
import {
  ACTION_INFO,
  can,
  contractStage,
  DEFAULT_PORTAL_POLICY,
  explain,
  grantsFor,
  MAX_RULES,
  PORTAL_ACTIONS,
  type PortalAction,
  type PortalContext,
  PortalPolicy,
  project,
  projectAll,
} from "./policy.ts";

const POLICY = DEFAULT_PORTAL_POLICY;
const ctx = (tier: Tier, stage: ContractStage, terms: Partial<ContractTerms> = {}) =>
  ({ tier, stage, terms: { ...DEFAULT_TERMS, ...terms } }) satisfies PortalContext;

/** One full record per resource: every catalogue field, internal ones included. */
const RECORDS: { [R in PortalResource]: Required<PortalRecords[R]> } = {
  contract: {
    id: "ctr_1",
    title: "Line 3 retrofit",
    status: "active",
    stage: "fulfilment",
    amount: { value: 120_000_00, currency: "CNY" },
    documentHash: "a".repeat(64),
    signedAt: "2026-01-10T08:00:00Z",
    terms: DEFAULT_TERMS,
    cost: { value: 80_000_00, currency: "CNY" },
    margin: { value: 40_000_00, currency: "CNY" },
    internalNotes: ["customer pays late"],
  },
  delivery: {
    id: "m1",
    contractId: "ctr_1",
    name: "Phase 1",
    destination: "深圳仓",
    quantity: 40,
    plannedDate: "2026-03-01",
    committedDate: "2026-03-05",
    actualDate: null,
    status: "committed",
    supplier: "Acme Castings",
    costMinor: 1_000_00,
    internalNote: "supplier is slipping",
  },
  invoice: {
    id: "inv_1",
    contractId: "ctr_1",
    number: "INV-1",
    amount: { value: 60_000_00, currency: "CNY" },
    issuedAt: "2026-01-15",
    dueDate: "2026-02-15",
    status: "unpaid",
    paidAt: null,
  },
  payment: {
    id: "pay_1",
    contractId: "ctr_1",
    reference: "INV-1",
    amount: { value: 60_000_00, currency: "CNY" },
    receivedAt: "2026-02-10",
    hasVoucher: true,
  },
  document: {
    id: "doc_1",
    contractId: "ctr_1",
    kind: "contract",
    title: "Contract",
    createdAt: "2026-01-02",
    sha256: "a".repeat(64),
  },
  "service-request": {
    id: "srv_1",
    contractId: "ctr_1",
    title: "Spindle noise",
    severity: "high",
    status: "resolved",
    openedAt: "2026-05-01T08:00:00Z",
    resolvedAt: "2026-05-01T12:00:00Z",
    resolution: "Bearing replaced",
    resolutionMs: 4 * 3_600_000,
    internalNote: "warranty claim against supplier",
    assignee: "usr_eng_7",
  },
  "change-request": {
    id: "chg_1",
    contractId: "ctr_1",
    kind: "delivery-date",
    summary: "Move phase 1",
    requested: { deliveryDate: "2026-03-20" },
    status: "answered",
    filedAt: "2026-02-01T08:00:00Z",
    slaDueAt: "2026-02-01T12:00:00Z",
    answer: {
      feasible: true,
      newCommittedDate: "2026-03-20",
      message: "Done",
      answeredAt: "2026-02-01T10:00:00Z",
    },
    respondedAt: null,
    checklist: [{ department: "supply-chain", status: "ok", note: "supplier agreed" }],
    internalNote: "costs us a rush fee",
  },
};

// The default table, written out cell by cell (shareable fields; identity ones come with
// every visible resource). Shared lists are literals, not read from the policy under test.
const CONTRACT = ["title", "status", "stage", "amount", "documentHash", "signedAt", "terms"];
const DOCS = ["kind", "title", "createdAt", "sha256"];
const DELIVERY = ["name", "destination", "plannedDate", "committedDate", "actualDate", "status"];
const INVOICE = ["number", "amount", "issuedAt", "dueDate", "status", "paidAt"];
const PAYMENT = ["reference", "amount", "receivedAt", "hasVoucher"];
const CHANGES = ["kind", "summary", "requested", "status", "filedAt", "answer", "respondedAt"];
const SERVICE = ["title", "severity", "status", "openedAt", "resolvedAt", "resolution"];
const CONTRACT_DOCS: DocumentKind[] = ["contract", "signature"];
const ALL_DOCS: DocumentKind[] = ["contract", "signature", "delivery-note", "voucher"];

type Cell = Partial<
  Record<PortalResource, { fields: string[]; actions?: PortalAction[]; kinds?: DocumentKind[] }>
>;
const DL: PortalAction[] = ["download-document"];
const proposal = (query: boolean): Cell => ({
  contract: { fields: CONTRACT, actions: query ? ["query"] : [] },
  document: { fields: DOCS, actions: DL, kinds: CONTRACT_DOCS },
});

const TABLE: [Tier, ContractStage, Cell][] = [
  ["standard", "proposal", proposal(false)],
  [
    "standard",
    "fulfilment",
    {
      contract: { fields: CONTRACT },
      document: { fields: DOCS, actions: DL, kinds: ALL_DOCS },
      delivery: { fields: DELIVERY },
      invoice: { fields: INVOICE },
      payment: { fields: PAYMENT },
      "change-request": { fields: CHANGES, actions: ["file-change-request", "respond-to-answer"] },
    },
  ],
  [
    "standard",
    "after-sales",
    {
      contract: { fields: CONTRACT },
      document: { fields: DOCS, actions: DL, kinds: ALL_DOCS },
      delivery: { fields: DELIVERY },
      invoice: { fields: INVOICE },
      payment: { fields: PAYMENT },
      "change-request": { fields: CHANGES, actions: ["respond-to-answer"] },
      "service-request": { fields: SERVICE, actions: ["open-service-request"] },
    },
  ],
  ["standard", "closed", proposal(false)],
  ["key", "proposal", proposal(true)],
  [
    "key",
    "fulfilment",
    {
      contract: { fields: CONTRACT, actions: ["query"] },
      document: { fields: DOCS, actions: DL, kinds: ALL_DOCS },
      delivery: { fields: [...DELIVERY, "quantity"] },
      invoice: { fields: INVOICE },
      payment: { fields: PAYMENT },
      "change-request": {
        fields: [...CHANGES, "slaDueAt"],
        actions: ["file-change-request", "respond-to-answer"],
      },
    },
  ],
  [
    "key",
    "after-sales",
    {
      contract: { fields: CONTRACT, actions: ["query"] },
      document: { fields: DOCS, actions: DL, kinds: ALL_DOCS },
      delivery: { fields: [...DELIVERY, "quantity"] },
      invoice: { fields: INVOICE },
      payment: { fields: PAYMENT },
      "change-request": { fields: [...CHANGES, "slaDueAt"], actions: ["respond-to-answer"] },
      "service-request": { fields: SERVICE, actions: ["open-service-request"] },
    },
  ],
  ["key", "closed", proposal(true)],
  ["strategic", "proposal", proposal(true)],
  [
    "strategic",
    "fulfilment",
    {
      contract: { fields: CONTRACT, actions: ["query"] },
      document: { fields: DOCS, actions: DL, kinds: ALL_DOCS },
      delivery: { fields: [...DELIVERY, "quantity"] },
      invoice: { fields: INVOICE },
      payment: { fields: PAYMENT },
      "change-request": {
        fields: [...CHANGES, "slaDueAt"],
        actions: ["file-change-request", "respond-to-answer"],
      },
    },
  ],
  [
    "strategic",
    "after-sales",
    {
      contract: { fields: CONTRACT, actions: ["query"] },
      document: { fields: DOCS, actions: DL, kinds: ALL_DOCS },
      delivery: { fields: [...DELIVERY, "quantity"] },
      invoice: { fields: INVOICE },
      payment: { fields: PAYMENT },
      "change-request": {
        fields: [...CHANGES, "slaDueAt"],
        actions: ["file-change-request", "respond-to-answer"],
      },
      "service-request": {
        fields: [...SERVICE, "resolutionMs"],
        actions: ["open-service-request"],
      },
    },
  ],
  ["strategic", "closed", proposal(true)],
];

const IDENTITY: Record<PortalResource, string[]> = {
  contract: ["id"],
  delivery: ["id", "contractId"],
  invoice: ["id", "contractId"],
  payment: ["id", "contractId"],
  document: ["id", "contractId"],
  "service-request": ["id", "contractId"],
  "change-request": ["id", "contractId"],
};
const sorted = (xs: Iterable<string>) => [...xs].sort();

/** Asserts a context sees exactly `cell`: grants, projections of full records, actions. */
function expectCell(c: PortalContext, cell: Cell) {
  const grants = grantsFor(POLICY, c);
  expect(sorted(grants.keys())).toEqual(sorted(Object.keys(cell)));
  for (const r of PORTAL_RESOURCES) {
    const want = cell[r];
    const shown = project(POLICY, c, r, RECORDS[r]);
    if (!want) {
      expect(shown, r).toBeNull();
      continue;
    }
    const fields = sorted([...IDENTITY[r], ...want.fields]);
    expect(sorted(grants.get(r)!.fields), r).toEqual(fields);
    expect(sorted(grants.get(r)!.actions), r).toEqual(sorted(want.actions ?? []));
    if (r !== "document") {
      expect(sorted(Object.keys(shown ?? {})), r).toEqual(fields);
      continue;
    }
    for (const kind of DOCUMENT_KINDS) {
      const doc = project(POLICY, c, r, { ...RECORDS.document, kind });
      if (want.kinds?.includes(kind)) expect(sorted(Object.keys(doc ?? {})), kind).toEqual(fields);
      else expect(doc, kind).toBeNull();
    }
  }
  const actions = Object.values(cell).flatMap((g) => g.actions ?? []);
  for (const a of PORTAL_ACTIONS) expect(can(POLICY, c, a), a).toBe(actions.includes(a));
}

describe("[PV7] the default policy", () => {
  test("the table covers every tier and stage", () => {
    expect(TABLE.length).toBe(3 * CONTRACT_STAGES.length);
  });

  test.each(TABLE)(
    "[PV7] a %s customer at %s sees exactly the table's cell",
    (tier, stage, cell) => {
      expectCell(ctx(tier, stage), cell);
    },
  );

  test.each(["standard", "key", "strategic"] as const)(
    "[PV7] a %s customer may do nothing but read a closed contract, whatever its terms",
    (tier) => {
      const writes = PORTAL_ACTIONS.filter((a) => ACTION_INFO[a].writes);
      for (let bits = 0; bits < 16; bits++) {
        const c = ctx(tier, "closed", {
          deliveryTracking: (bits & 1) > 0,
          documentSharing: (bits & 2) > 0,
          paymentVisibility: (bits & 4) > 0,
          changeRequests: (bits & 8) > 0,
        });
        expect(writes.filter((a) => can(POLICY, c, a))).toEqual([]);
      }
    },
  );

  test("[PV7] README's tier × stage table is what the default policy grants", () => {
    expect(readmeTable("default-table")).toEqual(cells(renderTable()));
  });

  test("[PV1] README's field catalogue is the catalogue", () => {
    const rows = PORTAL_RESOURCES.map((r) => [
      r,
      ...(["identity", "shareable", "internal"] as const).map((c) => fieldsOf(r, c).join(", ")),
    ]);
    const head = ["resource", "identity", "shareable", "internal"];
    expect(readmeTable("catalogue")).toEqual([head, head.map(() => "---"), ...rows]);
  });
});

/** A README table's cells; compared cell by cell, as the formatter pads columns. */
const cells = (table: string) =>
  table.split("\n").map((row) =>
    row
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim().replace(/^-+$/, "---")),
  );
function readmeTable(marker: string): string[][] {
  const readme = readFileSync(join(import.meta.dirname, "README.md"), "utf8");
  const section = new RegExp(`<!-- ${marker} -->\n([\\s\\S]*?)\n<!-- /${marker} -->`).exec(readme);
  return cells(section?.[1] ?? "");
}

/** The README table, rendered from the policy: shareable fields per resource, then actions. */
function renderTable(): string {
  const head = ["tier", "stage", ...PORTAL_RESOURCES, "actions"];
  const rows = [head, head.map(() => "---")];
  for (const tier of ["standard", "key", "strategic"] as const) {
    for (const stage of CONTRACT_STAGES) {
      const grants = grantsFor(POLICY, ctx(tier, stage));
      const cells = PORTAL_RESOURCES.map((r) => {
        const g = grants.get(r);
        if (!g) return "—";
        const shareable = fieldsOf(r, "shareable");
        const shown = shareable.filter((f) => g.fields.has(f));
        const hidden = shareable.filter((f) => !g.fields.has(f));
        let text =
          hidden.length === 0
            ? "all"
            : shown.length === 0
              ? "ids only"
              : hidden.length < shown.length
                ? `all but ${hidden.join(", ")}`
                : shown.join(", ");
        if (g.grants.every((x) => x.where !== null)) {
          const kinds = new Set(g.grants.flatMap((x) => x.where!.flatMap(([, v]) => [...v])));
          text += ` [${[...kinds].join(", ")}]`;
        }
        return text;
      });
      const actions = [...grants.values()].flatMap((g) => [...g.actions]);
      rows.push([tier, stage, ...cells, actions.join(", ") || "—"]);
    }
  }
  return rows.map((r) => `| ${r.join(" | ")} |`).join("\n");
}

describe("[PV3] contract terms gate the default table", () => {
  const full = TABLE.find(([t, s]) => t === "strategic" && s === "fulfilment")![2];
  const docs = (kinds: DocumentKind[]): Cell => ({
    document: { fields: DOCS, actions: DL, kinds },
  });

  test("[PV3] deliveryTracking false hides deliveries and delivery notes", () => {
    const { delivery: _, ...rest } = full;
    expectCell(ctx("strategic", "fulfilment", { deliveryTracking: false }), {
      ...rest,
      ...docs(["contract", "signature", "voucher"]),
    });
  });

  test("[PV3] documentSharing false hides every document and whether a payment has a voucher", () => {
    const { document: _, ...rest } = full;
    expectCell(ctx("strategic", "fulfilment", { documentSharing: false }), {
      ...rest,
      payment: { fields: ["reference", "amount", "receivedAt"] },
    });
  });

  test("[PV3] paymentVisibility false hides invoices, payments and vouchers", () => {
    const { invoice: _, payment: __, ...rest } = full;
    expectCell(ctx("strategic", "fulfilment", { paymentVisibility: false }), {
      ...rest,
      ...docs(["contract", "signature", "delivery-note"]),
    });
  });

  test("[PV3] changeRequests false hides change requests and refuses filing one", () => {
    const { "change-request": _, ...rest } = full;
    const c = ctx("strategic", "fulfilment", { changeRequests: false });
    expectCell(c, rest);
    expect(can(POLICY, c, "file-change-request")).toBe(false);
  });

  test("[PV3] every term off leaves the contract alone", () => {
    const off = { deliveryTracking: false, documentSharing: false };
    const c = ctx("strategic", "after-sales", {
      ...off,
      paymentVisibility: false,
      changeRequests: false,
    });
    expectCell(c, {
      contract: { fields: CONTRACT, actions: ["query"] },
      "service-request": {
        fields: [...SERVICE, "resolutionMs"],
        actions: ["open-service-request"],
      },
    });
  });
});

describe("[PV2] projection copies only own, visible fields", () => {
  const c = ctx("strategic", "after-sales");

  test("[PV2] fields on the record's prototype are not read", () => {
    const record = Object.create({ title: "inherited", cost: 1, margin: 2 });
    record.id = "ctr_1";
    expect(project(POLICY, c, "contract", record)).toEqual({ id: "ctr_1" });
  });

  test("[PV2] __proto__ and constructor keys of a parsed body are not copied", () => {
    const record = JSON.parse(
      '{"id":"ctr_1","__proto__":{"title":"x","cost":1},"constructor":"y","title":"t","cost":5}',
    );
    const shown = project(POLICY, c, "contract", record)!;
    expect(Object.keys(shown)).toEqual(["id", "title"]);
    expect(Object.getPrototypeOf(shown)).toBe(Object.prototype);
    expect(shown).toEqual({ id: "ctr_1", title: "t" });
  });

  test("[PV2] keys outside the catalogue are dropped, so staff views can be passed as they are", () => {
    const staff = { ...RECORDS.delivery, updatedAt: "2026-01-01", masked: true, customerId: "acc" };
    const shown = project(POLICY, c, "delivery", staff)!;
    expect(sorted(Object.keys(shown))).toEqual(
      sorted(["id", "contractId", ...DELIVERY, "quantity"]),
    );
  });

  test("[PV2] the projection is a new object, and a missing field stays missing", () => {
    const { title: _, ...untitled } = RECORDS.contract;
    const shown = project(POLICY, c, "contract", untitled)!;
    expect(shown).not.toBe(untitled);
    expect(Object.hasOwn(shown, "title")).toBe(false);
    expect(shown.amount).toBe(untitled.amount);
  });

  test("[PV2] projectAll drops the records no grant admits", () => {
    const c2 = ctx("standard", "fulfilment", { paymentVisibility: false });
    const docs = DOCUMENT_KINDS.map((kind, i) => ({ ...RECORDS.document, id: `d${i}`, kind }));
    const shown = projectAll(POLICY, c2, "document", docs);
    expect(shown.map((d) => d.kind)).toEqual(["contract", "signature", "delivery-note"]);
  });

  test("[PV2] an unknown resource is never shown", () => {
    expect(project(POLICY, c, "secrets" as PortalResource, { id: "x" })).toBeNull();
    expect(project(POLICY, c, "__proto__" as PortalResource, { id: "x" })).toBeNull();
  });
});

describe("[PV1] internal fields are never shown, whatever the policy says", () => {
  // Built in code, so the parser never saw it: the evaluators must refuse on their own.
  const rogue = {
    version: 2,
    rules: [
      {
        id: "leak",
        when: {},
        grant: {
          contract: { fields: ["title", "cost", "margin", "internalNotes", "constructor"] },
          delivery: { fields: ["supplier", "costMinor"], where: { supplier: ["Acme Castings"] } },
          "change-request": { fields: "all-shareable", actions: ["download-document"] },
        },
      },
    ],
  } as unknown as PortalPolicy;
  const c = ctx("strategic", "fulfilment");

  test("[PV1] the catalogue classifies costs, suppliers, margins, notes, checklists, assignees internal", () => {
    const internal = PORTAL_RESOURCES.flatMap((r) =>
      fieldsOf(r, "internal").map((f) => `${r}.${f}`),
    );
    expect(internal).toEqual([
      "contract.cost",
      "contract.margin",
      "contract.internalNotes",
      "delivery.supplier",
      "delivery.costMinor",
      "delivery.internalNote",
      "service-request.internalNote",
      "service-request.assignee",
      "change-request.checklist",
      "change-request.internalNote",
    ]);
  });

  test("[PV1] an unparsed policy granting internal fields shows none of them", () => {
    expect(project(rogue, c, "contract", RECORDS.contract)).toEqual({
      id: "ctr_1",
      title: "Line 3 retrofit",
    });
    const cr = project(rogue, c, "change-request", RECORDS["change-request"])!;
    expect(Object.keys(cr)).not.toContain("checklist");
    expect(Object.keys(cr)).not.toContain("internalNote");
  });

  test("[PV1] a row filter on an internal field admits no record", () => {
    // Otherwise a record's presence would tell its supplier.
    expect(project(rogue, c, "delivery", RECORDS.delivery)).toBeNull();
  });

  test("[PV1] an action granted under the wrong resource is not granted", () => {
    expect(can(rogue, c, "download-document")).toBe(false);
  });

  test("[PV5] explain says internal, and names the rule that tried", () => {
    const e = explain(rogue, c, "contract", "cost");
    expect(e).toMatchObject({ visible: false, classification: "internal", reason: "internal" });
    expect(e.rules).toEqual([
      {
        id: "leak",
        matched: true,
        grants: false,
        why: "matches always; grants contract; cost is internal and never shown",
      },
    ]);
  });
});

describe("[PV5] explain", () => {
  const rule = (e: ReturnType<typeof explain>, id: string) => e.rules.find((r) => r.id === id)!;

  test("[PV5] lists every rule of the policy, in order", () => {
    const e = explain(POLICY, ctx("standard", "proposal"), "contract", "title");
    expect(e.rules.map((r) => r.id)).toEqual(POLICY.rules.map((r) => r.id));
  });

  test("[PV5] a granted field names the rules that grant it", () => {
    const e = explain(POLICY, ctx("strategic", "fulfilment"), "delivery", "quantity");
    expect(e).toMatchObject({ visible: true, classification: "shareable", reason: "granted" });
    expect(e.rules.filter((r) => r.grants).map((r) => r.id)).toEqual(["delivery-quantities"]);
    expect(rule(e, "delivery-quantities").why).toBe(
      "matches: tier strategic in [key, strategic]; stage fulfilment in [fulfilment, after-sales]; terms.deliveryTracking is true; grants delivery.quantity",
    );
  });

  test("[PV5] a field not granted says which criterion failed and which rule stopped short", () => {
    const e = explain(POLICY, ctx("standard", "fulfilment"), "delivery", "quantity");
    expect(e).toMatchObject({ visible: false, reason: "field-not-granted" });
    expect(rule(e, "delivery-quantities")).toEqual({
      id: "delivery-quantities",
      matched: false,
      grants: false,
      why: "tier standard not in [key, strategic]",
    });
    expect(rule(e, "delivery-tracking").why).toMatch(/; grants delivery but not quantity$/);
  });

  test("[PV5] a resource no rule grants says so, with the failing stage", () => {
    const e = explain(POLICY, ctx("standard", "proposal"), "delivery", "name");
    expect(e).toMatchObject({ visible: false, reason: "resource-not-granted" });
    expect(rule(e, "delivery-tracking").why).toBe(
      "stage proposal not in [fulfilment, after-sales]",
    );
  });

  test("[PV5] a term that fails is named with the value the rule needs", () => {
    const e = explain(
      POLICY,
      ctx("key", "fulfilment", { paymentVisibility: false }),
      "invoice",
      "amount",
    );
    expect(e.reason).toBe("resource-not-granted");
    expect(rule(e, "billing").why).toBe("terms.paymentVisibility is false, rule needs true");
  });

  test("[PV5] an identity field is visible because its resource is", () => {
    const e = explain(POLICY, ctx("standard", "fulfilment"), "delivery", "contractId");
    expect(e).toMatchObject({ visible: true, classification: "identity", reason: "identity" });
  });

  test("[PV5] a record no grant admits is explained with its own value", () => {
    const voucher = { ...RECORDS.document, kind: "voucher" };
    const c = ctx("standard", "fulfilment", { paymentVisibility: false });
    const e = explain(POLICY, c, "document", "title", voucher);
    expect(e).toMatchObject({ visible: false, reason: "record-not-granted" });
    expect(rule(e, "contract-documents").why).toBe(
      'matches: terms.documentSharing is true; grants document only where kind in [contract, signature], and this record has kind "voucher"',
    );
    expect(explain(POLICY, c, "document", "title").reason).toBe("granted");
  });

  test.each([
    ["contract", "colour"],
    ["contract", "constructor"],
    ["contract", "__proto__"],
    ["toString", "id"],
  ])("[PV5] %s.%s is an unknown field", (resource, field) => {
    const e = explain(POLICY, ctx("strategic", "fulfilment"), resource, field);
    expect(e).toMatchObject({ visible: false, classification: null, reason: "unknown-field" });
    expect(classify(resource, field)).toBeNull();
  });
});

describe("[PV4] the parser refuses what the catalogue does not allow", () => {
  const withGrant = (grant: unknown, when: unknown = {}) => ({
    version: 2,
    rules: [{ id: "r", when, grant }],
  });
  const issues = (input: unknown) =>
    PortalPolicy.safeParse(input).error?.issues.map((i) => ({ path: i.path, message: i.message }));

  test("[PV4] the default policy survives a round trip through JSON", () => {
    const again = PortalPolicy.parse(JSON.parse(JSON.stringify(POLICY)));
    expect(again).toEqual(POLICY);
  });

  test("[PV4] an internal field", () => {
    expect(issues(withGrant({ contract: { fields: ["title", "margin"] } }))).toEqual([
      {
        path: ["rules", 0, "grant", "contract", "fields", 1],
        message: "contract.margin is internal and is never shown in the portal",
      },
    ]);
  });

  test("[PV4] an unknown field, with the fields there are", () => {
    expect(issues(withGrant({ invoice: { fields: ["colour"] } }))).toEqual([
      {
        path: ["rules", 0, "grant", "invoice", "fields", 0],
        message:
          'invoice has no field "colour"; its fields are id, contractId, number, amount, issuedAt, dueDate, status, paidAt',
      },
    ]);
  });

  test("[PV4] an unknown resource", () => {
    expect(issues(withGrant({ supplier: { fields: [] } }))).toEqual([
      { path: ["rules", 0, "grant"], message: 'Unrecognized key: "supplier"' },
    ]);
  });

  test("[PV4] an action under a resource it does not act on", () => {
    expect(
      issues(withGrant({ contract: { fields: [], actions: ["file-change-request"] } })),
    ).toEqual([
      {
        path: ["rules", 0, "grant", "contract", "actions", 0],
        message: "file-change-request acts on change-request; grant it under change-request",
      },
    ]);
  });

  test("[PV4] a row filter on a field that cannot filter, or a value it never takes", () => {
    const grant = { delivery: { fields: [], where: { supplier: ["Acme"], status: ["lost"] } } };
    expect(issues(withGrant(grant))).toEqual([
      {
        path: ["rules", 0, "grant", "delivery", "where", "supplier"],
        message: "delivery.supplier cannot filter records; filterable: status",
      },
      {
        path: ["rules", 0, "grant", "delivery", "where", "status", 0],
        message:
          'delivery.status is never "lost"; it is one of planned, committed, late, delivered',
      },
    ]);
  });

  test(`[PV4] more than ${MAX_RULES} rules`, () => {
    const rule = (i: number) => ({ id: `r${i}`, when: {}, grant: {} });
    const ok = { version: 1, rules: Array.from({ length: MAX_RULES }, (_, i) => rule(i)) };
    expect(PortalPolicy.safeParse(ok).success).toBe(true);
    expect(issues({ ...ok, rules: [...ok.rules, rule(MAX_RULES)] })).toEqual([
      { path: ["rules"], message: `at most ${MAX_RULES} rules` },
    ]);
  });

  test("[PV4] duplicate and malformed rule ids, empty tiers, version 0, unknown keys", () => {
    const bad = {
      version: 0,
      rules: [
        { id: "a", when: { tiers: [] }, grant: {} },
        { id: "a", when: {}, grant: {} },
        { id: "Not_OK", when: { region: "eu" }, grant: {} },
      ],
    };
    expect(issues(bad)?.map((i) => [i.path.join("."), i.message])).toEqual([
      ["version", "Too small: expected number to be >0"],
      ["rules.0.when.tiers", "omit tiers to match every tier"],
      ["rules.2.id", "must be 1–63 characters of a-z, 0-9 and -"],
      ["rules.2.when", 'Unrecognized key: "region"'],
      ["rules.1.id", "duplicate rule id a"],
    ]);
  });
});

describe("[PV6] a contract's stage derives from its status and milestones", () => {
  const reached = { actualDate: "2026-03-01" };
  const pending = { actualDate: null };
  test.each([
    ["draft", [], "proposal"],
    ["sent", [pending], "proposal"],
    ["signed", [reached], "proposal"],
    ["active", [], "fulfilment"],
    ["active", [reached, pending], "fulfilment"],
    ["active", [reached, reached], "after-sales"],
    ["voided", [reached], "closed"],
  ] as const)("[PV6] %s with milestones %j is %s", (status, milestones, stage) => {
    expect(contractStage({ status, milestones })).toBe(stage);
  });
});
