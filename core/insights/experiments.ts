// A/B tests of next-best-action wordings (issue 12, item 4), pure: when a flagged strategy
// starts an experiment, which arm an insight is shown, how arms compare, and what promotion
// and reversal do. Storage, clock and ids belong to the caller.
//
// Lifecycle: (none) ─flagged, ≥1 variant, room─▶ running ─promote winner─▶ promoted
//            running | promoted ─revert─▶ reverted ─promote winner─▶ promoted
// An experiment is never restarted by itself once reverted: that was a person's decision.
// Only the running phase randomises, so only it is counted: an insight is given (and
// records) an arm only while its experiment runs, and every verdict — the first promotion
// and any later one — is judged on those answers alone. Answers on insights served a
// promoted text were chosen for that text, not drawn at random; counting them would bias
// the comparison and leave the intervals describing no experiment.

import { sha256 } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import { AB_TEST_CONFIDENCE, type StrategyAdoption, wilson } from "./adoption.ts";
import type { ActionTemplate, NextBestAction } from "./schema.ts";
import { DEFAULT_TEMPLATES } from "./templates-default.ts";
import { CONTROL, MAX_VARIANTS, type TemplateVariant, TemplateVariants } from "./variants.ts";

export { CONTROL, MAX_VARIANTS };

/** Experiments assigning arms at once, per tenant: each splits its strategy's traffic. */
export const MAX_RUNNING_EXPERIMENTS = 5;
/** Answers every arm needs before any arm can win (as many as flagging a strategy needs). */
export const MIN_ANSWERS_PER_ARM = 20;

/**
 * The winning rule. Of the two the issue allows, non-overlapping 95% Wilson intervals
 * rather than a two-proportion z-test: it decides on the very intervals the strategies
 * report shows, so a reader can check a verdict by eye, and it is conservative — for arms
 * of similar size, non-overlap of two 95% intervals means p < ~0.006, which stays below
 * 0.05 even after a Bonferroni correction for the three comparisons four arms allow, so it
 * needs no correction of its own. The price is more answers before a verdict.
 */
export const EXPERIMENT_RULE = {
  minAnswersPerArm: MIN_ANSWERS_PER_ARM,
  confidence: AB_TEST_CONFIDENCE,
  maxRunning: MAX_RUNNING_EXPERIMENTS,
  maxVariants: MAX_VARIANTS,
  statement: `An arm wins when every arm has at least ${MIN_ANSWERS_PER_ARM} answers and its ${AB_TEST_CONFIDENCE * 100}% Wilson interval lies wholly above every other arm's; only a winning variant can be promoted. Only answers on insights assigned an arm while the experiment was running count: insights served after its first promotion or revert count for no arm, so a variant is promoted again only on the randomised answers.`,
} as const;

export type ExperimentStatus = "running" | "promoted" | "reverted";

export type Experiment = {
  id: string;
  strategy: string;
  /** `control` first, then the variants' ids as they were when it started. */
  arms: readonly string[];
  status: ExperimentStatus;
  /** The variant served to every insight; set exactly while `promoted`. */
  promoted: string | null;
  startedAt: string;
  updatedAt: string;
  /** Bumped by every change, so concurrent writers can detect each other. */
  version: number;
};

/** Which arm of which experiment an action was shown with. */
export type Shown = { experimentId: string; variant: string };

// ---- Variants ----

/**
 * Built-in alternatives for a few built-in strategies, so experiments run without tenant
 * configuration. Each keeps its template's placeholders and locales (variants.ts checks).
 */
export const DEFAULT_VARIANTS: Readonly<Record<string, readonly TemplateVariant[]>> = Object.freeze(
  Object.fromEntries(
    Object.entries({
      "generic.value-case": [
        {
          id: "tco-first",
          title: {
            zh: "用三年总拥有成本对比回应价格顾虑",
            en: "Answer the price concern with a three-year cost-of-ownership comparison",
          },
          reason: {
            zh: "客户提到了价格（{quotes}）；把采购价、维护和停机成本摊到三年里比较，往往比直接降价更有说服力。",
            en: "The customer raised price ({quotes}); spreading purchase, upkeep and downtime over three years persuades more often than a discount.",
          },
        },
      ],
      "generic.sla-commitment": [
        {
          id: "named-engineer",
          title: {
            zh: "为客户指定专属服务工程师并公开联系方式",
            en: "Name a dedicated service engineer and share their direct line",
          },
          reason: {
            zh: "客户担心售后服务（{quotes}）；一个具体的人比一纸承诺更让人放心。",
            en: "The customer is worried about service ({quotes}); a named person reassures more than a promise on paper.",
          },
        },
      ],
      "generic.competitor-comparison": [
        {
          id: "customer-story",
          title: {
            zh: "分享一位从{competitor}换到我们的客户案例",
            en: "Share the story of a customer who switched from {competitor}",
          },
          reason: {
            zh: "客户提到了{competitor}（{quotes}）；同行的经历比参数表更可信。",
            en: "The customer brought up {competitor} ({quotes}); a peer's experience is more credible than a spec sheet.",
          },
        },
      ],
      "generic.objection-discovery": [
        {
          id: "ask-directly",
          title: {
            zh: "直接问客户：要解决什么问题才能往下推进？",
            en: "Ask plainly what would have to change for them to move forward",
          },
          reason: {
            zh: "客户提出了异议（{quotes}）；直接问清楚，比猜测顾虑更快。",
            en: "The customer pushed back ({quotes}); asking directly is faster than guessing at the concern.",
          },
        },
      ],
    }).map(([strategy, variants]) => [strategy, TemplateVariants.parse(variants)]),
  ),
);

