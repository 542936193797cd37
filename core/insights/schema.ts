// The contract of call insights: transcripts and customer profiles in; signals, call
// metrics and next-best actions out; the tenant-configurable rules that produce them.
import { z } from "zod";
import { FreeText, unsafeTextReason } from "../text.ts";
import { isTimeZone } from "./calendar.ts";
import { MAX_FOLDED_CHARS, MAX_UTTERANCE_CHARS, MAX_UTTERANCES } from "./limits.ts";
import { fold } from "./normalise.ts";
import { foldPattern } from "./pattern-fold.ts";
import { backtrackingRisk } from "./pattern-safety.ts";
import { TemplateVariants, variantIssues } from "./variants.ts";

export const MAX_PATTERN_CHARS = 200;
/** Tenant patterns in all signal kinds together (each runs over every utterance). */
export const MAX_PATTERNS = 20;
export const MAX_ACTIONS = 3;

const Text = FreeText;

export const Speaker = z.enum(["customer", "rep"]);
export type Speaker = z.infer<typeof Speaker>;

export const Utterance = z.strictObject({
  speaker: Speaker,
  text: z
    .string()
    .max(MAX_UTTERANCE_CHARS)
    // No flags: zod-to-openapi publishes `source` plus "/flags" as the pattern (a `/u` once
    // made every generated client refuse every transcript); \S needs none.
    .regex(/\S/, { message: "must contain more than white space" })
    .refine((t) => t.normalize("NFKC").length <= MAX_FOLDED_CHARS, {
      message: `expands to more than ${MAX_FOLDED_CHARS} characters when normalised (NFKC)`,
    })
    .superRefine((t, ctx) => {
      const reason = unsafeTextReason(t, { multiline: true });
      if (reason) ctx.addIssue({ code: "custom", message: reason });
    }),
  atMs: z
    .int()
    .nonnegative()
    .optional()
    .meta({ description: "When the utterance starts, in ms from the start of the call" }),
});
export type Utterance = z.infer<typeof Utterance>;

export const Transcript = z
  .array(Utterance)
  .min(1)
  .max(MAX_UTTERANCES)
  .superRefine((transcript, ctx) => {
    let previous: { index: number; atMs: number } | undefined;
    transcript.forEach(({ atMs }, index) => {
      if (atMs === undefined) return;
      if (previous && atMs < previous.atMs) {
        ctx.addIssue({
          code: "custom",
          path: [index, "atMs"],
          message: `utterance ${index} starts at ${atMs} ms, before utterance ${previous.index} (${previous.atMs} ms); utterances must be in call order`,
        });
      }
      previous = { index, atMs };
    });
  })
  .meta({ description: "The call in order, one entry per turn" });
export type Transcript = z.infer<typeof Transcript>;

export const SignalKind = z
  .enum([
    "price-sensitivity",
    "service-concern",
    "competitor-mention",
    "purchase-intent",
    "objection",
    "tender",
    "three-quotes",
    "committee-review",
    "approval-pending",
    "budget-approved",
    "product-mention",
  ])
  .meta({
    description:
      "What an utterance says. The procurement process: tender (public tender, government procurement platform), three-quotes (competing quotes), committee-review (review meeting, board), approval-pending (waiting for sign-off), budget-approved (the money is there). product-mention names a product line (productLines)",
  });
export type SignalKind = z.infer<typeof SignalKind>;

/** The procurement gates a call can name, the most binding first: none lets a contract be signed. */
export const PROCUREMENT_GATES = [
  "tender",
  "three-quotes",
  "committee-review",
  "approval-pending",
] as const satisfies readonly SignalKind[];
export type ProcurementGate = (typeof PROCUREMENT_GATES)[number];

export const ProcurementStage = z.enum(["none", ...PROCUREMENT_GATES]).meta({
  description:
    "The most binding procurement gate pending, from the call and the profile (procurementAuthority tender or committee): tender, then three-quotes, committee-review, approval-pending; none when no gate is known",
});
export type ProcurementStage = z.infer<typeof ProcurementStage>;

