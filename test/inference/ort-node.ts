// Loads ONNX bytes into onnxruntime-web's WASM backend under Node and runs one utterance,
// the same API the inference worker uses inside workerd.
import * as ort from "onnxruntime-web/wasm";
import type { GraphInput } from "../../ml/onnx/text-input.ts";

// Node resolves `onnxruntime-web/wasm` to the bundled build, which finds its .wasm next to
// itself through import.meta.url; one thread, because Node has no crossOriginIsolated workers.
ort.env.wasm.numThreads = 1;

export type Session = ort.InferenceSession;

export function loadSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes);
}

export async function runOne(
  session: ort.InferenceSession,
  indices: Int32Array,
  values: Float32Array,
): Promise<{ logits: Float32Array; probabilities: Float32Array }> {
  const n = indices.length;
  const out = await session.run({
    indices: new ort.Tensor("int64", BigInt64Array.from(indices, BigInt), [n]),
    values: new ort.Tensor("float32", values, [n]),
  });
  return {
    logits: out.logits!.data as Float32Array,
    probabilities: out.probabilities!.data as Float32Array,
  };
}

/** One utterance's graph inputs (ml/onnx/text-input.ts), as the worker feeds them. */
export async function runInput(
  session: ort.InferenceSession,
  input: GraphInput,
): Promise<Float32Array> {
  const int64 = (a: Int32Array) =>
    new ort.Tensor("int64", BigInt64Array.from(a, BigInt), [a.length]);
  const feeds: Record<string, ort.Tensor> = {};
  if (input.ids) feeds.ids = int64(input.ids);
  if (input.indices) feeds.indices = int64(input.indices);
  if (input.values) feeds.values = new ort.Tensor("float32", input.values, [input.values.length]);
  const out = await session.run(feeds);
  return out.probabilities!.data as Float32Array;
}
