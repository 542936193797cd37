import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CLINIC_CALL } from "./fixtures.ts";
import {
  callMetrics,
  countQuestions,
  estimateSpeechMs,
  spokenChars,
  utteranceTalkMs,
} from "./metrics.ts";
import type { Speaker, Utterance } from "./schema.ts";

const u = (speaker: Speaker, text: string, atMs?: number): Utterance =>
  atMs === undefined ? { speaker, text } : { speaker, text, atMs };

describe("talk ratio", () => {
  test("without start times, talk is shared by characters spoken, white space aside", () => {
    const m = callMetrics([u("rep", "你好 你好"), u("customer", "好"), u("rep", "  ")]);
    expect(m.basis).toBe("chars");
    expect(m.talkRatio).toEqual({ rep: 0.8, customer: 0.2 });
  });

  test("with start times, an utterance talks until the next starts; the last for its speech time", () => {
    const m = callMetrics([u("rep", "你好", 0), u("customer", "好的", 800), u("rep", "OK", 1800)]);
    expect(m.basis).toBe("time");
    // rep 800 + 2 × 60 ms estimated for "OK"; customer 1000 (within twice its 500 ms).
    expect(m.durationMs).toBe(1920);
    expect(m.talkRatio.rep).toBeCloseTo(920 / 1920, 12);
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

describe("talk time", () => {
  test("an utterance's duration is capped near its estimated speech time: the silence after it is not talk", () => {
    // 好 takes 250 ms to say; the 20 s before the customer answers are silence.
    const transcript = [
      u("rep", "好", 0),
      u("customer", "价格太贵了", 20_000),
      u("rep", "嗯", 21_500),
    ];
    expect(utteranceTalkMs(transcript)).toEqual([500, 1500, 250]);
    const m = callMetrics(transcript);
    expect(m.talkRatio.customer).toBeCloseTo(1500 / 2250, 12);
    expect(m.durationMs).toBe(21_750);
  });

  test("an utterance's duration has a floor: a short gap gives at least 200 ms, an equal or backward start its speech time", () => {
    const transcript = [
      u("rep", "您好，我是康达医疗的小李", 1000),
      u("customer", "你好", 1050),
      u("rep", "今天想跟您聊一下超声设备", 1050),
      u("customer", "好的", 900),
    ];
    expect(utteranceTalkMs(transcript)).toEqual([200, 500, 12 * 250, 500]);
    expect(utteranceTalkMs([u("rep", "价格", 0), u("rep", "嗯", 10)])).toEqual([200, 250]);
    // Nothing spoken takes no time, whatever the gap.
    expect(utteranceTalkMs([u("rep", "……", 0), u("customer", "好", 5000)])).toEqual([0, 250]);
  });

  test("a call shorter than a minute has no per-minute rate, however many questions; equal start times never divide by zero", () => {
    const burst = [u("rep", "价格多少？", 0), u("rep", "几台？", 0), u("customer", "两台", 0)];
    const m = callMetrics(burst);
    expect(m.basis).toBe("time");
    expect(m.questionRate.rep).toBe(1);
    expect(m.questionRate.repPerMinute).toBeNull();
    // The call lasted at least as long as the talk in it: 4 + 2 + 2 characters.
    expect(m.durationMs).toBe(8 * 250);
    expect(
      callMetrics([u("rep", "价格多少？", 0), u("customer", "十万", 59_000)]).questionRate
        .repPerMinute,
    ).toBeNull();
    expect(
      callMetrics([u("rep", "价格多少？", 0), u("customer", "十万", 60_000)]).questionRate
        .repPerMinute,
    ).toBeCloseTo(1 / (60_500 / 60_000), 12);
  });

  test("talk times stay within their bounds and per-minute rates are finite and at most the questions asked, for any timestamps", () => {
    // Any order, collisions and huge jumps: what a recogniser or a client bug may send.
    const atMs = fc.oneof(fc.constantFrom(0, 1, 1000), fc.nat({ max: 10_000_000 }));
    const utterance = fc.record({
      speaker: fc.constantFrom<Speaker>("rep", "customer"),
      text: fc.oneof(
        fc.constantFrom("价格多少？", "Can you do it?", "好", "……", "几台", "OK"),
        fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
      ),
      atMs,
    });
    fc.assert(
      fc.property(fc.array(utterance, { minLength: 1, maxLength: 100 }), (transcript) => {
        const talk = utteranceTalkMs(transcript)!;
        transcript.forEach((x, i) => {
          const speech = estimateSpeechMs(x.text);
          expect(talk[i]).toBeGreaterThanOrEqual(Math.min(200, speech));
          expect(talk[i]).toBeLessThanOrEqual(2 * speech);
        });
        const m = callMetrics(transcript);
        const total = talk.reduce((a, b) => a + b, 0);
        expect(Number.isFinite(m.durationMs)).toBe(true);
        expect(m.durationMs).toBeGreaterThanOrEqual(total);
        const rate = m.questionRate.repPerMinute;
        expect(rate === null).toBe(m.durationMs! < 60_000);
        const asked = transcript
          .filter((x) => x.speaker === "rep")
          .reduce((n, x) => n + countQuestions(x.text), 0);
        if (rate !== null && rate !== undefined) {
          expect(Number.isFinite(rate) && rate >= 0 && rate <= asked).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
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
    // Latin letters are quicker to say than Han characters: 23 letters in 2 s, 5 characters in 2.5 s.
    const m = callMetrics([
      u("rep", "OK, we can do that for you today", 0),
      u("customer", "价格太贵了", 2000),
      u("rep", "好", 4500),
    ]);
    expect(m.longestMonologue).toMatchObject({
      speaker: "customer",
      fromIndex: 1,
      toIndex: 1,
      ms: 2500,
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
  const zh: Array<[string, number]> = [
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
    ["我们还在考虑呢", 0],
    ["领导正在开会呢", 0],
    ["预算还没定呢", 0],
    ["早着呢", 0],
    ["价格呢", 1],
    ["那售后呢", 1],
    ["现在价格呢", 1],
  ];
  const en: Array<[string, number]> = [
    ["How much is it?", 1],
    ["how much is it", 1],
    ["Can you do a discount", 1],
    ["Do it now.", 0],
    ["We need it. When can you deliver? Is installation included", 2],
    ["That sounds good", 0],
    ["Isn't that expensive", 1],
  ];
  test.each<[string, string, number]>([
    ...zh.map(([text, n]): [string, string, number] => ["zh", text, n]),
    ...en.map(([text, n]): [string, string, number] => ["en", text, n]),
  ])("%s: %s has %i question(s)", (_, text, n) => {
    expect(countQuestions(text)).toBe(n);
  });

  // Question words and auxiliaries: each group, its rule and how many questions it finds.
  const groups: Array<[rule: string, questions: number, texts: string[]]> = [
    [
      "zh: a question word meaning any, some or not much asks nothing",
      0,
      [
        "多少都行",
        "多少钱都行",
        "什么时候都可以",
        "怎么都行",
        "怎么样都可以",
        "谁都知道",
        "哪个都行",
        "随便哪个",
        "没什么问题",
        "没多少钱",
        "不怎么用",
        "好几个医院在用",
        "十几台",
        "几十万的设备",
        "价格什么的好说",
        "多少有点贵",
        "多多少少有点贵",
      ],
    ],
    [
      "zh: a question word that asks is still a question",
      1,
      [
        "多少钱",
        "你们什么时候到货",
        "怎么安装",
        "谁负责采购",
        "哪个型号好",
        "买几台",
        "为什么这么贵",
        "你们都卖什么",
        "什么都包括吗",
      ],
    ],
    [
      "en: a statement opening with an auxiliary or what-a asks nothing",
      0,
      [
        "Can do",
        "Will do",
        "Could be",
        "Can do that by Friday",
        "Will send it over today",
        "Should be fine",
        "Would love to",
        "Might work",
        "Won't happen again",
        "Don't worry",
        "Can’t complain",
        "Have a great day",
        "Do it now",
        "What a deal",
      ],
    ],
    [
      "en: an auxiliary before its subject still asks",
      1,
      [
        "Could you send the quote",
        "Will the price change",
        "Is Tuesday ok",
        "Would it be possible",
        "Does it come with training",
        "Do you have stock",
        "Isn’t that expensive",
        "Can we meet on Friday",
        "Have you decided",
        "What do you need",
        "How long is the warranty",
        "Can do?",
      ],
    ],
  ];
  for (const [rule, questions, texts] of groups) {
    test.each(texts)(`${rule}: %s`, (text) => {
      expect(countQuestions(text)).toBe(questions);
    });
  }

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
