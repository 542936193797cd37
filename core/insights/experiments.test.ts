// A/B tests of strategy wordings, the pure parts: variants and their checks, assignment
// (stable, balanced), serving, the winning rule and the experiment's state machine.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { wilson } from "./adoption.ts";
import {
  type ArmResult,
  armResults,
  assignArm,
  CONTROL,
  DEFAULT_VARIANTS,
  EXPERIMENT_RULE,
  type Experiment,
  MAX_RUNNING_EXPERIMENTS,
  MAX_VARIANTS,
  MIN_ANSWERS_PER_ARM,
  promote,
  revert,
  serveVariants,
  startExperiment,
  variantsOf,
  variantsShown,
  winnerOf,
} from "./experiments.ts";
import { ActionTemplate, InsightRules } from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";

const builtIn = (strategy: string) => DEFAULT_TEMPLATES.find((t) => t.strategy === strategy)!;
const VALUE_CASE = builtIn("generic.value-case");
const AT = "2026-12-01T00:00:00.000Z";
const LATER = "2026-12-02T00:00:00.000Z";

const experiment = (over: Partial<Experiment> = {}): Experiment => ({
  id: "exp_1",
  strategy: "generic.value-case",
  arms: [CONTROL, "tco-first"],
  status: "running",
  promoted: null,
  startedAt: AT,
  updatedAt: AT,
  version: 1,
  ...over,
});

/** Arm results from [answered, adopted] per arm, in order. */
const results = (arms: Record<string, [number, number]>): ArmResult[] =>
  armResults(
    Object.keys(arms),
    new Map(Object.entries(arms).map(([k, [answered, adopted]]) => [k, { answered, adopted }])),
  );

const variant = (over: Record<string, unknown> = {}) => ({
  id: "short",
  title: { zh: "先讲价值", en: "Value first" },
  reason: { zh: "客户提到了价格（{quotes}）。", en: "Price came up ({quotes})." },
  ...over,
});

describe("variants", () => {
  test("every built-in variant belongs to a built-in strategy, speaks zh and en and passes the template's checks", () => {
    expect(Object.keys(DEFAULT_VARIANTS).length).toBeGreaterThanOrEqual(3);
    for (const [strategy, variants] of Object.entries(DEFAULT_VARIANTS)) {
      const template = builtIn(strategy);
      expect(template, strategy).toBeDefined();
      const parsed = ActionTemplate.safeParse({ ...template, variants });
      expect(parsed.error?.issues ?? [], strategy).toEqual([]);
      for (const v of variants) {
        expect(Object.keys(v.title).sort()).toEqual(["en", "zh"]);
        expect(v.title).not.toEqual(template.title);
      }
    }
  });

  test.each([
    [
      "a locale the template gives is missing",
      { title: { en: "x" }, reason: { en: "y" } },
      "in zh too",
    ],
    [
      "title and reason give different locales",
      { reason: { en: "Price came up ({quotes})." } },
      "same locales as the title",
    ],
    [
      "a placeholder the template does not use",
      { title: { zh: "{months}个月后再谈", en: "In {months} months" } },
      "{months} is not used by the template",
    ],
    ["a stray brace", { title: { zh: "价值｛", en: "Value" } }, "brace outside"],
    ["the control's id", { id: CONTROL }, "names the template's own text"],
    ["an id that is no short lower-case word", { id: "Tco First" }, "lower-case"],
  ])("a variant is refused when %s", (_, over, message) => {
    const parsed = ActionTemplate.safeParse({ ...VALUE_CASE, variants: [variant(over)] });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error!.issues)).toContain(message);
  });

  test("variants are unique by id and bounded", () => {
    const twice = ActionTemplate.safeParse({ ...VALUE_CASE, variants: [variant(), variant()] });
    expect(JSON.stringify(twice.error?.issues)).toContain("given twice");
    const many = Array.from({ length: MAX_VARIANTS + 1 }, (_, i) => variant({ id: `v${i}` }));
    expect(ActionTemplate.safeParse({ ...VALUE_CASE, variants: many }).success).toBe(false);
    const most = many.slice(0, MAX_VARIANTS);
    expect(ActionTemplate.safeParse({ ...VALUE_CASE, variants: most }).success).toBe(true);
  });

  test("a tenant's template carries its own variants in its rules", () => {
    const rules = InsightRules.parse({
      signals: [],
      actions: { templates: [{ ...VALUE_CASE, variants: [variant()] }] },
    });
    expect(variantsOf(rules.actions.templates[0]!).map((v) => v.id)).toEqual(["short"]);
  });

  test("a built-in gets the built-in variants; a tenant's rewording none; its own list (even empty) wins", () => {
    expect(variantsOf(VALUE_CASE).map((v) => v.id)).toEqual(["tco-first"]);
    expect(variantsOf({ ...VALUE_CASE, title: "Our own words" })).toEqual([]);
    expect(variantsOf({ ...VALUE_CASE, variants: [] })).toEqual([]);
    expect(variantsOf(builtIn("generic.close-now"))).toEqual([]);
  });
});

