// The portal's visibility policy (DESIGN §11): (tier × contract stage × contract terms) →
// the resources, fields and actions a portal user gets. [PV1] internal fields never come
// out: the parser refuses a policy naming one, and every evaluator here skips them again,
// so a policy that reached us without the parser still cannot leak one.
import { z } from "zod";
import { type ContractStatus, Tier } from "../schemas.ts";
import {
  classify,
  FIELD_CLASSES,
  fieldsOf,
  filterValues,
  PORTAL_FIELDS,
  type PortalView,
} from "./fields.ts";
import { ContractStage, type ContractTerms, PORTAL_RESOURCES, PortalResource } from "./model.ts";

/** What a portal user may do besides reading; each acts on one resource. */
export const PORTAL_ACTIONS = [
  /** Ask a question in natural language (core/nlq); answered through this policy. */
  "query",
  /** Fetch a document's file; the document itself must be visible too. */
  "download-document",
  /** File a change request on the contract. */
  "file-change-request",
  /** Accept or decline the group's answer to a change request. */
  "respond-to-answer",
  /** Open a service request. */
  "open-service-request",
] as const;
export const PortalAction = z.enum(PORTAL_ACTIONS);
export type PortalAction = z.infer<typeof PortalAction>;

/**
 * The resource each action acts on (a rule grants an action under that resource only) and
 * whether it writes (writes are what `portal-read-only` degradation refuses).
 */
export const ACTION_INFO: Readonly<
  Record<PortalAction, { readonly resource: PortalResource; readonly writes: boolean }>
> = Object.freeze({
  query: { resource: "contract", writes: false },
  "download-document": { resource: "document", writes: false },
  "file-change-request": { resource: "change-request", writes: true },
  "respond-to-answer": { resource: "change-request", writes: true },
  "open-service-request": { resource: "service-request", writes: true },
});

export const MAX_RULES = 64;
const TERM_KEYS = [
  "deliveryTracking",
  "documentSharing",
  "paymentVisibility",
  "changeRequests",
] as const satisfies readonly (keyof ContractTerms)[];

const RuleId = z
  .string()
  .regex(/^[a-z0-9-]{1,63}$/, { message: "must be 1–63 characters of a-z, 0-9 and -" });
const Name = z.string().max(64);

/** Written out rather than `ContractTerms.partial()`, which would fill in the defaults. */
const TermsCriterion = z.strictObject({
  deliveryTracking: z.boolean().optional(),
  documentSharing: z.boolean().optional(),
  paymentVisibility: z.boolean().optional(),
  changeRequests: z.boolean().optional(),
} satisfies Record<(typeof TERM_KEYS)[number], unknown>);

export const ResourceGrant = z.strictObject({
  fields: z.union([z.literal("all-shareable"), z.array(Name).max(32)]).meta({
    description: 'Shareable fields shown, or "all-shareable"; identity fields always are',
  }),
  actions: z.array(PortalAction).max(PORTAL_ACTIONS.length).optional(),
  where: z
    .record(Name, z.array(Name).min(1).max(16))
    .refine((w) => Object.keys(w).length <= 4, { message: "at most 4 row filters" })
    .optional()
    .meta({ description: "Only records whose field holds one of the values (all filters hold)" }),
});
export type ResourceGrant = z.infer<typeof ResourceGrant>;

export const PortalRule = z
  .strictObject({
    id: RuleId,
    description: z.string().max(500).optional(),
    when: z
      .strictObject({
        tiers: z.array(Tier).min(1, { message: "omit tiers to match every tier" }).optional(),
        stages: z
          .array(ContractStage)
          .min(1, { message: "omit stages to match every stage" })
          .optional(),
        terms: TermsCriterion.optional(),
      })
      .meta({ description: "Matches when every criterion given matches; {} matches always" }),
    grant: z.partialRecord(PortalResource, ResourceGrant),
  })
  .superRefine((rule, ctx) => {
    for (const resource of PORTAL_RESOURCES) {
      const g = rule.grant[resource];
      if (g) for (const issue of grantProblems(resource, g)) ctx.addIssue(issue);
    }
  });
export type PortalRule = z.infer<typeof PortalRule>;