const BUILT_IN = new Map(DEFAULT_TEMPLATES.map((t) => [t.strategy, t]));
const wording = (t: Pick<ActionTemplate, "title" | "reason">) =>
  canonicalJson({ title: t.title, reason: t.reason });

/**
 * A template's variants: its own, else the built-in ones while it is the built-in text. A
 * tenant's rewording of a built-in gets none of them: they were written beside other words.
 */
export function variantsOf(template: ActionTemplate): readonly TemplateVariant[] {
  if (template.variants) return template.variants;
  const builtIn = BUILT_IN.get(template.strategy);
  if (!builtIn || wording(builtIn) !== wording(template)) return [];
  return Object.hasOwn(DEFAULT_VARIANTS, template.strategy)
    ? DEFAULT_VARIANTS[template.strategy]!
    : [];
}

// ---- Assignment ----

/**
 * The arm an insight is shown: the first 32 bits of SHA-256(experiment id, insight id),
 * modulo the arms. Deterministic, so an insight keeps its arm however often it is served;
 * uniform, because ids are random (insight ids carry 128 random bits).
 */
export function assignArm(
  experimentId: string,
  insightId: string,
  arms: readonly string[],
): string {
  if (arms.length === 0) throw new RangeError("an experiment has at least one arm");
  const d = sha256(`${experimentId}\u0000${insightId}`);
  const n = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
  return arms[n % arms.length]!;
}

/** What an insight is served: its arm while running, the winner once promoted, else the control. */
export function servedArm(e: Experiment, insightId: string): string {
  switch (e.status) {
    case "running":
      return assignArm(e.id, insightId, e.arms);
    case "promoted":
      return e.promoted ?? CONTROL;
    case "reverted":
      return CONTROL;
  }
}

/**
 * The templates as `insightId` is served them, and the arm each strategy under a running
 * experiment was given. Only a running experiment records an arm: a promoted text is shown
 * to every insight, so an answer on it says nothing about the comparison and counts for no
 * arm. An arm whose variant is gone (the tenant removed it) serves, and counts as, the
 * control: what is recorded is what was shown.
 */
export function serveVariants(
  templates: readonly ActionTemplate[],
  experiments: readonly Experiment[],
  insightId: string,
): { templates: ActionTemplate[]; shown: Map<string, Shown> } {
  const byStrategy = new Map(experiments.map((e) => [e.strategy, e]));
  const shown = new Map<string, Shown>();
  const served = templates.map((t) => {
    const e = byStrategy.get(t.strategy);
    if (!e || e.status === "reverted") return t;
    const arm = servedArm(e, insightId);
    const variant = variantsOf(t).find((v) => v.id === arm);
    if (e.status === "running")
      shown.set(t.strategy, { experimentId: e.id, variant: variant ? arm : CONTROL });
    return variant ? { ...t, title: variant.title, reason: variant.reason } : t;
  });
  return { templates: served, shown };
}

/** The arms the analysis' actions were shown with (null: none was in an experiment). */
export function variantsShown(
  actions: readonly Pick<NextBestAction, "strategy">[],
  shown: ReadonlyMap<string, Shown>,
): Record<string, Shown> | null {
  const out = Object.fromEntries(
    actions.flatMap((a) => {
      const s = shown.get(a.strategy);
      return s ? [[a.strategy, s]] : [];
    }),
  );
  return Object.keys(out).length ? out : null;
}

// ---- Results ----

export type ArmResult = {
  variant: string;
  answered: number;
  adopted: number;
  adoptionRate: number | null;
  interval95: [number, number] | null;
};