describe("assignment", () => {
  const ARMS = [CONTROL, "a", "b"];
  const insightId = fc
    .uint8Array({ minLength: 16, maxLength: 16 })
    .map((b) => `ins_cn-east_${Buffer.from(b).toString("hex")}`);

  test("an insight keeps its arm: the same experiment and insight give the same arm", () => {
    fc.assert(
      fc.property(fc.string(), insightId, (exp, ins) => {
        expect(assignArm(exp, ins, ARMS)).toBe(assignArm(exp, ins, ARMS));
        expect(ARMS).toContain(assignArm(exp, ins, ARMS));
      }),
    );
  });

  test("arms are balanced: over 6,000 insights each arm's share is within 4 standard errors of its third", () => {
    const n = 6_000;
    const seen = new Map<string, number>();
    fc.sample(insightId, { numRuns: n, seed: 12 }).forEach((ins) => {
      const arm = assignArm("exp_balance", ins, ARMS);
      seen.set(arm, (seen.get(arm) ?? 0) + 1);
    });
    const p = 1 / ARMS.length;
    const se = Math.sqrt((p * (1 - p)) / n);
    for (const arm of ARMS) expect(Math.abs(seen.get(arm)! / n - p)).toBeLessThan(4 * se);
  });

  test("another experiment draws again: assignments of two experiments are independent", () => {
    const ids = fc.sample(insightId, { numRuns: 2_000, seed: 7 });
    const same = ids.filter(
      (i) => assignArm("exp_1", i, ARMS) === assignArm("exp_2", i, ARMS),
    ).length;
    // Independent draws agree a third of the time.
    expect(same / ids.length).toBeGreaterThan(0.28);
    expect(same / ids.length).toBeLessThan(0.39);
  });
});

