// The tasks this worker serves and the artifact behind each: ONNX bytes plus manifest,
// bundled into the upload. Trained models are added here next to the test model.
import type { ModelManifest } from "../../ml/onnx/manifest.ts";
import testManifest from "./models/test/manifest.json";
import testOnnx from "./models/test/model.onnx";

export type ModelArtifact = { onnx: ArrayBuffer; manifest: ModelManifest };

export const MODELS: Readonly<Record<string, ModelArtifact>> = {
  test: { onnx: testOnnx, manifest: testManifest as ModelManifest },
};
