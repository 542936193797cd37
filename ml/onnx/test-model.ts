// The small seeded model the inference worker ships until trained models are wired in;
// the worker test rebuilds it from here to compare workerd's output with `forward`.
import { exportOnnx } from "./export.ts";
import type { SparseClassifier } from "./model.ts";
import { randomModel } from "./random-model.ts";

export const TEST_MODEL_SEED = 20260401;
export const TEST_MODEL_LABELS = ["negative", "neutral", "positive"];

export function testModel(): SparseClassifier {
  const model = randomModel(TEST_MODEL_SEED, { kind: "mlp", D: 128, H: 8, C: 3 });
  return { ...model, labels: TEST_MODEL_LABELS };
}

export const testModelOnnx = (): Uint8Array => exportOnnx(testModel(), { docString: "test model" });
