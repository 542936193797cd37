// Analysing one sales call (DESIGN §7), without HTTP: its request and answer schemas, then the
// work: the customer's jurisdiction first, then sentiment from the inference worker within its
// budget beside the tenant's rules, then core's analysis, recorded for feedback within
// RECORD_BUDGET_MS. The route (routes/insights/analyze.ts) renders the answer and its headers.

import { z } from "@hono/zod-openapi";
import { insightIdFor } from "../../../core/ids.ts";
import { AccountId, insights } from "../../../core/index.ts";
import { modesFor } from "../../../durable-objects/region/client.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { within } from "../../shared/timeout.ts";
import { domainProblem } from "../errors.ts";
import { wrongJurisdiction } from "../lifeline.ts";
import { readModel } from "../read-model.ts";
import { inferTexts, type Shed } from "./inference.ts";
import { tenantRules } from "./rules.ts";
import { recordInsight } from "./store.ts";
import { jurisdictionTimeZone } from "./time-zone.ts";

/** The model that scores utterances of each language (others get no sentiment). */
const SENTIMENT_TASK = { zh: "sentiment-zh" } as const;
const RECORD_BUDGET_MS = 150;

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

/** Whose call it is: the tenant, and who the insight is recorded as (routes mark tooling). */
export type Caller = { tenantId: string; recordedAs: string };

/** One model result as a sentiment; its labels were checked against SentimentLabel. */
function sentimentOf(
  labels: string[],
  result: { label: string; probabilities: number[] },
): insights.Sentiment {
  const label = result.label as insights.Sentiment["label"];
  return { label, probability: result.probabilities[labels.indexOf(result.label)] ?? 0 };
}

/**
 * Throws the 409/422 problems of a customer in another jurisdiction or unknown here; any
 * inference failure is a `shed` in the answer, never a throw.
 */
export async function analyzeCall(
  env: Env,
  waitUntil: (p: Promise<unknown>) => void,
  { tenantId, recordedAs }: Caller,
  input: CallInput,
): Promise<CallInsights> {
  const profile = insights.CustomerProfile.parse({
    ...input.profile,
    ...(input.industry ? { industry: input.industry } : {}),
  });
  // The customer first: a call is analysed only in its customer's jurisdiction, like every
  // write. A region outside it holds only the masked projection, and the transcript must
  // not reach its inference worker either.
  const customer = input.customerId
    ? await accountStub(env, tenantId, input.customerId).getCustomer()
    : null;
  if (input.customerId && !customer) {
    // As everywhere in the API: a missing entity named in the body is a 422 naming the field.
    throw domainProblem({
      code: "not-found",
      entity: "customer",
      id: input.customerId,
      field: "customerId",
    });
  }
  if (customer && customer.residency !== env.JURISDICTION) {
    throw wrongJurisdiction(
      env,
      customer.residency,
      `Analyse calls with this customer in a ${customer.residency} region: transcripts stay in their jurisdiction.`,
    );
  }

  // Only utterances a model covers go to inference; the rest get no sentiment.
  const zh = input.transcript.flatMap((u, i) => (insights.languageOf(u.text) === "zh" ? [i] : []));
  const modes = await modesFor(env, tenantId, waitUntil);
  const [rules, inferred] = await Promise.all([
    tenantRules(env, tenantId),
    zh.length
      ? inferTexts(
          env,
          SENTIMENT_TASK.zh,
          zh.map((i) => input.transcript[i]!.text),
          modes,
        )
      : null,
  ]);

  let shed: Shed | undefined;
  let sentiment: Array<insights.Sentiment | null> | null = input.transcript.map(() => null);
  let model: { task: string; version: string } | null = null;
  const foreignLabel = inferred?.ok
    ? inferred.value.labels.find((l) => !insights.SentimentLabel.safeParse(l).success)
    : undefined;
  if (inferred?.ok && foreignLabel === undefined) {
    const { labels, results, modelVersion, task } = inferred.value;
    zh.forEach((at, k) => {
      sentiment![at] = sentimentOf(labels, results[k]!);
    });
    model = { task, version: modelVersion };
  } else if (inferred) {
    shed = inferred.ok
      ? {
          reason: "error",
          detail: `the sentiment model has a label "${foreignLabel}" this API does not know`,
        }
      : inferred.shed;
    sentiment = null;
  }
  const now = new Date();
  const analysis = insights.analyzeCall({
    transcript: input.transcript,
    sentiment,
    rules: rules.compiled,
    profile,
    // The buyer's own zone when the profile gives one; else the jurisdiction's (a call with
    // a customer is analysed only in its customer's jurisdiction), the best guess there.
    nowMs: now.getTime(),
    timeZone: profile.timeZone ?? jurisdictionTimeZone(env.JURISDICTION),
    locale: input.locale ?? insights.callLocale(input.transcript),
  });
  const id = insightIdFor(env.REGION, crypto.randomUUID().replaceAll("-", ""));
  const createdAt = now.toISOString();

  // Recorded before the answer so feedback can follow at once, but within RECORD_BUDGET_MS:
  // a slow or dead libSQL never holds an analysis. Past the budget the write goes on in
  // the background and the answer says `recorded: false` (feedback may then 404).
  const record = recordInsight(readModel(env), {
    tenantId,
    id,
    customerId: input.customerId ?? null,
    industry: profile.industry,
    strategies: analysis.actions.map((a) => a.strategy),
    modelVersion: model?.version ?? null,
    rulesFingerprint: rules.compiled.fingerprint,
    createdBy: recordedAs,
    createdAt,
  }).then(
    () => true,
    (err: Error) => {
      console.warn(`insight ${id} not recorded: ${err.message}`);
      return false;
    },
  );
  waitUntil(record);
  const recorded = await within(record, RECORD_BUDGET_MS).catch(() => false);

  return {
    id,
    createdAt,
    region: env.REGION,
    customerId: input.customerId ?? null,
    recorded,
    model,
    rules: { ...analysis.rules, source: rules.source },
    insights: shed ? null : analysis,
    ...(shed ? { rulesOnly: analysis, shed } : {}),
  };
}