describe("serving", () => {
  const templates = [VALUE_CASE, builtIn("generic.sla-commitment")];
  /** An insight id assigned to `arm` of `e`. */
  const idFor = (e: Experiment, arm: string) => {
    for (let i = 0; ; i++) {
      const id = `ins_cn-east_${i.toString(16).padStart(32, "0")}`;
      if (assignArm(e.id, id, e.arms) === arm) return id;
    }
  };

  test("a running experiment shows an insight its arm's wording and records which", () => {
    const e = experiment();
    const toVariant = serveVariants(templates, [e], idFor(e, "tco-first"));
    expect(toVariant.templates[0]!.title).toEqual(
      DEFAULT_VARIANTS["generic.value-case"]![0]!.title,
    );
    expect(toVariant.templates[1]).toBe(templates[1]);
    expect(toVariant.shown.get("generic.value-case")).toEqual({
      experimentId: "exp_1",
      variant: "tco-first",
    });
    const toControl = serveVariants(templates, [e], idFor(e, CONTROL));
    expect(toControl.templates[0]).toBe(VALUE_CASE);
    expect(toControl.shown.get("generic.value-case")!.variant).toBe(CONTROL);
  });

  test("a promoted variant is shown to every insight but recorded for no arm: it was not drawn at random", () => {
    const promoted = experiment({ status: "promoted", promoted: "tco-first" });
    for (const arm of [CONTROL, "tco-first"]) {
      const served = serveVariants(templates, [promoted], idFor(experiment(), arm));
      expect(served.templates[0]!.title).toEqual(DEFAULT_VARIANTS["generic.value-case"]![0]!.title);
      expect(served.shown.size).toBe(0);
    }
  });

  test("a reverted experiment shows the control and records nothing", () => {
    const reverted = experiment({ status: "reverted" });
    for (const arm of [CONTROL, "tco-first"]) {
      const back = serveVariants(templates, [reverted], idFor(experiment(), arm));
      expect(back.templates[0]).toBe(VALUE_CASE);
      expect(back.shown.size).toBe(0);
    }
  });

  test("an arm whose variant is gone from the rules shows, and counts as, the control", () => {
    const e = experiment({ arms: [CONTROL, "removed"] });
    const served = serveVariants(templates, [e], idFor(e, "removed"));
    expect(served.templates[0]).toBe(VALUE_CASE);
    expect(served.shown.get("generic.value-case")!.variant).toBe(CONTROL);
  });

  test("an insight records the arms of the actions it suggested only", () => {
    const shown = new Map([
      ["generic.value-case", { experimentId: "exp_1", variant: "tco-first" }],
      ["generic.sla-commitment", { experimentId: "exp_2", variant: CONTROL }],
    ]);
    expect(variantsShown([{ strategy: "generic.value-case" }], shown)).toEqual({
      "generic.value-case": { experimentId: "exp_1", variant: "tco-first" },
    });
    expect(variantsShown([{ strategy: "generic.close-now" }], shown)).toBeNull();
  });
});

describe("the winning rule", () => {
  test("states its rule: minimum answers per arm and non-overlapping 95% Wilson intervals", () => {
    expect(MIN_ANSWERS_PER_ARM).toBe(20);
    expect(EXPERIMENT_RULE.statement).toContain("at least 20 answers");
    expect(EXPERIMENT_RULE.statement).toContain("95% Wilson interval");
    expect(EXPERIMENT_RULE.statement).toContain("while the experiment was running");
  });

  test.each<[string, Record<string, [number, number]>, string | null]>([
    ["a clear variant wins", { control: [40, 10], v: [40, 34] }, "v"],
    ["too few answers in one arm decide nothing", { control: [40, 10], v: [19, 19] }, null],
    ["overlapping intervals decide nothing", { control: [40, 16], v: [40, 24] }, null],
    ["the control can win: the variant is worse", { control: [40, 34], v: [40, 10] }, "control"],
    [
      "a variant must clear every other arm, not only the control",
      { control: [40, 8], a: [40, 34], b: [40, 31] },
      null,
    ],
    [
      "with three arms, one clearly above both wins",
      { control: [60, 12], a: [60, 20], b: [60, 54] },
      "b",
    ],
    ["one arm alone is no comparison", { control: [40, 10] }, null],
  ])("%s", (_, arms, winner) => {
    expect(winnerOf(results(arms))).toBe(winner);
  });

  test("a winner's interval lies above every other arm's, and every arm has the minimum", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.nat()), {
          minLength: 2,
          maxLength: 4,
        }),
        (arms) => {
          const rs = results(
            Object.fromEntries(arms.map(([n, k], i) => [`arm${i}`, [n, n ? k % (n + 1) : 0]])),
          );
          const w = winnerOf(rs);
          if (w === null) return;
          const win = rs.find((r) => r.variant === w)!;
          for (const r of rs) {
            expect(r.answered).toBeGreaterThanOrEqual(MIN_ANSWERS_PER_ARM);
            if (r !== win) expect(win.interval95![0]).toBeGreaterThan(r.interval95![1]);
          }
        },
      ),
    );
  });

  test("arm results carry the same Wilson interval the adoption report uses", () => {
    const [control, v] = results({ control: [30, 9], v: [0, 0] });
    expect(control).toMatchObject({ adoptionRate: 0.3, interval95: wilson(9, 30) });
    expect(v).toMatchObject({ answered: 0, adoptionRate: null, interval95: null });
  });
});