/** Three classes (issue 12): a greeting, a question or a procedural fact is neutral. */
export const SentimentLabel = z.enum(["negative", "neutral", "positive"]);
export type SentimentLabel = z.infer<typeof SentimentLabel>;
export const Sentiment = z.strictObject({
  label: SentimentLabel,
  probability: z.number().min(0).max(1),
});
export type Sentiment = z.infer<typeof Sentiment>;

// ---- Tenant rules ----

/** Keywords, aliases and negation cues: matched after folding (NFKC, lower case). */
const Phrase = (max: number) =>
  Text(max).refine((p) => fold(p).trim() !== "", { message: "must not fold to white space" });

export const Pattern = z
  .string()
  .min(1)
  .max(MAX_PATTERN_CHARS)
  .superRefine((pattern, ctx) => {
    let re: RegExp;
    try {
      re = new RegExp(pattern, "iu");
    } catch (e) {
      ctx.addIssue({
        code: "custom",
        message: `pattern /${pattern}/ does not compile: ${(e as Error).message}`,
      });
      return;
    }
    const risk = backtrackingRisk(pattern);
    if (risk) ctx.addIssue({ code: "custom", message: `pattern /${pattern}/ ${risk}` });
    // What actually runs: the pattern with its literal characters folded like the text.
    try {
      re = new RegExp(foldPattern(pattern), "iu");
    } catch (e) {
      ctx.addIssue({
        code: "custom",
        message: `pattern /${pattern}/ does not compile once its characters are folded like the text (NFKC, lower case): ${(e as Error).message}`,
      });
      return;
    }
    if (re.test("")) {
      ctx.addIssue({ code: "custom", message: `pattern /${pattern}/ matches empty text` });
    }
  })
  .meta({
    description:
      "A regular expression (u and i flags) run on the folded text (NFKC, lower case, curly apostrophes straight, white space runs as one space); its literal characters, including those of character classes and \\uXXXX escapes, are folded the same way, so ＶＩＰ, don’t and [０-９] match. At most one unbounded quantifier (a bound above 10 counts as unbounded), optional and counted parts whose ranges multiply to at most 128, at most three groups of alternatives, no backreference, and no repeated group that itself repeats or alternates. Patterns share a per-request work budget; past it, pattern matching stops and the analysis says signalsTruncated",
  });

export const SignalRule = z.strictObject({
  kind: SignalKind.exclude(["product-mention"]).meta({
    description: "Any signal kind but product-mention, whose keywords are the productLines'",
  }),
  keywords: z.array(Phrase(64)).max(300),
  patterns: z.array(Pattern).max(20).default([]),
});
export type SignalRule = z.infer<typeof SignalRule>;

export const Competitor = z
  .strictObject({
    name: Text(80).meta({ description: "Canonical name reported in signals and actions" }),
    aliases: z.array(Phrase(64)).max(20).default([]),
  })
  .meta({ description: "A competitor, found by its name or any alias" });
export type Competitor = z.infer<typeof Competitor>;

export const Industry = z.enum([
  "medical-devices",
  "education",
  "manufacturing",
  "software",
  "other",
]);
export type Industry = z.infer<typeof Industry>;

export const Scale = z.enum(["small", "medium", "large"]).meta({
  description:
    "Size of the buying organisation. Medical devices: community clinic / county hospital / tertiary hospital; education: school / district / university; manufacturing: workshop / plant / group",
});
export type Scale = z.infer<typeof Scale>;

export const ProcurementAuthority = z
  .enum(["none", "recommender", "budget-holder", "committee", "tender"])
  .meta({
    description:
      "How this customer buys. none: the contact has no say; recommender: the contact champions but others sign; budget-holder: the contact signs within a budget; committee: a purchasing committee decides; tender: public tender",
  });
export type ProcurementAuthority = z.infer<typeof ProcurementAuthority>;

export const BudgetState = z.enum(["approved", "planning", "unapproved", "unknown"]).meta({
  description:
    "approved: money is allocated; planning: not approved and next year's budget is being planned; unapproved: not approved, and outside planning or with no fiscal-year start on file; unknown: approval not on file",
});
export type BudgetState = z.infer<typeof BudgetState>;

export const Topic = z
  .enum([
    "close",
    "product",
    "price",
    "budget",
    "service",
    "competitor",
    "objection",
    "relationship",
  ])
  .meta({ description: "What an action addresses; a call gets at most one action per topic" });
