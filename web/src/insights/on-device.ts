// Call insights on the rep's device, for when the API cannot be reached: the worker's
// sentiment and core's rules engine, assembled by the API's own pure steps
// (workers/api/insights/contract.ts) into the API's answer shape plus `source: "on-device"`,
// so the app renders either the same way.
import type { z } from "zod";
import * as insights from "../../../core/insights/index.ts";
import {
  AnalyzeRequest,
  analysisFields,
  type CallInsights,
  inferSentiments,
  localeOf,
  profileOf,
  SENTIMENT_TASK,
  type SentimentOutcome,
  type Shed,
  sentimentsOf,
} from "../../../workers/api/insights/contract.ts";
import { JURISDICTION_TIME_ZONES } from "../../../workers/api/insights/time-zone.ts";
import { createSentimentClient, ScoreError, type SentimentClient } from "./client.ts";
import type { SentimentResult } from "./protocol.ts";

/** The tenant's rules as GET /v1/insights/rules answers them, cached by the app when online. */
export type CachedRules = { source?: "tenant" | "default"; rules: unknown };

export type OnDeviceOptions = {
  /** Scores utterances; default: one shared worker with the default asset URLs. */
  sentiment?: Pick<SentimentClient, "score">;
  /** The tenant's rules last fetched; absent, or no longer valid: the shipped defaults. */
  rules?: CachedRules | null;
  /**
   * The customer's jurisdiction (or the app's home region's): the budget month is taken in
   * its time zone, as the API does; absent, the device's own zone.
   */
  jurisdiction?: string;
  /** Now, in ms since the epoch. */
  now?: () => number;
};

/** The API's answer, as this device made it: never recorded, so no feedback follows it. */
export type OnDeviceInsights = CallInsights & { source: "on-device" };

let shared: SentimentClient | undefined;
const defaultClient = () => {
  shared ??= createSentimentClient();
  return shared;
};

type Compiled = { compiled: insights.CompiledRules; source: "tenant" | "default" };
let defaults: Compiled | undefined;
const compiledRules = new WeakMap<CachedRules, Compiled>();

/** Compiled once per cached document; rules that no longer parse give the defaults, as on the API. */
function rulesFor(cached: CachedRules | null | undefined): Compiled {
  defaults ??= { compiled: insights.compileRules(insights.DEFAULT_RULES), source: "default" };
  if (!cached) return defaults;
  let hit = compiledRules.get(cached);
  if (!hit) {
    const parsed = insights.InsightRules.safeParse(cached.rules);
    if (!parsed.success) console.warn("cached insight rules no longer parse; using the defaults");
    hit = parsed.success
      ? { compiled: insights.compileRules(parsed.data), source: cached.source ?? "tenant" }
      : defaults;
    compiledRules.set(cached, hit);
  }
  return hit;
}

function timeZoneFor(jurisdiction: string | undefined): string {
  const zone = jurisdiction ? JURISDICTION_TIME_ZONES[jurisdiction] : undefined;
  return zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

/** A timeout or an unloadable model say so; anything else (busy, a failed run) is an error. */
const shedReason = (err: unknown): Shed["reason"] =>
  err instanceof ScoreError && (err.reason === "timeout" || err.reason === "unavailable")
    ? err.reason
    : "error";

/**
 * One language's utterances scored on the device as the inference worker would answer for
 * `task`, or why not: a failure of any one sheds sentiment for the call, as a failed call does.
 */
async function scoreAll(
  client: Pick<SentimentClient, "score">,
  task: string,
  texts: string[],
): Promise<SentimentOutcome> {
  const lang = task === SENTIMENT_TASK.zh ? "zh" : "en";
  const settled = await Promise.allSettled(texts.map((t) => client.score(t, lang)));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    const reason = shedReason(failed.reason);
    return {
      ok: false,
      shed: { reason, detail: `on-device sentiment: ${messageOf(failed.reason)}` },
    };
  }
  const results = settled.map((s) => (s as PromiseFulfilledResult<SentimentResult | null>).value);
  const first = results[0];
  const same = results.every(
    (r) =>
      r !== null &&
      r.modelVersion === first?.modelVersion &&
      JSON.stringify(r.labels) === JSON.stringify(first.labels),
  );
  if (!first || !same) {
    return {
      ok: false,
      shed: { reason: "error", detail: "on-device sentiment answered in an unexpected shape" },
    };
  }
  return {
    ok: true,
    value: {
      task,
      modelVersion: first.modelVersion,
      labels: first.labels,
      results: results.map((r) => ({ label: r!.label, probabilities: r!.probabilities })),
    },
  };
}

/**
 * Analyses a call as POST /v1/insights/analyze would, on this device. Throws a ZodError for
 * input the API refuses with 400 (validate with AnalyzeRequest first to show why); a model
 * that cannot run is a `shed` in the answer (rules-only), never a throw.
 */
export async function analyzeOnDevice(
  request: z.input<typeof AnalyzeRequest>,
  options: OnDeviceOptions = {},
): Promise<OnDeviceInsights> {
  const input = AnalyzeRequest.parse(request);
  const profile = profileOf(input);
  const rules = rulesFor(options.rules);
  const inferred = await inferSentiments(input.transcript, (task, texts) =>
    scoreAll(options.sentiment ?? defaultClient(), task, texts),
  );

  const { sentiment, model, models, shed } = sentimentsOf(input.transcript.length, inferred);

  const nowMs = options.now?.() ?? Date.now();
  const analysis = insights.analyzeCall({
    transcript: input.transcript,
    sentiment,
    rules: rules.compiled,
    profile,
    nowMs,
    timeZone: profile.timeZone ?? timeZoneFor(options.jurisdiction),
    locale: localeOf(input),
  });
  return {
    id: `local_${crypto.randomUUID().replaceAll("-", "")}`,
    createdAt: new Date(nowMs).toISOString(),
    region: "on-device",
    customerId: input.customerId ?? null,
    recorded: false,
    model,
    models,
    rules: { ...analysis.rules, source: rules.source },
    ...analysisFields(analysis, shed),
    source: "on-device",
  };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