describe("lifecycle", () => {
  const flagged = { strategy: "generic.value-case", flag: "ab-test" as const };
  const start = (over: Partial<Parameters<typeof startExperiment>[0]> = {}) =>
    startExperiment({
      existing: null,
      adoption: flagged,
      template: VALUE_CASE,
      running: 0,
      id: "exp_new",
      at: AT,
      ...over,
    });

  test.each<[string, Partial<Parameters<typeof startExperiment>[0]>, string]>([
    ["it already has one", { existing: experiment() }, "exists"],
    [
      "it is not flagged",
      { adoption: { strategy: "generic.value-case", flag: null } },
      "not-flagged",
    ],
    ["it has no answers", { adoption: undefined }, "not-flagged"],
    ["it has no variant", { template: { ...VALUE_CASE, variants: [] } }, "no-variants"],
    ["its template is gone", { template: undefined }, "no-variants"],
    [
      "the tenant runs the most it may",
      { running: MAX_RUNNING_EXPERIMENTS },
      "too-many-experiments",
    ],
  ])("a strategy starts no experiment when %s", (_, over, why) => {
    expect(start(over)).toEqual({ start: null, why });
  });

  test("a flagged strategy with a variant starts running with the control first", () => {
    expect(MAX_RUNNING_EXPERIMENTS).toBe(5);
    // The fixture is what a fresh start looks like, under another id.
    expect(start({ running: MAX_RUNNING_EXPERIMENTS - 1 }).start).toEqual(
      experiment({ id: "exp_new" }),
    );
  });

  const WON = results({ control: [40, 10], "tco-first": [40, 34] });
  const UNDECIDED = results({ control: [40, 16], "tco-first": [40, 24] });
  const running = experiment();
  const promoted = experiment({ status: "promoted", promoted: "tco-first", version: 2 });
  const reverted = experiment({ status: "reverted", version: 3 });

  test.each<[string, Experiment | null, string, ArmResult[], unknown]>([
    [
      "running → promoted by its winner",
      running,
      "tco-first",
      WON,
      { status: "promoted", promoted: "tco-first", version: 2 },
    ],
    [
      "reverted → promoted again by its winner",
      reverted,
      "tco-first",
      WON,
      { status: "promoted", promoted: "tco-first", version: 4 },
    ],
    ["promoted again: nothing changes", promoted, "tco-first", WON, { changed: false }],
    [
      "no winner yet",
      running,
      "tco-first",
      UNDECIDED,
      { code: "no-confident-winner", winner: null },
    ],
    ["the control", running, CONTROL, WON, { code: "control-not-promotable" }],
    ["an unknown arm", running, "nope", WON, { code: "unknown-variant" }],
    ["no experiment", null, "tco-first", WON, { code: "no-experiment" }],
  ])("promote: %s", (_, e, v, rs, expected) => {
    const t = promote(e, v, rs, LATER);
    if (!t.ok) return expect(t.refusal).toMatchObject(expected as object);
    if ("changed" in (expected as object)) return expect(t.changed).toBe(false);
    expect(t).toMatchObject({
      changed: true,
      experiment: { ...(expected as object), updatedAt: LATER },
    });
  });

  test("promote: another variant while one is promoted is refused until reverted", () => {
    const three = experiment({ arms: [CONTROL, "a", "b"], status: "promoted", promoted: "a" });
    expect(
      promote(three, "b", results({ control: [40, 1], a: [40, 2], b: [40, 39] }), LATER),
    ).toEqual({
      ok: false,
      refusal: { code: "revert-first", promoted: "a" },
    });
  });

  test.each<[string, Experiment | null, unknown]>([
    [
      "promoted → reverted",
      promoted,
      { ok: true, changed: true, experiment: { status: "reverted", promoted: null, version: 3 } },
    ],
    [
      "running → reverted (the test stops)",
      running,
      { ok: true, changed: true, experiment: { status: "reverted" } },
    ],
    ["reverted again: nothing changes", reverted, { ok: true, changed: false }],
    ["no experiment", null, { ok: false, refusal: { code: "no-experiment" } }],
  ])("revert: %s", (_, e, expected) => {
    expect(revert(e, LATER)).toMatchObject(expected as object);
  });
});
