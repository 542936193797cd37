// The PWA's on-device call insights (web/src/insights) against the server's, in one Node
// process: the page's client, the worker's message loop and engine on the shipped
// sentiment-zh and sentiment-en models in onnxruntime-web's wasm backend, beside the inference worker's own
// `analyzeTexts` and the API's own `analyzeCall` (bindings stood in, ORT loaded as in Node
// instead of workerd's precompiled module, the same wasm binary). Same labels, probabilities
// within 1e-4, and the same signals, metrics and actions for the same text and rules.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import {
  CLINIC_CALL,
  CLINIC_CALL_NOW_MS,
  CLINIC_PROFILE,
  TEST_RULES,
} from "../../core/insights/fixtures.ts";
import { languageOf } from "../../core/insights/language.ts";
import {
  createSentimentClient,
  ScoreError,
  type WorkerLike,
} from "../../web/src/insights/client.ts";
import { loadSentimentModel } from "../../web/src/insights/engine.ts";
import { analyzeOnDevice } from "../../web/src/insights/on-device.ts";
import { DEFAULT_ASSETS } from "../../web/src/insights/protocol.ts";
import { serve, type WorkerScope } from "../../web/src/insights/serve.ts";
import { analyzeCall } from "../../workers/api/insights/analyze.ts";
import { AnalyzeResponse, type CallInsights } from "../../workers/api/insights/contract.ts";
import { analyzeTexts } from "../../workers/inference/analyze.ts";
import { MAX_TEXT_LENGTH } from "../../workers/inference/limits.ts";

// The inference worker's only workerd-specific parts: its ORT (wasm instantiated from a
// module wrangler precompiled) and its models (bundled bytes). Everything else is its code.
// (vi.mock is hoisted above the imports.)
vi.mock("../../workers/inference/ort-workerd.ts", async () => {
  const ort = await import("onnxruntime-web/wasm");
  ort.env.wasm.numThreads = 1;
  return { ort };
});
vi.mock("../../workers/inference/models.ts", async () => {
  const { readFileSync } = await import("node:fs");
  const artifact = (task: string) => {
    const onnx = readFileSync(`models/${task}/model.onnx`);
    const manifest = JSON.parse(readFileSync(`models/${task}/manifest.json`, "utf8"));
    const bytes = onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + onnx.byteLength);
    return { onnx: bytes, manifest };
  };
  return {
    MODELS: { "sentiment-zh": artifact("sentiment-zh"), "sentiment-en": artifact("sentiment-en") },
  };
});

const TOLERANCE = 1e-4;

/** The PWA's static assets, as the lead's build serves them, read from the repo. */
const SERVED: Record<string, string> = Object.fromEntries(
  (["zh", "en"] as const).flatMap((lang) => [
    [DEFAULT_ASSETS.models[lang].modelUrl, `models/sentiment-${lang}/model.onnx`],
    [DEFAULT_ASSETS.models[lang].manifestUrl, `models/sentiment-${lang}/manifest.json`],
  ]),
);
const staticFetch = async (url: string) => {
  const file = SERVED[url];
  if (!file) return new Response("not found", { status: 404 });
  return new Response(readFileSync(file));
};

/**
 * A module worker in this realm: messages are structured-cloned and delivered on a later
 * task both ways, the worker's side is serve.ts, as worker.ts runs it.
 */
function inProcessWorker(fetchImpl = staticFetch): WorkerLike & { terminated: boolean } {
  const page: WorkerLike & { terminated: boolean } = {
    terminated: false,
    onmessage: null,
    onerror: null,
    postMessage(message) {
      const data = structuredClone(message);
      setImmediate(() => !page.terminated && scope.onmessage?.({ data }));
    },
    terminate() {
      page.terminated = true;
    },
  };
  const scope: WorkerScope = {
    onmessage: null,
    postMessage(message) {
      const data = structuredClone(message);
      setImmediate(() => !page.terminated && page.onmessage?.({ data }));
    },
  };
  serve(scope, fetchImpl);
  return page;
}

