// Invariant [PV1]: whatever the policy (parsed or built in code, granting internal fields,
// unknown fields, misplaced actions, filters on internal fields, inherited grants) and
// whatever the record (extra keys, `__proto__`, fields on its prototype), a projection holds
// no internal field, no key that is not identity or granted, and only the record's own
// properties, unchanged. [PV2] [PV3] [PV5] are checked against an independent oracle.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Tier } from "../schemas.ts";
import { classify, fieldsOf, filterValues, PORTAL_FIELDS } from "./fields.ts";
import {
  CONTRACT_STAGES,
  type ContractTerms,
  PORTAL_RESOURCES,
  type PortalResource,
} from "./model.ts";
import {
  ACTION_INFO,
  can,
  explain,
  grantsFor,
  PORTAL_ACTIONS,
  type PortalContext,
  PortalPolicy,
  project,
} from "./policy.ts";

const TERM_KEYS = [
  "deliveryTracking",
  "documentSharing",
  "paymentVisibility",
  "changeRequests",
] as const satisfies readonly (keyof ContractTerms)[];
const HOSTILE_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "colour"];
const INHERITED = "inherited: must never be read";

/** What the generator built, before it was dressed up as a policy object. */
type ModelGrant = {
  fields: "all-shareable" | string[];
  actions?: string[];
  where?: Record<string, string[]>;
};
type ModelRule = {
  id: string;
  when: { tiers?: string[]; stages?: string[]; terms?: Partial<Record<string, boolean>> };
  grant: Partial<Record<string, ModelGrant>>;
};

const shareableOrIdentity = (r: PortalResource) =>
  fieldsOf(r).filter((f) => classify(r, f) !== "internal");
const filterable = (r: PortalResource) => fieldsOf(r).filter((f) => filterValues(r, f));

/** A grant on `r`; `hostile` lets it name anything, the parser's refusals included. */
function grantArb(r: PortalResource, hostile: boolean): fc.Arbitrary<ModelGrant> {
  const field = hostile
    ? fc.constantFrom(...fieldsOf(r), ...HOSTILE_KEYS)
    : fc.constantFrom(...shareableOrIdentity(r));
  const actions = hostile
    ? PORTAL_ACTIONS
    : PORTAL_ACTIONS.filter((a) => ACTION_INFO[a].resource === r);
  const whereFields = hostile ? [...fieldsOf(r), "colour"] : filterable(r);
  const whereEntry = (f: string) =>
    fc.uniqueArray(
      hostile
        ? fc.oneof(fc.constantFrom(...(filterValues(r, f) ?? ["x"])), fc.string({ maxLength: 4 }))
        : fc.constantFrom(...filterValues(r, f)!),
      { minLength: 1, maxLength: 3 },
    );
  return fc.record(
    {
      fields: fc.oneof(
        fc.constant("all-shareable" as const),
        fc.uniqueArray(field, { maxLength: 6 }),
      ),
      ...(actions.length ? { actions: fc.uniqueArray(fc.constantFrom(...actions)) } : {}),
      ...(whereFields.length
        ? {
            where: fc
              .uniqueArray(fc.constantFrom(...whereFields), { minLength: 1, maxLength: 2 })
              .chain((fs) => fc.tuple(...fs.map((f) => whereEntry(f).map((v) => [f, v] as const))))
              .map((entries) => Object.fromEntries(entries)),
          }
        : {}),
    },
    { requiredKeys: ["fields"] },
  );
}

function ruleArb(hostile: boolean): fc.Arbitrary<Omit<ModelRule, "id">> {
  const when = fc.record(
    {
      tiers: fc.uniqueArray(fc.constantFrom(...Tier.options), { minLength: 1 }),
      stages: fc.uniqueArray(fc.constantFrom(...CONTRACT_STAGES), { minLength: 1 }),
      terms: fc.record(Object.fromEntries(TERM_KEYS.map((k) => [k, fc.boolean()])), {
        requiredKeys: [],
      }),
    },
    { requiredKeys: [] },
  );
  const grant = fc.record(
    Object.fromEntries(PORTAL_RESOURCES.map((r) => [r, grantArb(r, hostile)])),
    { requiredKeys: [] },
  );
  return fc.record({ when, grant });
}

const modelArb = (hostile: boolean) =>
  fc
    .array(ruleArb(hostile), { maxLength: 8 })
    .map((rules): ModelRule[] => rules.map((r, i) => ({ id: `rule-${i}`, ...r })));

