// The reference prediction for one text: the same tokens and wide features the inference
// worker computes, through the training forward pass (model.ts). Evaluation of a trained
// artifact and the ONNX parity tests both go through here.
import { extract } from "../features/extract.ts";
import type { SparseVector } from "../features/sparse.ts";
import { readTokens } from "../features/vocab.ts";
import type { CnnArtifact } from "./artifact.ts";
import { forward, workspace } from "./model.ts";

/** The wide part's input; one zero-valued id when the text yields no n-gram (N ≥ 1 in ONNX). */
export function wideInput(model: CnnArtifact, text: string): SparseVector | null {
  const recipe = model.header.wideFeatures;
  if (!recipe) return null;
  const x = extract(text, recipe);
  return x.indices.length > 0 ? x : { indices: Int32Array.of(0), values: Float32Array.of(0) };
}

export function predictor(model: CnnArtifact): (text: string) => Float64Array {
  const ws = workspace(model.config, model.header.maxLen);
  return (text) =>
    forward(
      model.config,
      model.layout,
      model.params,
      readTokens(model.vocab, text, model.header.maxLen),
      wideInput(model, text),
      ws,
    ).slice();
}
