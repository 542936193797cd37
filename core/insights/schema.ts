// The contract of call insights: transcripts and customer profiles in; signals, call
// metrics and next-best actions out; the tenant-configurable rules that produce them.
import { z } from "zod";
import { FreeText, unsafeTextReason } from "../text.ts";
import { isTimeZone } from "./calendar.ts";
import { MAX_FOLDED_CHARS, MAX_UTTERANCE_CHARS, MAX_UTTERANCES } from "./limits.ts";
import { fold } from "./normalise.ts";
import { foldPattern } from "./pattern-fold.ts";
import { backtrackingRisk } from "./pattern-safety.ts";

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

export const SignalKind = z.enum([
  "price-sensitivity",
  "service-concern",
  "competitor-mention",
  "purchase-intent",
  "objection",
]);
export type SignalKind = z.infer<typeof SignalKind>;

/** Three classes (issue 12): a greeting, a question or a procedural fact is neutral. */
export const SentimentLabel = z.enum(["negative", "neutral", "positive"]);
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
  kind: SignalKind,
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

export const Industry = z.enum(["medical-devices", "education", "manufacturing", "other"]);
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

export const PLACEHOLDERS = ["competitor", "months", "quotes", "facility", "count"] as const;
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

export const ActionTemplate = z
  .strictObject({
    strategy: StrategyId.max(80),
    industry: Industry.or(z.literal("any")),
    topic: Topic,
    priority: z.int().min(0).max(100),
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
      })
      .refine((w) => w.signals || w.sentiment, {
        message: "needs evidence: set when.signals or when.sentiment",
      }),
    title: LocalisedText(160),
    reason: LocalisedText(400),
  })
  .superRefine((template, ctx) => {
    for (const field of ["title", "reason"] as const) {
      const text = template[field];
      const texts: Array<[string, string | undefined]> =
        typeof text === "string" ? [["", text]] : Object.entries(text);
      for (const [locale, value] of texts) {
        // A brace left once the known placeholders are gone would reach the rep as is:
        // an unclosed one, a doubled one, or full-width ｛｝ (NFKC folds them to {}).
        const rest = (value ?? "").replace(PLACEHOLDER_RE, "").normalize("NFKC");
        if (/[{}]/.test(rest)) {
          ctx.addIssue({
            code: "custom",
            path: locale ? [field, locale] : [field],
            message:
              "a brace outside a placeholder; write placeholders with ASCII braces, e.g. {facility}, and no other braces",
          });
        }
        for (const [, name] of (value ?? "").matchAll(PLACEHOLDER_RE)) {
          if (!(PLACEHOLDERS as readonly string[]).includes(name!)) {
            ctx.addIssue({
              code: "custom",
              path: locale ? [field, locale] : [field],
              message: `unknown placeholder {${name}}; use one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
            });
          }
        }
      }
    }
    // One action is rendered in one language: per-locale title and reason offer the same ones.
    const { title, reason } = template;
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
  })
  .meta({
    description: `A next-best action and when it applies; title and reason are one string for every locale or texts by locale ({ zh, en }), and may use ${PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}. A template is not offered when a placeholder it uses has no value: {quotes} without a signal to quote (when.sentiment alone), {months} without the customer's fiscalYearStartMonth`,
  });
export type ActionTemplate = z.infer<typeof ActionTemplate>;

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
    negations: z.array(Phrase(16)).max(60).default([]).meta({
      description:
        "Cues that, right before a hit, cancel it (不贵 is no price complaint); list a negated form as a keyword to count it (不便宜)",
    }),
    actions: z
      .strictObject({
        disabled: z.array(StrategyId).max(100).default([]),
        templates: z
          .array(ActionTemplate)
          .max(50)
          .default([])
          .superRefine((templates, ctx) => {
            templates.forEach((t, i) => {
              if (templates.findIndex((o) => o.strategy === t.strategy) < i) {
                ctx.addIssue({
                  code: "custom",
                  path: [i, "strategy"],
                  message: `${t.strategy} is defined twice`,
                });
              }
            });
          })
          .meta({ description: "Extra templates; one with a built-in strategy id replaces it" }),
      })
      .default({ disabled: [], templates: [] }),
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

export const CallAnalysis = z
  .strictObject({
    utterances: z.array(UtteranceInsight),
    call: CallMetrics,
    locale: Locale.meta({ description: "The language actions were asked for" }),
    actions: z.array(NextBestAction).max(MAX_ACTIONS),
    signalsTruncated: z.boolean().meta({
      description:
        "true when tenant patterns used up the request's work budget (adversarial or very long text): pattern matches are missing from the utterance where it ran out onwards. Keyword and competitor matching is always complete",
    }),
    rules: z.strictObject({ engine: z.string(), fingerprint: z.string() }),
  })
  .meta({ id: "CallAnalysis" });
export type CallAnalysis = z.infer<typeof CallAnalysis>;