export type Topic = z.infer<typeof Topic>;

export const StrategyId = z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/, {
  message: "must be a dotted lower-case id such as medical.entry-ultrasound-trial",
});

// ---- Product lines ----

export const ProductLineId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, { message: "must be a lower-case id such as ultrasound" })
  .meta({ description: "A product line of the tenant's vocabulary (productLines)" });

export const ProductLine = z
  .strictObject({
    id: ProductLineId,
    industry: Industry.or(z.literal("any")),
    label: z.strictObject({ zh: Text(40), en: Text(40) }).meta({
      description: "How actions name the line, e.g. in an upgrade path",
    }),
    keywords: z.array(Phrase(64)).min(1).max(50),
  })
  .meta({ description: "A product line and the words that name it in a call" });
export type ProductLine = z.infer<typeof ProductLine>;

const SHARED_PLACEHOLDERS = ["competitor", "months", "quotes", "facility", "count"] as const;
/** An action's text may also name its upgrade path. */
export const PLACEHOLDERS = [...SHARED_PLACEHOLDERS, "upgrade"] as const;
/** A trigger's text may also say how many days, and the dates of its best window. */
export const TRIGGER_PLACEHOLDERS = [...SHARED_PLACEHOLDERS, "days", "from", "to"] as const;
const PLACEHOLDER_RE = /\{([^{}]*)\}/g;

export const Locale = z.enum(["zh", "en"]).meta({
  description: "The language next-best actions are written in: zh (Simplified Chinese) or en",
});
export type Locale = z.infer<typeof Locale>;
/** What a template without text in the wanted locale is rendered in, when it has it. */
export const FALLBACK_LOCALE: Locale = "en";

/**
 * A template's title or reason: one string, used for every locale (tenant templates
 * written before locales existed stay valid), or text per locale, at least one.
 */
const LocalisedText = (max: number) =>
  z.union(
    [
      Text(max),
      z
        .strictObject({ zh: Text(max).optional(), en: Text(max).optional() })
        .refine((t) => t.zh !== undefined || t.en !== undefined, {
          message: "give the text in at least one locale: zh or en",
        }),
    ],
    { error: "must be a string (used for every locale) or an object of texts by locale: zh, en" },
  );
export type LocalisedText = z.infer<ReturnType<typeof LocalisedText>>;

/** The locales a text is given in; a plain string serves them all. */
export function localesOf(text: LocalisedText): Locale[] {
  return Locale.options.filter((l) => typeof text === "string" || text[l] !== undefined);
}

/** Each text of a field as [locale, text]; a plain string is one text under "". */
const textsOf = (text: LocalisedText): Array<[string, string]> =>
  typeof text === "string"
    ? [["", text]]
    : Object.entries(text).flatMap(([l, t]) =>
        t === undefined ? [] : [[l, t] as [string, string]],
      );

/** The placeholders `text` uses, in any of its locales. */
export function placeholdersOf(text: LocalisedText): Set<string> {
  return new Set(
    textsOf(text).flatMap(([, t]) => [...t.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!)),
  );
}

/**
 * A title and reason an action or a trigger is rendered from: only known placeholders, no
 * stray brace, and per-locale title and reason in the same locales (one action is
 * rendered in one language).
 */
function checkTexts(
  item: { title: LocalisedText; reason: LocalisedText },
  known: readonly string[],
  ctx: z.RefinementCtx,
) {
  for (const field of ["title", "reason"] as const) {
    for (const [locale, value] of textsOf(item[field])) {
      const path = locale ? [field, locale] : [field];
      // A brace left once the known placeholders are gone would reach the rep as is:
      // an unclosed one, a doubled one, or full-width ｛｝ (NFKC folds them to {}).
      const rest = value.replace(PLACEHOLDER_RE, "").normalize("NFKC");
      if (/[{}]/.test(rest)) {
        ctx.addIssue({
          code: "custom",
          path,
          message:
            "a brace outside a placeholder; write placeholders with ASCII braces, e.g. {facility}, and no other braces",
        });
      }
      for (const [, name] of value.matchAll(PLACEHOLDER_RE)) {
        if (!known.includes(name!)) {
          ctx.addIssue({
            code: "custom",
            path,
            message: `unknown placeholder {${name}}; use one of ${known.map((p) => `{${p}}`).join(", ")}`,
          });
        }
      }
    }
  }
  const { title, reason } = item;
  if (typeof title !== "string" && typeof reason !== "string") {
    const [given, wanted] = [localesOf(reason).join(", "), localesOf(title).join(", ")];
    if (given !== wanted) {
      ctx.addIssue({
        code: "custom",
        path: ["reason"],
        message: `is given in ${given} but the title in ${wanted}; give both the same locales, or one of them as a plain string`,
      });
    }
  }
}

