// The sentiment model on the device: the shipped ONNX graph in onnxruntime-web's
// single-threaded wasm backend, read and run with the inference worker's own code (ml/serve:
// text reader, session options, run, argmax), so both give the same label and probabilities.
// The worker imports this lazily: ORT's JS is fetched only when a first utterance is scored.
import * as ort from "onnxruntime-web/wasm";
import { argmax } from "../../../ml/serve/argmax.ts";
import type { ModelManifest } from "../../../ml/serve/manifest.ts";
import { run, sessionOptions } from "../../../ml/serve/run.ts";
import { textReader } from "../../../ml/serve/text-input.ts";

// `onnxruntime-web/wasm`, not the default entry: that one bundles the 28 MB WebGPU build.
// One thread: more needs cross-origin isolation and gains nothing on one short utterance.
ort.env.wasm.numThreads = 1;

export type SentimentModel = {
  modelVersion: string;
  labels: string[];
  /** One utterance: its most probable label and every class's probability. */
  score(text: string): Promise<{ label: string; probabilities: number[] }>;
  release(): Promise<void>;
};

/** The manifest as far as serving trusts it before textReader checks the rest. */
function manifestOf(json: unknown): ModelManifest {
  const m = json as Partial<ModelManifest> | null;
  if (
    typeof m?.modelVersion !== "string" ||
    !Array.isArray(m.labels) ||
    !m.labels.every((l) => typeof l === "string") ||
    typeof m.dims !== "object"
  ) {
    throw new Error("the manifest is not a model manifest (modelVersion, labels, dims)");
  }
  return m as ModelManifest;
}

/**
 * A session over `onnx`, warmed by one run (the first compiles ORT's kernels), as the
 * inference worker creates its own. `wasmUrl` is where ORT fetches its .wasm; set before
 * the first session, since ORT initialises its wasm once per realm (and a failed
 * initialisation stays failed: the page then starts a new worker).
 */
export async function loadSentimentModel(
  onnx: Uint8Array,
  manifestJson: unknown,
  wasmUrl?: string,
): Promise<SentimentModel> {
  if (wasmUrl) ort.env.wasm.wasmPaths = { wasm: wasmUrl };
  const manifest = manifestOf(manifestJson);
  const reader = textReader(manifest);
  if (!reader) throw new Error(`${manifest.modelVersion} reads sparse features, not text`);
  const session = await ort.InferenceSession.create(onnx, sessionOptions());
  await run(session, reader(""));
  // One run at a time: the worker's requests arrive together, the backend has one thread.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    modelVersion: manifest.modelVersion,
    labels: manifest.labels,
    score(text) {
      const probabilities = queue.then(() => run(session, reader(text)));
      queue = probabilities.catch(() => undefined);
      return probabilities.then((p) => ({ label: manifest.labels[argmax(p)]!, probabilities: p }));
    },
    release: () => session.release(),
  };
}
