// Turns a SparseClassifier into ONNX bytes whose graph costs O(N·C) per utterance: it
// gathers the N touched weight rows instead of multiplying a dense [D] vector.
import type { WeightType } from "../serve/manifest.ts";
import { classifierModel, f16, f32, gatherSum, i64, SPARSE_INPUTS } from "./graph.ts";
import { type SparseClassifier, validateModel } from "./model.ts";
import type { Node, Tensor } from "./onnx-proto.ts";

export type { WeightType } from "../serve/manifest.ts";

/**
 * `weightType`: how the first layer's [D][H|C] table is stored. "float16" halves the artifact
 * (it dominates the Worker upload); rows are Cast back to float32 right after the Gather, so
 * all arithmetic stays float32 and only the stored weights are rounded (≤ 2^-11 each).
 */
export type ExportOptions = { modelVersion?: number; docString?: string; weightType?: WeightType };

/**
 * Inputs `indices` int64 [N] and `values` float32 [N] (one utterance); outputs `logits`
 * and `probabilities`, both float32 [C]. Labels and kind travel in metadata_props.
 */
export function exportOnnx(model: SparseClassifier, options: ExportOptions = {}): Uint8Array {
  validateModel(model);
  const { D, C } = model.dims;
  const hidden = model.kind === "mlp" ? model.dims.H : C;
  const first = model.layers[0];
  const half = options.weightType === "float16";
  const table = (half ? f16 : f32)("W1", [D, hidden], first.weights);
  const initializers: Tensor[] = [
    table,
    f32("b1", [hidden], first.bias),
    i64("axis0", [0]),
    i64("axis1", [1]),
  ];
  const nodes: Node[] = gatherSum("W1", half, "summed");
  if (model.kind === "linear") {
    nodes.push({ opType: "Add", name: "bias", inputs: ["summed", "b1"], outputs: ["logits"] });
  } else {
    const second = model.layers[1];
    initializers.push(f32("W2", [hidden, C], second.weights), f32("b2", [C], second.bias));
    nodes.push(
      { opType: "Add", name: "bias1", inputs: ["summed", "b1"], outputs: ["pre_hidden"] },
      { opType: "Relu", name: "relu", inputs: ["pre_hidden"], outputs: ["hidden"] },
      { opType: "MatMul", name: "project", inputs: ["hidden", "W2"], outputs: ["projected"] },
      { opType: "Add", name: "bias2", inputs: ["projected", "b2"], outputs: ["logits"] },
    );
  }
  return classifierModel({
    name: `sparse_${model.kind}`,
    nodes,
    initializers,
    inputs: SPARSE_INPUTS,
    classes: C,
    metadata: {
      kind: model.kind,
      labels: JSON.stringify(model.labels),
      dims: JSON.stringify(model.dims),
      ...(half ? { weightType: "float16" } : {}),
    },
    modelVersion: options.modelVersion,
    docString: options.docString,
  });
}
