// POST /v1/insights/analyze without a runtime: its request and answer schemas, and the pure
// steps between the sentiment model and the answer. The API (analyze.ts) and the PWA's
// on-device analysis (web/src/insights) both build their answers here, so they cannot drift.

import { z } from "zod";
import * as insights from "../../../core/insights/index.ts";
import { AccountId } from "../../../core/schemas.ts";

/** The model that scores utterances of each language (others get no sentiment). */
export const SENTIMENT_TASK = { zh: "sentiment-zh" } as const;

export const AnalyzeRequest = z
  .strictObject({
    transcript: insights.Transcript,
    customerId: AccountId.optional().meta({
      description: "The customer the call was with; must exist in this tenant",
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
    model: z
      .object({ task: z.string(), version: z.string() })
      .nullable()
      .meta({ description: "The sentiment model used; null when none ran" }),
    rules: z.object({
      engine: z.string(),
      fingerprint: z.string(),
      source: z.enum(["tenant", "default"]),
    }),
    insights: insights.CallAnalysis.nullable().meta({
      description: "null when inference was shed (see `shed` and `rulesOnly`)",
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

/** The utterances the sentiment model reads (Chinese ones), by index; the rest get none. */
export function sentimentTargets(transcript: CallInput["transcript"]): number[] {
  return transcript.flatMap((u, i) => (insights.languageOf(u.text) === "zh" ? [i] : []));
}

/**
 * The sentiment model's answer for a call, or why there is none (it was shed): what the
 * API's inference client (inference.ts) and the PWA's on-device model both return.
 */
export type SentimentOutcome = { ok: true; value: SentimentAnswer } | { ok: false; shed: Shed };

/**
 * One sentiment per utterance (null where no model read it) from the model's answer for
 * `targets`, and the model that made them; or, when sentiment was shed (or the model's
 * labels are not this API's), none at all and why. No outcome: no utterance needed a model.
 */
export function sentimentsOf(
  utterances: number,
  targets: readonly number[],
  outcome: SentimentOutcome | null,
): {
  sentiment: Array<insights.Sentiment | null> | null;
  model: { task: string; version: string } | null;
  shed?: Shed;
} {
  const sentiment = new Array<insights.Sentiment | null>(utterances).fill(null);
  if (!outcome) return { sentiment, model: null };
  if (!outcome.ok) return { sentiment: null, model: null, shed: outcome.shed };
  const { task, modelVersion, labels, results } = outcome.value;
  const foreignLabel = labels.find((l) => !insights.SentimentLabel.safeParse(l).success);
  if (foreignLabel !== undefined) {
    const detail = `the sentiment model has a label "${foreignLabel}" this API does not know`;
    return { sentiment: null, model: null, shed: { reason: "error", detail } };
  }
  targets.forEach((at, k) => {
    const result = results[k]!;
    // Its labels were checked against SentimentLabel above.
    const label = result.label as insights.Sentiment["label"];
    sentiment[at] = { label, probability: result.probabilities[labels.indexOf(result.label)] ?? 0 };
  });
  return { sentiment, model: { task, version: modelVersion } };
}

/** The answer's analysis: whole, or (sentiment shed) null beside the rules-only one and why. */
export function analysisFields(
  analysis: insights.CallAnalysis,
  shed: Shed | undefined,
): Pick<CallInsights, "insights" | "rulesOnly" | "shed"> {
  return shed ? { insights: null, rulesOnly: analysis, shed } : { insights: analysis };
}