export const ActionTemplate = z
  .strictObject({
    strategy: StrategyId.max(80),
    industry: Industry.or(z.literal("any")),
    topic: Topic,
    priority: z.int().min(0).max(100),
    lines: z.array(ProductLineId).min(1).max(10).optional().meta({
      description:
        "The product lines the action is about: offered only when the call or the profile touches one of them (with upgradeFrom: one of those). Absent: not about a product line",
    }),
    upgradeFrom: z.array(ProductLineId).min(1).max(10).optional().meta({
      description:
        "An upgrade path: offered when the call or profile touches one of these lines, and its reason must say so with {upgrade}",
    }),
    evidence: z.array(SignalKind).min(1).max(SignalKind.options.length).optional().meta({
      description:
        "The signal kinds whose words {quotes} and the evidence indexes draw from: the ones that support the reason. Default: when.signals. A product-mention is quoted only for the template's lines",
    }),
    when: z
      .strictObject({
        signals: z
          .array(SignalKind)
          .min(1)
          .optional()
          .meta({ description: "Any one of these kinds, said by the customer" }),
        sentiment: z
          .strictObject({ label: SentimentLabel, atLeast: z.int().min(1).max(MAX_UTTERANCES) })
          .optional()
          .meta({ description: "At least this many confident customer utterances of the label" }),
        scales: z
          .array(Scale.or(z.literal("unknown")))
          .min(1)
          .optional(),
        authorities: z
          .array(ProcurementAuthority.or(z.literal("unknown")))
          .min(1)
          .optional(),
        budget: z.array(BudgetState).min(1).optional(),
        stages: z.array(ProcurementStage).min(1).optional().meta({
          description:
            "Offered only at these procurement stages; e.g. [none] keeps an action away from any pending tender, quotes, committee or approval",
        }),
      })
      .refine((w) => w.signals || w.sentiment, {
        message: "needs evidence: set when.signals or when.sentiment",
      }),
    title: LocalisedText(160),
    reason: LocalisedText(400),
    variants: TemplateVariants.optional(),
  })
  .superRefine((template, ctx) => {
    for (const issue of variantIssues(template)) ctx.addIssue({ code: "custom", ...issue });
    checkTexts(template, PLACEHOLDERS, ctx);
    const upgrade = placeholdersOf(template.reason).has("upgrade");
    if (template.upgradeFrom && !template.lines) {
      ctx.addIssue({
        code: "custom",
        path: ["upgradeFrom"],
        message: "an upgrade path needs lines: the product lines it upgrades to",
      });
    }
    if (
      template.upgradeFrom &&
      !textsOf(template.reason).every(([, t]) => t.includes("{upgrade}"))
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["reason"],
        message: "a template with upgradeFrom must say so: use {upgrade} in every locale's reason",
      });
    }
    if (!template.upgradeFrom && (upgrade || placeholdersOf(template.title).has("upgrade"))) {
      ctx.addIssue({
        code: "custom",
        path: ["upgradeFrom"],
        message: "{upgrade} names an upgrade path: set upgradeFrom",
      });
    }
  })
  .meta({
    description: `A next-best action and when it applies; title and reason are one string for every locale or texts by locale ({ zh, en }), and may use ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}. A template is not offered when a placeholder it uses has no value: {quotes} without a signal of its evidence kinds to quote (when.sentiment alone), {months} without the customer's fiscalYearStartMonth`,
  });
export type ActionTemplate = z.infer<typeof ActionTemplate>;

// ---- Decision triggers ----