/** The catalogue checks zod cannot express: these messages reach admins as problem+json. */
function grantProblems(resource: PortalResource, g: ResourceGrant) {
  const out: { code: "custom"; path: (string | number)[]; message: string }[] = [];
  const at = (path: (string | number)[], message: string) =>
    out.push({ code: "custom", path: ["grant", resource, ...path], message });
  if (g.fields !== "all-shareable") {
    g.fields.forEach((f, i) => {
      const cls = classify(resource, f);
      if (cls === "internal") {
        at(["fields", i], `${resource}.${f} is internal and is never shown in the portal`);
      } else if (cls === null) {
        const known = [...fieldsOf(resource, "identity"), ...fieldsOf(resource, "shareable")];
        at(["fields", i], `${resource} has no field "${f}"; its fields are ${known.join(", ")}`);
      }
    });
  }
  g.actions?.forEach((a, i) => {
    const home = ACTION_INFO[a].resource;
    if (home !== resource) at(["actions", i], `${a} acts on ${home}; grant it under ${home}`);
  });
  for (const [f, values] of Object.entries(g.where ?? {})) {
    const allowed = filterValues(resource, f);
    if (allowed === null) {
      const filterable = fieldsOf(resource).filter((x) => filterValues(resource, x));
      at(
        ["where", f],
        `${resource}.${f} cannot filter records; filterable: ${filterable.join(", ") || "none"}`,
      );
      continue;
    }
    values.forEach((v, i) => {
      if (!allowed.includes(v)) {
        at(["where", f, i], `${resource}.${f} is never "${v}"; it is one of ${allowed.join(", ")}`);
      }
    });
  }
  return out;
}

export const PortalPolicy = z
  .strictObject({
    version: z.int().positive().meta({
      description: "Goes up by one with each edit; an edit naming a stale one is refused",
    }),
    rules: z
      .array(PortalRule)
      .max(MAX_RULES, { message: `at most ${MAX_RULES} rules` })
      .meta({ description: "A user gets the union of what the matching rules grant" }),
  })
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((r, i) => {
      if (seen.has(r.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "id"],
          message: `duplicate rule id ${r.id}`,
        });
      }
      seen.add(r.id);
    });
  })
  .meta({ id: "PortalPolicy" });
export type PortalPolicy = z.infer<typeof PortalPolicy>;

/** Who is asking about which contract: the portal user's tier and the contract's stage and terms. */
export type PortalContext = { tier: Tier; stage: ContractStage; terms: ContractTerms };

// ---------------------------------------------------------------------------------------
// Evaluation. Everything below reads policies defensively (own properties, arrays checked,
// catalogue re-checked), because a policy can reach it without the parser: from storage
// written by an older version, or built in code.

/** One matching rule's grant on one resource, ready to judge records with. */
export type RowGrant = {
  readonly rule: string;
  /** Granted shareable fields, catalogue-checked (no internal, no unknown). */
  readonly fields: ReadonlySet<string>;
  /** Row filters; null admits every record, an unreadable filter admits none. */
  readonly where: ReadonlyArray<readonly [field: string, values: ReadonlySet<string>]> | null;
};

export type ResourceGrants = {
  /** Identity fields plus every shareable field some matching rule grants, catalogue order. */
  readonly fields: ReadonlySet<string>;
  readonly actions: ReadonlySet<PortalAction>;
  /** Ids of the matching rules that grant this resource, in policy order. */
  readonly rules: readonly string[];
  readonly grants: readonly RowGrant[];
};

/** Resource → what is granted on it; a resource absent from the map is not shown at all. */
export type PortalGrants = ReadonlyMap<PortalResource, ResourceGrants>;

const EMPTY: readonly never[] = [];

function own<T extends object, K extends keyof T>(o: T | undefined, k: K): T[K] | undefined {
  return typeof o === "object" && o !== null && Object.hasOwn(o, k) ? o[k] : undefined;
}

type Check = { ok: boolean; why: string };