const stub = (methods: object) => ({ idFromName: () => "id", get: () => methods });
/** The API's Env as analyzeCall reads it: no customer, the tenant's stored rules, ORT in process. */
function apiEnv(storedRules: string | null, modes = "") {
  return {
    REGION: "cn-east",
    JURISDICTION: "cn",
    DEGRADATION_MODES: modes,
    INFERENCE_BUDGET_MS: "5000",
    // Nothing listens: recording fails at once and the answer says `recorded: false`.
    LIBSQL_URL: "http://127.0.0.1:9",
    REGION_HEALTH: stub({ view: async () => null }),
    DIRECTORY: stub({ insightRules: async () => storedRules }),
    INFERENCE: {
      analyzeTexts: (task: string, texts: string[]) =>
        analyzeTexts(task, texts, () => performance.now()),
    },
  } as unknown as Env;
}

let tenants = 0;
/** The server's answer; each call a new tenant, so the API's per-isolate rules cache is cold. */
async function onServer(request: object, rules: object | null = null, modes = "") {
  const env = apiEnv(rules && JSON.stringify(rules), modes);
  const caller = { tenantId: `tnt_ondevice_${++tenants}`, recordedAs: "usr_test" };
  // The one warning expected: no libSQL to record the insight in.
  const warn = console.warn;
  const quiet = vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
    if (!/^insight \S+ not recorded/.test(String(args[0]))) warn(...args);
  });
  try {
    return await analyzeCall(env, () => {}, caller, request as never);
  } finally {
    quiet.mockRestore();
  }
}

/** Equal but for probabilities, which may differ by TOLERANCE. */
function expectSameAnalysis(device: CallInsights["insights"], server: CallInsights["insights"]) {
  expect(device).not.toBeNull();
  expect(server).not.toBeNull();
  const probabilities = (a: NonNullable<CallInsights["insights"]>) =>
    a.utterances.map((u) => u.sentiment?.probability ?? null);
  const withoutProbabilities = (a: NonNullable<CallInsights["insights"]>) => ({
    ...a,
    utterances: a.utterances.map((u) => ({ ...u, sentiment: u.sentiment?.label })),
  });
  expect(withoutProbabilities(device!)).toEqual(withoutProbabilities(server!));
  probabilities(device!).forEach((p, i) => {
    const want = probabilities(server!)[i]!;
    if (want === null) expect(p).toBeNull();
    else expect(Math.abs(p! - want), `utterance ${i}`).toBeLessThanOrEqual(TOLERANCE);
  });
}

/** Sales-call utterances written for this test (zh, en, mixed, and edge shapes). */
const UTTERANCES = [
  "这个价格太贵了，我们预算不够",
  "服务很好，工程师第二天就到了",
  "上次的设备老是出故障，很失望",
  "你们的方案我们很满意，下周可以签合同",
  "售后电话一直打不通",
  "ＯＫ，明天见面详谈",
  "我们用的是 HK Medical 的设备，价格便宜一些",
  "我们院里的设备科、财务科和分管副院长都要签字，流程比较长，一般要两到三个月，所以如果你们希望年底前交付，最好下周就把完整的技术参数和报价单发过来。",
  "😀不错😀",
  "The price is too high for our budget this year",
  "Your engineer fixed it the same day, great service",
  "Can you send the quotation by Friday?",
  "OK",
];

const client = createSentimentClient({ spawn: () => inProcessWorker() });

beforeAll(() => {
  // Only Date: the API's budgets and the client's timeouts keep real timers.
  vi.useFakeTimers({ toFake: ["Date"], now: CLINIC_CALL_NOW_MS });
});
afterAll(() => {
  vi.useRealTimers();
  client.dispose();
});

