// The API's inference client on its own (in Node, against a stand-in binding with the RPC's
// shape): the budget, the off switch and the breaker decide, and it never throws.
import { beforeEach, describe, expect, test, vi } from "vitest";

type Client = typeof import("../../workers/api/insights/inference.ts");
let inferTexts: Client["inferTexts"];
let inferenceBudgetMs: Client["inferenceBudgetMs"];

// The breaker is per isolate (module state): each test gets a fresh module, as a fresh isolate.
beforeEach(async () => {
  vi.resetModules();
  ({ inferTexts, inferenceBudgetMs } = await import("../../workers/api/insights/inference.ts"));
});

type Reply = () => Promise<unknown>;

function envWith(reply: Reply, vars: Record<string, string> = {}): Env {
  const INFERENCE = { analyzeTexts: () => reply() };
  return { INFERENCE, INFERENCE_BUDGET_MS: "50", DEGRADATION_MODES: "", ...vars } as never;
}

const ok = async () => ({
  ok: true,
  task: "sentiment-zh",
  modelVersion: "v1",
  labels: ["negative", "positive"],
  results: [{ label: "positive", probabilities: [0.1, 0.9] }],
});
const never = () => new Promise<never>(() => {});
const boom = async () => {
  throw new Error('Worker "lifeline-inference" not found');
};

const clock = () => {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
};

describe("inference within a budget", () => {
  test("a timely answer is returned with its model version", async () => {
    const c = clock();
    const out = await inferTexts(envWith(ok), "sentiment-zh", ["好"], [], c.now);
    expect(out).toEqual({
      ok: true,
      value: {
        task: "sentiment-zh",
        modelVersion: "v1",
        labels: ["negative", "positive"],
        results: [{ label: "positive", probabilities: [0.1, 0.9] }],
      },
    });
  });

  test("inference-off in force sheds without calling the worker", async () => {
    let called = false;
    const env = envWith(async () => {
      called = true;
      return ok();
    });
    const modes = ["projection-deferred", "inference-off"];
    const out = await inferTexts(env, "sentiment-zh", ["好"], modes, clock().now);
    expect(out).toMatchObject({ ok: false, shed: { reason: "off" } });
    expect(called).toBe(false);
  });

  test("an answer later than the budget is a timeout, and the call returns at the budget", async () => {
    const started = performance.now();
    const out = await inferTexts(envWith(never), "sentiment-zh", ["好"], [], clock().now);
    expect(out).toMatchObject({ ok: false, shed: { reason: "timeout" } });
    // The stand-in never answers: returning at all proves the budget cut it off.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  test("a missing worker is an error, not an exception", async () => {
    const out = await inferTexts(envWith(boom), "sentiment-zh", ["好"], [], clock().now);
    expect(out).toMatchObject({ ok: false, shed: { reason: "error" } });
  });

  test("three failures open the breaker; the worker is not called until the cool-down ends, then one trial closes it", async () => {
    const c = clock();
    let calls = 0;
    let healthy = false;
    const env = envWith(async () => {
      calls++;
      if (healthy) return ok();
      throw new Error("down");
    });
    for (let i = 0; i < 3; i++) await inferTexts(env, "sentiment-zh", ["好"], [], c.now);
    expect(calls).toBe(3);
    const open = await inferTexts(env, "sentiment-zh", ["好"], [], c.now);
    expect(open).toMatchObject({ ok: false, shed: { reason: "breaker-open" } });
    expect(calls).toBe(3);
    healthy = true;
    c.advance(10_000);
    expect((await inferTexts(env, "sentiment-zh", ["好"], [], c.now)).ok).toBe(true);
    expect((await inferTexts(env, "sentiment-zh", ["好"], [], c.now)).ok).toBe(true);
    expect(calls).toBe(5);
  });

  test("a refusal by a live worker (bad input) sheds that request but is no breaker failure", async () => {
    const c = clock();
    const refuse = async () => ({ ok: false, error: "invalid-input", detail: "too long" });
    for (let i = 0; i < 5; i++) {
      const out = await inferTexts(envWith(refuse), "sentiment-zh", ["好"], [], c.now);
      expect(out).toMatchObject({ ok: false, shed: { reason: "error" } });
    }
  });

  test("the budget defaults to 300 ms and is bounded", () => {
    expect(inferenceBudgetMs({ INFERENCE_BUDGET_MS: "" } as never)).toBe(300);
    expect(inferenceBudgetMs({ INFERENCE_BUDGET_MS: "abc" } as never)).toBe(300);
    expect(inferenceBudgetMs({ INFERENCE_BUDGET_MS: "120" } as never)).toBe(120);
    expect(inferenceBudgetMs({ INFERENCE_BUDGET_MS: "600000" } as never)).toBe(5_000);
  });
});
