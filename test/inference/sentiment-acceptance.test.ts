// Issue 12's acceptance sentences through the real inference path: the shipped sentiment
// models, exported to ONNX, served by the inference worker in workerd (POST /analyze), the
// texts read by the worker's own feature code. Written for this test, none is in the corpus.
import { describe, expect, test } from "vitest";
import { useInferenceWorker } from "./inference-worker.ts";

const inference = useInferenceWorker();

type Answer = {
  labels: string[];
  results: Array<{ label: string; probabilities: number[] }>;
};

async function labelsOf(task: string, texts: string[]): Promise<Answer> {
  const res = await inference.post("/analyze", { task, texts });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

describe("three-class sentiment on the shipped models", () => {
  test("both models answer negative, neutral and positive with calibrated probabilities", async () => {
    for (const task of ["sentiment-zh", "sentiment-en"]) {
      const body = await labelsOf(task, ["ok"]);
      expect(body.labels).toEqual(["negative", "neutral", "positive"]);
      const sum = body.results[0]!.probabilities.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  test("a greeting is neutral", async () => {
    const zh = await labelsOf("sentiment-zh", [
      "您好，我是云仓科技的小陈，今天想跟您约个时间聊一下。",
      "喂，您好，请问是刘经理吗？",
    ]);
    expect(zh.results.map((r) => r.label)).toEqual(["neutral", "neutral"]);
  });

  test("an English greeting is neutral", async () => {
    const en = await labelsOf("sentiment-en", ["Hi, good morning, this is Sam from Acme"]);
    expect(en.results[0]!.label).toBe("neutral");
  });

  test("an English complaint is negative", async () => {
    const en = await labelsOf("sentiment-en", [
      "This is the third outage this month and nobody called us back",
      "Honestly the price is too high and your support is slow.",
    ]);
    expect(en.results.map((r) => r.label)).toEqual(["negative", "negative"]);
  });

  test("'价格比华康贵不少，售后响应也要快' is negative", async () => {
    const zh = await labelsOf("sentiment-zh", ["价格比华康贵不少，售后响应也要快"]);
    expect(zh.results[0]!.label).toBe("negative");
  });

  test("'预算已经批了，但是要走招标流程' is negative or neutral, never positive", async () => {
    const zh = await labelsOf("sentiment-zh", ["预算已经批了，但是要走招标流程"]);
    expect(["negative", "neutral"]).toContain(zh.results[0]!.label);
  });
});