describe("sentiment: the worker's answer is the inference worker's", () => {
  test("the same label and probabilities within 1e-4, zh and en each by its model, a text without a letter by none, as on the server", async () => {
    const zh = UTTERANCES.filter((t) => languageOf(t) === "zh");
    const en = UTTERANCES.filter((t) => languageOf(t) !== "zh");
    expect(zh.length).toBeGreaterThanOrEqual(8);
    expect(en.length).toBeGreaterThanOrEqual(4);
    const servers = {
      zh: await analyzeTexts("sentiment-zh", zh, () => performance.now()),
      en: await analyzeTexts("sentiment-en", en, () => performance.now()),
    };
    const device = await Promise.all(UTTERANCES.map((t) => client.score(t)));
    let worst = 0;
    for (const [i, text] of UTTERANCES.entries()) {
      const lang = zh.includes(text) ? "zh" : "en";
      const server = servers[lang];
      if (!server.ok) throw new Error(server.detail);
      const got = device[i]!;
      const want = server.results[(lang === "zh" ? zh : en).indexOf(text)]!;
      expect(got.modelVersion).toBe(server.modelVersion);
      expect(got.labels).toEqual(server.labels);
      expect(got.label, text).toBe(want.label);
      for (const [j, p] of got.probabilities.entries())
        worst = Math.max(worst, Math.abs(p - want.probabilities[j]!));
    }
    console.log(
      `on-device vs inference worker, ${zh.length} zh and ${en.length} en texts: worst |Δp| = ${worst}`,
    );
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
    expect(await client.score("……")).toBeNull();
  });

  test("warm, per utterance: the model alone and the round trip through the worker (Node)", async () => {
    const model = await loadSentimentModel(
      readFileSync("models/sentiment-zh/model.onnx"),
      JSON.parse(readFileSync("models/sentiment-zh/manifest.json", "utf8")),
    );
    const zh = UTTERANCES.slice(0, 9);
    /** Median and mean ms of one warm call (after one round to warm the JIT). */
    const timed = async (score: (text: string) => Promise<unknown>) => {
      for (const text of zh) await score(text);
      const ms: number[] = [];
      for (let i = 0; i < 100; i++) {
        const started = performance.now();
        await score(zh[i % zh.length]!);
        ms.push(performance.now() - started);
      }
      ms.sort((x, y) => x - y);
      return { p50: ms[ms.length >> 1]!, mean: ms.reduce((x, y) => x + y) / ms.length };
    };
    const alone = await timed((t) => model.score(t));
    const roundTrip = await timed((t) => client.score(t, "zh"));
    await model.release();
    const show = ({ p50, mean }: { p50: number; mean: number }) =>
      `p50 ${p50.toFixed(3)} ms, mean ${mean.toFixed(3)} ms`;
    console.log(
      `warm on-device sentiment in Node, per utterance: the model ${show(alone)}; ` +
        `page → worker → page ${show(roundTrip)}`,
    );
    // Generous: the point is the measurement; DESIGN §7's 2 ms p99 is the server's target.
    expect(alone.p50).toBeLessThan(20);
  });

  test("a text beyond the inference worker's bounds is refused as invalid input", async () => {
    const refused = client.score("贵".repeat(MAX_TEXT_LENGTH + 1));
    await expect(refused).rejects.toMatchObject({ reason: "invalid-input" });
  });
});