/** Each criterion of a rule's `when`, judged against the context. */
function checks(rule: PortalRule, ctx: PortalContext): Check[] {
  const when = own(rule, "when");
  const out: Check[] = [];
  const among = (label: string, value: string, list: unknown) => {
    const ok = Array.isArray(list) && list.includes(value);
    const shown = Array.isArray(list) ? list.join(", ") : "?";
    out.push({ ok, why: `${label} ${value} ${ok ? "in" : "not in"} [${shown}]` });
  };
  const tiers = own(when, "tiers");
  if (tiers !== undefined) among("tier", ctx.tier, tiers);
  const stages = own(when, "stages");
  if (stages !== undefined) among("stage", ctx.stage, stages);
  const terms = own(when, "terms");
  for (const k of TERM_KEYS) {
    const want = own(terms, k);
    if (want === undefined) continue;
    const ok = ctx.terms[k] === want;
    out.push({ ok, why: `terms.${k} is ${ctx.terms[k]}${ok ? "" : `, rule needs ${want}`}` });
  }
  return out;
}

const matches = (rule: PortalRule, ctx: PortalContext) => checks(rule, ctx).every((c) => c.ok);

/** A rule's grant on a resource with the catalogue applied again, or null when it has none. */
function rowGrant(rule: PortalRule, resource: PortalResource): RowGrant | null {
  const g = own(own(rule, "grant"), resource);
  if (typeof g !== "object" || g === null) return null;
  const asked = own(g, "fields");
  const fields = new Set<string>();
  for (const f of fieldsOf(resource, "shareable")) {
    if (asked === "all-shareable" || (Array.isArray(asked) && asked.includes(f))) fields.add(f);
  }
  const where = own(g, "where");
  let filters: RowGrant["where"] = null;
  if (where !== undefined) {
    const parsed: [string, ReadonlySet<string>][] = [];
    const readable = typeof where === "object" && where !== null;
    for (const [f, values] of readable ? Object.entries(where) : []) {
      // A filter we cannot judge must not widen the grant: it admits nothing instead.
      const ok = filterValues(resource, f) !== null && Array.isArray(values);
      parsed.push([f, ok ? new Set(values) : new Set()]);
    }
    filters = readable ? parsed : [["", new Set()]];
  }
  return { rule: String(own(rule, "id")), fields, where: filters };
}

function actionsOf(rule: PortalRule, resource: PortalResource): PortalAction[] {
  const asked = own(own(own(rule, "grant"), resource), "actions");
  if (!Array.isArray(asked)) return [];
  return PORTAL_ACTIONS.filter((a) => asked.includes(a) && ACTION_INFO[a].resource === resource);
}

/** A record's own property, never an inherited one. */
function ownValue(record: object, field: string): unknown {
  return Object.hasOwn(record, field) ? (record as Record<string, unknown>)[field] : undefined;
}

function admits(row: RowGrant, record: object): boolean {
  if (row.where === null) return true;
  return row.where.every(([f, values]) => {
    const v = ownValue(record, f);
    return typeof v === "string" && values.has(v);
  });
}

/** [PV3] What a portal user gets in a context: the union of the matching rules' grants. */
export function grantsFor(policy: PortalPolicy, ctx: PortalContext): PortalGrants {
  const rules = Array.isArray(own(policy, "rules")) ? policy.rules : EMPTY;
  const matching = rules.filter((r) => matches(r, ctx));
  const out = new Map<PortalResource, ResourceGrants>();
  for (const resource of PORTAL_RESOURCES) {
    const grants: RowGrant[] = [];
    const actions = new Set<PortalAction>();
    for (const rule of matching) {
      const g = rowGrant(rule, resource);
      if (!g) continue;
      grants.push(g);
      for (const a of actionsOf(rule, resource)) actions.add(a);
    }
    if (grants.length === 0) continue;
    const granted = new Set(grants.flatMap((g) => [...g.fields]));
    const fields = new Set(
      fieldsOf(resource).filter((f) => classify(resource, f) === "identity" || granted.has(f)),
    );
    const ordered = new Set(PORTAL_ACTIONS.filter((a) => actions.has(a)));
    out.set(resource, { fields, actions: ordered, rules: grants.map((g) => g.rule), grants });
  }
  return out;
}

/** Whether the context may perform an action; a route acting on a record must also see it. */
export function can(policy: PortalPolicy, ctx: PortalContext, action: PortalAction): boolean {
  if (!Object.hasOwn(ACTION_INFO, action)) return false;
  return grantsFor(policy, ctx).get(ACTION_INFO[action].resource)?.actions.has(action) ?? false;
}

