// The tasks this worker serves and the artifact behind each: ONNX bytes plus manifest from
// `models/<task>/`, bundled into the upload (`npx tsx ml/onnx/export-models.ts` writes them).
import type { ModelManifest } from "../../ml/serve/manifest.ts";
import intentEnManifest from "../../models/intent-en/manifest.json";
import intentEnOnnx from "../../models/intent-en/model.onnx";
import sentimentEnManifest from "../../models/sentiment-en/manifest.json";
import sentimentEnOnnx from "../../models/sentiment-en/model.onnx";
import sentimentZhManifest from "../../models/sentiment-zh/manifest.json";
import sentimentZhOnnx from "../../models/sentiment-zh/model.onnx";

export type ModelArtifact = { onnx: ArrayBuffer; manifest: ModelManifest };

/** A JSON import is typed by its contents; what it is, is what the exporter wrote. */
const manifestOf = (json: unknown) => json as ModelManifest;

/**
 * The trained tasks only, in warm-up order (sessions are created one at a time): the
 * sentiment models first, the ones the insights API calls. The tests' tiny `test` model is
 * not shipped: test/inference/fixture builds this worker with it added.
 */
const models: Record<string, ModelArtifact> = {
  "sentiment-zh": { onnx: sentimentZhOnnx, manifest: manifestOf(sentimentZhManifest) },
  "sentiment-en": { onnx: sentimentEnOnnx, manifest: manifestOf(sentimentEnManifest) },
  "intent-en": { onnx: intentEnOnnx, manifest: manifestOf(intentEnManifest) },
};
export const MODELS: Readonly<Record<string, ModelArtifact>> = models;

/** For a test build of this worker (test/inference/fixture): one more task, added at load. */
export function addModel(task: string, artifact: ModelArtifact): void {
  models[task] = artifact;
}