const Days = (max: number) => z.int().min(1).max(max);

export const TriggerCondition = z
  .strictObject({
    signals: z
      .array(SignalKind)
      .min(1)
      .max(SignalKind.options.length)
      .optional()
      .meta({ description: "Every one of these kinds, said by the customer" }),
    competitorNamed: z
      .literal(true)
      .optional()
      .meta({ description: "The customer named a competitor of the gazetteer" }),
    priceQuestion: z
      .literal(true)
      .optional()
      .meta({ description: "The customer raised price (a price-sensitivity signal)" }),
    stages: z.array(ProcurementStage).min(1).optional(),
    noWonDealForDays: Days(3650)
      .optional()
      .meta({ description: "No contract signed by both parties in this many days (or ever)" }),
    openServiceRequestsPastResponse: z.literal(true).optional().meta({
      description:
        "An open service request is past its response time (accountFacts.serviceResponseHours by severity)",
    }),
    renewalWithinDays: Days(365)
      .optional()
      .meta({ description: "A signed contract renews within this many days" }),
    budgetMonth: z.literal(true).optional().meta({
      description:
        "The customer is drawing up next year's budget: within budgetCycle.planningMonths of the fiscal year's start (needs fiscalYearStartMonth)",
    }),
  })
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    message: "needs at least one condition",
  })
  .meta({
    description:
      "All must hold. Account conditions (noWonDealForDays, openServiceRequestsPastResponse, renewalWithinDays) need the call's customerId and its account read; without them the trigger does not fire",
  });
export type TriggerCondition = z.infer<typeof TriggerCondition>;

/** The conditions whose dates place a best window, and the placeholders those dates fill. */
const DATED: ReadonlyArray<keyof TriggerCondition> = [
  "openServiceRequestsPastResponse",
  "renewalWithinDays",
  "budgetMonth",
];

export const DecisionTrigger = z
  .strictObject({
    strategy: StrategyId.max(80),
    industry: Industry.or(z.literal("any")).default("any"),
    priority: z.int().min(0).max(100),
    when: TriggerCondition,
    title: LocalisedText(160),
    reason: LocalisedText(400),
  })
  .superRefine((trigger, ctx) => {
    checkTexts(trigger, TRIGGER_PLACEHOLDERS, ctx);
    const used = new Set([...placeholdersOf(trigger.title), ...placeholdersOf(trigger.reason)]);
    const dated = DATED.some((k) => trigger.when[k] !== undefined);
    for (const name of ["from", "to"]) {
      if (used.has(name) && !dated) {
        ctx.addIssue({
          code: "custom",
          path: ["reason"],
          message: `{${name}} is a date of the best window: add a dated condition (${DATED.join(", ")})`,
        });
      }
    }
    if (used.has("days") && trigger.when.noWonDealForDays === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["reason"],
        message: "{days} is noWonDealForDays: set it",
      });
    }
  })
  .meta({
    description: `A strategy that fires when call signals and account facts meet its conditions, with its best window when their dates are known; title and reason may use ${TRIGGER_PLACEHOLDERS.map((p) => `{${p}}`).join(" ")} ({from} and {to}: the window's first and last day; {days}: noWonDealForDays; {count}: the overdue requests, else the renewing contracts, else the supporting utterances)`,
  });
export type DecisionTrigger = z.infer<typeof DecisionTrigger>;

const Hours = z.int().min(1).max(720);

export const AccountFactsPolicy = z
  .strictObject({
    serviceResponseHours: z
      .strictObject({
        critical: Hours.default(4),
        high: Hours.default(8),
        normal: Hours.default(24),
        low: Hours.default(72),
      })
      .prefault({})
      .meta({
        description:
          "Wall-clock hours a service request of each severity may stay open before it is past its response time",
      }),
    contractTermMonths: z.int().min(1).max(120).default(12).meta({
      description:
        "A signed contract renews this many months after both parties signed it (contracts carry no end date yet)",
    }),
  })
  .meta({ description: "How account facts are read for decision triggers" });
export type AccountFactsPolicy = z.infer<typeof AccountFactsPolicy>;

