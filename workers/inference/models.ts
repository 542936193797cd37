// The tasks this worker serves and the artifact behind each: ONNX bytes plus manifest,
// bundled into the upload. Trained tasks come from `npx tsx ml/onnx/export-models.ts`.
import type { ModelManifest } from "../../ml/onnx/manifest.ts";
import intentEnManifest from "./models/intent-en/manifest.json";
import intentEnOnnx from "./models/intent-en/model.onnx";
import sentimentZhManifest from "./models/sentiment-zh/manifest.json";
import sentimentZhOnnx from "./models/sentiment-zh/model.onnx";
import testManifest from "./models/test/manifest.json";
import testOnnx from "./models/test/model.onnx";

export type ModelArtifact = { onnx: ArrayBuffer; manifest: ModelManifest };

/**
 * In warm-up order (sessions are created one at a time): sentiment-zh first, the model the
 * insights API calls; the 5 KB `test` model (used by the worker's tests) last.
 */
export const MODELS: Readonly<Record<string, ModelArtifact>> = {
  "sentiment-zh": { onnx: sentimentZhOnnx, manifest: sentimentZhManifest as ModelManifest },
  "intent-en": { onnx: intentEnOnnx, manifest: intentEnManifest as ModelManifest },
  test: { onnx: testOnnx, manifest: testManifest as ModelManifest },
};