function projectWith(grants: PortalGrants, resource: PortalResource, record: object) {
  if (!Object.hasOwn(PORTAL_FIELDS, resource)) return null;
  const g = grants.get(resource);
  if (!g || typeof record !== "object" || record === null) return null;
  const shown = new Set(fieldsOf(resource, "identity"));
  let admitted = false;
  for (const row of g.grants) {
    if (!admits(row, record)) continue;
    admitted = true;
    for (const f of row.fields) shown.add(f);
  }
  if (!admitted) return null;
  // Keys come from the catalogue, never from the record: no `__proto__` can be assigned
  // here, no inherited property is read, and an internal field is refused one last time.
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(resource)) {
    if (shown.has(f) && classify(resource, f) !== "internal" && Object.hasOwn(record, f)) {
      out[f] = ownValue(record, f);
    }
  }
  return out;
}

/**
 * [PV2] The record as the portal user may see it: a new object holding only the record's
 * own identity fields and the shareable fields granted on it; null when the resource is not
 * granted or no grant admits this record (the server drops it from lists).
 */
export function project<R extends PortalResource>(
  policy: PortalPolicy,
  ctx: PortalContext,
  resource: R,
  record: object,
): PortalView<R> | null {
  return projectWith(grantsFor(policy, ctx), resource, record) as PortalView<R> | null;
}

/** `project` over a list, evaluating the policy once; records not shown are left out. */
export function projectAll<R extends PortalResource>(
  policy: PortalPolicy,
  ctx: PortalContext,
  resource: R,
  records: readonly object[],
): PortalView<R>[] {
  const grants = grantsFor(policy, ctx);
  return records.flatMap((r) => projectWith(grants, resource, r) ?? []) as PortalView<R>[];
}

export const EXPLAIN_REASONS = [
  "internal",
  "identity",
  "granted",
  "resource-not-granted",
  "record-not-granted",
  "field-not-granted",
  "unknown-field",
] as const;

/** `GET …/explain`: whether a portal user sees a field, the reason, and every rule's part. */
export const PortalExplanation = z
  .object({
    visible: z.boolean(),
    classification: z.enum(FIELD_CLASSES).nullable(),
    reason: z.enum(EXPLAIN_REASONS),
    rules: z.array(
      z.object({
        id: z.string(),
        matched: z.boolean().meta({ description: "The rule's `when` matches the context" }),
        grants: z.boolean().meta({ description: "The rule makes this field visible" }),
        why: z.string(),
      }),
    ),
  })
  .meta({ id: "PortalExplanation" });
export type PortalExplanation = z.infer<typeof PortalExplanation>;

/**
 * [PV5] Why a portal user in `ctx` does or does not see `resource.field`. With `record`,
 * row filters are judged on it; without, a field counts as granted if some record may show it.
 */