/** Ids defined twice in `items`, reported at their path. */
function uniqueBy<T>(key: (t: T) => string, what: string) {
  return (items: readonly T[], ctx: z.RefinementCtx) => {
    items.forEach((t, i) => {
      if (items.findIndex((o) => key(o) === key(t)) < i) {
        ctx.addIssue({
          code: "custom",
          path: [i, what],
          message: `${key(t)} is defined twice`,
        });
      }
    });
  };
}

export const InsightRules = z
  .strictObject({
    signals: z
      .array(SignalRule)
      .max(SignalKind.options.length)
      .superRefine((rules, ctx) => {
        rules.forEach((rule, i) => {
          const first = rules.findIndex((r) => r.kind === rule.kind);
          if (first < i) {
            ctx.addIssue({
              code: "custom",
              path: [i, "kind"],
              message: `${rule.kind} is already configured at signals[${first}]; merge the two`,
            });
          }
        });
        // Every pattern runs over every utterance: the total bounds the work of one call.
        const total = rules.reduce((n, r) => n + r.patterns.length, 0);
        if (total > MAX_PATTERNS) {
          ctx.addIssue({
            code: "custom",
            path: [],
            message: `${total} patterns in all; at most ${MAX_PATTERNS} (keywords cost nothing extra)`,
          });
        }
      }),
    competitors: z
      .array(Competitor)
      .max(100)
      .default([])
      .superRefine((competitors, ctx) => {
        const owner = new Map<string, string>();
        competitors.forEach((c, i) => {
          for (const alias of new Set([c.name, ...c.aliases].map(fold))) {
            const other = owner.get(alias);
            if (other !== undefined && other !== c.name) {
              ctx.addIssue({
                code: "custom",
                path: [i],
                message: `${alias} names both ${other} and ${c.name}`,
              });
            }
            owner.set(alias, c.name);
          }
        });
      })
      .meta({ description: "The tenant's competitor gazetteer" }),
    productLines: z
      .array(ProductLine)
      .max(60)
      .superRefine(uniqueBy((l: ProductLine) => l.id, "id"))
      .optional()
      .meta({
        description:
          "The product-line vocabulary calls are read with; absent: the built-in one (GET the defaults to start from it)",
      }),
    negations: z.array(Phrase(16)).max(60).default([]).meta({
      description:
        "Cues that, right before a hit, cancel it (不贵 is no price complaint); list a negated form as a keyword to count it (不便宜)",
    }),
    actions: z
      .strictObject({
        disabled: z.array(StrategyId).max(100).default([]).meta({
          description: "Strategies never suggested, templates and triggers alike",
        }),
        templates: z
          .array(ActionTemplate)
          .max(50)
          .default([])
          .superRefine(uniqueBy((t: ActionTemplate) => t.strategy, "strategy"))
          .meta({ description: "Extra templates; one with a built-in strategy id replaces it" }),
        triggers: z
          .array(DecisionTrigger)
          .max(20)
          .default([])
          .superRefine(uniqueBy((t: DecisionTrigger) => t.strategy, "strategy"))
          .meta({
            description: "Extra decision triggers; one with a built-in strategy id replaces it",
          }),
      })
      .prefault({})
      .superRefine(({ templates, triggers }, ctx) => {
        triggers.forEach((t, i) => {
          if (templates.some((o) => o.strategy === t.strategy)) {
            ctx.addIssue({
              code: "custom",
              path: ["triggers", i, "strategy"],
              message: `${t.strategy} is already a template's strategy; feedback could not tell them apart`,
            });
          }
        });
      }),
    accountFacts: AccountFactsPolicy.prefault({}),
  })
  .superRefine((rules, ctx) => {
    // A tenant's own templates name lines of the vocabulary in force; a typo would silently
    // keep the template from ever being offered.
    if (!rules.productLines) return;
    const known = new Set(rules.productLines.map((l) => l.id));
    rules.actions.templates.forEach((t, i) => {
      for (const field of ["lines", "upgradeFrom"] as const) {
        for (const id of t[field] ?? []) {
          if (!known.has(id)) {
            ctx.addIssue({
              code: "custom",
              path: ["actions", "templates", i, field],
              message: `${id} is not a product line of productLines`,
            });
          }
        }
      }
    });
  })
  .meta({ id: "InsightRules" });
