// POST /v1/insights/analyze without a runtime: its request and answer schemas, and the pure
// steps between the sentiment model and the answer. The API (analyze.ts) and the PWA's
// on-device analysis (web/src/insights) both build their answers here, so they cannot drift.

import { z } from "zod";
import * as insights from "../../../core/insights/index.ts";
import { AccountId } from "../../../core/schemas.ts";

/**
 * The model that scores utterances of each language: Chinese ones (core's languageOf) go to
 * sentiment-zh, every other one with a letter in it to sentiment-en.
 */
export const SENTIMENT_TASK = { zh: "sentiment-zh", en: "sentiment-en" } as const;
export type SentimentLanguage = keyof typeof SENTIMENT_TASK;

export const AnalyzeRequest = z
  .strictObject({
    transcript: insights.Transcript,
    customerId: AccountId.optional().meta({
      description:
        "The customer the call was with; must exist in this tenant. Its account facts (the last won deal, open service requests, contract renewals) feed the decision triggers; when they cannot be read in time the analysis goes on without them and its `account` says so",
    }),
    industry: insights.Industry.optional().meta({
      description: "Shorthand for profile.industry",
    }),
    profile: insights.CustomerProfile.optional(),
    locale: insights.Locale.optional().meta({
      description:
        "The language to write actions in; by default that of most utterances (Chinese is zh, any other en)",
    }),
  })
  .meta({ id: "AnalyzeCallRequest" });

const ShedSchema = z.object({
  reason: z.enum(["off", "breaker-open", "timeout", "error", "unavailable"]),
  detail: z.string(),
});

export const AnalyzeResponse = z
  .object({
    id: z.string().meta({ description: "Quote it in feedback: /v1/insights/{id}/feedback" }),
    createdAt: z.string(),
    region: z.string(),
    customerId: z.string().nullable(),
    recorded: z.boolean().meta({
      description: "Whether the suggestions were stored for feedback before answering",
    }),
    model: z.object({ task: z.string(), version: z.string() }).nullable().meta({
      description:
        "The sentiment model used (of a call in two languages, the one that read more utterances); null when none ran",
    }),
    models: z
      .array(z.object({ task: z.string(), version: z.string() }))
      .meta({ description: "Every sentiment model used, one per language the call has" }),
    rules: z.object({
      engine: z.string(),
      fingerprint: z.string(),
      source: z.enum(["tenant", "default"]),
    }),
    insights: insights.CallAnalysis.nullable().meta({
      description:
        "null when inference was shed (see `shed` and `rulesOnly`). Its `triggers` are the decision triggers that fired, each with its best window; feedback on their strategies is recorded like on actions",
    }),
    rulesOnly: insights.CallAnalysis.optional().meta({
      description:
        "When shed: signals, metrics and actions from the rules alone, without sentiment",
    }),
    shed: ShedSchema.optional(),
  })
  .meta({ id: "CallInsights" });

export type CallInput = z.infer<typeof AnalyzeRequest>;
export type CallInsights = z.infer<typeof AnalyzeResponse>;
export type Shed = z.infer<typeof ShedSchema>;

/** What the sentiment model answered for the texts it was given, in their order. */
export type SentimentAnswer = {
  task: string;
  modelVersion: string;
  labels: string[];
  results: Array<{ label: string; probabilities: number[] }>;
};

/** The call's customer profile: `industry` is shorthand for `profile.industry`. */
export function profileOf(input: CallInput): insights.CustomerProfile {
  return insights.CustomerProfile.parse({
    ...input.profile,
    ...(input.industry ? { industry: input.industry } : {}),
  });
}

/** The language actions are written in: the request's, else that of most utterances. */
export function localeOf(input: CallInput): insights.Locale {
  return input.locale ?? insights.callLocale(input.transcript);
}

const LETTER = /\p{L}/u;