/**
 * The model as a policy object the parser never saw: grants for an unknown resource and a
 * prototype offering grants for every resource, neither of which may count.
 */
function dressed(model: ModelRule[]): PortalPolicy {
  const rules = model.map((r) => {
    const grant = Object.create(
      Object.fromEntries(PORTAL_RESOURCES.map((res) => [res, { fields: fieldsOf(res) }])),
    );
    Object.assign(grant, r.grant, { secrets: { fields: ["cost"] } });
    return { ...r, grant };
  });
  return { version: 1, rules } as unknown as PortalPolicy;
}

const contextArb: fc.Arbitrary<PortalContext> = fc.record({
  tier: fc.constantFrom(...Tier.options),
  stage: fc.constantFrom(...CONTRACT_STAGES),
  terms: fc.record({
    deliveryTracking: fc.boolean(),
    documentSharing: fc.boolean(),
    paymentVisibility: fc.boolean(),
    changeRequests: fc.boolean(),
  }),
});

/**
 * A record of `r`: every catalogue field (internal ones always), values from the filterable
 * vocabularies or any JSON, extra keys, own `__proto__`/`constructor` keys, and a prototype
 * carrying every field.
 */
function recordArb(r: PortalResource): fc.Arbitrary<Record<string, unknown>> {
  const value = (f: string) => {
    const vocab = filterValues(r, f);
    return vocab ? fc.oneof(fc.constantFrom(...vocab), fc.jsonValue()) : fc.jsonValue();
  };
  const internal = [...fieldsOf(r, "internal")];
  return fc
    .record({
      fields: fc.record(Object.fromEntries(fieldsOf(r).map((f) => [f, value(f)])), {
        requiredKeys: internal,
      }),
      extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
      hostile: fc.subarray(HOSTILE_KEYS),
    })
    .map(({ fields, extra, hostile }) => {
      const proto = Object.fromEntries(fieldsOf(r).map((f) => [f, INHERITED]));
      const record: Record<string, unknown> = Object.create(proto);
      for (const [k, v] of Object.entries({ ...extra, ...fields })) {
        Object.defineProperty(record, k, { value: v, enumerable: true, writable: true });
      }
      for (const k of hostile) {
        Object.defineProperty(record, k, { value: INHERITED, enumerable: true, writable: true });
      }
      return record;
    });
}

const caseArb = (hostile: boolean) =>
  fc
    .record({
      model: modelArb(hostile),
      ctx: contextArb,
      resource: fc.constantFrom(...PORTAL_RESOURCES),
    })
    .chain((c) => recordArb(c.resource).map((record) => ({ ...c, record })));

/**
 * The semantics, written again as plainly as possible over the generator's own model:
 * the fields `project` must show, or null when the record is not shown at all.
 */
function oracle(model: ModelRule[], ctx: PortalContext, r: PortalResource, record: object) {
  let shown: Set<string> | null = null;
  for (const rule of model) {
    const { tiers, stages, terms = {} } = rule.when;
    if (tiers && !tiers.includes(ctx.tier)) continue;
    if (stages && !stages.includes(ctx.stage)) continue;
    if (TERM_KEYS.some((k) => terms[k] !== undefined && terms[k] !== ctx.terms[k])) continue;
    const g = rule.grant[r];
    if (!g) continue;
    const admitted = Object.entries(g.where ?? {}).every(([f, vs]) => {
      const v = Object.getOwnPropertyDescriptor(record, f)?.value;
      return filterValues(r, f) !== null && typeof v === "string" && vs.includes(v);
    });
    if (!admitted) continue;
    shown ??= new Set(fieldsOf(r, "identity"));
    for (const f of fieldsOf(r, "shareable")) {
      if (g.fields === "all-shareable" || g.fields.includes(f)) shown.add(f);
    }
  }
  return shown;
}

