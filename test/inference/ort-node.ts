// Loads ONNX bytes into onnxruntime-web's WASM backend under Node and runs one utterance,
// the same API the inference worker uses inside workerd.
import * as ort from "onnxruntime-web/wasm";
import { graphFeeds } from "../../ml/serve/feeds.ts";
import type { GraphInput } from "../../ml/serve/text-input.ts";

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
  const out = await session.run(graphFeeds({ indices, values }));
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
  const out = await session.run(graphFeeds(input));
  return out.probabilities!.data as Float32Array;
}
