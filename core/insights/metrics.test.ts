import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CLINIC_CALL } from "./fixtures.ts";
import { callMetrics, countQuestions, estimateSpeechMs, spokenChars } from "./metrics.ts";
import type { Speaker, Utterance } from "./schema.ts";

const u = (speaker: Speaker, text: string, atMs?: number): Utterance =>
  atMs === undefined ? { speaker, text } : { speaker, text, atMs };

describe("talk ratio", () => {
  test("without start times, talk is shared by characters spoken, white space aside", () => {
    const m = callMetrics([u("rep", "你好 你好"), u("customer", "好"), u("rep", "  ")]);
    expect(m.basis).toBe("chars");
    expect(m.talkRatio).toEqual({ rep: 0.8, customer: 0.2 });
  });

  test("with start times, an utterance lasts until the next starts; the last by its length", () => {
    const m = callMetrics([u("rep", "你好", 0), u("customer", "好的", 3000), u("rep", "OK", 4000)]);
    expect(m.basis).toBe("time");
    // rep 3000 + 2 × 60 ms estimated for "OK"; customer 1000.
    expect(m.durationMs).toBe(4120);
    expect(m.talkRatio.rep).toBeCloseTo(3120 / 4120, 12);
    expect(m.talkRatio.rep + m.talkRatio.customer).toBeCloseTo(1, 12);
  });

  test("one missing start time drops the whole call to the character basis", () => {
    const m = callMetrics([u("rep", "你好", 0), u("customer", "好的"), u("rep", "嗯", 4000)]);
    expect(m.basis).toBe("chars");
    expect(m.durationMs).toBeUndefined();
    expect(m.questionRate.repPerMinute).toBeUndefined();
  });

  test("a call where only the rep speaks gives the rep all of it", () => {
    expect(callMetrics([u("rep", "喂？"), u("rep", "您好")]).talkRatio).toEqual({
      rep: 1,
      customer: 0,
    });
  });

  test("an empty call has no talk, no monologue and no questions", () => {
    expect(callMetrics([])).toEqual({
      basis: "chars",
      talkRatio: { rep: 0, customer: 0 },
      longestMonologue: null,
      questionRate: { rep: 0, customer: 0 },
      utterances: { rep: 0, customer: 0 },
    });
  });

  test("only letters and digits are speech, and Han characters take longer to say than Latin ones", () => {
    expect(spokenChars("a 😀 价。")).toBe(2);
    expect(estimateSpeechMs("价格, ok!")).toBe(2 * 250 + 2 * 60);
  });
});

describe("longest monologue", () => {
  test("consecutive utterances of one speaker make one monologue", () => {
    const m = callMetrics([
      u("customer", "价格呢"),
      u("rep", "我们的价格"),
      u("rep", "包含安装"),
      u("customer", "这个要考虑一下"),
    ]);
    expect(m.longestMonologue).toEqual({
      speaker: "rep",
      fromIndex: 1,
      toIndex: 2,
      utterances: 2,
      chars: 9,
    });
  });

  test("on the time basis the longest is the longest in time, not in characters", () => {
    const m = callMetrics([
      u("rep", "嗯……", 0),
      u("customer", "我们这边的情况比较复杂需要慢慢说", 20_000),
      u("rep", "好", 22_000),
    ]);
    expect(m.longestMonologue).toMatchObject({
      speaker: "rep",
      fromIndex: 0,
      toIndex: 0,
      ms: 20_000,
    });
  });

  test("the fixture call's longest monologue is the rep's pitch at utterances 2–3", () => {
    expect(callMetrics(CLINIC_CALL).longestMonologue).toEqual({
      speaker: "rep",
      fromIndex: 2,
      toIndex: 3,
      utterances: 2,
      chars: 50,
      ms: 12_000,
    });
  });
});

describe("questions", () => {
  test.each([
    ["价格大概多少？", 1],
    ["价格大概多少", 1],
    ["这个能打折吗。", 1],
    ["是不是要走招标", 1],
    ["有没有现货", 1],
    ["你们什么时候能到货", 1],
    ["请问保修几年", 1],
    ["你们呢", 1],
    ["价格多少？保修几年？", 2],
    ["好的。", 0],
    ["我们几乎每天都用", 0],
    ["什么都可以", 0],
    ["我不知道是不是这样。", 0],
    ["哪怕贵一点也行", 0],
    ["ＯＫ，没问题！", 0],
  ])("zh: %s has %i question(s)", (text, n) => {
    expect(countQuestions(text)).toBe(n);
  });

  test.each([
    ["How much is it?", 1],
    ["how much is it", 1],
    ["Can you do a discount", 1],
    ["Do it now.", 0],
    ["We need it. When can you deliver? Is installation included", 2],
    ["That sounds good", 0],
    ["Isn't that expensive", 1],
  ])("en: %s has %i question(s)", (text, n) => {
    expect(countQuestions(text)).toBe(n);
  });

  test("question rate is questions per utterance of each side, and per minute for the rep", () => {
    const m = callMetrics([
      u("rep", "您好，预算多少？什么时候要？", 0),
      u("customer", "十万。", 30_000),
      u("rep", "好的。", 60_000),
    ]);
    expect(m.questionRate.rep).toBe(1);
    expect(m.questionRate.customer).toBe(0);
    // 2 questions over 60 s plus the last utterance's estimated 0.5 s.
    expect(m.durationMs).toBe(60_500);
    expect(m.questionRate.repPerMinute).toBeCloseTo(2 / (60_500 / 60_000), 12);
  });
});

describe("metric properties", () => {
  const utterance = fc.record(
    {
      speaker: fc.constantFrom<Speaker>("rep", "customer"),
      text: fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
      atMs: fc.nat({ max: 10_000_000 }),
    },
    { requiredKeys: ["speaker", "text"] },
  );

  test("every metric is finite, ratios are shares that sum to 1, the monologue is one speaker's run", () => {
    fc.assert(
      fc.property(fc.array(utterance, { maxLength: 120 }), (transcript) => {
        const m = callMetrics(transcript);
        const numbers = [
          m.talkRatio.rep,
          m.talkRatio.customer,
          m.questionRate.rep,
          m.questionRate.customer,
          m.questionRate.repPerMinute ?? 0,
          m.durationMs ?? 0,
        ];
        for (const n of numbers) expect(Number.isFinite(n) && n >= 0).toBe(true);
        const sum = m.talkRatio.rep + m.talkRatio.customer;
        expect(sum === 0 || Math.abs(sum - 1) < 1e-12).toBe(true);
        expect(m.utterances.rep + m.utterances.customer).toBe(transcript.length);
        const mono = m.longestMonologue;
        expect(mono === null).toBe(transcript.length === 0);
        if (mono === null) return;
        const run = transcript.slice(mono.fromIndex, mono.toIndex + 1);
        expect(run.length).toBe(mono.utterances);
        expect(run.every((x) => x.speaker === mono.speaker)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
