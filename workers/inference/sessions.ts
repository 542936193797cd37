// One ORT session per task per isolate, created on first use, one creation at a time;
// records how long each cold start took so /health can report it, and refuses a manifest
// it cannot serve.

import type { ModelManifest } from "../../ml/serve/manifest.ts";
import { run, sessionOptions } from "../../ml/serve/run.ts";
import { type GraphInput, textReader } from "../../ml/serve/text-input.ts";
import { MODELS } from "./models.ts";
import { ort } from "./ort-workerd.ts";

export type LoadedModel = {
  session: ort.InferenceSession;
  manifest: ModelManifest;
  /** Text → graph inputs, with the model's own recipe; null for a sparse-input-only model. */
  reader: ((text: string) => GraphInput) | null;
  /**
   * Wall time of session creation plus one warm-up run. Local workerd's clock has 1 ms steps;
   * deployed Workers advance it only across I/O, so there it may read 0.
   */
  coldStartMs: number;
};

/** Promises, so concurrent first requests for a task share one creation. */
const loaded = new Map<string, Promise<LoadedModel>>();
const coldStarts = new Map<string, { modelVersion: string; coldStartMs: number }>();
/**
 * Creations run one after another: the single-threaded wasm backend gains nothing from
 * overlapping them, the task asked for first is ready first, and each coldStartMs is its own.
 */
let creating: Promise<unknown> = Promise.resolve();

async function create(task: string, now: () => number): Promise<LoadedModel> {
  const artifact = MODELS[task]!;
  const reader = textReader(artifact.manifest);
  const started = now();
  // A view of the bundled bytes, not a copy; ORT copies them once into its wasm heap.
  const session = await ort.InferenceSession.create(
    new Uint8Array(artifact.onnx),
    sessionOptions(),
  );
  // The first run compiles the kernels' wasm code lazily (tens of ms); pay it here, so a
  // warmed session (readiness, /health) is really warm for the first utterance.
  await (reader ? run(session, reader("")) : runOne(session, [0], [0]));
  const coldStartMs = now() - started;
  coldStarts.set(task, { modelVersion: artifact.manifest.modelVersion, coldStartMs });
  return { session, manifest: artifact.manifest, reader, coldStartMs };
}

/** Undefined for a task with no model; a failed creation is forgotten so the next call retries. */
export function sessionFor(task: string, now: () => number): Promise<LoadedModel> | undefined {
  if (!Object.hasOwn(MODELS, task)) return undefined;
  let pending = loaded.get(task);
  if (!pending) {
    pending = creating.then(() => create(task, now));
    creating = pending.catch(() => undefined);
    pending.catch(() => loaded.delete(task));
    loaded.set(task, pending);
  }
  return pending;
}

/** One utterance through the graph: feature ids and weights in, class probabilities out. */
export async function runOne(
  session: ort.InferenceSession,
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
): Promise<number[]> {
  return run(session, { indices: Int32Array.from(indices), values: Float32Array.from(values) });
}

export function loadedModels(): Record<string, { modelVersion: string; coldStartMs: number }> {
  return Object.fromEntries(coldStarts);
}