export type InsightRules = z.infer<typeof InsightRules>;

// ---- Customer ----

export const BudgetCycle = z.strictObject({
  fiscalYearStartMonth: z.int().min(1).max(12).optional().meta({
    description:
      "First month of the customer's fiscal year (1 = January); absent when not known, and then no action counts the months to it",
  }),
  budgetApproved: z
    .boolean()
    .optional()
    .meta({ description: "Whether money for this purchase is approved; absent when not known" }),
  planningMonths: z.int().min(0).max(11).default(4).meta({
    description:
      "How many months before the fiscal year starts the customer fixes next year's budget plan",
  }),
});
export type BudgetCycle = z.infer<typeof BudgetCycle>;

export const CustomerProfile = z
  .strictObject({
    industry: Industry.default("other"),
    scale: Scale.optional(),
    facility: Text(80)
      .optional()
      .meta({ description: "Human label such as 社区卫生服务中心; shown in reasons only" }),
    procurementAuthority: ProcurementAuthority.optional(),
    budgetCycle: BudgetCycle.optional(),
    productLines: z.array(ProductLineId).max(20).optional().meta({
      description:
        "Product lines the customer runs or is buying (ids of the tenant's productLines); product-specific actions stay within these and the ones the customer names in the call",
    }),
    timeZone: z
      .string()
      .max(64)
      .refine(isTimeZone, { message: "must be an IANA time zone such as Europe/Lisbon" })
      .optional()
      .meta({
        description:
          "The buyer's IANA time zone, for their budget month; default: the region's jurisdiction's (cn Asia/Shanghai, eu Europe/Berlin)",
      }),
  })
  .meta({ id: "CustomerProfile", description: "What is known about the buyer; all optional" });
export type CustomerProfile = z.infer<typeof CustomerProfile>;

// ---- Output ----

export const Signal = z.strictObject({
  kind: SignalKind,
  match: z.string().meta({ description: "The matched text, as it appears in the utterance" }),
  start: z.int().nonnegative().meta({ description: "UTF-16 offset into the utterance's text" }),
  end: z.int().nonnegative(),
  competitor: z.string().optional().meta({ description: "Canonical name from the gazetteer" }),
  productLine: z
    .string()
    .optional()
    .meta({ description: "On a product-mention: the product line's id" }),
});
export type Signal = z.infer<typeof Signal>;

const Ratio = z.number().min(0).max(1);

export const CallMetrics = z
  .strictObject({
    basis: z.enum(["time", "chars"]).meta({
      description:
        "time when every utterance has atMs, else characters spoken. On the time basis an utterance talks until the next starts, but at most twice the time its words take to say (silence is not talk) and at least 200 ms (or its speech time, if shorter); when the next starts at the same time or earlier, its speech time",
    }),
    talkRatio: z.strictObject({ rep: Ratio, customer: Ratio }),
    longestMonologue: z
      .strictObject({
        speaker: Speaker,
        fromIndex: z.int().nonnegative(),
        toIndex: z.int().nonnegative(),
        utterances: z.int().positive(),
        chars: z.int().nonnegative(),
        ms: z.number().nonnegative().optional().meta({ description: "Its talk time" }),
      })
      .nullable(),
    questionRate: z.strictObject({
      rep: z.number().nonnegative().meta({ description: "Questions per rep utterance" }),
      customer: z.number().nonnegative(),
      repPerMinute: z.number().nonnegative().nullable().optional().meta({
        description:
          "Rep questions per minute of the call (durationMs), on the time basis only; null when the call is shorter than a minute, too short to rate",
      }),
    }),
    utterances: z.strictObject({ rep: z.int().nonnegative(), customer: z.int().nonnegative() }),
    durationMs: z.number().nonnegative().optional().meta({
      description:
        "On the time basis: from the first utterance's start to the last one's end, and never less than the talk in it",
    }),
  })
  .meta({ id: "CallMetrics" });
export type CallMetrics = z.infer<typeof CallMetrics>;

