// Trained artifacts (`models/<task>/`, format lifeline-linear-mlp/1) → the ONNX + manifest the
// inference worker ships. Pure apart from reading the artifact, so the CLI and the "shipped
// files are current" test produce the very same bytes.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CNN_FORMAT, type CnnArtifact, decodeCnn } from "../cnn/artifact.ts";
import { predictor } from "../cnn/predict.ts";
import type { FeatureConfig } from "../features/config.ts";
import { extract } from "../features/extract.ts";
import { decodeModel } from "../train/codec.ts";
import { type Model, predict } from "../train/model.ts";
import { exportOnnx, type WeightType } from "./export.ts";
import { exportCharCnn } from "./export-cnn.ts";
import { cnnManifestFor, type ModelManifest, manifestFor } from "./manifest.ts";
import type { SparseClassifier } from "./model.ts";

/** float16 keeps both models' upload well inside the 10 MB budget; see export.ts. */
export const SHIPPED_WEIGHT_TYPE: WeightType = "float16";

/** Task names: every directory under `modelsDir` holding a model.json, sorted. */
export function trainedTasks(modelsDir: string): string[] {
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(modelsDir, d.name, "model.json")))
    .map((d) => d.name)
    .sort();
}

/** A committed artifact of either format, told apart by its header's `format`. */
export type TrainedArtifact =
  | { kind: "sparse"; model: Model; featureConfig: FeatureConfig }
  | { kind: "char-cnn"; model: CnnArtifact; featureConfig: FeatureConfig | null };

export function readTrained(taskDir: string): TrainedArtifact {
  const header = JSON.parse(readFileSync(join(taskDir, "model.json"), "utf8"));
  const file = readFileSync(join(taskDir, header.weightsFile ?? "weights.bin"));
  const blob = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  if (header.format === CNN_FORMAT) {
    const model = decodeCnn(header, blob);
    return { kind: "char-cnn", model, featureConfig: model.header.wideFeatures };
  }
  const model = decodeModel(header, blob);
  return { kind: "sparse", model, featureConfig: model.featureConfig };
}

/** Class probabilities for one text, as the TypeScript reference computes them. */
export function textPredictor(artifact: TrainedArtifact): (text: string) => ArrayLike<number> {
  if (artifact.kind === "char-cnn") return predictor(artifact.model);
  const { model } = artifact;
  return (text) => predict(model, extract(text, model.featureConfig));
}

export const labelsOf = (artifact: TrainedArtifact): string[] =>
  artifact.kind === "char-cnn" ? artifact.model.header.labels : [...artifact.model.labels];

/** Both formats store weights row-major [in][out], so conversion only re-labels the layers. */
export function toSparseClassifier(model: Model): SparseClassifier {
  const [first, second, ...rest] = model.layers;
  const labels = [...model.labels];
  const layer = (l: { weights: Float32Array; bias: Float32Array }) => ({
    weights: l.weights,
    bias: l.bias,
  });
  if (!first) throw new Error("model has no layers");
  if (model.kind === "linear" && !second && first.activation === "softmax") {
    return {
      kind: "linear",
      labels,
      dims: { D: first.inputs, C: first.outputs },
      layers: [layer(first)],
    };
  }
  if (
    model.kind === "mlp" &&
    second &&
    rest.length === 0 &&
    first.activation === "relu" &&
    second.activation === "softmax"
  ) {
    return {
      kind: "mlp",
      labels,
      dims: { D: first.inputs, H: first.outputs, C: second.outputs },
      layers: [layer(first), layer(second)],
    };
  }
  throw new Error(
    `cannot export a ${model.kind} with layers ${model.layers.map((l) => l.activation).join("→")}`,
  );
}

export type ShippedModel = { onnx: Uint8Array; manifest: ModelManifest; manifestJson: string };

export function exportTrained(
  artifact: TrainedArtifact,
  weightType = SHIPPED_WEIGHT_TYPE,
): ShippedModel {
  if (artifact.kind === "char-cnn") {
    const onnx = exportCharCnn(artifact.model, { docString: "lifeline trained model" });
    const sha = createHash("sha256").update(onnx).digest("hex");
    const manifest = cnnManifestFor(artifact.model, sha);
    return { onnx, manifest, manifestJson: `${JSON.stringify(manifest, null, 2)}\n` };
  }
  const { model } = artifact;
  const classifier = toSparseClassifier(model);
  // No timestamps or paths in the bytes: the same artifact always exports identically.
  const onnx = exportOnnx(classifier, { docString: "lifeline trained model", weightType });
  const sha = createHash("sha256").update(onnx).digest("hex");
  const manifest = manifestFor(classifier, sha, {
    weightType,
    featureConfig: model.featureConfig,
  });
  return { onnx, manifest, manifestJson: `${JSON.stringify(manifest, null, 2)}\n` };
}
