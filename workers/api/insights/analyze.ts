// Analysing one sales call (DESIGN §7), without HTTP (its schemas are in contract.ts): the
// customer's jurisdiction first, then sentiment from the inference worker within its budget
// beside the tenant's rules, then core's analysis, recorded for feedback within
// RECORD_BUDGET_MS; a call with a customer leaves its sentiment with the customer's account
// in the background (call-sentiment.ts). The route (routes/insights/analyze.ts) renders the
// answer and its headers.

import { insightIdFor } from "../../../core/ids.ts";
import { insights } from "../../../core/index.ts";
import { serveVariants, variantsShown } from "../../../core/insights/experiments.ts";
import { modesFor } from "../../../durable-objects/region/client.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { within } from "../../shared/timeout.ts";
import { domainProblem } from "../errors.ts";
import { wrongJurisdiction } from "../lifeline.ts";
import { readModel } from "../read-model.ts";
import { accountFactsReader } from "./account-facts.ts";
import { recordCallSentiment } from "./call-sentiment.ts";
import {
  analysisFields,
  type CallInput,
  type CallInsights,
  inferSentiments,
  localeOf,
  profileOf,
  sentimentsOf,
} from "./contract.ts";
import { servingExperiments } from "./experiments.ts";
import { inferTexts } from "./inference.ts";
import { tenantRules } from "./rules.ts";
import { recordInsight } from "./store.ts";
import { jurisdictionTimeZone } from "./time-zone.ts";

const RECORD_BUDGET_MS = 150;

/** Whose call it is: the tenant, and who the insight is recorded as (routes mark tooling). */
export type Caller = { tenantId: string; recordedAs: string };

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
  const profile = profileOf(input);
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
  // The account's facts for decision triggers, read while sentiment is inferred: bounded,
  // and a failed read only leaves the triggers without them (the answer says so).
  const customerId = customer ? input.customerId : undefined;
  const accountFacts = accountFactsReader(
    customerId ? () => accountStub(env, tenantId, customerId).portalSnapshot() : null,
  );

  // Each language's utterances go to its own model (zh, en), the calls at once.
  const modes = await modesFor(env, tenantId, waitUntil);
  const [rules, inferred, experiments] = await Promise.all([
    tenantRules(env, tenantId),
    inferSentiments(input.transcript, (task, texts) => inferTexts(env, task, texts, modes)),
    servingExperiments(env, tenantId, waitUntil),
  ]);

  const { sentiment, model, models, shed } = sentimentsOf(input.transcript.length, inferred);
  const now = new Date();
  // The id first: it decides which A/B arm of each experimenting strategy this call is shown.
  const id = insightIdFor(env.REGION, crypto.randomUUID().replaceAll("-", ""));
  const served = serveVariants(rules.compiled.templates, experiments, id);
  const analysis = insights.analyzeCall({
    transcript: input.transcript,
    sentiment,
    rules: { ...rules.compiled, templates: served.templates },
    profile,
    // The buyer's own zone when the profile gives one; else the jurisdiction's (a call with
    // a customer is analysed only in its customer's jurisdiction), the best guess there.
    nowMs: now.getTime(),
    timeZone: profile.timeZone ?? jurisdictionTimeZone(env.JURISDICTION),
    locale: localeOf(input),
    account: await accountFacts(rules.compiled.accountFacts),
  });
  const createdAt = now.toISOString();
  // The call's sentiment becomes a fact of its customer's account, in the background.
  if (customer && input.customerId)
    waitUntil(
      recordCallSentiment(env, {
        tenantId,
        customerId: input.customerId,
        insightId: id,
        at: createdAt,
        transcript: input.transcript,
        utterances: analysis.utterances,
      }),
    );

  // Recorded before the answer so feedback can follow at once, but within RECORD_BUDGET_MS:
  // a slow or dead libSQL never holds an analysis. Past the budget the write goes on in
  // the background and the answer says `recorded: false` (feedback may then 404).
  const record = recordInsight(readModel(env), {
    tenantId,
    id,
    customerId: input.customerId ?? null,
    industry: profile.industry,
    // A trigger's strategy is a suggestion too: feedback on it is recorded like an action's.
    strategies: [...analysis.actions, ...analysis.triggers].map((a) => a.strategy),
    variants: variantsShown(analysis.actions, served.shown),
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
    models,
    rules: { ...analysis.rules, source: rules.source },
    ...analysisFields(analysis, shed),
  };
}