export function explain(
  policy: PortalPolicy,
  ctx: PortalContext,
  resource: string,
  field: string,
  record?: object,
): PortalExplanation {
  const classification = classify(resource, field);
  const known = classification !== null;
  const res = resource as PortalResource;
  let resourceGranted = false;
  let recordAdmitted = false;
  let fieldGranted = false;
  const rules = (Array.isArray(own(policy, "rules")) ? policy.rules : EMPTY).map((rule) => {
    const id = String(own(rule, "id"));
    const cs = checks(rule, ctx);
    const failed = cs.filter((c) => !c.ok);
    if (failed.length > 0) {
      return { id, matched: false, grants: false, why: failed.map((c) => c.why).join("; ") };
    }
    const head = cs.length ? `matches: ${cs.map((c) => c.why).join("; ")}` : "matches always";
    const g = known ? rowGrant(rule, res) : null;
    if (!g) return { id, matched: true, grants: false, why: `${head}; does not grant ${resource}` };
    resourceGranted = true;
    const filter = g.where?.map(([f, vs]) => `${f} in [${[...vs].join(", ")}]`).join(" and ");
    const admitted = record === undefined || admits(g, record);
    recordAdmitted ||= admitted;
    const onRows = filter ? ` where ${filter}` : "";
    if (!admitted) {
      const got = g.where?.map(([f]) => `${f} ${JSON.stringify(ownValue(record, f)) ?? "absent"}`);
      const why = `${head}; grants ${resource} only${onRows}, and this record has ${got?.join(", ")}`;
      return { id, matched: true, grants: false, why };
    }
    const grants = classification === "identity" || g.fields.has(field);
    fieldGranted ||= grants && classification === "shareable";
    const what =
      classification === "identity"
        ? `grants ${resource}${onRows}, identity fields included`
        : classification === "internal"
          ? `grants ${resource}${onRows}; ${field} is internal and never shown`
          : grants
            ? `grants ${resource}.${field}${onRows}`
            : `grants ${resource}${onRows} but not ${field}`;
    return {
      id,
      matched: true,
      grants: grants && classification !== "internal",
      why: `${head}; ${what}`,
    };
  });
  const verdict = (visible: boolean, reason: (typeof EXPLAIN_REASONS)[number]) => ({
    visible,
    classification,
    reason,
    rules,
  });
  if (!known) return verdict(false, "unknown-field");
  if (classification === "internal") return verdict(false, "internal");
  if (!resourceGranted) return verdict(false, "resource-not-granted");
  if (!recordAdmitted) return verdict(false, "record-not-granted");
  if (classification === "identity") return verdict(true, "identity");
  return fieldGranted ? verdict(true, "granted") : verdict(false, "field-not-granted");
}

/**
 * The facts a contract's stage derives from. `status` is the derived contract status
 * (core/account/state.ts `contractStatus`: `active` means both parties signed the current
 * document); `milestones` are its delivery milestones, of which only "reached" matters.
 */
export type StageFacts = {
  status: z.infer<typeof ContractStatus>;
  milestones: ReadonlyArray<{ readonly actualDate: string | null }>;
};