describe("the call: on the device as on the server", () => {
  test("the clinic call with its profile: signals, metrics, actions and sentiment equal the API's", async () => {
    const request = { transcript: CLINIC_CALL, profile: CLINIC_PROFILE };
    const server = await onServer(request);
    const device = await analyzeOnDevice(request, {
      sentiment: client,
      jurisdiction: "cn",
      now: () => CLINIC_CALL_NOW_MS,
    });
    expect(server.shed).toBeUndefined();
    expect(device.shed).toBeUndefined();
    expectSameAnalysis(device.insights, server.insights);
    expect(device.insights!.actions.length).toBeGreaterThan(0);
    expect(device.model).toEqual(server.model);
    expect(device.rules).toEqual(server.rules);
    expect(device.createdAt).toBe(server.createdAt);
  });

  test("a mixed zh/en call with tenant rules (a competitor gazetteer) and a locale", async () => {
    const transcript = UTTERANCES.map((text, i) => ({
      speaker: i % 2 ? ("customer" as const) : ("rep" as const),
      text,
    }));
    const request = { transcript, industry: "medical-devices", locale: "en" };
    const server = await onServer(request, TEST_RULES);
    const device = await analyzeOnDevice(request as never, {
      sentiment: client,
      rules: { source: "tenant", rules: JSON.parse(JSON.stringify(TEST_RULES)) },
      jurisdiction: "cn",
      now: () => CLINIC_CALL_NOW_MS,
    });
    expectSameAnalysis(device.insights, server.insights);
    expect(device.rules).toEqual({ ...server.rules, source: "tenant" });
    const competitors = device.insights!.utterances.flatMap((u) =>
      u.signals.flatMap((s) => (s.competitor ? [s.competitor] : [])),
    );
    expect(competitors).toContain("华康医疗");
    // Every utterance has a letter, so each gets its language's model's sentiment.
    expect(device.insights!.utterances.every((u) => u.sentiment !== null)).toBe(true);
    expect(device.models).toEqual(server.models);
  });

  test("the answer has the API's shape, plus `source: on-device`, never recorded", async () => {
    const request = { transcript: CLINIC_CALL.slice(0, 3), industry: "education" };
    const server = await onServer(request);
    const device = await analyzeOnDevice(request as never, { sentiment: client });
    expect(AnalyzeResponse.parse(device)).toBeTruthy();
    expect(Object.keys(device).sort()).toEqual([...Object.keys(server), "source"].sort());
    expect(device).toMatchObject({ source: "on-device", recorded: false, region: "on-device" });
    expect(device.id).toMatch(/^local_[0-9a-f]{32}$/);
  });

  test("an English-only call is read by the en model on the device, as on the server", async () => {
    const request = {
      transcript: [
        { speaker: "customer", text: "The price is too high for our budget" },
        { speaker: "rep", text: "We can offer a discount if you sign this quarter" },
      ],
    };
    const server = await onServer(request);
    const device = await analyzeOnDevice(request as never, { sentiment: client });
    expect(device.model).toEqual(server.model);
    expect(device.model?.task).toBe("sentiment-en");
    expectSameAnalysis(device.insights, server.insights);
  });

  test("a call with no letter in it needs no model: no sentiment, model null, as on the server", async () => {
    const request = { transcript: [{ speaker: "customer", text: "……" }] };
    const server = await onServer(request);
    const spawned = vi.fn(() => inProcessWorker());
    const unused = createSentimentClient({ spawn: spawned });
    const device = await analyzeOnDevice(request as never, { sentiment: unused });
    expect(spawned).not.toHaveBeenCalled();
    expect(device.model).toBeNull();
    expect(device.models).toEqual([]);
    expectSameAnalysis(device.insights, server.insights);
  });
});

describe("shedding: a model that cannot run gives the rules-only answer", () => {
  test("the model not cached offline: `unavailable`, the API's rules-only analysis, and a fresh worker next time", async () => {
    const offline = async () => {
      throw new TypeError("Failed to fetch");
    };
    const workers: ReturnType<typeof inProcessWorker>[] = [];
    const broken = createSentimentClient({
      spawn: () => {
        workers.push(inProcessWorker(offline));
        return workers.at(-1)!;
      },
    });
    const request = { transcript: CLINIC_CALL, profile: CLINIC_PROFILE };
    const device = await analyzeOnDevice(request, {
      sentiment: broken,
      jurisdiction: "cn",
      now: () => CLINIC_CALL_NOW_MS,
    });
    expect(device.insights).toBeNull();
    expect(device.shed).toMatchObject({ reason: "unavailable" });
    expect(device.model).toBeNull();
    const server = await onServer(request, null, "inference-off");
    expect(server.shed).toMatchObject({ reason: "off" });
    expect(device.rulesOnly).toEqual(server.rulesOnly);
    // ORT cannot retry a failed initialisation in one realm: the next call gets a new worker.
    expect(workers[0]!.terminated).toBe(true);
    await expect(broken.score("价格太贵")).rejects.toMatchObject({ reason: "unavailable" });
    expect(workers).toHaveLength(2);
  });

  test("a worker that does not answer: each request times out, and at most maxInFlight are outstanding", async () => {
    const silent: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage: () => {},
      terminate: () => {},
    };
    const stuck = createSentimentClient({ spawn: () => silent, coldTimeoutMs: 50, maxInFlight: 2 });
    const first = stuck.score("价格太贵");
    const second = stuck.score("服务很好");
    await expect(stuck.score("太贵了")).rejects.toMatchObject({ reason: "busy" });
    await expect(first).rejects.toBeInstanceOf(ScoreError);
    await expect(second).rejects.toMatchObject({ reason: "timeout" });
    const device = await analyzeOnDevice(
      { transcript: [{ speaker: "customer", text: "价格太贵了" }] },
      { sentiment: stuck },
    );
    expect(device.shed).toMatchObject({ reason: "timeout" });
    expect(device.rulesOnly!.utterances[0]!.signals[0]).toMatchObject({
      kind: "price-sensitivity",
    });
  });
});