describe("[PV1] no projection ever holds an internal field", () => {
  test("[PV1] [PV2] over random hostile policies, contexts and records", () => {
    fc.assert(
      fc.property(caseArb(true), ({ model, ctx, resource, record }) => {
        const policy = dressed(model);
        const out = project(policy, ctx, resource, record);
        const want = oracle(model, ctx, resource, record);
        if (want === null) {
          expect(out).toBeNull();
          return;
        }
        expect(out).not.toBeNull();
        const keys = Object.keys(out!);
        const granted = grantsFor(policy, ctx).get(resource)!.fields;
        for (const k of keys) {
          expect(classify(resource, k)).not.toBe("internal");
          expect(granted.has(k)).toBe(true);
          expect(Object.hasOwn(record, k)).toBe(true);
          expect((out as Record<string, unknown>)[k]).toBe(record[k]);
        }
        expect(new Set(keys)).toEqual(new Set([...want].filter((f) => Object.hasOwn(record, f))));
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        const wire = JSON.parse(JSON.stringify(out));
        for (const f of fieldsOf(resource, "internal")) expect(Object.hasOwn(wire, f)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  test("[PV4] the parser refuses any policy naming an internal field, wherever it hides", () => {
    const withInternal = PORTAL_RESOURCES.filter((r) => fieldsOf(r, "internal").length > 0);
    fc.assert(
      fc.property(
        modelArb(true).filter((m) => m.length > 0),
        fc.nat(),
        fc
          .constantFrom(...withInternal)
          .chain((r) => fc.tuple(fc.constant(r), fc.constantFrom(...fieldsOf(r, "internal")))),
        (model, at, [r, field]) => {
          const rule = model[at % model.length]!;
          const g = rule.grant[r];
          const fields = Array.isArray(g?.fields) ? g.fields : [];
          rule.grant[r] = { ...g, fields: [...fields, field] };
          const issues = PortalPolicy.safeParse({ version: 1, rules: model }).error?.issues ?? [];
          const message = `${r}.${field} is internal and is never shown in the portal`;
          expect(issues.map((i) => i.message)).toContain(message);
        },
      ),
    );
  });
});

describe("[PV3] grants are a union of matching rules", () => {
  test("[PV4] [PV3] a well-formed policy parses, and parsing changes no grant", () => {
    fc.assert(
      fc.property(modelArb(false), contextArb, (model, ctx) => {
        const parsed = PortalPolicy.parse({ version: 1, rules: model });
        const raw = grantsFor(dressed(model), ctx);
        const viaParser = grantsFor(parsed, ctx);
        expect([...viaParser.keys()]).toEqual([...raw.keys()]);
        for (const [r, g] of viaParser) {
          expect([...g.fields]).toEqual([...raw.get(r)!.fields]);
          expect([...g.actions]).toEqual([...raw.get(r)!.actions]);
        }
      }),
    );
  });

  test("[PV3] adding a rule never hides a field or an action, wherever it goes", () => {
    fc.assert(
      fc.property(modelArb(true), ruleArb(true), fc.nat(), contextArb, (model, extra, at, ctx) => {
        const bigger = [...model];
        bigger.splice(at % (model.length + 1), 0, { id: "extra", ...extra });
        const before = grantsFor(dressed(model), ctx);
        const after = grantsFor(dressed(bigger), ctx);
        for (const [r, g] of before) {
          for (const f of g.fields) expect(after.get(r)?.fields.has(f)).toBe(true);
        }
        for (const a of PORTAL_ACTIONS) {
          if (can(dressed(model), ctx, a)) expect(can(dressed(bigger), ctx, a)).toBe(true);
        }
      }),
    );
  });

  test("[PV3] rule order does not change what is shown", () => {
    const withShuffled = caseArb(true).chain((c) =>
      fc
        .shuffledSubarray(c.model, { minLength: c.model.length, maxLength: c.model.length })
        .map((shuffled) => ({ ...c, shuffled })),
    );
    fc.assert(
      fc.property(withShuffled, ({ model, shuffled, ctx, resource, record }) => {
        const a = project(dressed(model), ctx, resource, record);
        expect(project(dressed(shuffled), ctx, resource, record)).toEqual(a);
      }),
    );
  });
});

describe("[PV5] explain agrees with projection", () => {
  test("[PV5] a field is explained visible exactly when the projection holds it", () => {
    fc.assert(
      fc.property(caseArb(true), ({ model, ctx, resource, record }) => {
        const policy = dressed(model);
        const out = project(policy, ctx, resource, record);
        for (const f of [...Object.keys(PORTAL_FIELDS[resource]), ...HOSTILE_KEYS]) {
          const e = explain(policy, ctx, resource, f, record);
          const shown = out !== null && Object.hasOwn(out, f);
          expect(e.visible && Object.hasOwn(record, f)).toBe(shown);
          expect(e.rules.map((r) => r.id)).toEqual(model.map((r) => r.id));
          if (e.visible) expect(e.rules.some((r) => r.grants)).toBe(true);
        }
      }),
    );
  });
});
