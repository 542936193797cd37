// Turns a SparseClassifier into ONNX bytes whose graph costs O(N·C) per utterance: it
// gathers the N touched weight rows instead of multiplying a dense [D] vector.
import { toFloat16Array } from "./float16.ts";
import { type SparseClassifier, validateModel } from "./model.ts";
import { DataType, encodeModel, type Node, type Tensor } from "./onnx-proto.ts";

/** IR 8 / opset 17 is the newest pair every onnxruntime since 1.14 loads. */
const IR_VERSION = 8;
const OPSET = 17;

const f32 = (name: string, dims: number[], data: Float32Array): Tensor => ({
  name,
  dataType: DataType.FLOAT,
  dims,
  data,
});
const i64 = (name: string, values: number[]): Tensor => ({
  name,
  dataType: DataType.INT64,
  dims: [values.length],
  data: BigInt64Array.from(values, BigInt),
});

/**
 * How the first layer's [D][H|C] table is stored. "float16" halves the artifact (it dominates
 * the Worker upload); rows are Cast back to float32 right after the Gather, so all arithmetic
 * stays float32 and only the stored weights are rounded (relative error ≤ 2^-11 each).
 */
export type WeightType = "float32" | "float16";

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
  const table: Tensor = half
    ? {
        name: "W1",
        dataType: DataType.FLOAT16,
        dims: [D, hidden],
        data: toFloat16Array(first.weights),
      }
    : f32("W1", [D, hidden], first.weights);
  const initializers: Tensor[] = [
    table,
    f32("b1", [hidden], first.bias),
    i64("axis0", [0]),
    i64("axis1", [1]),
  ];
  // Opset ≥13 takes Unsqueeze/ReduceSum axes as tensor inputs, not attributes.
  const nodes: Node[] = [
    {
      opType: "Gather",
      name: "gather_rows",
      inputs: ["W1", "indices"],
      outputs: [half ? "rows_f16" : "rows"],
      attributes: [{ name: "axis", int: 0 }],
    },
    ...(half
      ? [
          {
            opType: "Cast",
            name: "rows_to_f32",
            inputs: ["rows_f16"],
            outputs: ["rows"],
            attributes: [{ name: "to", int: DataType.FLOAT }],
          },
        ]
      : []),
    { opType: "Unsqueeze", name: "column", inputs: ["values", "axis1"], outputs: ["weights_col"] },
    { opType: "Mul", name: "scale_rows", inputs: ["rows", "weights_col"], outputs: ["scaled"] },
    {
      opType: "ReduceSum",
      name: "sum_rows",
      inputs: ["scaled", "axis0"],
      outputs: ["summed"],
      attributes: [{ name: "keepdims", int: 0 }],
    },
  ];
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
  nodes.push({
    opType: "Softmax",
    name: "softmax",
    inputs: ["logits"],
    outputs: ["probabilities"],
    attributes: [{ name: "axis", int: -1 }],
  });

  return encodeModel({
    irVersion: IR_VERSION,
    opset: OPSET,
    producerName: "lifeline-ml",
    modelVersion: options.modelVersion ?? 1,
    docString: options.docString ?? "",
    metadata: {
      kind: model.kind,
      labels: JSON.stringify(model.labels),
      dims: JSON.stringify(model.dims),
      ...(half ? { weightType: "float16" } : {}),
    },
    graph: {
      name: `sparse_${model.kind}`,
      nodes,
      initializers,
      inputs: [
        { name: "indices", elemType: DataType.INT64, shape: ["N"] },
        { name: "values", elemType: DataType.FLOAT, shape: ["N"] },
      ],
      outputs: [
        { name: "logits", elemType: DataType.FLOAT, shape: [C] },
        { name: "probabilities", elemType: DataType.FLOAT, shape: [C] },
      ],
    },
  });
}
