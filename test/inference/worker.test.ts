// The inference worker in workerd (unstable_startWorker of its test build, fixture/): the
// test model answers as the TypeScript reference does, and is fast when warm.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { forward } from "../../ml/onnx/model.ts";
import { randomFeatures } from "../../ml/onnx/random-model.ts";
import { testModel, testModelOnnx } from "../../ml/onnx/test-model.ts";
import { useInferenceWorker } from "./inference-worker.ts";

const model = testModel();
const { D } = model.dims;
const inference = useInferenceWorker();
const post = (body: unknown) => inference.post("/classify", body);

const toWire = ({ indices, values }: { indices: Int32Array; values: Float32Array }) => ({
  indices: Array.from(indices),
  values: Array.from(values),
});

type Ok = {
  ok: true;
  modelVersion: string;
  labels: string[];
  results: { probabilities: number[] }[];
};

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

test("the test build's test model is the seeded one, byte for byte", () => {
  const fixture = readFileSync("test/inference/fixture/models/test/model.onnx");
  expect(new Uint8Array(fixture)).toEqual(testModelOnnx());
});

test("/health warms the sessions and classify in workerd matches the reference forward pass", async () => {
  const inputs = [
    randomFeatures(1, D, 1),
    randomFeatures(2, D, 40, true),
    randomFeatures(3, D, 300),
    { indices: new Int32Array(0), values: new Float32Array(0) },
  ];
  // The first request starts the isolate; /health then creates every session (ORT init).
  let health: { ok: boolean; loaded: Record<string, { coldStartMs: number }> } | undefined;
  const firstHealthMs = await timeMs(async () => {
    const res = await fetch(new URL("/health", inference.url));
    expect(res.status).toBe(200);
    health = (await res.json()) as typeof health;
  });
  expect(Object.keys(health!.loaded)).toContain("test");
  const coldMs = await timeMs(async () => {
    const res = await post({ task: "test", inputs: inputs.map(toWire) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Ok;
    expect(body.labels).toEqual(model.labels);
    expect(body.modelVersion).toMatch(/^mlp-[0-9a-f]{12}$/);
    body.results.forEach(({ probabilities }, i) => {
      const expected = forward(model, inputs[i]!.indices, inputs[i]!.values);
      const worst = Math.max(...probabilities.map((p, j) => Math.abs(p - expected[j]!)));
      expect(worst).toBeLessThan(1e-5);
    });
  });
  console.log(
    `first /health (isolate start + sessions) ${firstHealthMs.toFixed(0)} ms; first classify ${coldMs.toFixed(0)} ms; health: %j`,
    health,
  );
});

test("a warm utterance costs well under a millisecond of worker time", async () => {
  const one = [toWire(randomFeatures(10, D, 60))];
  const many = Array.from({ length: 200 }, (_, i) => toWire(randomFeatures(100 + i, D, 60)));
  await post({ task: "test", inputs: many });
  const rounds = 5;
  let oneMs = Infinity;
  let manyMs = Infinity;
  for (let r = 0; r < rounds; r++) {
    oneMs = Math.min(oneMs, await timeMs(() => post({ task: "test", inputs: one })));
    manyMs = Math.min(manyMs, await timeMs(() => post({ task: "test", inputs: many })));
  }
  // The difference cancels the HTTP round trip; what remains is per-utterance work in workerd.
  const perUtteranceMs = (manyMs - oneMs) / (many.length - 1);
  console.log(
    `warm: 1 utterance ${oneMs.toFixed(2)} ms, ${many.length} utterances ${manyMs.toFixed(2)} ms, ≈${(perUtteranceMs * 1000).toFixed(0)} µs/utterance (incl. JSON)`,
  );
  expect(perUtteranceMs).toBeLessThan(2);
});

test("an unknown task is a 404 problem and a bad input a 400 problem", async () => {
  const unknown = await post({ task: "nope", inputs: [{ indices: [1], values: [1] }] });
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get("content-type")).toContain("application/problem+json");
  const outOfRange = await post({ task: "test", inputs: [{ indices: [D], values: [1] }] });
  expect(outOfRange.status).toBe(400);
  const mismatched = await post({ task: "test", inputs: [{ indices: [1, 2], values: [1] }] });
  expect(mismatched.status).toBe(400);
  const notJson = await fetch(new URL("/classify", inference.url), { method: "POST", body: "{" });
  expect(notJson.status).toBe(400);
  // A char-CNN reads characters, not hashed n-grams: sparse input is refused, not misread.
  const cnn = await post({ task: "sentiment-zh", inputs: [{ indices: [1], values: [1] }] });
  expect(cnn.status).toBe(400);
  expect(((await cnn.json()) as { detail: string }).detail).toMatch(/reads text/);
});