/** The stage model.ts defines: proposal until both signed, fulfilment until every milestone (≥ 1) is reached. */
export function contractStage(facts: StageFacts): ContractStage {
  switch (facts.status) {
    case "voided":
      return "closed";
    case "draft":
    case "sent":
    case "signed":
      return "proposal";
    case "active": {
      const ms = facts.milestones;
      return ms.length > 0 && ms.every((m) => m.actualDate !== null) ? "after-sales" : "fulfilment";
    }
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/*
 * The default policy, rule by rule: a blank criterion matches everything; "all" is every
 * shareable field (identity fields come with every visible record).
 *
 * | rule                     | tiers          | stages                  | terms                              | grants                                                               |
 * | ------------------------ | -------------- | ----------------------- | ---------------------------------- | -------------------------------------------------------------------- |
 * | contract-overview        |                |                         |                                    | contract: all (named one by one: a new field is not shown by default) |
 * | contract-documents       |                |                         | documentSharing                    | document (kinds contract, signature): all; download-document         |
 * | portal-query             | key, strategic |                         |                                    | query                                                                |
 * | delivery-tracking        |                | fulfilment, after-sales | deliveryTracking                   | delivery: all but quantity                                           |
 * | delivery-quantities      | key, strategic | fulfilment, after-sales | deliveryTracking                   | delivery: quantity                                                   |
 * | delivery-notes           |                | fulfilment, after-sales | deliveryTracking, documentSharing  | document (kind delivery-note): all; download-document                |
 * | billing                  |                | fulfilment, after-sales | paymentVisibility                  | invoice: all; payment: all but hasVoucher                            |
 * | payment-vouchers         |                | fulfilment, after-sales | paymentVisibility, documentSharing | payment: hasVoucher; document (kind voucher): all; download-document |
 * | change-requests          |                | fulfilment, after-sales | changeRequests                     | change-request: all but slaDueAt; respond-to-answer                  |
 * | file-change-requests     |                | fulfilment              | changeRequests                     | file-change-request                                                  |
 * | change-request-sla       | key, strategic | fulfilment, after-sales | changeRequests                     | change-request: slaDueAt                                             |
 * | after-sales-changes      | strategic      | after-sales             | changeRequests                     | file-change-request                                                  |
 * | service-requests         |                | after-sales             |                                    | service-request: all but resolutionMs; open-service-request          |
 * | service-resolution-times | strategic      | after-sales             |                                    | service-request: resolutionMs                                        |
 *
 * A closed (voided) contract keeps only the first three: read-only contract and documents.
 * core/portal/README.md shows the resulting tier × stage table; a test keeps it current.
 */
const AFTER_SIGNING = ["fulfilment", "after-sales"] as const;
const DOCUMENT_FIELDS = { fields: "all-shareable", actions: ["download-document"] } as const;

export const DEFAULT_PORTAL_POLICY: PortalPolicy = deepFreeze(
  PortalPolicy.parse({
    version: 1,
    rules: [
      {
        id: "contract-overview",
        description: "Every customer sees the contract itself",
        when: {},
        grant: {
          contract: {
            fields: ["title", "status", "stage", "amount", "documentHash", "signedAt", "terms"],
          },
        },
      },
      {
        id: "contract-documents",
        description: "The contract document and its signed copies",
        when: { terms: { documentSharing: true } },
        grant: { document: { ...DOCUMENT_FIELDS, where: { kind: ["contract", "signature"] } } },
      },
      {
        id: "portal-query",
        description: "Natural-language questions for key and strategic customers",
        when: { tiers: ["key", "strategic"] },
        grant: { contract: { fields: [], actions: ["query"] } },
      },
      {
        id: "delivery-tracking",
        when: { stages: AFTER_SIGNING, terms: { deliveryTracking: true } },
        grant: {
          delivery: {
            fields: ["name", "destination", "plannedDate", "committedDate", "actualDate", "status"],
          },
        },
      },
      {
        id: "delivery-quantities",
        when: {
          tiers: ["key", "strategic"],
          stages: AFTER_SIGNING,
          terms: { deliveryTracking: true },
        },
        grant: { delivery: { fields: ["quantity"] } },
      },
      {
        id: "delivery-notes",
        when: { stages: AFTER_SIGNING, terms: { deliveryTracking: true, documentSharing: true } },
        grant: { document: { ...DOCUMENT_FIELDS, where: { kind: ["delivery-note"] } } },
      },
      {
        id: "billing",
        when: { stages: AFTER_SIGNING, terms: { paymentVisibility: true } },
        grant: {
          invoice: { fields: "all-shareable" },
          payment: { fields: ["reference", "amount", "receivedAt"] },
        },
      },
      {
        id: "payment-vouchers",
        description: "Payment vouchers are documents: both terms must allow them",
        when: { stages: AFTER_SIGNING, terms: { paymentVisibility: true, documentSharing: true } },
        grant: {
          payment: { fields: ["hasVoucher"] },
          document: { ...DOCUMENT_FIELDS, where: { kind: ["voucher"] } },
        },
      },
      {
        id: "change-requests",
        description: "Change requests stay visible after fulfilment: answers can arrive late",
        when: { stages: AFTER_SIGNING, terms: { changeRequests: true } },
        grant: {
          "change-request": {
            fields: ["kind", "summary", "requested", "status", "filedAt", "answer", "respondedAt"],
            actions: ["respond-to-answer"],
          },
        },
      },
      {
        id: "file-change-requests",
        when: { stages: ["fulfilment"], terms: { changeRequests: true } },
        grant: { "change-request": { fields: [], actions: ["file-change-request"] } },
      },
      {
        id: "change-request-sla",
        description: "The SLA clock is shown to the tiers it is a promise to",
        when: {
          tiers: ["key", "strategic"],
          stages: AFTER_SIGNING,
          terms: { changeRequests: true },
        },
        grant: { "change-request": { fields: ["slaDueAt"] } },
      },
      {
        id: "after-sales-changes",
        when: { tiers: ["strategic"], stages: ["after-sales"], terms: { changeRequests: true } },
        grant: { "change-request": { fields: [], actions: ["file-change-request"] } },
      },
      {
        id: "service-requests",
        when: { stages: ["after-sales"] },
        grant: {
          "service-request": {
            fields: ["title", "severity", "status", "openedAt", "resolvedAt", "resolution"],
            actions: ["open-service-request"],
          },
        },
      },
      {
        id: "service-resolution-times",
        when: { tiers: ["strategic"], stages: ["after-sales"] },
        grant: { "service-request": { fields: ["resolutionMs"] } },
      },
    ],
  }),
);