/** One row per arm, in the experiment's order; arms without answers have no rate. */
export function armResults(
  arms: readonly string[],
  counts: ReadonlyMap<string, { answered: number; adopted: number }>,
): ArmResult[] {
  return arms.map((variant) => {
    const { answered, adopted } = counts.get(variant) ?? { answered: 0, adopted: 0 };
    return {
      variant,
      answered,
      adopted,
      adoptionRate: answered > 0 ? adopted / answered : null,
      interval95: answered > 0 ? wilson(adopted, answered) : null,
    };
  });
}

/** The arm that wins under EXPERIMENT_RULE (possibly the control), or null: undecided. */
export function winnerOf(
  results: readonly ArmResult[],
  minAnswers = MIN_ANSWERS_PER_ARM,
): string | null {
  if (results.length < 2 || results.some((r) => r.answered < minAnswers)) return null;
  const best = results.reduce((a, b) => (b.interval95![0] > a.interval95![0] ? b : a));
  const clear = results.every((r) => r === best || best.interval95![0] > r.interval95![1]);
  return clear ? best.variant : null;
}

// ---- Transitions ----

export type StartVerdict =
  | { start: Experiment }
  | {
      start: null;
      why: "exists" | "not-flagged" | "no-variants" | "too-many-experiments";
    };

/**
 * Whether a strategy's adoption starts an experiment: flagged (adoption.ts: enough answers,
 * interval wholly below 65%), with at least one variant besides the control, no experiment
 * of it yet, and fewer than MAX_RUNNING_EXPERIMENTS running in the tenant.
 */
export function startExperiment(input: {
  existing: Experiment | null;
  adoption: Pick<StrategyAdoption, "strategy" | "flag"> | undefined;
  template: ActionTemplate | undefined;
  running: number;
  id: string;
  at: string;
}): StartVerdict {
  const { existing, adoption, template } = input;
  if (existing) return { start: null, why: "exists" };
  if (adoption?.flag !== "ab-test") return { start: null, why: "not-flagged" };
  const variants = template ? variantsOf(template) : [];
  if (variants.length === 0) return { start: null, why: "no-variants" };
  if (input.running >= MAX_RUNNING_EXPERIMENTS) return { start: null, why: "too-many-experiments" };
  return {
    start: {
      id: input.id,
      strategy: adoption.strategy,
      arms: [CONTROL, ...variants.map((v) => v.id)],
      status: "running",
      promoted: null,
      startedAt: input.at,
      updatedAt: input.at,
      version: 1,
    },
  };
}

export type ExperimentRefusal =
  | { code: "no-experiment" }
  | { code: "unknown-variant"; variant: string; arms: readonly string[] }
  | { code: "control-not-promotable" }
  | { code: "no-confident-winner"; variant: string; winner: string | null }
  | { code: "revert-first"; promoted: string };

export type Transition =
  | { ok: true; experiment: Experiment; changed: boolean }
  | { ok: false; refusal: ExperimentRefusal };

const moved = (e: Experiment, at: string, to: Pick<Experiment, "status" | "promoted">) => ({
  ok: true as const,
  changed: true,
  experiment: { ...e, ...to, updatedAt: at, version: e.version + 1 },
});

/**
 * Serves `variant` to every insight: only the confident winner, and only one at a time.
 * `results` are the running phase's (see the lifecycle above), also when promoting again.
 */
export function promote(
  e: Experiment | null,
  variant: string,
  results: readonly ArmResult[],
  at: string,
): Transition {
  if (!e) return { ok: false, refusal: { code: "no-experiment" } };
  if (variant === CONTROL) return { ok: false, refusal: { code: "control-not-promotable" } };
  if (!e.arms.includes(variant))
    return { ok: false, refusal: { code: "unknown-variant", variant, arms: e.arms } };
  if (e.status === "promoted") {
    if (e.promoted === variant) return { ok: true, experiment: e, changed: false };
    return { ok: false, refusal: { code: "revert-first", promoted: e.promoted ?? CONTROL } };
  }
  const winner = winnerOf(results);
  if (winner !== variant)
    return { ok: false, refusal: { code: "no-confident-winner", variant, winner } };
  return moved(e, at, { status: "promoted", promoted: variant });
}

/** Back to the control for every insight: undoes a promotion, or stops a running test. */
export function revert(e: Experiment | null, at: string): Transition {
  if (!e) return { ok: false, refusal: { code: "no-experiment" } };
  if (e.status === "reverted") return { ok: true, experiment: e, changed: false };
  return moved(e, at, { status: "reverted", promoted: null });
}