/**
 * The utterances each language's model reads, by index; one without a letter (only digits,
 * punctuation or nothing) gets no sentiment.
 */
export function sentimentTargets(
  transcript: CallInput["transcript"],
): Record<SentimentLanguage, number[]> {
  const targets: Record<SentimentLanguage, number[]> = { zh: [], en: [] };
  transcript.forEach((u, i) => {
    if (!LETTER.test(u.text)) return;
    targets[insights.languageOf(u.text) === "zh" ? "zh" : "en"].push(i);
  });
  return targets;
}

/**
 * The sentiment model's answer for a call, or why there is none (it was shed): what the
 * API's inference client (inference.ts) and the PWA's on-device model both return.
 */
export type SentimentOutcome = { ok: true; value: SentimentAnswer } | { ok: false; shed: Shed };

/** One language's model answer for its utterances (`targets`, indices into the transcript). */
export type SentimentPart = { targets: readonly number[]; outcome: SentimentOutcome };

/**
 * Asks `infer` (the API's inference binding, or the device's model) once per language the
 * call has, the languages at once; in SENTIMENT_TASK order, languages without utterances left out.
 */
export async function inferSentiments(
  transcript: CallInput["transcript"],
  infer: (task: string, texts: string[]) => Promise<SentimentOutcome>,
): Promise<SentimentPart[]> {
  const targets = sentimentTargets(transcript);
  const languages = (Object.keys(SENTIMENT_TASK) as SentimentLanguage[]).filter(
    (lang) => targets[lang].length > 0,
  );
  return Promise.all(
    languages.map(async (lang) => ({
      targets: targets[lang],
      outcome: await infer(
        SENTIMENT_TASK[lang],
        targets[lang].map((i) => transcript[i]!.text),
      ),
    })),
  );
}

type ModelRef = { task: string; version: string };

/**
 * One sentiment per utterance (null where no model read it) from each language's model
 * answer, and the models that made them (`model`: the one that read the most); or, when any
 * language's sentiment was shed (or a model's labels are not this API's), none at all and
 * why: a call's sentiment is whole or absent. No parts: no utterance needed a model.
 */
export function sentimentsOf(
  utterances: number,
  parts: readonly SentimentPart[],
): {
  sentiment: Array<insights.Sentiment | null> | null;
  model: ModelRef | null;
  models: ModelRef[];
  shed?: Shed;
} {
  const sentiment = new Array<insights.Sentiment | null>(utterances).fill(null);
  const shedWith = (shed: Shed) => ({ sentiment: null, model: null, models: [], shed });
  const models: ModelRef[] = [];
  let model: ModelRef | null = null;
  let most = 0;
  for (const { targets, outcome } of parts) {
    if (!outcome.ok) return shedWith(outcome.shed);
    const { task, modelVersion, labels, results } = outcome.value;
    const foreignLabel = labels.find((l) => !insights.SentimentLabel.safeParse(l).success);
    if (foreignLabel !== undefined) {
      const detail = `the sentiment model has a label "${foreignLabel}" this API does not know`;
      return shedWith({ reason: "error", detail });
    }
    targets.forEach((at, k) => {
      const result = results[k]!;
      // Its labels were checked against SentimentLabel above.
      const label = result.label as insights.Sentiment["label"];
      sentiment[at] = {
        label,
        probability: result.probabilities[labels.indexOf(result.label)] ?? 0,
      };
    });
    const ref = { task, version: modelVersion };
    models.push(ref);
    if (targets.length > most) {
      most = targets.length;
      model = ref;
    }
  }
  return { sentiment, model, models };
}

/** The answer's analysis: whole, or (sentiment shed) null beside the rules-only one and why. */
export function analysisFields(
  analysis: insights.CallAnalysis,
  shed: Shed | undefined,
): Pick<CallInsights, "insights" | "rulesOnly" | "shed"> {
  return shed ? { insights: null, rulesOnly: analysis, shed } : { insights: analysis };
}