export const NextBestAction = z
  .strictObject({
    strategy: z.string(),
    topic: Topic,
    title: z.string(),
    reason: z.string(),
    locale: Locale.meta({
      description:
        "The language of title and reason: the analysis' locale; en (else the only one given) when the template has no text in it; for a template written as plain strings, the language they are in",
    }),
    evidence: z.array(z.int().nonnegative()).meta({ description: "Utterance indexes" }),
    priority: z.number(),
  })
  .meta({ id: "NextBestAction" });
export type NextBestAction = z.infer<typeof NextBestAction>;

export const UtteranceInsight = z.strictObject({
  index: z.int().nonnegative(),
  speaker: Speaker,
  sentiment: Sentiment.nullable().meta({
    description: "null when inference was shed, or when no model covers the utterance's language",
  }),
  signals: z.array(Signal),
});
export type UtteranceInsight = z.infer<typeof UtteranceInsight>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD" });

export const WindowBasis = z.enum(["service-response", "renewal", "budget-planning"]).meta({
  description:
    "What placed a best window. service-response: from the day the first open request went past its response time to one more response time from now; renewal: the condition's days before the earliest renewal, to the renewal; budget-planning: the months the customer draws up next year's budget",
});

export const TriggeredStrategy = z
  .strictObject({
    strategy: z.string(),
    title: z.string(),
    reason: z.string(),
    locale: Locale,
    priority: z.number(),
    evidence: z
      .array(z.int().nonnegative())
      .meta({ description: "Customer utterances that met its call conditions" }),
    window: z
      .strictObject({
        from: Day,
        to: Day,
        basis: z.array(WindowBasis).min(1),
      })
      .nullable()
      .meta({
        description:
          "The best window to act, first and last day in the customer's time zone; null when no condition has dates. With several dated conditions, where their windows overlap (each holds today, so they do)",
      }),
  })
  .meta({ id: "TriggeredStrategy" });
export type TriggeredStrategy = z.infer<typeof TriggeredStrategy>;

export const MAX_TRIGGERED = 5;

export const AccountFactsUse = z
  .discriminatedUnion("status", [
    z.strictObject({ status: z.literal("none") }),
    z.strictObject({ status: z.literal("read") }),
    z.strictObject({ status: z.literal("unavailable"), reason: z.string() }),
  ])
  .meta({
    description:
      "Whether account facts fed the triggers. none: the call names no customer; read: its account was read; unavailable: the read failed or took too long, so no account condition could hold (the rest of the analysis is whole)",
  });
export type AccountFactsUse = z.infer<typeof AccountFactsUse>;

export const Procurement = z
  .strictObject({
    stage: ProcurementStage,
    gates: z.array(z.enum(PROCUREMENT_GATES)).meta({
      description: "Every gate pending, from the call and the profile, the most binding first",
    }),
    budget: BudgetState.meta({
      description: "The profile's budget state, approved when the customer said so in the call",
    }),
    evidence: z
      .array(z.int().nonnegative())
      .meta({ description: "Customer utterances that named a gate or an approved budget" }),
  })
  .meta({ description: "Where the purchase stands in the customer's buying process" });
export type Procurement = z.infer<typeof Procurement>;

export const CallAnalysis = z
  .strictObject({
    utterances: z.array(UtteranceInsight),
    call: CallMetrics,
    locale: Locale.meta({ description: "The language actions were asked for" }),
    actions: z.array(NextBestAction).max(MAX_ACTIONS),
    procurement: Procurement,
    productLines: z
      .strictObject({
        call: z.array(z.string()).meta({ description: "Lines the customer named in the call" }),
        profile: z.array(z.string()).meta({ description: "Lines of the profile" }),
      })
      .meta({ description: "The product lines product-specific actions stay within" }),
    triggers: z.array(TriggeredStrategy).max(MAX_TRIGGERED).meta({
      description:
        "Decision triggers whose conditions the call and the account facts meet, by priority",
    }),
    account: AccountFactsUse,
    signalsTruncated: z.boolean().meta({
      description:
        "true when tenant patterns used up the request's work budget (adversarial or very long text): pattern matches are missing from the utterance where it ran out onwards. Keyword and competitor matching is always complete",
    }),
    rules: z.strictObject({ engine: z.string(), fingerprint: z.string() }),
  })
  .meta({ id: "CallAnalysis" });
export type CallAnalysis = z.infer<typeof CallAnalysis>;
