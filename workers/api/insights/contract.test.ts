// The pure steps between the sentiment model and an insights answer, as the API and the
// PWA's on-device analysis both run them: which utterances the model reads, the language
// of the actions, the profile, each utterance's sentiment (or why there is none), and how
// a shed analysis is answered.
import { describe, expect, test } from "vitest";
import type * as insights from "../../../core/insights/index.ts";
import {
  AnalyzeRequest,
  analysisFields,
  inferSentiments,
  localeOf,
  profileOf,
  type SentimentAnswer,
  type SentimentOutcome,
  type SentimentPart,
  type Shed,
  sentimentsOf,
  sentimentTargets,
} from "./contract.ts";

const call = (over: Record<string, unknown> = {}) =>
  AnalyzeRequest.parse({
    transcript: [
      { speaker: "rep", text: "您好，我是华东区的销售代表。" },
      { speaker: "customer", text: "Hello, can we talk in English?" },
      { speaker: "rep", text: "当然可以。" },
      { speaker: "customer", text: "价格还是太高了。" },
    ],
    ...over,
  });

const answer = (over: Partial<SentimentAnswer> = {}): SentimentOutcome => ({
  ok: true,
  value: {
    task: "sentiment-zh",
    modelVersion: "2026-01-01",
    labels: ["negative", "neutral", "positive"],
    results: [
      { label: "positive", probabilities: [0.05, 0.05, 0.9] },
      { label: "negative", probabilities: [0.8, 0.15, 0.05] },
    ],
    ...over,
  },
});

describe("which utterances the model reads, and in which language actions are written", () => {
  test.each([
    [
      "Chinese to the zh model, the rest to the en model, by index",
      call().transcript,
      { zh: [0, 2, 3], en: [1] },
    ],
    ["an English call: all to en", call().transcript.slice(1, 2), { zh: [], en: [0] }],
    [
      "an utterance without a letter goes to no model",
      [
        { speaker: "rep" as const, text: "……" },
        { speaker: "customer" as const, text: "123" },
        { speaker: "customer" as const, text: "OK" },
      ],
      { zh: [], en: [2] },
    ],
  ])("sentimentTargets: %s", (_, transcript, expected) => {
    expect(sentimentTargets(transcript)).toEqual(expected);
  });

  test("inferSentiments asks each language's model once, for its utterances, zh first", async () => {
    const asked: Array<[string, string[]]> = [];
    const parts = await inferSentiments(call().transcript, async (task, texts) => {
      asked.push([task, texts]);
      return { ok: false, shed: { reason: "off", detail: task } };
    });
    expect(asked).toEqual([
      ["sentiment-zh", ["您好，我是华东区的销售代表。", "当然可以。", "价格还是太高了。"]],
      ["sentiment-en", ["Hello, can we talk in English?"]],
    ]);
    expect(parts.map((p) => p.targets)).toEqual([[0, 2, 3], [1]]);
    const none = await inferSentiments([{ speaker: "rep", text: "……" }], async () => {
      throw new Error("no model is asked for a text without a letter");
    });
    expect(none).toEqual([]);
  });

  test.each([
    ["the request's locale wins", call({ locale: "en" }), "en"],
    ["else that of most utterances", call(), "zh"],
    [
      "a tie goes to the language of the rep's utterances",
      call({
        transcript: [
          { speaker: "customer", text: "价格还是太高了。" },
          { speaker: "rep", text: "I understand." },
        ],
      }),
      "en",
    ],
  ])("localeOf: %s", (_, input, expected) => {
    expect(localeOf(input)).toBe(expected);
  });

  test("profileOf: `industry` is shorthand for profile.industry, and wins over it", () => {
    expect(profileOf(call()).industry).toBe("other");
    expect(profileOf(call({ industry: "medical-devices" })).industry).toBe("medical-devices");
    expect(
      profileOf(call({ industry: "medical-devices", profile: { industry: "education" } })).industry,
    ).toBe("medical-devices");
  });
});

describe("sentimentsOf: one sentiment per utterance, or none and why", () => {
  const zh = (outcome: SentimentOutcome): SentimentPart => ({ targets: [0, 3], outcome });
  const shed: Shed = { reason: "timeout", detail: "inference took longer than 300 ms" };
  const en: SentimentPart = {
    targets: [1],
    outcome: answer({
      task: "sentiment-en",
      modelVersion: "en-1",
      results: [{ label: "neutral", probabilities: [0.2, 0.7, 0.1] }],
    }),
  };

  test.each<[string, SentimentPart[], ReturnType<typeof sentimentsOf>]>([
    [
      "no utterance needed a model: all null, no model, not shed",
      [],
      { sentiment: [null, null, null, null], model: null, models: [] },
    ],
    [
      "shed: no sentiment at all, and why",
      [zh({ ok: false, shed })],
      { sentiment: null, model: null, models: [], shed },
    ],
    [
      "answered: each target gets its label with that label's probability, the rest null",
      [zh(answer())],
      {
        sentiment: [
          { label: "positive", probability: 0.9 },
          null,
          null,
          { label: "negative", probability: 0.8 },
        ],
        model: { task: "sentiment-zh", version: "2026-01-01" },
        models: [{ task: "sentiment-zh", version: "2026-01-01" }],
      },
    ],
    [
      "two languages: each utterance its model's answer; `model` the one that read more",
      [zh(answer()), en],
      {
        sentiment: [
          { label: "positive", probability: 0.9 },
          { label: "neutral", probability: 0.7 },
          null,
          { label: "negative", probability: 0.8 },
        ],
        model: { task: "sentiment-zh", version: "2026-01-01" },
        models: [
          { task: "sentiment-zh", version: "2026-01-01" },
          { task: "sentiment-en", version: "en-1" },
        ],
      },
    ],
    [
      "one language shed sheds the call's sentiment: it is whole or absent",
      [zh(answer()), { targets: [1], outcome: { ok: false, shed } }],
      { sentiment: null, model: null, models: [], shed },
    ],
    [
      "a label this API does not know is shed as an error, naming the label",
      [
        zh(
          answer({
            labels: ["negative", "mixed", "positive"],
            results: [
              { label: "positive", probabilities: [0.1, 0.1, 0.8] },
              { label: "negative", probabilities: [0.7, 0.2, 0.1] },
            ],
          }),
        ),
      ],
      {
        sentiment: null,
        model: null,
        models: [],
        shed: {
          reason: "error",
          detail: 'the sentiment model has a label "mixed" this API does not know',
        },
      },
    ],
  ])("%s", (_, parts, expected) => {
    expect(sentimentsOf(4, parts)).toEqual(expected);
  });
});

describe("analysisFields: whole, or shed beside the rules-only analysis", () => {
  const analysis = { locale: "zh" } as unknown as insights.CallAnalysis;

  test("not shed: the analysis is the answer's insights", () => {
    const fields = analysisFields(analysis, undefined);
    expect(fields).toEqual({ insights: analysis });
    expect(fields.insights).toBe(analysis);
  });

  test("shed: insights null, the same analysis as rulesOnly, and why", () => {
    const shed: Shed = { reason: "off", detail: "inference-off is in force in this region" };
    const fields = analysisFields(analysis, shed);
    expect(fields).toEqual({ insights: null, rulesOnly: analysis, shed });
    expect(fields.rulesOnly).toBe(analysis);
  });
});
