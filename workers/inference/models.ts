// The tasks this worker serves and the artifact behind each: ONNX bytes plus manifest from
// `models/<task>/`, bundled into the upload (`npx tsx ml/onnx/export-models.ts` writes them).
import type { ModelManifest } from "../../ml/serve/manifest.ts";
import intentEnManifest from "../../models/intent-en/manifest.json";
import intentEnOnnx from "../../models/intent-en/model.onnx";
import sentimentZhManifest from "../../models/sentiment-zh/manifest.json";
import sentimentZhOnnx from "../../models/sentiment-zh/model.onnx";

export type ModelArtifact = { onnx: ArrayBuffer; manifest: ModelManifest };

/**
 * The trained tasks only, in warm-up order (sessions are created one at a time):
 * sentiment-zh first, the model the insights API calls. The tests' tiny `test` model is
 * not shipped: test/inference/fixture builds this worker with it added.
 */
const models: Record<string, ModelArtifact> = {
  "sentiment-zh": { onnx: sentimentZhOnnx, manifest: sentimentZhManifest as ModelManifest },
  "intent-en": { onnx: intentEnOnnx, manifest: intentEnManifest as ModelManifest },
};
export const MODELS: Readonly<Record<string, ModelArtifact>> = models;

/** For a test build of this worker (test/inference/fixture): one more task, added at load. */
export function addModel(task: string, artifact: ModelArtifact): void {
  models[task] = artifact;
}
