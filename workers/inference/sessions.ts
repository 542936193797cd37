// One ORT session per task per isolate, created on first use; records how long each
// cold start took so /health can report it.
import type { ModelManifest } from "../../ml/onnx/manifest.ts";
import { MODELS } from "./models.ts";
import { ort } from "./ort-workerd.ts";

export type LoadedModel = {
  session: ort.InferenceSession;
  manifest: ModelManifest;
  /** Wall time of session creation; in workerd clocks advance only across I/O, so it may read 0. */
  coldStartMs: number;
};

/** Promises, so concurrent first requests for a task share one creation. */
const loaded = new Map<string, Promise<LoadedModel>>();
const coldStarts = new Map<string, { modelVersion: string; coldStartMs: number }>();

async function create(task: string, now: () => number): Promise<LoadedModel> {
  const artifact = MODELS[task]!;
  const started = now();
  const session = await ort.InferenceSession.create(new Uint8Array(artifact.onnx));
  const coldStartMs = now() - started;
  coldStarts.set(task, { modelVersion: artifact.manifest.modelVersion, coldStartMs });
  return { session, manifest: artifact.manifest, coldStartMs };
}

/** Undefined for a task with no model; a failed creation is forgotten so the next call retries. */
export function sessionFor(task: string, now: () => number): Promise<LoadedModel> | undefined {
  if (!Object.hasOwn(MODELS, task)) return undefined;
  let pending = loaded.get(task);
  if (!pending) {
    pending = create(task, now);
    pending.catch(() => loaded.delete(task));
    loaded.set(task, pending);
  }
  return pending;
}

export function loadedModels(): Record<string, { modelVersion: string; coldStartMs: number }> {
  return Object.fromEntries(coldStarts);
}
